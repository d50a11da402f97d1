"""Split minutes text into numbered minutes. Pure functions: text in, dataclasses out.

``regions`` says where the minutes are (a meeting page's rows, an issue page's items, a document's
minutes after their title or attendance line); ``headings`` finds the chain of numbered headings in
each region; here each heading becomes a ``Minute`` with its number, its label as the council
prints it, its title, its text, and the span of the input it covers (where its citations are).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.parse.headings import MINUTES_LABEL, Candidate, best_chain, candidates, clean_title
from pipeline.parse.lines import PAGE_BREAK, Line, split_lines
from pipeline.parse.profile import MUNICIPAL, Profile
from pipeline.parse.regions import Region, find_regions, issue_item


@dataclass
class Minute:
    number: str  # as printed, without prefix or year: "74", "3a", "48(6)", "4.1", "II"
    label: str  # as cited: "74/15", "CB20/15", "E.70/23", "JSC/73/20-21", "21.44", "12"
    title: str
    meeting_date: date | None
    page: int | None
    text: str = ""  # the minute's record (on a meeting page: its "Minutes:" block)
    prefix: str | None = None
    year: str | None = None  # year part as printed ("15", "20-21")
    year_first: bool = False  # "CB20/15" read as year 20, minute 15 (learnt from the heading chain)
    start: int = 0  # character offset of the heading in the input
    end: int = 0  # where the minute's span (title, description, record) ends in the input


_CITES_N_YY = re.compile(r"\bminutes?\s+(?:no\.?\s*)?\d{1,4}/\d{2}\b", re.IGNORECASE)
_DOCUMENTS_TAIL = re.compile(
    r"^(?:additional|supporting|background)\s+documents?\s*:?$|^\s*webcast\b", re.IGNORECASE
)


def _number(c: Candidate, parent: Candidate | None) -> str:
    r = c.reading
    if r.series == "roman":
        return c.key.label.lstrip("*")
    if r.sub is None:
        return str(r.num)
    if r.num == 0:  # "(a)" under minute 12 -> "12(a)"
        return f"{parent.num if parent else 0}({r.sub})"
    label = c.key.label
    if "." in label and re.search(rf"{r.num}\.{re.escape(r.sub)}$", label):
        return f"{r.num}.{r.sub}"
    if "(" in label or r.sub.isdigit():
        return f"{r.num}({r.sub})"
    return f"{r.num}{r.sub}"


def _label(
    c: Candidate, number: str, meeting_date: date | None, cite_style: str | None, profile: Profile
) -> str:
    """A heading's label as the council cites it: as printed, or "74/15" where the council cites
    its plain numbers with the year."""
    r = c.reading
    label = c.key.label.lstrip("*")
    if (
        r.prefix
        or r.year
        or r.series.startswith("star")
        or r.series in ("roman", "word", "n.0", "bracketed")
        or c.key.word
    ):
        return label
    if r.sub is not None:
        return number
    if cite_style == "n/yy" and meeting_date is not None:
        return f"{number}/{profile.numbering_year(meeting_date) % 100:02d}"
    return number


def find_minutes(
    text: str, *, cite_style: str | None = None, profile: Profile = MUNICIPAL, page_date: date | None = None
) -> list[Minute]:
    """Every numbered minute in ``text`` (pages separated by form feeds), in document order.

    ``cite_style``: "n/yy" when the council cites minutes as "74/15"; None learns it from the text
    (any "Minute 51/15" citation in it). ``page_date``: the meeting's date when the text is a
    meeting page's that does not print it.
    """
    lines = split_lines(text)
    if cite_style is None and _CITES_N_YY.search(text):
        cite_style = "n/yy"
    paged = PAGE_BREAK in text
    found: list[Minute] = []
    for region in find_regions(lines, page_date):
        if region.kind == "issue":
            found += _issue_minutes(lines, region, paged, len(text))
            continue
        page = region.kind == "page"
        start = region.first_body_line if region.kind == "document" else region.start_line
        cands = candidates(lines, start, region.end_line, page_rows=page)
        if page and len(own_line := [c for c in cands if c.key.rest is None]) >= 2:
            cands = own_line  # the page's "No." column; "5 For, 0 Against, 1 Abstention" is a vote
        chain = best_chain(cands, page_rows=page)
        if page:
            chain = [c for c in chain if _has_minutes_block(lines, c, chain, region.end_line)]
        elif len(chain) < 2 and not (chain and region.first_body_line):
            continue
        parent = None
        for k, c in enumerate(chain):
            if c.sub is None:
                parent = c
            number = _number(c, parent)
            body_end = chain[k + 1].index if k + 1 < len(chain) else region.end_line
            body = [ln.text for ln in lines[c.title_end + 1 : body_end]]
            if page:
                body = _after_minutes_label(body)
            found.append(
                Minute(
                    number=number,
                    label=_label(c, number, region.meeting_date, cite_style, profile),
                    title=c.title,
                    meeting_date=region.meeting_date,
                    page=lines[c.index].page if paged else None,
                    text="\n".join(t for t in body if t).strip(),
                    prefix=c.reading.prefix,
                    year=c.reading.year,
                    year_first=c.reading.year_first,
                    start=lines[c.index].start,
                    end=_span_end(lines, body_end, len(text)),
                )
            )
    return found


def _span_end(lines: list[Line], index: int, total: int) -> int:
    return lines[index].start if index < len(lines) else total


def _issue_minutes(lines: list[Line], region: Region, paged: bool, total: int) -> list[Minute]:
    """An issue page's item: minute N of the meeting its "Meeting: ... (Item N)" line names."""
    item, _ = issue_item(lines[region.start_line].text)
    body = [ln.text for ln in lines[region.start_line + 1 : region.end_line] if ln.text]
    title, label = "", f"Item {item}"
    if body and re.match(rf"^{item}\.?\s+\S", body[0]):  # "79 Minutes pdf icon PDF 222 KB": its own key
        title, label = clean_title(re.sub(rf"^{item}\.?\s+", "", body.pop(0))), item
    else:
        before = [ln.text for ln in lines[max(0, region.start_line - 3) : region.start_line] if ln.text]
        title = (
            clean_title(before[-1])
            if before and before[-1].lower() not in ("issue - meetings", "minutes")
            else ""
        )
    body = [t for t in body if not _DOCUMENTS_TAIL.match(t)]
    return [
        Minute(
            number=item,
            label=label,
            title=title,
            meeting_date=region.meeting_date,
            page=lines[region.start_line].page if paged else None,
            text="\n".join(body).strip(),
            start=lines[region.start_line].start,
            end=_span_end(lines, region.end_line, total),
        )
    ]


def _after_minutes_label(body: list[str]) -> list[str]:
    for k, t in enumerate(body):
        if MINUTES_LABEL.match(t):
            return body[k + 1 :]
    return []


def _has_minutes_block(lines: list[Line], c: Candidate, chain: list[Candidate], end: int) -> bool:
    later = [x.index for x in chain if x.index > c.index]
    stop = later[0] if later else end
    return any(MINUTES_LABEL.match(ln.text) for ln in lines[c.title_end + 1 : stop])
