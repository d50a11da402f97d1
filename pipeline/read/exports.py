"""Exports for journalists: streamed (constant memory), CSV (UTF-8, header row) or JSON lines.

A cell a spreadsheet would run as a formula (starting with = + - @, tab or CR) is prefixed with
an apostrophe; ``excel=True`` adds the byte-order mark Excel needs to read UTF-8. The rows
themselves are ``export_queries``.
"""

from __future__ import annotations

import json
from itertools import islice

from sqlalchemy import Engine

from pipeline.read.export_queries import (
    DOCUMENT_COLUMNS,
    MEETING_COLUMNS,
    MINUTE_COLUMNS,
    REFERENCE_COLUMNS,
    document_rows,
    meeting_rows,
    minute_cells,
    minute_row,
    minute_rows,
    reference_rows,
)
from pipeline.read.export_stream import SEP

EXPORTS = {
    "meetings": (MEETING_COLUMNS, meeting_rows),
    "documents": (DOCUMENT_COLUMNS, document_rows),
    "minutes": (MINUTE_COLUMNS, minute_rows),
    "references": (REFERENCE_COLUMNS, reference_rows),
}
# exports whose cells the database can make as text (cell_lines)
CELLS = {"minutes": minute_cells}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Neutralise a cell a spreadsheet would evaluate: "=HYPERLINK(...)" becomes "'=HYPERLINK(...)"."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


VERSIONED = ("meetings", "documents")  # the tables --all-versions and --as-of apply to


def write_export(
    out,
    table: str,
    engine: Engine,
    fmt: str = "csv",
    excel: bool = False,
    progress=None,
    all_versions: bool = False,
    as_of=None,
    **filters,
) -> int:
    """Write ``table`` to the text stream ``out``, streaming; returns the number of rows."""
    columns, rows = EXPORTS[table]
    if all_versions or as_of:
        if table not in VERSIONED:
            option = "--all-versions" if all_versions else "--as-of"
            raise ValueError(f"{option} applies to {' and '.join(VERSIONED)}, not {table}")
        filters["all_versions" if all_versions else "as_of"] = all_versions or as_of
    if excel:
        out.write("\ufeff")
    n = 0
    if fmt == "jsonl":
        for row in rows(engine, **filters):
            out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) + "\n")
            n += 1
            if progress and n % 1000 == 0:
                progress(n)
        return n
    out.write(csv_line(columns))
    batches = CELLS[table](engine, **filters) if table in CELLS else None
    if batches is not None:
        for batch in batches:
            out.write(cell_lines(batch, engine))
            n += len(batch)
            if progress:
                progress(n)
        return n
    rows_left = rows(engine, **filters)
    while chunk := list(islice(rows_left, 1000)):
        out.write("".join(map(csv_line, chunk)))
        n += len(chunk)
        if progress and n % 1000 == 0:
            progress(n)
    return n


_FORMULA = frozenset(_FORMULA_START)


def _cell(value) -> str:
    """One cell, neutralised and quoted in a single pass: the bytes csv.writer (QUOTE_MINIMAL)
    writes for ``spreadsheet_safe(value)``, at a third of its cost (tests/test_export_bytes.py)."""
    if isinstance(value, str):
        if value[:1] in _FORMULA:
            value = "'" + value
        if '"' in value:
            return '"' + value.replace('"', '""') + '"'
        if "," in value or "\n" in value or "\r" in value:
            return '"' + value + '"'
        return value
    return "" if value is None else str(value)


def csv_line(row) -> str:
    return ",".join(map(_cell, row)) + "\r\n"


# SEP + a formula character: a cell (not the row's first) a spreadsheet would run
_STARTS = tuple(SEP + c for c in "=+-@\t")


def cell_lines(batch, engine) -> str:
    """The CSV lines of a batch of minute_cells, ``csv_line``'s bytes: SQLite joined all cells but
    the text with SEP; where no cell needs quotes or an apostrophe (one C-speed scan of the batch),
    the SEPs become commas in one go. Else row by row; a row whose cells hold SEP themselves is
    read again as typed values."""
    ids, heads, texts = zip(*batch, strict=False)  # strict costs as much as the rest
    n, cells = len(heads), len(MINUTE_COLUMNS) - 1
    try:
        joined = "\n".join(heads)  # rows are split again at LF: no head with an LF takes this path
    except TypeError:  # a NULL cell
        joined = '"'
    if (
        '"' in joined
        or "," in joined
        or "\r" in joined
        or joined[:1] in _FORMULA
        or any(start in joined for start in _STARTS)
        or any("\n" + c in joined for c in "=+-@\t")
        or joined.count("\n") != n - 1
        or joined.count(SEP) != n * cells
    ):
        lines = [_head(engine, i, h, cells) for i, h in zip(ids, heads, strict=True)]
    else:
        lines = joined.replace(SEP, ",").split("\n")
    return "\r\n".join(map(str.__add__, lines, map(_cell, texts))) + "\r\n"


def _head(engine, minute_id, head, cells) -> str:
    """All cells but the text, each with its comma, of one row."""
    values = head.split(SEP) if head is not None else []
    if len(values) != cells + 1:  # a cell holding SEP (or a NULL): the typed row decides
        values = minute_row(engine, minute_id)[:-1] + [""]
    # sources and year are numbers, never quoted or neutralised
    return ",".join([_cell(v) for v in values[:7]] + [str(v) for v in values[7:9]] + [""])
