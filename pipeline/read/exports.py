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
    minute_rows,
    reference_rows,
)

EXPORTS = {
    "meetings": (MEETING_COLUMNS, meeting_rows),
    "documents": (DOCUMENT_COLUMNS, document_rows),
    "minutes": (MINUTE_COLUMNS, minute_rows),
    "references": (REFERENCE_COLUMNS, reference_rows),
}
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
