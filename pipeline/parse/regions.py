"""Where the minutes are in a text, and the date of the meeting they record. Pure.

Three shapes of text:

- a ModernGov meeting page (its text has "Minutes:" labels): one region, the page's rows; the
  meeting's date from the page title ("Cabinet - Tuesday, 2nd October, 2018 2.00 pm");
- an issue page: each "Meeting: 06/02/2024 - Cabinet (Item 68)" line heads minute 68 of that
  meeting;
- a document (printed minutes, an agenda pack): regions start at a title line "Minutes of ..."
  with a date within the next few lines (any order of the words: "Minutes of the Parish Council
  Meeting held at ...", "Minutes of a meeting of the Cabinet held on ..."), or at an attendance line
  ("Present:", "Those attending:", "Sederunt") with the date above it. An agenda pack's own agenda
  comes before any of these, so it is never taken for minutes. A text with no such start that
  still reads as minutes (an excerpt beginning after its title) is one region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.parse.citedates import WEEKDAY, dates_in
from pipeline.parse.headings import MINUTES_LABEL
from pipeline.parse.labels import heading_key
from pipeline.parse.lines import Line

HEADER_LOOKAHEAD = 10  # lines below a "Minutes of ..." title the meeting's date may be on


@dataclass
class Region:
    start_line: int
    end_line: int
    meeting_date: date | None
    kind: str  # "page" (meeting page rows) | "issue" | "document"
    first_body_line: int = 0  # where the header (title, attendance) ends


_MINUTES_TITLE = re.compile(
    r"^(?:the\s+)?(?:(?:draft|confirmed|unconfirmed|approved|signed)\s+)?minutes?\s+(?:of|for)\b",
    re.IGNORECASE,
)
_TITLE_IN_LINE = re.compile(r"\bminutes?\s+of\s+(?:the|a)\s+(?:[\w'’&-]+\s+){0,6}?meeting\b", re.IGNORECASE)
_NOT_A_TITLE = re.compile(
    r"\b(?:were|was|be|been|are|is|approved|agreed|confirmed|signed|noted)\b", re.IGNORECASE
)
_ATTENDANCE = re.compile(
    r"^(?:(?:members|councillors|cllrs|officers|those)\s+)?(?:present|attending|in\s+attendance)\b\s*:?"
    r"|^(?:present|sederunt|attendance|those\s+present)\b",
    re.IGNORECASE,
)
_END = re.compile(
    r"^\(?(?:note:\s*)?the\s+meeting\s+(?:ended|closed|finished|terminated|rose)\b|^\(?meeting\s+(?:closed|ended|finished)\b"
    r"|^\(?the\s+meeting\s+(?:was\s+)?closed\b|^(?:\(?chair(?:man|person)?\)?|signed)\s*:?\s*\.{0,}$",
    re.IGNORECASE,
)
# An issue page's "Meeting: 06/02/2024 - Cabinet (Item 68)", an agenda item page's "- Meeting of
# Council, Wednesday, 26th February, 2014 7.30 p.m. (Item 6.)": the meeting and the item's number.
_ISSUE_MEETING = re.compile(
    r"^-?\s*Meeting(?::|\s+of\b)\s*(?P<meeting>.{4,160}?)\s*\(Item\s+(?P<item>\d{1,4})\.?\)", re.IGNORECASE
)
_HEADER_ENDS = re.compile(r"^(?:items|no\.?\s+item|agenda\s+items?)$", re.IGNORECASE)
_CITES_A_MEETING = re.compile(r"\b(?:held|minutes?\s+of|meeting\s+(?:of|on))\b", re.IGNORECASE)
_ACTS_ON_MINUTES = re.compile(
    r"\b(?:approv|confirm|agree|sign|receiv|note|noting|adopt|consider|accept|correct|record)\w*\b",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^\s*(?:\(?[a-z]\)|\(?[ivx]{1,4}\)|[-•·▪●])\s")
# "... held on 19 December 2023 were taken as read, confirmed and signed": a decision on those minutes
_ACTED_ON_AFTER = re.compile(
    r"[^.;]{0,120}?\b(?:were|was|are|is|be|had\s+been|have\s+been)\s+(?:\w+\s+){0,3}?"
    r"(?:approv|confirm|agree|sign|taken|receiv|noted|adopt|accept|correct|circulat|submitted|considered)",
    re.IGNORECASE,
)
# "Cabinet - Tuesday, 2nd October, 2018 2.00 pm" (meeting page), "- Meeting of Council, Wednesday,
# 26th February, 2014 7.30 p.m. (Item 6.)" (agenda item page)
_PAGE_TITLE_DATE = re.compile(
    rf"\s-\s+(?:{WEEKDAY},?\s+)|^-?\s*meeting\s+of\s+[^,]{{1,80}},\s*(?={WEEKDAY}\b)", re.IGNORECASE
)
# What minutes say and agendas do not: a text with no title line is minutes only with these.
_MINUTES_EVIDENCE = re.compile(
    r"\b(?:resolved|it\s+was\s+(?:agreed|noted|resolved)|were\s+noted|was\s+noted|noted\s+the|agreed\s+that"
    r"|declared\s+an?\s|apologies\s+(?:were|was)\s|present\s*:|in\s+attendance|the\s+meeting\s+(?:closed|ended)"
    r"|(?:was|were)\s+(?:submitted\s+and\s+)?approved|on\s+a\s+division|there\s+voted)",
    re.IGNORECASE,
)


_DECIDED = re.compile(r"\b(?:AGREED|RESOLVED|NOTED|DECIDED)\b")  # how many councils print decisions


def _first_date(texts: list[str], context: date | None = None) -> date | None:
    for t in texts:
        for d in dates_in(t):
            found = d.resolve(context)
            if found:
                return found
    return None


def _header_date(line: str) -> date | None:
    """The date of a header line: the one after "Minutes of the meeting ..." where the line has
    that title in it ("Cabinet 21st October 2009 Minutes of the meeting held on 23rd September
    2009": the date the cabinet receives them, then the meeting's), else its first."""
    m = _TITLE_IN_LINE.search(line)
    return (_first_date([line[m.end() :]]) if m else None) or _first_date([line])


def title_date(texts: list[str]) -> date | None:
    """The date a ModernGov page title gives after " - Weekday," (not a "Moved from 9th October
    2018" before it)."""
    for t in texts[:60]:
        m = _PAGE_TITLE_DATE.search(t)
        if m:
            found = _first_date([t[m.start() :]])
            if found:
                return found
    return None


def top_date(texts: list[str]) -> date | None:
    """The date of a text's title: its page title's, else the first date near the top on a line
    that does not ask for or record a decision on other minutes ("To approve the minutes of the
    meeting held on ..." cites a meeting; "Meeting of Council, 26th February 2014" is the text's)."""
    found = title_date(texts)
    if found:
        return found
    for k, t in enumerate(texts[:12]):
        if _LIST_ITEM.match(t):
            continue  # "a) Planning & Transport Committee 4 October 2021": one of a list, not a title
        # a line going on from the one above ("To confirm the / minutes of the meeting held on ...")
        above = texts[k - 1] + " " if k and t[:1].islower() else ""
        for d in dates_in(t):
            before = above + t[: d.start]
            acted_on = _ACTS_ON_MINUTES.search(before[-90:]) or _ACTED_ON_AFTER.match(t, d.end)
            if not acted_on and (found := d.resolve(None)):
                return found
    return None


def page_date(texts: list[str]) -> date | None:
    """The meeting's date on a meeting page: its title's, else a date in the header above the rows
    that cites no other meeting (a page copied without its title has no date)."""
    found = title_date(texts)
    if found:
        return found
    header = []
    for t in texts[:12]:
        if _HEADER_ENDS.match(t) or heading_key(t) or MINUTES_LABEL.match(t):
            break  # the rows begin: a date below is an item's ("the minutes of the meeting held on ...")
        if not _CITES_A_MEETING.search(t) and len(t.split()) <= 15:  # a title, not a notice
            header.append(t)
    return _first_date(header)


def find_regions(lines: list[Line], page_date_known: date | None = None) -> list[Region]:
    """``page_date_known``: the meeting's date where the caller knows it (a crawled meeting page's
    title gives it; a copy of the page may not print it)."""
    texts = [ln.text for ln in lines]
    issues = [(i, m) for i, t in enumerate(texts) if (m := _ISSUE_MEETING.match(t))]
    if not issues and any(MINUTES_LABEL.match(t) for t in texts):
        return [Region(0, len(lines), page_date(texts) or page_date_known, "page")]
    if issues:
        return [
            Region(
                i,
                issues[k + 1][0] if k + 1 < len(issues) else len(lines),
                _issue_date(m),
                "issue",
            )
            for k, (i, m) in enumerate(issues)
        ]
    return _document_regions(lines, texts)


def _issue_date(m) -> date | None:
    return _first_date([m.group("meeting")])


def issue_item(line: str) -> tuple[str, str] | None:
    """(item number, meeting) of an issue page's "Meeting: ... (Item N)" line."""
    m = _ISSUE_MEETING.match(line)
    return (m.group("item"), m.group("meeting")) if m else None


def _document_regions(lines: list[Line], texts: list[str]) -> list[Region]:
    starts: list[tuple[int, date | None, int]] = []  # (first line, date, first body line)
    previous = ""
    for i, t in enumerate(texts):
        if not t:
            continue
        lone_key = (key := heading_key(previous)) is not None and not key.rest
        previous = t
        if lone_key or heading_key(t):
            continue  # a numbered heading ("2. Minutes of the meeting held on ...", or "2" above it), not a title
        if _is_title(t) and not _sentence_goes_on(texts, i):
            when = _first_date(_window(texts, i, HEADER_LOOKAHEAD))
            if (
                when is not None
                and not _in_list_of_titles(texts, i)
                and not (starts and i - starts[-1][2] <= 2)
            ):
                starts.append((i, when, i + 1))
        elif _ATTENDANCE.match(t):
            if starts and i - starts[-1][0] <= 25:
                starts[-1] = (starts[-1][0], starts[-1][1], i + 1)  # the attendance of a header found
                continue
            begin, when = i, None
            for j in range(i - 1, max(-1, i - 12), -1):
                found = _header_date(texts[j])
                if found:
                    begin, when = j, found
                    break
            if starts and when is not None and _NOT_A_TITLE.search(texts[begin]):
                continue  # "The following minutes of a meeting held on ... were submitted:" quotes them in a minute
            # a "Minutes" line or the committee name just above the date belongs to the header
            while (
                begin > 0
                and i - begin < 12
                and texts[begin - 1]
                and lines[begin - 1].page == lines[begin].page
                and (
                    re.match(r"^(?:draft\s+|confirmed\s+)?minutes$", texts[begin - 1], re.I)
                    or texts[begin - 1].isupper()
                )
                and not heading_key(texts[begin - 1])
            ):
                begin -= 1
            # "A22/031 PRESENT" above "In attendance: ...": the record began at that heading
            keyed = next(
                (j for j in range(max(0, i - 4), i) if (k := heading_key(texts[j])) and k.rest), None
            )
            if keyed is not None:
                begin = min(begin, keyed)
            starts.append((begin, when, keyed if keyed is not None else i + 1))
    if not starts:
        whole = "\n".join(texts)
        if _MINUTES_EVIDENCE.search(whole) or _DECIDED.search(whole):
            return [Region(0, len(lines), _first_date(texts[:15]), "document")]
        return []
    regions = []
    for k, (begin, when, body) in enumerate(starts):
        limit = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        end = next((j + 1 for j in range(body, limit) if _END.match(texts[j])), limit)
        regions.append(Region(begin, end, when, "document", body))
    return regions


def _is_title(t: str) -> bool:
    return bool(_MINUTES_TITLE.match(t)) and not _NOT_A_TITLE.search(t) and len(t.split()) <= 30


def _sentence_goes_on(texts: list[str], i: int) -> bool:
    """ "The minute of the special meeting of Moray Council dated 26 September 2018" + "was
    submitted and approved.": a sentence about minutes, broken across lines, not a title."""
    nxt = next((t for t in texts[i + 1 : i + 3] if t), "")
    return bool(nxt[:1].islower() and _NOT_A_TITLE.match(nxt))


def _in_list_of_titles(texts: list[str], i: int) -> bool:
    """ "Minute of Licensing Board dated 19th December, 2019." with more lines like it just above or
    below: a list of minutes received, inside a minute, not the title of a record."""
    near = [j for j in (i - 2, i - 1, i + 1, i + 2) if 0 <= j < len(texts) and texts[j]]
    return any(_is_title(texts[j]) for j in near)


def _window(texts: list[str], i: int, n: int) -> list[str]:
    """Line ``i`` and the next ``n`` lines that have text (blank lines between do not count)."""
    out = [texts[i]]
    j = i + 1
    while j < len(texts) and len(out) <= n:
        if texts[j]:
            out.append(texts[j])
        j += 1
    return out
