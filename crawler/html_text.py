"""HTML read safely, and the readable text of its blocks (minutes blocks, item descriptions). Pure;
iterative, so markup nested thousands deep is read like any other."""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree
from parsel import Selector, SelectorList

# libxml2 gives up on a document nested deeper than about 2,000 elements, and drops the rest of it.
MAX_DEPTH = 1000
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)\b[^>]*?(/?)>")
_VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "source", "wbr", "param"}
)


def _depth(root) -> int:
    """How deep the parsed tree goes (iteratively)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in el)
    return deepest


def _flatten(html: str, limit: int) -> str:
    """The document with element tags beyond ``limit`` levels removed (their text kept)."""
    out, last, depth, dropped = [], 0, 0, 0
    for m in _TAG.finditer(html):
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _VOID or selfclosing:
            continue
        if not closing:
            if depth >= limit:
                dropped += 1
                out.append(html[last : m.start()])
                last = m.end()
                continue
            depth += 1
        elif dropped:
            dropped -= 1
            out.append(html[last : m.start()])
            last = m.end()
        else:
            depth = max(0, depth - 1)
    out.append(html[last:])
    return "".join(out)


def _selector(html: str) -> Selector:
    try:
        return Selector(text=html)
    except ValueError:  # lone surrogates and the like: what a browser would show instead
        return Selector(text=html.encode("utf-8", "replace").decode("utf-8"))


def read_html(html: str, skipped: list[str] | None = None) -> Selector:
    """The parsed page; one nested too deep for the parser is flattened first (and said so)."""
    sel = _selector(html)
    if _depth(sel.root) < 2 * MAX_DEPTH - 100:
        return sel
    if skipped is not None:
        skipped.append(f"markup nested deeper than {MAX_DEPTH:,} levels: the deeper tags were flattened")
    return _selector(_flatten(html, MAX_DEPTH))


_BLOCK_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "div", "tr"})


@lru_cache(maxsize=256)
def xpath(query: str) -> etree.XPath:
    """``query`` compiled once. Applied to lxml elements it answers in microseconds, where a parsel
    ``Selector.xpath`` compiles it again and wraps every result (a meeting page asks ~60 queries)."""
    return etree.XPath(query, smart_strings=False)


def elements(sel) -> list:
    """The lxml elements of a parsel Selector, a SelectorList or an lxml element."""
    if isinstance(sel, SelectorList):
        return [s.root for s in sel]
    return [getattr(sel, "root", sel)]


def inline_text(sel, query: str = ".//text()") -> str:
    """Text of an element on one line: text nodes joined as they are, then whitespace collapsed
    (of a parsel Selector, a SelectorList or an lxml element)."""
    find = xpath(query)
    return " ".join("".join(t for el in elements(sel) for t in find(el)).replace("\xa0", " ").split())


def block_text(element) -> str:
    """One line per paragraph / list item / cell / <br>, whitespace collapsed (an lxml element or a
    parsel Selector)."""
    root = getattr(element, "root", element)
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buf).replace("\xa0", " ").split())
        if text:
            lines.append(text)
        buf.clear()

    if isinstance(root.text, str):
        buf.append(root.text)
    # (element, entering) pairs: text on entering, tail after leaving; no recursion.
    stack = [(child, True) for child in reversed(list(root))]
    while stack:
        el, entering = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if entering:
            if tag in _BLOCK_TAGS or tag == "br":
                flush()
            if tag and tag not in ("script", "style") and el.text:
                buf.append(el.text)
            stack.append((el, False))
            if tag not in ("script", "style"):
                stack.extend((child, True) for child in reversed(list(el)))
        else:
            if tag in _BLOCK_TAGS:
                flush()
            if el.tail:
                buf.append(el.tail)
    flush()
    return "\n".join(lines)
