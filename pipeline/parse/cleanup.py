"""Repairs for text extracted from real council PDFs. Pure functions: pages of text in and out.

- NFKC normalisation (ligatures such as "ﬁ" become "fi"), NULs and control characters dropped;
- one word per line (Google Docs renders) joined back into lines;
- end-of-line hyphenation joined ("recom-\\nmendation");
- running headers and footers repeated across pages ("All minutes are draft until agreed...", the
  committee name and date on every page) kept on their first page only, page numbers dropped;
  furniture is recognised by position and sameness, never a line shaped like the body.

The raw text stays in the archive (``text_pages.raw_text``): a better rule here is applied to old
archives by ``reprocess`` (bump ``PARSER_VERSION``).
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\s*)([a-z])")
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?\s*$", re.IGNORECASE)
PAGE_LINE_WORDS = 10  # "Minutes - 14 March 2024 - Page 3 of 12" is about as long as a page number line gets
MIN_COUNTED_PAGES = 3
EDGE_LINES = 3  # how deep into the top and bottom of a page a running header/footer is looked for


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def join_word_per_line(text: str) -> str:
    """Google Docs PDFs often come out one word per line: join runs of one-word lines."""
    lines = text.split("\n")
    words_per_line = [len(line.split()) for line in lines if line.strip()]
    if len(words_per_line) < 20:
        return text
    single = sum(1 for n in words_per_line if n == 1)
    if single / len(words_per_line) < 0.6:
        return text
    out: list[str] = []
    buf: list[str] = []
    for line in lines:
        if line.strip():
            buf.append(line.strip())
        else:
            if buf:
                out.append(" ".join(buf))
                buf = []
            out.append("")
    if buf:
        out.append(" ".join(buf))
    return "\n".join(out)


def join_hyphenation(text: str) -> str:
    return _HYPHEN_BREAK.sub(lambda m: m.group(1) + m.group(3), text)


def _key(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split()).lower())


def _filled(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if line.strip()]


# A line shaped like the body of minutes is never furniture, however often it repeats.
_BODY_SHAPE = re.compile(
    r"^\s*\(?(?:resolved|agreed|noted|recommended|decision|decided|that\b|it\s+was\b|members\b)",
    re.IGNORECASE,
)


def _page_counted(occurrences: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The occurrences whose texts differ only in numbers counting the pages ("Page 3 of 10",
    "- 4 -", "2"): each such number goes up with the page, or restarts at 1 where the next document
    of a pack begins. A number that breaks the count (another sequence's) is left out."""
    if any(len(text.split()) > PAGE_LINE_WORDS for _, _, text in occurrences):
        return []  # a sentence of the body, however its numbers run
    numbers = {occ: [int(n) for n in _DIGITS.findall(occ[2])] for occ in occurrences}
    widths = {len(n) for n in numbers.values()}
    if len(widths) != 1 or not next(iter(widths)):
        return []
    ordered = sorted(occurrences)
    kept = [ordered[0]]
    for occ in ordered[1:]:
        prev = kept[-1]
        if occ[0] == prev[0]:
            continue
        steps = [
            a == b or b - a == occ[0] - prev[0] or b == 1
            for a, b in zip(numbers[prev], numbers[occ], strict=True)
        ]
        if all(steps):
            kept.append(occ)
    varying = any(len({numbers[o][j] for o in kept}) > 1 for j in range(next(iter(widths))))
    # Two pages in a row starting with minutes 68 and 69 is no page count; three or more pages are.
    return kept if varying and len(kept) >= MIN_COUNTED_PAGES else []


def furniture(pages: list[list[str]]) -> list[set[int]]:
    """The running header and footer lines of each page (line indices), and page numbers.

    Furniture is what sits at the edge of many pages (the first or last ``EDGE_LINES`` lines,
    counted past furniture already found, so stacked footers are found whole) with the same
    words: either the very same text ("All minutes are draft until agreed...", the committee's
    name and date), or text that differs only in numbers counting the pages. A line of the body (a
    resolution, a decision) is never furniture: planning minutes whose pages each end "RESOLVED:
    ... 23/00123/FUL" keep every one of those lines.
    """
    found: list[set[int]] = [set() for _ in pages]
    if len(pages) < 2:
        return found
    top: set[str] = set()
    for _ in range(2):  # a second look, past what the first found
        more_top, bottom = _edge_furniture(pages, found)
        top |= more_top
        for p, lines in enumerate(bottom):
            found[p] |= lines
    _header_blocks(pages, top, found)
    return found


def _edge_furniture(pages: list[list[str]], known: list[set[int]]) -> tuple[set[str], list[set[int]]]:
    """(keys of header lines, footer line indices per page) among the edge lines not yet known."""
    # On 30 % of the pages at least: an agenda pack's embedded minutes have headers of their own.
    threshold = max(2, round(len(pages) * 0.3))
    groups: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for p, lines in enumerate(pages):
        filled = [i for i in _filled(lines) if i not in known[p]]
        k = min(EDGE_LINES, len(filled) // 2)  # a short page: its top half and its bottom half
        edges = [("top", i) for i in filled[:k]] + [("bottom", i) for i in filled[len(filled) - k :]]
        for zone, i in dict.fromkeys(edges):
            text = " ".join(lines[i].split())
            groups.setdefault((zone, _key(text)), []).append((p, i, text))
    top: set[str] = set()
    bottom: list[set[int]] = [set() for _ in pages]
    for (zone, key), occurrences in groups.items():
        if _BODY_SHAPE.match(occurrences[0][2]):
            continue
        if len({t.lower() for _, _, t in occurrences}) > 1:
            occurrences = _page_counted(occurrences)
        if len({p for p, _, _ in occurrences}) < threshold:
            continue
        if zone == "top":
            top.add(key)
        else:
            for p, i, _ in occurrences:
                bottom[p].add(i)
    return top, bottom


def _header_blocks(pages: list[list[str]], top: set[str], found: list[set[int]]) -> None:
    # A header block is dropped only where the same block already headed an earlier page: minutes
    # often start with the very committee name and date that later pages repeat.
    seen: set[tuple[str, ...]] = set()
    for p, lines in enumerate(pages):
        head = []
        for i in _filled(lines):
            if _key(lines[i]) not in top:
                break
            head.append(i)
        block = tuple(_key(lines[i]) for i in head)
        if block in seen:
            found[p].update(head)
        elif block:
            seen.add(block)
            found[p].update(i for i in head if _PAGE_NUMBER.match(lines[i]))


def strip_running_headers(pages: list[str]) -> list[str]:
    """Pages without their running headers and footers (see ``furniture``)."""
    split = [page.split("\n") for page in pages]
    drop = furniture(split)
    return [
        "\n".join(line for i, line in enumerate(lines) if i not in drop[p]).strip("\n")
        for p, lines in enumerate(split)
    ]


def clean_pages(pages: list[str]) -> list[str]:
    pages = [join_hyphenation(join_word_per_line(normalise(p))) for p in pages]
    return [re.sub(r"[ \t]+\n", "\n", p) for p in strip_running_headers(pages)]
