"""Exports stream straight from the driver and write CSV cells themselves (and SQLite's minutes
come from a planned query): the bytes must be the ones the portable query's SQLAlchemy rows +
csv.writer + spreadsheet_safe wrote before, on both backends."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text, update

import pipeline.read.export_queries as export_queries
from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine, open_read_engine
from pipeline.archive.models import Committee, Document, Minute
from pipeline.archive.writer import Archive
from pipeline.read.exports import EXPORTS, csv_line, spreadsheet_safe, write_export
from tests.spider_items import load_items, store_items


def _reference_line(row) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([spreadsheet_safe(v) for v in row])
    return buf.getvalue()


cells = st.one_of(
    st.none(),
    st.integers(),
    st.text(alphabet=st.sampled_from("ab ,\"\r\n\t=+-@'é€x")),
    st.text(),
)


@given(st.lists(cells, min_size=2, max_size=6))
def test_csv_cells_are_csv_writers_bytes(row):
    assert csv_line(row) == _reference_line(row)


def _old_stream(engine, query, shape):
    """The export's stream before: SQLAlchemy rows with their Python types."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(query)
        for row in result:
            yield shape(row)


def _old_csv(table, engine, **options) -> str:
    columns, rows = EXPORTS[table]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows(engine, **options):
        writer.writerow([spreadsheet_safe(v) for v in row])
    return out.getvalue()


def test_exports_byte_identical_to_the_typed_rows_path(db_url, sample_items_file, monkeypatch):
    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(sample_items_file))
    with archive.engine.begin() as conn:  # cells a spreadsheet would run, quotes, commas, line breaks
        first = conn.execute(text("SELECT min(id) FROM minutes")).scalar()
        conn.execute(update(Minute).where(Minute.id == first).values(title='=HYPERLINK("x"), "quoted"'))
        conn.execute(update(Minute).where(Minute.id == first + 1).values(text="-1\r\nline two\n\t@x"))
        conn.execute(update(Committee).where(Committee.id == 1).values(name="+Cabinet, the"))
        conn.execute(
            update(Document).where(Document.id == 1).values(removed_at=datetime(2025, 1, 2, 3, 4, 5, 6))
        )
    archive.engine.dispose()
    engine = open_read_engine(db_url)
    cases = [(t, {}) for t in EXPORTS] + [
        ("meetings", {"all_versions": True}),
        ("documents", {"all_versions": True}),
        ("documents", {"as_of": datetime(2030, 1, 1, 23, 59, 59)}),
        ("meetings", {"as_of": datetime(2030, 1, 1, 23, 59, 59)}),
        ("minutes", {"council": "sample", "date_from": date(2024, 6, 1), "date_to": date(2025, 12, 31)}),
        ("references", {"council": "sample"}),
    ]
    for table, options in cases:
        out = io.StringIO()
        n = write_export(out, table, engine, **options)
        with monkeypatch.context() as m:
            m.setattr(export_queries, "_stream", _old_stream)
            m.setattr(export_queries, "SQLITE_PLANNED", False)  # the portable query, as before
            expected = _old_csv(table, engine, **options)
        assert out.getvalue() == expected, (table, options)
        jsonl = io.StringIO()
        write_export(jsonl, table, engine, fmt="jsonl", **options)
        with monkeypatch.context() as m:
            m.setattr(export_queries, "_stream", _old_stream)
            m.setattr(export_queries, "SQLITE_PLANNED", False)
            old_jsonl = io.StringIO()
            write_export(old_jsonl, table, engine, fmt="jsonl", **options)
        assert jsonl.getvalue() == old_jsonl.getvalue(), (table, options)
        assert n > 0 and len(list(csv.reader(io.StringIO(expected)))) == n + 1, (table, options)
    minutes_csv = io.StringIO()
    write_export(minutes_csv, "minutes", engine)
    assert '\'=HYPERLINK(""x""), ""quoted""' in minutes_csv.getvalue()
    assert "'+Cabinet, the" in minutes_csv.getvalue()
