"""Cross-references in minutes text. Pure functions: text in, dataclasses out.

Minute references need the word "Minute(s)" ("Further to Minute 74/15", "(Minute 48(6) refers)",
"Minute Nos. 11 and 18", "Cabinet Minute 45/15"), except bare labels shaped like the document's own
prefixed minute headings ("Personal interest in CB22/27" where the headings are "CB20/15."...):
the shape is learnt from the headings, not guessed from the string. Meeting references name a
meeting by its date ("the minutes of the meeting held on 14th April, 2016", "the Pension Fund Panel
held on 21 September 2009", "at its meeting on 21 September 2009").

Planning applications (DC/19/01834), report codes (CT/16/2), budget years (2015/16), dates, page,
paragraph, item and appendix numbers are never references: none has the word "Minute" before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from crawler.dates import DATE_PATTERN, make_date, two_digit_year
from pipeline.parse.minutes import Minute


@dataclass
class Reference:
    kind: str  # "minute" | "meeting"
    cited_text: str  # the words in the text that make the citation
    cited_number: str | None = None  # "74"
    cited_sub: str | None = None  # "6" of 48(6), "a" of 3a
    cited_label: str | None = None  # "74/15", "E.24/23", "48(6)"
    cited_year: int | None = None  # the (municipal or calendar) year the label implies
    cited_prefix: str | None = None  # "CB", "E", "JSC"
    cited_committee: str | None = None  # "Cabinet", "Pension Fund Panel"
    cited_date: date | None = None  # meeting references; minute references "of the meeting held on"
    from_minute: str | None = None  # number of the citing minute
    start: int = 0  # offset in the text searched
    end: int = 0
    minute_index: int | None = None  # position of the citing minute in the document's minutes


# One minute label as cited: E.24/23, CB22/27, JSC/73/20-21, 74/15, 48(6), 3a, 151.
LABEL = (
    r"(?:[A-Z]{2,6}/\d{1,4}/(?:\d{2}-\d{2}|\d{2,4})"
    r"|(?:[A-Z]{1,6}\.?\s?)?\d{1,4}(?:\(\d{1,2}\)|[a-z](?![a-z]))?(?:/\d{1,4}(?:-\d{2})?)?(?:\(\d{1,2}\))?)"
)
_LABEL_PARTS = re.compile(
    r"^(?:(?P<p1>[A-Z]{2,6})/(?P<n1>\d{1,4})/(?P<y1>\d{2}-\d{2}|\d{2,4})"
    r"|(?:(?P<p2>[A-Z]{1,6})\.?\s?)?(?P<n2>\d{1,4})(?P<s2>\(\d{1,2}\)|[a-z])?(?:/(?P<y2>\d{1,4}(?:-\d{2})?))?"
    r"(?P<s3>\(\d{1,2}\))?)$"
)
_MINUTE_REF = re.compile(
    r"\b(?P<word>Minutes?|Min\.)\s+(?:Nos?\.?\s*|Numbers?\s+)?"
    r"(?P<labels>" + LABEL + r"(?:\s*(?:,|and|&)\s*" + LABEL + r")*)"
    r"(?![\w/])",
    re.IGNORECASE,
)
_LABEL_IN_LIST = re.compile(LABEL)
_OF_MEETING = re.compile(
    r"^\s+of\s+the\s+(?:\w+\s+){0,6}?meeting\s+held\s+on\s+" + DATE_PATTERN, re.IGNORECASE
)
_DATE = re.compile(DATE_PATTERN, re.IGNORECASE)
_PLAIN_DATE = DATE_PATTERN.replace("?P<day>", "?:").replace("?P<month>", "?:").replace("?P<year>", "?:")
_BODY_WORDS = (
    r"(?:Committee|Board|Panel|Cabinet|Council|Group|Forum|Commission|Sub-Committee|Executive|Partnership)"
)
_MEETING_REF = re.compile(
    r"(?:\b(?P<meetings>meetings?)(?:\s+of\s+(?:the\s+)?(?P<of>[A-Z][\w'’&()\-]*(?:\s+(?:[A-Z(][\w'’&()\-]*|of|and|for|&))*))?"
    r"(?:\s+(?:held|which\s+took\s+place))?\s+on\s+"
    r"|\b(?:the\s+)?(?P<body>(?:[A-Z][\w'’&()\-]*\s+(?:(?:of|and|for|&)\s+)?)*"
    + _BODY_WORDS
    + r"(?:\s*\(\d\))?)"
    r"(?:\s+(?:held\s+on|at\s+its\s+meeting\s+(?:held\s+)?on|meeting\s+(?:held\s+)?on)\s+))"
    r"(?:(?:[A-Z][a-z]+day),?\s+)?"
    r"(?P<d1>" + _PLAIN_DATE + r")(?:\s*(?:,|and|&)\s*(?P<d2>" + _PLAIN_DATE + r"))?",
)
# "at the 21 January meeting", "the 28th January 2021 meeting of the Board"
_DATED_MEETING = re.compile(r"\bthe\s+(?P<d>" + _PLAIN_DATE + r")\s+meeting\b")
_FUTURE = re.compile(
    r"\b(?:will|shall|to)\s+be\s+(?:held\s+)?$|\bnext\s+$|\bnext\s+meeting\s*$", re.IGNORECASE
)
_COMMITTEE_BEFORE = re.compile(r"(?P<name>(?:[A-Z][\w'’&\-]*\s+){0,5}[A-Z][\w'’&\-]*)\s+$")
_NOT_COMMITTEE = {
    "further",
    "to",
    "the",
    "see",
    "following",
    "as",
    "under",
    "in",
    "per",
    "re",
    "at",
    "with",
    "and",
    "of",
    "resolved",
    "noted",
    "minute",
    "minutes",
    "from",
    "by",
    "for",
    "this",
    "that",
    "its",
    "his",
    "her",
    "referring",
    "reference",
    "refer",
    "item",
    "members",
    "member",
    "councillor",
    "cllr",
    "personal",
    "interest",
    "declared",
    "agreed",
    "approved",
}


def parse_label(label: str, year_first: bool = False) -> dict:
    """Normalise a cited minute label into number, sub-number, prefix and the year it implies.

    ``year_first``: the council writes year/minute ("CB20/15" = minute 15 of 2020), as its own
    headings show; "23/165" is read year-first whatever the setting (165 is no year).
    """
    label = label.strip()
    m = _LABEL_PARTS.match(label)
    if not m:
        return {"cited_number": None, "cited_sub": None, "cited_prefix": None, "cited_year": None}
    g = m.groupdict()
    if g["n1"]:
        prefix, number, year, sub = g["p1"], g["n1"], g["y1"], None
    else:
        prefix, number, year = g["p2"], g["n2"], g["y2"]
        sub = (g["s2"] or g["s3"] or "").strip("()") or None
    if year and "-" not in year and (year_first or (len(year) == 3 and len(number) <= 2)):
        number, year = year, number
    cited_year = two_digit_year(year) if year else None
    return {"cited_number": number, "cited_sub": sub, "cited_prefix": prefix, "cited_year": cited_year}


def _committee_before(text: str, start: int) -> str | None:
    """A committee named just before "Minute": "Cabinet Minute 45/15" -> "Cabinet"."""
    window = text[max(0, start - 80) : start]
    m = _COMMITTEE_BEFORE.search(window)
    if not m:
        return None
    words = m.group("name").split()
    while words and words[0].lower().strip("(") in _NOT_COMMITTEE:
        words = words[1:]
    if not words or any(w.lower() in _NOT_COMMITTEE - {"and", "of"} for w in words):
        return None
    return " ".join(words)


def _resolve_partial_date(day: str, month: str, year: str | None, context: date | None) -> date | None:
    """A date without a year ("18 March") is the latest such date not after the citing meeting."""
    if year:
        return make_date(day, month, year)
    if context is None:
        return None
    d = make_date(day, month, context.year)
    if d and d > context:
        d = make_date(day, month, context.year - 1)
    return d


def _parse_date(text: str, context: date | None) -> date | None:
    m = _DATE.search(text)
    return _resolve_partial_date(m.group("day"), m.group("month"), m.group("year"), context) if m else None


def find_references(
    text: str,
    *,
    heading_prefixes: set[str] | None = None,
    meeting_date: date | None = None,
    from_minute: str | None = None,
    year_first_prefixes: frozenset = frozenset(),
) -> list[Reference]:
    """Every cross-reference in ``text`` (one minute's text, or any text), in order.

    ``year_first_prefixes``: label prefixes ("" for none) whose headings read year/minute.
    """
    refs: list[Reference] = []
    taken: list[tuple[int, int]] = []

    def label_parts(label: str) -> dict:
        prefix = re.match(r"^[A-Z]{1,6}", label)
        return parse_label(label, (prefix.group(0) if prefix else "") in year_first_prefixes)

    for m in _MINUTE_REF.finditer(text):
        if re.search(r"\d\s*$", text[max(0, m.start() - 6) : m.start()]):
            continue  # "for 15 minutes 2 members left": a duration, not a citation
        labels = m.group("labels")
        tail = _OF_MEETING.match(text[m.end() :])
        cited_date = None
        end = m.end()
        if tail:
            cited_date = _resolve_partial_date(
                tail.group("day"), tail.group("month"), tail.group("year"), meeting_date
            )
            end += tail.end()
        committee = _committee_before(text, m.start())
        for lm in _LABEL_IN_LIST.finditer(labels):
            label = lm.group(0).strip()
            if not label or label in ("and",):
                continue
            parts = label_parts(label)
            if parts["cited_number"] is None:
                continue
            refs.append(
                Reference(
                    kind="minute",
                    cited_text=text[m.start() : end].strip(),
                    cited_label=label,
                    cited_committee=committee,
                    cited_date=cited_date,
                    from_minute=from_minute,
                    start=m.start(),
                    end=end,
                    **parts,
                )
            )
        taken.append((m.start(), end))
    if heading_prefixes:
        alternatives = "|".join(re.escape(p) for p in sorted(heading_prefixes, key=len, reverse=True))
        pattern = re.compile(
            r"(?<![\w/.])(?:(?:" + alternatives + r")/\d{1,4}/(?:\d{2}-\d{2}|\d{2,4})"
            r"|(?:" + alternatives + r")\.?\s?\d{1,4}(?:/\d{1,4}(?:-\d{2})?)?(?:\(\d{1,2}\))?)(?![\w/])"
        )
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            parts = label_parts(m.group(0))
            if parts["cited_number"] is None:
                continue
            refs.append(
                Reference(
                    kind="minute",
                    cited_text=m.group(0),
                    cited_label=m.group(0),
                    from_minute=from_minute,
                    start=m.start(),
                    end=m.end(),
                    **parts,
                )
            )
    for m in _MEETING_REF.finditer(text):
        if _FUTURE.search(text[max(0, m.start() - 20) : m.start()]):
            continue
        if any(a <= m.start() < b for a, b in taken):
            continue
        committee = m.group("of") or m.group("body")
        if committee:
            words = committee.split()
            while words and words[0].lower() in _NOT_COMMITTEE:
                words = words[1:]
            committee = " ".join(words) or None
        for group in ("d1", "d2"):
            if m.group(group):
                refs.append(
                    Reference(
                        kind="meeting",
                        cited_text=m.group(0).strip(),
                        cited_committee=committee,
                        cited_date=_parse_date(m.group(group), meeting_date),
                        from_minute=from_minute,
                        start=m.start(group),
                        end=m.end(group),
                    )
                )
    for m in _DATED_MEETING.finditer(text):
        if any(a <= m.start() < b for a, b in taken) or any(r.start == m.start("d") for r in refs):
            continue
        refs.append(
            Reference(
                kind="meeting",
                cited_text=m.group(0),
                cited_date=_parse_date(m.group("d"), meeting_date),
                from_minute=from_minute,
                start=m.start("d"),
                end=m.end("d"),
            )
        )
    refs.sort(key=lambda r: (r.start, r.kind))
    return refs


def references_in_minutes(minutes: list[Minute]) -> list[Reference]:
    """References of each minute (title and text), tagged with the citing minute's number.

    Bare labels count when they have the shape of this document's own prefixed headings.
    """
    prefixes = {m.prefix for m in minutes if m.prefix}
    year_first = frozenset((m.prefix or "") for m in minutes if m.year_first)
    found: list[Reference] = []
    for index, minute in enumerate(minutes):
        for part in (minute.title, minute.text):
            for ref in find_references(
                part,
                heading_prefixes=prefixes or None,
                meeting_date=minute.meeting_date,
                from_minute=minute.number,
                year_first_prefixes=year_first,
            ):
                ref.minute_index = index  # which minute cites: numbers can repeat across sections
                found.append(ref)
    return found
