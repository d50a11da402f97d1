"""Readable text of HTML blocks (minutes blocks, item descriptions). Pure; iterative, so markup
nested thousands deep is read like any other."""

from __future__ import annotations

_BLOCK_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "div", "tr"})


def inline_text(sel, xpath: str = ".//text()") -> str:
    """Text of an element on one line: text nodes joined as they are, then whitespace collapsed."""
    return " ".join("".join(sel.xpath(xpath).getall()).replace("\xa0", " ").split())


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
