"""Exports for journalists: streamed (constant memory), CSV (UTF-8, header row) or JSON lines.

A cell a spreadsheet would run as a formula (starting with = + - @, tab or CR) is prefixed with
an apostrophe; ``excel=True`` adds the byte-order mark Excel needs to read UTF-8. The rows
themselves are ``export_queries``.
"""

from __future__ import annotations

import codecs
import json
from itertools import islice

from sqlalchemy import Engine

from pipeline.read.csv_cells import csv_line, spreadsheet_safe
from pipeline.read.export_queries import (
    DOCUMENT_COLUMNS,
    MEETING_COLUMNS,
    MINUTE_COLUMNS,
    REFERENCE_COLUMNS,
    document_rows,
    meeting_rows,
    minute_cells,
    minute_rows,
    reference_rows,
)
from pipeline.read.minute_lines import cell_lines

__all__ = ["EXPORTS", "cell_lines", "csv_line", "spreadsheet_safe", "write_export"]

EXPORTS = {
    "meetings": (MEETING_COLUMNS, meeting_rows),
    "documents": (DOCUMENT_COLUMNS, document_rows),
    "minutes": (MINUTE_COLUMNS, minute_rows),
    "references": (REFERENCE_COLUMNS, reference_rows),
}
# exports whose cells the database can make as text (cell_lines)
CELLS = {"minutes": minute_cells}


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
        write = bytes_writer(out)
        for batch in batches:
            write(cell_lines(batch, engine))
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


def bytes_writer(out):
    """A write function for UTF-8 bytes into the text stream ``out``: straight into its binary
    buffer when it has one and encodes UTF-8 (files, stdout), else decoded (io.StringIO)."""
    buffer = getattr(out, "buffer", None)
    if buffer is not None and codecs.lookup(out.encoding or "ascii").name == "utf-8":
        out.flush()  # what was written as text (header, byte-order mark) goes first
        return buffer.write
    return lambda data: out.write(data.decode())
