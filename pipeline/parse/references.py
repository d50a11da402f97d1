"""Cross-references in minutes text. Pure functions: text in, dataclasses out.

Minute references need the word "Minute(s)" ("Further to Minute 74/15", "(Minute No.18 below
refers)", "Minute Nos. 11 and 18", "Cabinet Minute CB22/14", "Item 6 (minute 430)"), or "Article N
of this minute" (Scottish minutes), or the shape of the document's own prefixed headings ("CB22/27"
where the headings are "CB20/15."). Meeting references are dates written where a meeting is meant:
after "meeting(s) ... held on", "the minutes of ...", "the Cabinet held on", "at its meeting on",
"dated", or before "meeting" ("the 21 January meeting"), in any letter case, with the date in any
form ``citedates`` reads. A meeting on or after the citing meeting's own date is no citation of its
record (the next meeting, the document's own date).

References are looked for in every part of the text: each minute's title, description and record
(``from_minute`` its number), and the text outside any minute (``from_minute`` None). Planning
applications (DC/19/01834), report codes (CT/16/2), budget years (2015/16), page, paragraph, item
and appendix numbers are never references: none has the word "Minute" before it.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.parse.citation import Reference
from pipeline.parse.citedates import dates_in
from pipeline.parse.labels import CITED, parse_cited
from pipeline.parse.meeting_refs import NOT_COMMITTEE, meeting_refs
from pipeline.parse.minutes import Minute

# Capitals after "minutes" that are no label prefix: "minutes PDF 391 KB", "Minutes NO 3".
NOT_PREFIXES = {"PDF", "KB", "MB", "NO", "NOS", "PAGE", "PAGES", "ITEM", "ITEMS", "PARA", "APPENDIX", "REF", "AND",
                "OR", "TO", "THE", "OF", "AT", "ON", "IN", "A", "I"}  # fmt: skip


_SEP = r"\s*(?:,|and|&|or|to|-|–)\s*(?:(?i:minutes?|nos?)\.?\s*)?"
_MINUTE_REF = re.compile(
    r"(?<![\w'’])(?P<word>(?i:minutes?|min\.))(?:\s+(?i:record|text)\s+(?i:of|for))?(?:\s+(?i:nos?|numbers?|items?)\.?)?(?:\s+[-–]\s+(?=[A-Z]))?\s*(?i:no\.?)?\s*"
    r"(?P<labels>" + CITED + r"(?:" + _SEP + CITED + r")*)(?![\w/])"
)
_PREFIXED = r"[A-Z]{1,6}[./]?\s?\d{1,4}(?:/\d{2,4})?"
# "decisions numbered CAB 180 to CAB 199", "Cabinet decision CAB 193": prefixed decision numbers
# are the minutes' keys; "(REF: M/66;SC/41)": the minutes an item follows from.
_DECISION_REF = re.compile(
    r"(?<![\w'’])(?P<word>(?i:decisions?))(?:(?:\s+[\w'’(),]+){0,12}?\s+(?i:numbered)|\s+(?i:nos?\.?))?\s+"
    r"(?P<labels>" + _PREFIXED + r"(?:\s*(?:,|and|&|to|-|–)\s*" + _PREFIXED + r")*)(?![\w/])"
)
_REF_GROUP = re.compile(
    r"\((?P<word>(?i:ref))\s*:\s*(?P<labels>" + _PREFIXED + r"(?:\s*[;,&]\s*" + _PREFIXED + r")*)\s*\)"
)
_ARTICLE_REF = re.compile(
    r"(?<![\w'’])(?i:articles?)\s+(?P<labels>\d{1,4}(?:\s*(?:,|and|&)\s*\d{1,4})*)\s+(?i:of\s+(?:this|the)\s+minutes?)"
)
_LABEL_IN_LIST = re.compile(CITED)
_MONTH_AFTER = re.compile(
    r"\s*(?:st|nd|rd|th)?\s+(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\s|$|,)"
)
_PARAGRAPH_AFTER = re.compile(r"\.\d{1,2}\s")  # a heading's first paragraph number: "3.1 The ..."
_LIST_AFTER = re.compile(r"[.:]\s+(?i:minutes?)\s+(?i:of)\b")  # items of a list titled "Minutes"
_OF_MEETING = re.compile(r"^\s+of\s+the\s+(?:[\w'’&()-]+\s+){0,6}?meeting\s+(?:held\s+)?on\s+", re.IGNORECASE)
# on the same line: a title above ("Scrutiny Recommendations on Parks") is no part of the name
_COMMITTEE_BEFORE = re.compile(
    r"(?P<name>(?:[A-Z][\w'’&\-]*[ \t]+){0,5}[A-Z][\w'’&\-]*(?:[ \t]*\(\d\))?)[ \t]+$"
)


def _committee_before(text: str, start: int) -> str | None:
    """A committee named just before "Minute": "Cabinet Minute 45/15" -> "Cabinet"."""
    m = _COMMITTEE_BEFORE.search(text[max(0, start - 80) : start])
    if not m:
        return None
    words = m.group("name").split()
    while words and words[0].lower().strip("(") in NOT_COMMITTEE:
        words = words[1:]
    if not words or any(w.lower() in NOT_COMMITTEE - {"and", "of"} for w in words):
        return None
    return " ".join(words)


def find_references(
    text: str,
    *,
    heading_prefixes: set[str] | None = None,
    meeting_date: date | None = None,
    from_minute: str | None = None,
    year_first_prefixes: frozenset = frozenset(),
    own_number: str | None = None,
    year_keys: tuple[str, bool, int] | None = None,
) -> list[Reference]:
    """Every cross-reference in ``text`` (one minute's text, or any text), in order.

    ``year_first_prefixes``: label prefixes ("" for none) whose headings read year/minute.
    ``own_number``: the citing minute's own number: its key repeated at the start of a line of its
    own text is no reference to itself.
    ``year_keys``: the year part every one of the document's own "16/137" headings prints, whether
    it comes first, and their highest number: a bare "16/142" in the text cites one of them.
    """
    refs: list[Reference] = []
    taken = bytearray(len(text) + 1)  # 1 where a citation already found covers the text: O(1) to ask

    def label_parts(label: str) -> dict:
        prefix = re.match(r"^[A-Z]{1,6}", label)
        return parse_cited(
            label,
            (prefix.group(0) if prefix else "") in year_first_prefixes,
            meeting_date.year if meeting_date else None,
        )

    def add_minute_refs(m, labels: str, labels_at: int, end: int, cited_date=None, committee=None) -> None:
        at_line_start = _at_line_start(text, m.start())
        if at_line_start and re.match(r"^\s*[.:]\s", text[m.end() :]):
            return  # "MINUTES 1. Minute of the Licensing Board...": a heading and a numbered list
        if "\n" in text[m.start() : labels_at] and re.match(
            r"^(?:\.\d{1,2}|[.:)])?(?:\s+[A-Z(]|\s*$)", text[end:]
        ):
            return  # a title "Minutes" above the key of the next heading or paragraph ("3.1 The ...")
        if _PARAGRAPH_AFTER.match(text, end) or _LIST_AFTER.match(text, end):
            return  # "3. Minutes 3.1 The Minutes of ...", "(b) MINUTES 1. Minute of Licensing Board"
        for lm in _LABEL_IN_LIST.finditer(labels):
            label = lm.group(0).strip()
            if _MONTH_AFTER.match(labels, lm.end()) or (
                lm.end() == len(labels) and _MONTH_AFTER.match(text, end)
            ):
                continue  # "Minutes 15 March 2016", "PC Minutes P6 Sept 23": a date, a file's name
            if re.match(r"^[A-Z]+", label) and re.match(r"^[A-Z]+", label).group(0) in NOT_PREFIXES:
                continue  # "Printed minutes PDF 391 KB"
            parts = label_parts(label)
            if parts["cited_number"] is None:
                continue
            if own_number and parts["cited_number"] == own_number.split("(")[0] and at_line_start:
                continue  # the minute's own key at the top of its record
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

    for m in _MINUTE_REF.finditer(text):
        if re.search(r"\d\s*$", text[max(0, m.start() - 6) : m.start()]):
            continue  # "for 15 minutes 2 members left": a duration, not a citation
        if re.search(r"(?i:view\s+the\s+full)\s*$", text[max(0, m.start() - 20) : m.start()]):
            _take(taken, m.start(), m.end())
            continue  # ModernGov's "... view the full minutes text for item 8": the minute itself
        end = m.end()
        tail = _OF_MEETING.match(text[end:])
        cited_date = None
        if tail:
            mentions = dates_in(text[end + tail.end() : end + tail.end() + 60])
            if mentions and mentions[0].start == 0:
                cited_date = mentions[0].resolve(meeting_date)
                end += tail.end() + mentions[0].end
        add_minute_refs(
            m, m.group("labels"), m.start("labels"), end, cited_date, _committee_before(text, m.start())
        )
        _take(taken, m.start(), m.end())  # "... of the meeting held on <date>" cites that meeting too
    for pattern in (_ARTICLE_REF, _DECISION_REF, _REF_GROUP):
        for m in pattern.finditer(text):
            if taken[m.start()]:
                continue
            add_minute_refs(m, m.group("labels"), m.start("labels"), m.end())
            _take(taken, m.start(), m.end())
    for row in _table_rows(text):
        parts = label_parts(row.group("label"))
        refs.append(
            Reference(
                kind="minute",
                cited_text=row.group(0).strip(),
                cited_label=row.group("label"),
                from_minute=from_minute,
                start=row.start(),
                end=row.end(),
                **parts,
            )  # fmt: skip
        )
        _take(taken, row.start(), row.end())
    if heading_prefixes:
        _bare_labels(text, heading_prefixes, taken, refs, label_parts, from_minute)
    if year_keys:
        _bare_year_labels(text, year_keys, taken, refs, label_parts, from_minute)
    refs += meeting_refs(text, taken, meeting_date, from_minute)
    refs.sort(key=lambda r: (r.start, r.kind))
    return refs


# A table of minutes: the items an exclusion of the press and public covers ("Minute No.  Report
# title" then "  53  Disposal of Small Surplus Sites"), a table of declarations ("Councillor / Minute
# Number / Nature of Interest", each cell on its own line, then "8 – Cartrefi Croeso Ltd").
_TABLE_HEAD = re.compile(
    r"^[ \t]*minutes?\s+(?:nos?\.?|numbers?)[ \t]*(?:$|(?:[ \t]{2,}|[ \t]*[|\t])[ \t]*\S[^\n]*$)",
    re.IGNORECASE | re.MULTILINE,
)
_TABLE_ROW = re.compile(
    r"^[ \t]*\|?[ \t]*(?P<label>\d{1,4}[a-z]?)(?:[ \t]*[–-][ \t]+|[ \t]{2,}|[ \t]*[|\t])[ \t]*\S[^\n]*",
    re.MULTILINE,
)
_LINE = re.compile(r"[^\n]*")
TABLE_GAP = 6  # lines of other cells a table's rows may have between them
_SUB_LIST = re.compile(r"\s*\(([A-Za-z](?:\s*(?:&|and|,)\s*[A-Za-z])+)\)")  # "16/147 (A & B)": parts a and b
LATER_KEYS = 30  # a declaration of interest names items still to come: keys past the last heading


def _table_rows(text: str):
    for head in _TABLE_HEAD.finditer(text):
        others = 0
        for line in _LINE.finditer(text, head.end()):
            if not line.group(0).strip():
                continue
            row = _TABLE_ROW.match(text, line.start())
            if row and row.end() <= line.end():
                others = 0
                yield row
            else:
                others += 1
                if others >= TABLE_GAP:
                    break


def _at_line_start(text: str, at: int) -> bool:
    """Only spaces or tabs between the line's start and ``at`` (no copy of the text before it)."""
    while at > 0 and text[at - 1] in " \t":
        at -= 1
    return at == 0 or text[at - 1] == "\n"


def _take(taken: bytearray, start: int, end: int) -> None:
    taken[start:end] = b"\x01" * (end - start)


def _bare_labels(text, heading_prefixes, taken, refs, label_parts, from_minute) -> None:
    alternatives = "|".join(re.escape(p) for p in sorted(heading_prefixes, key=len, reverse=True))
    pattern = re.compile(
        r"(?<![\w/.])(?:(?:" + alternatives + r")/\d{1,4}/(?:\d{2}-\d{2}|\d{2,4})"
        r"|(?:" + alternatives + r")\.?\s?\d{1,4}(?:/\d{1,4}(?:-\d{2})?)?(?:\(\d{1,2}\))?)(?![\w/])"
    )
    for m in pattern.finditer(text):
        if taken[m.start()]:
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


def _bare_year_labels(text, year_keys, taken, refs, label_parts, from_minute) -> None:
    year, first, highest = year_keys
    y = re.escape(year)
    shape = rf"{y}/(?P<n>\d{{1,4}})" if first else rf"(?P<n>\d{{1,4}})/{y}"
    for m in re.finditer(rf"(?<![\w/.£$-]){shape}(?![\w/]|\.\d)", text):
        number = int(m.group("n"))
        if taken[m.start()] or number > highest + LATER_KEYS or number == 0:
            continue
        if _at_line_start(text, m.start()):
            continue  # a key at the start of its line heads a minute; it cites nothing
        if number == (int(year) + 1 if first else int(year) - 1) % 100:
            continue  # "16/17", "15/16": a financial year
        subs = _SUB_LIST.match(text, m.end())
        for sub in re.findall(r"[A-Za-z]", subs.group(1)) if subs else [None]:
            refs.append(
                Reference(
                    kind="minute",
                    cited_text=m.group(0) + (subs.group(0) if subs else ""),
                    cited_label=m.group(0),
                    from_minute=from_minute,
                    start=m.start(),
                    end=subs.end() if subs else m.end(),
                    **{**label_parts(m.group(0)), **({"cited_sub": sub.lower()} if sub else {})},
                )
            )


def _own_year_keys(minutes: list[Minute]) -> tuple[str, bool, int] | None:
    """The year part shared by all of a document's "16/137" (or "74/15") headings, if they agree."""
    keyed = [(m, re.fullmatch(r"(\d{1,4})/(\d{1,4})", m.label)) for m in minutes if not m.prefix]
    keyed = [(m, k) for m, k in keyed if k]
    if len(keyed) < 2 or len(keyed) < len(minutes) / 2:
        return None
    first = keyed[0][0].year_first
    years = {k.group(1) if first else k.group(2) for _, k in keyed}
    if len(years) != 1 or any(m.year_first != first for m, _ in keyed):
        return None
    highest = max(int(k.group(2) if first else k.group(1)) for _, k in keyed)
    return years.pop(), first, highest


def references_in_minutes(
    minutes: list[Minute], text: str | None = None, document_date: date | None = None
) -> list[Reference]:
    """References of each minute (its title, description and record), tagged with the citing
    minute's number; with ``text``, also those in the parts of it outside every minute.

    Bare labels count when they have the shape of this document's own prefixed or year-keyed
    headings.
    """
    prefixes = {m.prefix for m in minutes if m.prefix}
    year_first = frozenset((m.prefix or "") for m in minutes if m.year_first)
    year_keys = _own_year_keys(minutes)
    found: list[Reference] = []

    def search(part: str, offset: int, date_: date | None, number: str | None, index: int | None) -> None:
        for ref in find_references(
            part,
            heading_prefixes=prefixes or None,
            meeting_date=date_,
            from_minute=number,
            year_first_prefixes=year_first,
            own_number=number,
            year_keys=year_keys,
        ):
            ref.start += offset
            ref.end += offset
            ref.minute_index = index  # which minute cites: numbers can repeat across sections
            found.append(ref)

    spans = sorted((m.start, m.end, k) for k, m in enumerate(minutes))
    if text is not None:
        cursor = 0
        for start, end, _ in spans:
            if start > cursor:
                search(text[cursor:start], cursor, document_date, None, None)
            cursor = max(cursor, end)
        if cursor < len(text):
            search(text[cursor:], cursor, document_date, None, None)
    for start, end, k in spans:
        minute = minutes[k]
        if text is not None and end > start:
            head = _after_own_key(text, start, minute.label)
            search(text[head:end], head, minute.meeting_date, minute.number, k)
        else:
            search(f"{minute.title}\n{minute.text}", 0, minute.meeting_date, minute.number, k)
    return _one_per_citation(sorted(found, key=lambda r: (r.start, r.kind)))


def _after_own_key(text: str, start: int, label: str) -> int:
    """Where a minute's span goes on past its own key ("C048/23" heads it; it cites nothing)."""
    at = text.find(label, start, start + len(label) + 20)
    return at + len(label) if at >= 0 else start


def _one_per_citation(refs: list[Reference]) -> list[Reference]:
    """Citing the same thing twice in one minute is one reference (the first mention's)."""
    seen = set()
    out = []
    for r in refs:
        key = (
            r.minute_index,
            r.kind,
            r.cited_number,
            r.cited_sub,
            r.cited_year,
            r.cited_prefix,
            r.cited_date,
        )
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out


__all__ = ["Reference", "find_references", "references_in_minutes"]
