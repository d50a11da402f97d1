"""Split minutes text into numbered minutes. Pure functions: text in, dataclasses out.

Where minutes start: "Minutes of the Meeting of ... held ... <date>", or a "Present:" line with the
meeting's date just above it (Merton, Luton), or a ModernGov meeting page's "Minutes:" blocks. An
agenda pack's agenda list (items 1-8) comes before any of these, so it is never taken for minutes;
the minutes embedded later in the pack belong to the earlier meeting whose date heads them.

Which numbered lines are minute headings: every line that looks like a heading ("69. Declarations of
Interests", "69" above "DECLARATIONS OF INTEREST", "CB20/15. Minutes", "Minute 151: Budget") is a
candidate; the headings are the highest-scoring chain of candidates whose numbers go up by one (a
small gap allowed). Numbered lists inside a minute ("1. Seek assurance that...") restart at 1 and
so never join the chain of 69, 70, 71...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from crawler.dates import parse_date_text
from pipeline.parse.lines import PAGE_BREAK, Line, split_lines
from pipeline.parse.profile import MUNICIPAL, Profile

MAX_GAP = 3  # minutes may skip a few numbers (exempt items, withdrawn items)
TITLE_MAX_WORDS = 24


@dataclass
class Minute:
    number: str  # as printed, without prefix or year: "74", "3a", "48(6)"
    label: str  # as cited: "74/15", "CB20/15", "E.70/23", "JSC/73/20-21", "12"
    title: str
    meeting_date: date | None
    page: int | None
    text: str = ""
    prefix: str | None = None
    year: str | None = None  # year part as printed ("15", "20-21")
    year_first: bool = False  # "CB20/15" read as year 20, minute 15 (learnt from the heading chain)
    start: int = 0  # character offset of the heading in the input


@dataclass
class Candidate:
    index: int  # line index of the label
    num: int
    sub: str | None
    prefix: str | None
    year: str | None
    year_first: bool
    title: str
    title_end: int  # last line index used by the heading
    weight: float
    label_text: str  # label as printed, e.g. "CB20/15", "69", "3a"


@dataclass
class MinutesRegion:
    start_line: int
    end_line: int
    meeting_date: date | None
    page_mode: bool = False  # a ModernGov meeting page: each row's text after "Minutes:"
    minutes: list[Minute] = field(default_factory=list)


# -- where minutes are ------------------------------------------------------------------------

_MINUTES_OF = re.compile(r"^(?:the\s+)?minutes\s+of\s+(?:the|a)\s+(?:\w+\s+)?meeting\s+of\b", re.IGNORECASE)
_MINUTES_WORD = re.compile(r"^(?:draft\s+|confirmed\s+)?minutes$", re.IGNORECASE)
_PRESENT = re.compile(r"^(?:members\s+|councillors\s+)?present\s*:?(?:\s|$)|^present\b", re.IGNORECASE)
_END = re.compile(
    r"^\(?(?:note:\s*)?the\s+meeting\s+(?:ended|closed|finished|terminated|rose)\b|^\(?meeting\s+(?:closed|ended|finished)\b"
    r"|^\(?the\s+meeting\s+(?:was\s+)?closed\b|^(?:\(?chair(?:man|person)?\)?|signed)\s*:?\s*\.{0,}$",
    re.IGNORECASE,
)
_PAGE_MINUTES_LABEL = re.compile(r"^minutes\s*:$", re.IGNORECASE)


def find_regions(lines: list[Line]) -> list[MinutesRegion]:
    texts = [ln.text for ln in lines]
    if sum(1 for t in texts if _PAGE_MINUTES_LABEL.match(t)) >= 1:
        head = " ".join(texts[:8])
        return [MinutesRegion(0, len(lines), parse_date_text(head), page_mode=True)]
    starts: list[tuple[int, date | None]] = []
    for i, t in enumerate(texts):
        if _MINUTES_OF.match(t):
            window = " ".join(texts[i : i + 4])
            starts.append((i, parse_date_text(window)))
        elif _PRESENT.match(t):
            if starts and i - starts[-1][0] <= 12:
                continue  # the "Present:" of a header already found
            begin, when = i, None
            for j in range(i - 1, max(-1, i - 9), -1):
                d = parse_date_text(texts[j])
                if d:
                    begin, when = j, d
                    break
            # a "Minutes" line or the committee name just above the date belongs to the header
            while (
                begin > 0
                and i - begin < 10
                and texts[begin - 1]
                and lines[begin - 1].page == lines[begin].page
                and (_MINUTES_WORD.match(texts[begin - 1]) or texts[begin - 1].isupper())
            ):
                begin -= 1
            starts.append((begin, when))
    regions = []
    for k, (begin, when) in enumerate(starts):
        limit = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        end = limit
        for j in range(begin + 1, limit):
            if _END.match(texts[j]):
                end = j + 1
                break
        regions.append(MinutesRegion(begin, end, when))
    return regions


# -- heading candidates -----------------------------------------------------------------------

_LABEL = re.compile(
    r"""^(?:\*\s*)?(?:[Mm]inute\s+(?:[Nn]o\.?\s*)?)?
    (?:
        (?P<p1>[A-Z]{2,6})/(?P<n1>\d{1,4})/(?P<y1>\d{2}-\d{2}|\d{2,4})        # JSC/73/20-21
      | (?P<p2>[A-Z]{1,6})\.?\s?(?P<n2>\d{1,4})/(?P<y2>\d{2}(?:-\d{2})?)      # CB20/15, E.70/23
      | (?P<a3>\d{1,4})/(?P<b3>\d{1,4})                                      # 74/15 or 23/165
      | (?P<p4>[A-Z]{2,6})(?P<n4>\d{1,4})                                    # CPAC106
      | (?P<n5>\d{1,4})(?P<s5>[a-z]\b|\.[a-z]\b|\(\d{1,2}\))?                # 69, 3a, 3.a, 48(6)
      | \((?P<s6>[a-z])\)                                                   # (a)
    )
    (?P<sep>[.:)]?)(?:\s+(?P<title>\S.*))?$""",
    re.VERBOSE,
)
_TITLE_NOISE = re.compile(
    r"\s*(?:\(Agenda\s+item\s+[\w.]+\)|\(Pages?\s+[\d\s\-–]+\)|\(Ref:?[^)]*\)|pdf icon\s+PDF\s+[\d.]+\s*[KM]B)\s*$",
    re.IGNORECASE,
)
_AGENDA_REF = re.compile(r"^\(Agenda\s+item\s+[\w.]+\)$", re.IGNORECASE)
_DATE_START = re.compile(
    r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,?\s+(?:19|20)\d{2}\b", re.IGNORECASE
)
_NOT_TITLE_START = re.compile(r"^(?:That|To|and|or|of|the|a|an|in|on|at|by|with|for|from|per|x)\b")


def _clean_title(title: str) -> str:
    prev = None
    while prev != title:
        prev = title
        title = _TITLE_NOISE.sub("", title).strip()
    return title.strip(" -–:")


def _title_ok(title: str, own_line: bool) -> bool:
    if not title or len(title) > 170:
        return False
    first = title[0]
    if not (first.isupper() or first.isdigit() or first in "'\"‘“("):
        return False
    if _DATE_START.match(title) or _NOT_TITLE_START.match(title):
        return False
    words = title.split()
    if len(words) > TITLE_MAX_WORDS:
        return False
    if title.endswith((".", ":", ";", ",")) and not (len(words) <= 4 and title.endswith(".")):
        return False
    return not (own_line and title.isdigit())


def _heading_title(lines: list[Line], i: int, end: int, rest: str | None) -> tuple[str, int, bool]:
    """The title of a heading whose label is on line ``i``: on the same line, or the next line."""
    if rest:
        title, last = rest, i
    else:
        j = i + 1
        while j < end and not lines[j].text:
            j += 1
        if j >= end:
            return "", i, False
        title, last = lines[j].text, j
    # Upper-case headings wrap: "ANNUAL GOVERNANCE REPORT 2008/09 – PENSION FUND" + "(Agenda item 6)"
    upper = _clean_title(title).isupper()
    while upper and last + 1 < end:
        nxt = lines[last + 1].text
        cleaned = _clean_title(nxt)
        if _AGENDA_REF.match(nxt):  # "(Agenda item 6)" on a line of its own
            last += 1
            continue
        # a lone upper-case word ("NOTED") is the minute's text, unless an agenda reference marks it as heading
        if (
            not cleaned.isupper()
            or len(cleaned.split()) > 8
            or _LABEL.match(nxt)
            or (len(cleaned.split()) == 1 and cleaned == nxt)
        ):
            break
        title, last = f"{title} {cleaned}", last + 1
    return _clean_title(title), last, upper


def candidates(lines: list[Line], begin: int, end: int) -> list[Candidate]:
    found = []
    for i in range(begin, end):
        text = lines[i].text
        m = _LABEL.match(text) if text else None
        if not m:
            continue
        g = m.groupdict()
        prefix = year = sub = None
        if g["n1"]:
            prefix, num, year = g["p1"], g["n1"], g["y1"]
        elif g["n2"]:
            prefix, num, year = g["p2"], g["n2"], g["y2"]
        elif g["a3"]:
            num, year = g["a3"], g["b3"]
        elif g["n4"]:
            prefix, num = g["p4"], g["n4"]
        elif g["n5"]:
            num, sub = g["n5"], (g["s5"] or "").lstrip(".") or None
        else:
            num, sub = "0", g["s6"]
        rest = g["title"]
        title, last, upper = _heading_title(lines, i, end, rest)
        if not _title_ok(title, rest is None):
            continue
        if g["s6"] and (len(title.split()) > 10):
            continue
        weight = (
            1.0 + (0.5 if upper else 0) + (0.5 if lines[i].emphasis else 0) + (0.2 if rest is None else 0)
        )
        if g["sep"] == "." or g["sep"] == ":":
            weight += 0.2
        label_text = text[: m.start("title")].strip() if rest else text.strip()
        label_text = re.sub(r"^(?:\*\s*)?(?:minute\s+(?:no\.?\s*)?)", "", label_text, flags=re.IGNORECASE)
        label_text = label_text.rstrip(".:) ")
        readings = [(num, year, False)]
        if year and "-" not in year:
            # "74/15" (minute/year) or "23/165", "CB20/15" (year/minute): let the chain decide.
            readings = [(year, num, True)] if len(year) >= 3 else [(num, year, False), (year, num, True)]
        for n, y, first in readings:
            found.append(Candidate(i, int(n), sub, prefix, y, first, title, last, weight, label_text))
    return found


def best_chain(cands: list[Candidate]) -> list[Candidate]:
    """The highest-scoring run of main (non-sub) headings whose numbers rise by 1..MAX_GAP."""
    main = [c for c in cands if c.sub is None]
    if not main:
        return []
    score = [c.weight for c in main]
    prev: list[int | None] = [None] * len(main)
    for i, c in enumerate(main):
        for j in range(i):
            p = main[j]
            if p.prefix != c.prefix or p.year_first != c.year_first:
                continue
            if p.year != c.year and not (p.year is None or c.year is None):
                # A new municipal year may restart numbering at 1 only with a new year label.
                if not (c.num == 1 and p.year_first == c.year_first):
                    continue
            elif not 1 <= c.num - p.num <= MAX_GAP:
                continue
            bonus = 0.3 if c.num - p.num == 1 else 0.0
            if score[j] + c.weight + bonus > score[i]:
                score[i] = score[j] + c.weight + bonus
                prev[i] = j
    best = max(range(len(main)), key=lambda k: (score[k], -k))
    chain = []
    k: int | None = best
    while k is not None:
        chain.append(main[k])
        k = prev[k]
    chain.reverse()
    # Sub-items ("3a", "48(6)", "(a)") attach between their parent and the next heading.
    result = []
    for n, c in enumerate(chain):
        result.append(c)
        stop = chain[n + 1].index if n + 1 < len(chain) else None
        last_sub = ""
        for s in cands:
            if s.sub is None or s.index <= c.index or (stop is not None and s.index >= stop):
                continue
            if s.num not in (c.num, 0) or s.prefix != c.prefix or s.sub <= last_sub:
                continue
            if s.num == 0 and not s.sub.isalpha():
                continue
            result.append(s)
            last_sub = s.sub
    return result


# -- putting it together ----------------------------------------------------------------------


def _label(
    c: Candidate,
    parent: Candidate | None,
    meeting_date: date | None,
    cite_style: str | None,
    profile: Profile,
) -> tuple[str, str]:
    """(number, label) for a heading. ``cite_style`` "n/yy" adds the year the way citations do."""
    if c.num == 0 and parent is not None:  # "(a)" under minute 12 -> "12(a)"
        number = f"{parent.num}({c.sub})"
        return number, number
    number = f"{c.num}{c.sub or ''}" if not (c.sub and c.sub.isdigit()) else f"{c.num}({c.sub})"
    if c.prefix or c.year:
        return number, c.label_text
    if cite_style == "n/yy" and meeting_date is not None:
        yy = profile.numbering_year(meeting_date) % 100
        return number, f"{number}/{yy:02d}"
    return number, number


_CITES_N_YY = re.compile(r"\bminutes?\s+(?:no\.?\s*)?\d{1,4}/\d{2}\b", re.IGNORECASE)


def find_minutes(text: str, *, cite_style: str | None = None, profile: Profile = MUNICIPAL) -> list[Minute]:
    """Every numbered minute in ``text`` (pages separated by form feeds), in document order.

    ``cite_style``: "n/yy" when the council cites minutes as "74/15"; None learns it from the text
    (any "Minute 51/15" citation in it).
    """
    lines = split_lines(text)
    if cite_style is None and _CITES_N_YY.search(text):
        cite_style = "n/yy"
    paged = PAGE_BREAK in text
    found: list[Minute] = []
    for region in find_regions(lines):
        chain = best_chain(candidates(lines, region.start_line, region.end_line))
        if region.page_mode:
            chain = [c for c in chain if _has_minutes_block(lines, c, chain, region.end_line)]
        elif len(chain) < 2 and not (chain and _MINUTES_OF.match(lines[region.start_line].text)):
            continue
        parent = None
        for k, c in enumerate(chain):
            if c.sub is None:
                parent = c
            number, label = _label(c, parent, region.meeting_date, cite_style, profile)
            body_end = chain[k + 1].index if k + 1 < len(chain) else region.end_line
            body_lines = [ln.text for ln in lines[c.title_end + 1 : body_end]]
            if region.page_mode:
                body_lines = _after_minutes_label(body_lines)
            found.append(
                Minute(
                    number=number,
                    label=label,
                    title=c.title,
                    meeting_date=region.meeting_date,
                    page=lines[c.index].page if paged else None,
                    text="\n".join(t for t in body_lines if t).strip(),
                    prefix=c.prefix,
                    year=c.year,
                    year_first=c.year_first,
                    start=lines[c.index].start,
                )
            )
    return found


def _after_minutes_label(body: list[str]) -> list[str]:
    for k, t in enumerate(body):
        if _PAGE_MINUTES_LABEL.match(t):
            return body[k + 1 :]
    return []


def _has_minutes_block(lines: list[Line], c: Candidate, chain: list[Candidate], end: int) -> bool:
    later = [x.index for x in chain if x.index > c.index]
    stop = later[0] if later else end
    return any(_PAGE_MINUTES_LABEL.match(ln.text) for ln in lines[c.title_end + 1 : stop])
