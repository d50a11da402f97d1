"""Meeting references: dates written where a meeting is meant. Pure functions over text.

After "meeting(s) ... held on", "the minutes of ...", "the Cabinet held on", "at its meeting on",
"dated", or before "meeting" ("the 21 January meeting"), in any letter case, with the date in any
form ``citedates`` reads. A meeting on or after the citing meeting's own date is no citation of its
record (the next meeting, the document's own date), unless minutes written later report it as past.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.parse.citation import Reference
from pipeline.parse.citedates import dates_in

WINDOW = 140  # characters before a date its meeting words are looked for in
_BODY = (
    r"(?:committee|council|board|panel|cabinet|group|forum|commission|executive|authority|assembly"
    r"|sub-committee|partnership|body|working\s+group)"
)
_NAME = r"[\w'’&(),.\- ]{1,90}?"
# a body's name just before a full date: "Full Council 21/6/2022"
_BODY_BEFORE_DATE = re.compile(rf"\b(?:full\s+)?{_BODY}\s+$")
# What comes just before a date cited as a meeting (lower-cased text, anchored at the date).
_BEFORE = [
    re.compile(
        rf"\bmeetings?(?:\s+of\s+{_NAME})?\s+(?:which\s+took\s+place\s+|was\s+)?(?:held\s+)?(?:on\s+|dated\s+|of\s+)?(?:the\s+)?$"
    ),
    re.compile(
        rf"\bminutes?\s+(?:of|from)\s+(?:the\s+|a\s+)?(?:{_NAME}\s+)?(?:meeting\s+)?(?:held\s+|dated\s+)?(?:on\s+)?(?:the\s+)?$"
    ),
    re.compile(rf"\b{_BODY}(?:\s*\(\d\))?(?:\s+\d{{1,4}}\s*-\s*\d{{1,4}})?\s+of\s+(?:the\s+)?$"),
    re.compile(rf"\b{_BODY}(?:\s*\(\d\))?\s+(?:meeting\s+)?(?:held|dated)\s+(?:on\s+)?(?:the\s+)?$"),
    re.compile(
        r"\b(?:at|in)\s+its\s+(?:last\s+|previous\s+|earlier\s+)?meeting\s+(?:held\s+)?(?:on\s+)?(?:the\s+)?$"
    ),
    _BODY_BEFORE_DATE,
    re.compile(r"\breconvened\s+on\s+(?:the\s+)?$"),  # the reconvened sitting, a meeting of its own
]
# ... or just after it: "the 21 January meeting", "the 28th January 2021 meeting of the Board"
_AFTER = re.compile(
    rf"^,?\s+(?:(?:{_BODY}|special|extraordinary|annual|full|ordinary|[A-Z][\w&]*)\s+){{0,4}}meeting\b",
    re.IGNORECASE,
)
_THE_IN_DATE = re.compile(r"(?i:the)\s")  # a date read with its article: "the 21st of January"
_BEFORE_AFTER = re.compile(r"\b(?:the|its|their|our)\s+$", re.IGNORECASE)
_FUTURE = re.compile(
    r"\b(?:will|shall|would|to)\s+be\s+(?:held|scheduled|arranged|convened)\b(?:[^.;]|(?<=\d)\.(?=\d))*$"
    r"|\bnext\s+(?:\w+\s+){0,3}meeting\b(?:[^.;]|(?<=\d)\.(?=\d))*$"
    r"|\b(?:until|by|from|before|after|between|since|deadline|starting|commencing|ending)\s+(?:the\s+)?$"
    r"|\b(?:(?:deferred|postponed|adjourned|carried\s+forward)\s+(?:to|until)|agenda\s+for)\s+(?:the\s+)?$"
    r"|\b(?:between|since|from)\s+[^.;]{1,40}?\s+(?:and|to|until|-|–)\s+(?:the\s+)?$"  # a period's end
    r"|\battend(?:ed|ing|s)?\s+(?:a|an|the)\s+(?:\w+\s+){0,3}meetings?\b[^.;]*$",  # attending is no citing of a record
    re.IGNORECASE,
)
# A later meeting reported as past in minutes written after it: "the Executive at its meeting on
# 9 March 2021 supported and noted ...".
_REPORTED_AFTER = re.compile(
    r"^,?\s+(?:had\s+)?(?:supported|agreed|approved|noted|resolved|decided|endorsed|considered|accepted|rejected)\b",
    re.IGNORECASE,
)
NOT_COMMITTEE = {
    "further", "to", "the", "see", "following", "as", "under", "in", "per", "re", "at", "with", "and", "of",
    "resolved", "noted", "minute", "minutes", "from", "by", "for", "this", "that", "its", "his", "her",
    "referring", "reference", "refer", "item", "items", "members", "member", "councillor", "cllr", "personal",
    "interest", "declared", "agreed", "approved", "confirm", "approve", "receive", "note", "sign", "adopt",
}  # fmt: skip


def _committee_in(before: str) -> str | None:
    """The body a meeting citation names, nearest the date: "the minutes of the Audit Committee
    held on" -> "Audit Committee"."""
    pattern = rf"(?:\b(?i:of\s+(?:the\s+)?|the\s+)|^)(?P<name>(?:[A-Z][\w'’&\-]*\s+(?:(?:of|and|for|&)\s+)?){{0,6}}(?i:{_BODY})(?:\s*\(\d\))?)"
    found = list(re.finditer(pattern, before))
    if not found:
        return None
    words = found[-1].group("name").split()
    while words and words[0].lower() in NOT_COMMITTEE:
        words = words[1:]
    name = " ".join(words)
    return name if name and name[0].isupper() else None


def meeting_refs(
    text: str, taken: bytearray, meeting_date: date | None, from_minute: str | None
) -> list[Reference]:
    found = []
    for d in dates_in(text):
        if taken[d.start]:
            continue
        line_start = max(text.rfind("\n", 0, d.start) + 1, d.start - WINDOW)
        before = text[line_start : d.start]
        lower = before.lower()
        after = text[d.end : d.end + 60]
        if _FUTURE.search(lower):
            continue
        matched = next(
            (m for p in _BEFORE if (m := p.search(lower)) and _words_of_this_date(lower, m.start())), None
        )
        if matched is not None and matched.re is _BODY_BEFORE_DATE and d.year is None:
            matched = None  # "Council 21 May" could be anything; "Full Council 21/6/2022" is a meeting
        if matched is None and _AFTER.match(after):
            matched = _BEFORE_AFTER.search(before) or _THE_IN_DATE.match(
                text, d.start
            )  # "the 9 August 2010 Cabinet meeting"
        if matched is None:
            continue
        when = d.resolve(meeting_date)
        if when is None or (meeting_date is not None and when == meeting_date):
            continue  # the meeting's own date
        if meeting_date is not None and when > meeting_date and not _REPORTED_AFTER.match(after):
            continue  # one to come: no record to cite yet (unless minutes written later report it)
        start = d.start if matched.re is _THE_IN_DATE else line_start + _phrase_start(before, matched.start())
        found.append(
            Reference(
                kind="meeting",
                cited_text=" ".join(text[start : d.end].split()),
                cited_committee=_committee_in(before),
                cited_date=when,
                from_minute=from_minute,
                start=d.start,
                end=d.end,
            )
        )
    return found


_LIST_JOIN = re.compile(r"^\s*(?:,\s*)?(?:(?:and|&|or)\s+)?(?:on\s+)?(?:the\s+)?$")


def _words_of_this_date(before: str, at: int) -> bool:
    """The meeting words at ``at`` lead to this date, not to another date between ("the meeting
    held on 18 March 2021 (and reconvened on 18 May"), unless that date starts a list of them
    ("the meetings held on 13 January 2021 and 21 January 2021")."""
    between = dates_in(before[at:])
    return not between or bool(_LIST_JOIN.match(before[at + between[-1].end :]))


def _phrase_start(before: str, at: int) -> int:
    """Where the citing words start: "the minutes of ...", "the Cabinet held on", "at its meeting"."""
    m = re.search(r"\bthe\s+(?:[A-Z][\w'’&-]*\s+){0,6}$", before[:at])
    return m.start() if m else at
