"""Which numbered lines are minute headings: candidates, and the best chain of them.

Every line that starts with a key (``labels.heading_key``) and has a title (on the same line or the
next) is a candidate, once per reading of its key. The headings are the highest-scoring chain of
candidates of one series (the same style, prefix and fixed year) whose numbers go up by 1 to
``MAX_GAP``: numbered lists inside a minute ("1. Seek assurance that...") restart at 1 and so never
join the chain of 69, 70, 71... The chain is found in one pass over the candidates (each looks
back only at the few numbers just below its own), so thousands of numbered lines cost linear time.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pipeline.parse.labels import HeadingKey, Reading, heading_key
from pipeline.parse.lines import Line

MAX_GAP = 3  # minutes may skip a few numbers (exempt items, withdrawn items)
TITLE_MAX_WORDS = 40

_TITLE_NOISE = re.compile(
    r"\s*(?:\(Agenda\s+item\s+[\w.]+\)|\(Pages?\s+[\d\s\-–]+\)|\(Ref:?[^)]*\)|pdf icon\s+PDF\s+[\d.]+\s*[KM]B"
    r"|PDF\s+[\d.]+\s*[KM]B)\s*$",
    re.IGNORECASE,
)
_AGENDA_REF = re.compile(r"^\(Agenda\s+item\s+[\w.]+\)$", re.IGNORECASE)
_DATE_START = re.compile(
    r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,?\s+(?:19|20)\d{2}\b", re.IGNORECASE
)
# Words a sentence of the body starts with, never a heading's title.
_NOT_TITLE_START = re.compile(
    r"^(?:That|and|or|of|the\s+[a-z]|a|an|in|on|at|by|with|for|from|per|x|is|was|were)\b"
)
# Rows of a ModernGov page: the label "Minutes:" opens a row's minutes.
MINUTES_LABEL = re.compile(r"^minutes\s*:$", re.IGNORECASE)


@dataclass
class Candidate:
    index: int  # line index of the key
    key: HeadingKey
    reading: Reading
    title: str
    title_end: int  # last line index used by the heading
    weight: float

    @property
    def num(self) -> int:
        return self.reading.num

    @property
    def sub(self) -> str | None:
        return self.reading.sub


def clean_title(title: str) -> str:
    prev = None
    while prev != title:
        prev = title
        title = _TITLE_NOISE.sub("", title).strip()
    return title.strip(" -–:")


def title_ok(title: str, own_line: bool, lenient: bool = False) -> bool:
    """Could this be a heading's title? ``lenient`` for a meeting page's rows, where the row
    structure already says so."""
    if not title or len(title) > 250 or MINUTES_LABEL.match(title):
        return False
    if lenient:
        return not (own_line and title.isdigit())
    first = title[0]
    if not (first.isupper() or first.isdigit() or first in "'\"‘“([£"):
        return False
    if _DATE_START.match(title) or _NOT_TITLE_START.match(title):
        return False
    words = title.split()
    if len(words) > TITLE_MAX_WORDS:
        return False
    if title.endswith((";", ",")):
        return False
    if title.endswith(".") and len(words) > 25 and not title.isupper():
        return False  # a sentence, not a title
    return not (own_line and title.isdigit())


def _heading_title(lines: list[Line], i: int, end: int, rest: str | None) -> tuple[str, int, bool]:
    """The title of a heading whose key is on line ``i``: on the same line, or the next line."""
    if rest and lines[i].run_on:
        title, last = _run_on_title(rest), i
    elif rest:
        title, last = rest, i
    else:
        j = i + 1
        while j < end and not lines[j].text:
            j += 1
        if j >= end:
            return "", i, False
        title, last = lines[j].text, j
    # Upper-case headings wrap: "ANNUAL GOVERNANCE REPORT 2008/09 – PENSION FUND" + "(Agenda item 6)"
    upper = clean_title(title).isupper()
    while upper and last + 1 < end and last - i < 4:
        nxt = lines[last + 1].text
        cleaned = clean_title(nxt)
        if _AGENDA_REF.match(nxt):  # "(Agenda item 6)" on a line of its own
            last += 1
            continue
        # a lone upper-case word ("NOTED") is the minute's text, unless an agenda reference marks it as heading
        if (
            not cleaned
            or not cleaned.isupper()
            or len(cleaned.split()) > 8
            or heading_key(nxt)
            or (len(cleaned.split()) == 1 and cleaned == nxt)
        ):
            break
        title, last = f"{title} {cleaned}", last + 1
    return clean_title(title), last, upper


_CAPS_RUN = re.compile(r"^(?:[A-Z0-9][A-Z0-9'’&(),/\-]*(?:\s+|$))+")


def _run_on_title(rest: str) -> str:
    """The title at the start of a run-on piece: its words in capitals ("APOLOGIES There were
    ..." -> "APOLOGIES"), else its first few words."""
    caps = _CAPS_RUN.match(rest)
    if caps and any(len(w) > 2 for w in caps.group(0).split()):
        words = caps.group(0).split()
        if len(words) > 1 and len(words[-1]) == 1:
            words = words[:-1]  # "MINUTES A" of "MINUTES A report was..."
        return " ".join(words)
    return " ".join(rest.split()[:8])


def candidates(lines: list[Line], begin: int, end: int, page_rows: bool = False) -> list[Candidate]:
    """Heading candidates between lines ``begin`` and ``end``. ``page_rows``: the rows of a
    ModernGov meeting page (a key on a line of its own, lenient titles, no "(a)" items)."""
    found = []
    for i in range(begin, end):
        text = lines[i].text
        key = heading_key(text) if text else None
        if key is None:
            continue
        on_row = key.rest and _row_title_line(key.rest)
        if page_rows and ((key.rest and not on_row) or any(r.series == "letter" for r in key.readings)):
            continue  # a row's key is in the page's "No." column; "(a) To agree ..." is its description
        title, last, upper = _heading_title(lines, i, end, key.rest)
        penalty = 0.0
        if not title_ok(title, key.rest is None, lenient=page_rows):
            # A table row "1072 Declarations of Interest Councillor P Williams declared ...": a running
            # number of three or four digits (no list counts that far) before a long capitalised row;
            # "Minute no. 4 – Chairman's Announcements The Chairman reported ...": a key a word or a
            # dash marks as a heading's, its record run on after the title.
            short = " ".join(title.split()[:8])
            marked = key.readings[0].num >= 100 or key.word or key.separator in ("–", "-")
            if not (key.rest and marked and title_ok(short, False)):
                continue
            title, penalty = short, 0.5
        if any(r.series == "letter" for r in key.readings) and len(title.split()) > 12:
            continue
        weight = (
            1.0 + (0.5 if upper else 0) + (0.5 if lines[i].emphasis else 0) + (0.3 if key.rest is None else 0)
        )
        if key.separator in (".", ":"):
            weight += 0.2
        weight -= penalty
        for reading in key.readings:
            found.append(Candidate(i, key, reading, title, last, weight))
    return found


def _row_title_line(rest: str) -> bool:
    """A page row printed as "79 Minutes pdf icon PDF 222 KB": a key and a short title on one line."""
    return len(rest.split()) <= 12 and not rest.endswith(".")


def best_chain(cands: list[Candidate], page_rows: bool = False) -> list[Candidate]:
    """The highest-scoring run of main (non-sub) headings of one series whose numbers rise by
    1..MAX_GAP, then the sub-items ("3a", "7(b)") between each and the next. Numbered paragraphs
    ("4.1", "(a)") are sub-items only on a meeting page's rows (``page_rows``): in a document they
    number the paragraphs of a minute's record."""
    main = [c for c in cands if c.sub is None]
    if not main:
        return []
    score = [0.0] * len(main)
    prev: list[int | None] = [None] * len(main)
    best_at: dict[tuple[str, int], int] = {}  # (series, number) -> index of the best chain ending there
    for i, c in enumerate(main):
        score[i] = c.weight
        for gap in range(1, MAX_GAP + 1):
            j = best_at.get((c.reading.series, c.num - gap))
            if j is None or main[j].index >= c.index:
                continue
            bonus = 0.3 if gap == 1 else 0.0
            if score[j] + c.weight + bonus > score[i]:
                score[i] = score[j] + c.weight + bonus
                prev[i] = j
        key = (c.reading.series, c.num)
        if key not in best_at or score[i] >= score[best_at[key]]:
            best_at[key] = i
    best = max(range(len(main)), key=lambda k: (score[k], -k))
    chain = []
    k: int | None = best
    while k is not None:
        chain.append(main[k])
        k = prev[k]
    chain.reverse()
    return _with_subs(chain, cands, page_rows)


def _with_subs(chain: list[Candidate], cands: list[Candidate], page_rows: bool) -> list[Candidate]:
    subs = sorted((s for s in cands if s.sub is not None), key=lambda s: s.index)
    at = [s.index for s in subs]  # each heading looks only at the sub-items up to the next one
    result = []
    for n, c in enumerate(chain):
        result.append(c)
        stop = chain[n + 1].index if n + 1 < len(chain) else None
        last_sub = ""
        first = bisect.bisect_right(at, c.index)
        last = bisect.bisect_left(at, stop) if stop is not None else len(subs)
        for s in subs[first:last]:
            if s.num not in (c.num, 0) or s.reading.prefix != c.reading.prefix or s.sub <= last_sub:
                continue
            if s.num == 0 and not s.sub.isalpha():
                continue
            if not page_rows and (s.num == 0 or _paragraph_number(s)):
                continue
            result.append(s)
            last_sub = s.sub
    return result


def _paragraph_number(c: Candidate) -> bool:
    """ "4.1", "4(1)": a paragraph's number (a minute's own sub-items are "4a", "4(a)")."""
    return c.sub is not None and c.sub.isdigit()
