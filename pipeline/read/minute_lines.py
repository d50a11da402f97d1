"""The minutes export's CSV lines made from SQLite's own UTF-8 bytes (export_queries.minute_cells),
a batch at a time, with no Python code per row where no cell needs care: the bytes of
``csv_cells.csv_line`` of the shaped rows (tests/test_export_bytes.py). Scanning bytes is exact:
no byte of a multi-byte UTF-8 character is ASCII."""

from __future__ import annotations

from itertools import chain, repeat
from operator import or_

from pipeline.read.csv_cells import FORMULA_START, cell
from pipeline.read.export_queries import MINUTE_COLUMNS, minute_row
from pipeline.read.export_stream import SEP

_FORMULA = frozenset(c.encode() for c in FORMULA_START)
_SEP = SEP.encode()
_FIRST = slice(0, 1)
# formula characters a cell other than a row's first may start with, found after a SEP: "-" is in
# every date, so it is the one looked for as SEP + "-" each time; the others only when present
_RARE_FORMULA = tuple((c.encode(), _SEP + c.encode()) for c in "=+@\t")
_OPEN = (b"", b'"')  # by whether the text is quoted
_CLOSE = (b"\r\n", b'"\r\n')


def cell_lines(batch, engine) -> bytes:
    """The CSV lines of a batch of (minute id, cells but the text each followed by SEP, text)."""
    ids, heads, texts = zip(*batch, strict=False)  # strict costs as much as the rest
    pieces = zip(_head_cells(ids, heads, engine), *_text_cells(texts), strict=False)  # with a repeat()
    return b"".join(chain.from_iterable(pieces))


def _starts(values) -> bool:
    """Whether any of ``values`` starts with a formula character."""
    return not _FORMULA.isdisjoint(map(bytes.__getitem__, values, repeat(_FIRST)))


def _head_cells(ids, heads, engine) -> list[bytes]:
    """Each row's cells but the text, each with its comma. SQLite joined them with SEP: where no
    cell needs quotes or an apostrophe (C-speed scans of the whole batch), the SEPs become commas
    in one go; else row by row, and a row whose cells hold SEP themselves is read again as typed
    values."""
    n, cells = len(heads), len(MINUTE_COLUMNS) - 1
    try:
        joined = b"\n".join(heads)  # split again at LF: no head with an LF takes this path
    except TypeError:  # a NULL cell
        joined = b'"'
    if (
        b'"' in joined
        or b"," in joined
        or b"\r" in joined
        or _starts(heads)  # a row's first cell
        or _SEP + b"-" in joined
        or any(c in joined and start in joined for c, start in _RARE_FORMULA)
        or joined.count(b"\n") != n - 1
        or joined.count(_SEP) != n * cells
    ):
        return [_head(engine, i, h, cells) for i, h in zip(ids, heads, strict=True)]
    return joined.replace(_SEP, b",").split(b"\n")


def _head(engine, minute_id, head, cells) -> bytes:
    values = head.decode().split(SEP) if head is not None else []
    if len(values) != cells + 1:  # a cell holding SEP (or a NULL): the typed row decides
        values = minute_row(engine, minute_id)[:-1] + [""]
    # sources and year are numbers, never quoted or neutralised
    return ",".join([cell(v) for v in values[:7]] + [str(v) for v in values[7:9]] + [""]).encode()


def _text_cells(texts) -> tuple:
    """(what opens each text's cell, the texts, what closes it and its line). Quoted where a text
    holds a comma or LF; a text with a quote, a CR or a formula start takes ``_text_cell``."""
    if (
        any(map(bytes.__contains__, texts, repeat(b'"')))
        or any(map(bytes.__contains__, texts, repeat(b"\r")))
        or _starts(texts)
    ):
        return map(_text_cell, texts), repeat(b"\r\n")
    quoted = list(
        map(
            or_,
            map(bytes.__contains__, texts, repeat(b",")),
            map(bytes.__contains__, texts, repeat(b"\n")),
        )
    )
    return map(_OPEN.__getitem__, quoted), texts, map(_CLOSE.__getitem__, quoted)


def _text_cell(value: bytes) -> bytes:
    """``csv_cells.cell`` of a text given as its UTF-8 bytes."""
    if value[:1] in _FORMULA:
        value = b"'" + value
    if b'"' in value:
        return b'"' + value.replace(b'"', b'""') + b'"'
    if b"," in value or b"\n" in value or b"\r" in value:
        return b'"' + value + b'"'
    return value
