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


_TAG = re.compile(r"</?(?:b|i|u|em|strong|sup|sub|span|br|p|div)\b[^>]*>", re.IGNORECASE)
_MD_HEAD = re.compile(r"^\s*#{1,6}\s*")
_MD_EMPH = re.compile(r"\*\*|__")
_BULLET = re.compile(r"^\s*(?:[-•·▪●]|\*(?=\s))\s+")


def split_lines(text: str) -> list[Line]:
    lines = []
    page = 1
    pos = 0
    for raw in re.split(r"(\n|\f)", text):
        if raw == "\f":
            page += 1
            pos += 1
            continue
        if raw == "\n":
            pos += 1
            continue
        start = pos
        pos += len(raw)
        clean = _TAG.sub("", raw)
        emphasis = bool(_MD_HEAD.match(clean)) or clean.strip().startswith(("**", "__"))
        clean = _MD_EMPH.sub("", _MD_HEAD.sub("", clean))
        clean = " ".join(clean.replace("\xa0", " ").split())
        lines.append(Line(clean, raw, page, start, pos, emphasis))
    return lines
