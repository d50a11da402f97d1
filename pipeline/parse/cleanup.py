"""Repairs for text extracted from real council PDFs. Pure functions: pages of text in and out.

- NFKC normalisation (ligatures such as "ﬁ" become "fi"), NULs and control characters dropped;
- one word per line (Google Docs renders) joined back into lines;
- end-of-line hyphenation joined ("recom-\\nmendation");
- running headers and footers repeated across pages ("All minutes are draft until agreed...", the
  committee name and date on every page) kept on their first page only, page numbers dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\s*)([a-z])")
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?\s*$", re.IGNORECASE)
EDGE_LINES = 4  # how deep into the top and bottom of a page a running header/footer is looked for


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


def strip_running_headers(pages: list[str]) -> list[str]:
    """Drop running headers and footers repeated across pages, and page numbers.

    A header is the contiguous run of repeated lines at the top of a page; it is dropped only where
    the same run already headed an earlier page, because a minutes section often starts with the
    very committee name and date that later pages repeat. Footers (the repeated run at the bottom)
    are always dropped.
    """
    split = [page.split("\n") for page in pages]
    if len(split) >= 2:
        top, bottom = Counter(), Counter()
        for lines in split:
            filled = _filled(lines)
            top.update({_key(lines[i]) for i in filled[:EDGE_LINES]})
            bottom.update({_key(lines[i]) for i in filled[-EDGE_LINES:]})
        threshold = max(2, round(len(split) * 0.3))
        top_rep = {k for k, n in top.items() if n >= threshold and len(k) > 2}
        bottom_rep = {k for k, n in bottom.items() if n >= threshold and len(k) > 2}
        seen_headers: set[tuple[str, ...]] = set()
        for p, lines in enumerate(split):
            filled = _filled(lines)
            head = []
            for i in filled:
                if _key(lines[i]) not in top_rep:
                    break
                head.append(i)
            block = tuple(_key(lines[i]) for i in head)
            drop = set(head) if block in seen_headers else set()
            if block:
                seen_headers.add(block)
            for i in reversed(filled):
                if _key(lines[i]) in bottom_rep:
                    drop.add(i)
                elif not _PAGE_NUMBER.match(lines[i]):
                    break
            split[p] = [line for i, line in enumerate(lines) if i not in drop]
    return ["\n".join(_strip_page_numbers(lines)) for lines in split]


def _strip_page_numbers(lines: list[str]) -> list[str]:
    """Page numbers are digit-only lines at the very start or end of a page."""
    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or _PAGE_NUMBER.match(lines[start])):
        start += 1
    while end > start and (not lines[end - 1].strip() or _PAGE_NUMBER.match(lines[end - 1])):
        end -= 1
    return lines[start:end]


def clean_pages(pages: list[str]) -> list[str]:
    pages = [join_hyphenation(join_word_per_line(normalise(p))) for p in pages]
    return [re.sub(r"[ \t]+\n", "\n", p) for p in strip_running_headers(pages)]
