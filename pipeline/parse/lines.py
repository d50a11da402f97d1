"""Text as lines a heading can be read from: markup and markdown emphasis stripped, page numbers kept.

Pages are separated by form feeds (``PAGE_BREAK``); each line keeps its page and its offsets in the
input, and whether it was emphasised (a markdown heading or bold), which makes it likelier a heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAGE_BREAK = "\f"


@dataclass
class Line:
    text: str  # cleaned of markdown / tags
    raw: str
    page: int
    start: int  # offset in the input
    end: int
    emphasis: bool = False  # markdown heading or bold
    run_on: bool = False  # a piece of a line that had lost its line breaks (its title has no end)


_TAG = re.compile(r"</?(?:b|i|u|em|strong|sup|sub|span|br|p|div)\b[^>]*>", re.IGNORECASE)
_MD_HEAD = re.compile(r"^\s*#{1,6}\s*")
_MD_EMPH = re.compile(r"\*\*|__")
_BULLET = re.compile(r"^\s*(?:[-•·▪●]|\*(?=\s))\s+")


# A text that lost its line breaks (a whole record on one line, as some web copies of minutes
# are): a numbered key after a sentence's end, "12." before a capitalised word, a title in capitals
# ("MINUTES OF THE MEETING ...") and "Present:" start a line.
RUN_ON = 300  # characters: shorter lines are never split
_RUN_ON_KEY = re.compile(
    r"(?:(?<=[.!?:;)\]”\"’|])|(?<=-{3}))\s+(?=\d{1,4}(?:\.\d{1,2})?\.?\s+[A-Z])"
    r"|\s+(?=\d{1,4}\.(?:\d{1,2})?\s+[A-Z][A-Za-z'’&\-]+\b)"
    r"|\s+(?=MINUTES\s+OF\s+(?:THE|A)\b|(?:Present|PRESENT)\s*:)"  # a record's title, its attendance
)


def _pieces(raw: str) -> list[tuple[int, str]]:
    """(offset, text) of the lines in ``raw``: itself, or a run-on line split before its keys."""
    if len(raw) <= RUN_ON:
        return [(0, raw)]
    cuts = [0] + [m.end() for m in _RUN_ON_KEY.finditer(raw)]
    return [(a, raw[a:b]) for a, b in zip(cuts, cuts[1:] + [len(raw)], strict=True) if raw[a:b].strip()]


def split_lines(text: str) -> list[Line]:
    lines = []
    page = 1
    pos = 0
    for whole in re.split(r"(\n|\f)", text):
        if whole == "\f":
            page += 1
            pos += 1
            continue
        if whole == "\n":
            pos += 1
            continue
        pieces = _pieces(whole)
        for offset, raw in pieces:
            lines.append(_line(raw, page, pos + offset, run_on=len(pieces) > 1))
        pos += len(whole)
    return lines


def _line(raw: str, page: int, start: int, run_on: bool = False) -> Line:
    clean = _TAG.sub("", raw)
    emphasis = bool(_MD_HEAD.match(clean)) or clean.strip().startswith(("**", "__"))
    clean = _MD_EMPH.sub("", _MD_HEAD.sub("", clean))
    clean = " ".join(clean.replace("\xa0", " ").split())
    return Line(clean, raw, page, start, start + len(raw), emphasis, run_on)
