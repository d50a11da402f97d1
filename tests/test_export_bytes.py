"""Exports stream straight from the driver and write CSV cells themselves (and SQLite's minutes
come from a planned query): the bytes must be the ones the portable query's SQLAlchemy rows +
csv.writer + spreadsheet_safe wrote before, on both backends."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

import pipeline.read.export_queries as export_queries
import pipeline.read.minute_lines as minute_lines
from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine, open_read_engine
from pipeline.archive.models import Committee, Council, Document, Meeting, Minute, MinuteSource
from pipeline.archive.writer import Archive, source_counts
from pipeline.read.export_stream import SEP
from pipeline.read.exports import EXPORTS, cell_lines, csv_line, spreadsheet_safe, write_export
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


def _minutes_from_sources(engine, council=None, date_from=None, date_to=None, committee=None):
    """The minutes export as it was before the writer kept each minute's first source and number
    of sources (migration 0013): both looked up in minute_sources."""
    conds = export_queries._filters(engine, council, date_from, date_to, committee)
    first_source = (
        select(MinuteSource.minute_id, func.min(MinuteSource.id).label("sid"), func.count().label("n"))
        .group_by(MinuteSource.minute_id)
        .subquery()
    )
    q = (
        select(
            Council.slug,
            Committee.name,
            Meeting.date,
            Minute.number,
            Minute.label,
            Minute.title,
            MinuteSource.source_url,
            first_source.c.n,
            Minute.year,
            Minute.text,
        )
        .join(Committee, Committee.id == Minute.committee_id)
        .join(Council, Council.id == Minute.council_id)
        .join(Meeting, Meeting.id == Minute.meeting_id)
        .join(first_source, first_source.c.minute_id == Minute.id)
        .join(MinuteSource, MinuteSource.id == first_source.c.sid)
        .where(*conds)
        .order_by(Council.slug, Meeting.date, Meeting.id, Minute.id)
    )
    yield from _old_stream(engine, q, export_queries._minute_shape)


def _old_csv(table, engine, **options) -> str:
    columns, rows = EXPORTS[table]
    if table == "minutes":
        rows = _minutes_from_sources
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


# cells a spreadsheet or a CSV reader trips on, and SQLite's own separator (export_stream.SEP)
HOSTILE = "ab ,\"\r\n\t=+-@'é€\x1f\u2028"
hostile = st.one_of(
    st.text(alphabet=st.sampled_from(HOSTILE), max_size=12),
    st.sampled_from(
        ["", " ", " x ", "=1+1", "-2", "+44 1234", "@SUM(A1)", "\tx", "\rx", '"', "a\x1fb", "\x1f="]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)
years = st.one_of(st.none(), st.just(0), st.integers(-3000, 3000))


clean = st.text(alphabet=st.sampled_from("ab019 /.:"), max_size=8)
rows = st.lists(
    st.tuples(st.lists(clean, min_size=7, max_size=7), st.integers(0, 9), years, clean | st.text()),
    min_size=1,
    max_size=5,
)


@settings(max_examples=400)
@example([(["a"] * 7, 1, 2024, "t"), (["a"] * 7, 1, None, "t")], [(1, 0, "=x")])  # a row's first cell
@given(
    rows,
    st.lists(st.tuples(st.integers(0, 4), st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9]), hostile), max_size=3),
)
def test_sqlite_cells_are_csv_lines_bytes(rows, hostile_cells):
    """minute_lines.cell_lines of SQLite's joined cells writes csv_line's bytes of the shaped rows: clean
    rows (the whole batch at once) with a few hostile cells anywhere (row by row)."""
    for row, column, value in hostile_cells:
        cells, n, year, text = rows[row % len(rows)]
        if column == 9:
            text = value
        else:
            cells[column] = value
        rows[row % len(rows)] = (cells, n, year, text)
    shaped = [[*cells, n, year or "", text] for cells, n, year, text in rows]
    batch = [
        (i, "".join(c + SEP for c in [*cells, str(n), str(year) if year else ""]).encode(), text.encode())
        for i, (cells, n, year, text) in enumerate(rows)
    ]
    rows_by_id = dict(enumerate(shaped))
    with pytest.MonkeyPatch.context() as m:  # a cell holding SEP: the typed row is read again
        m.setattr(minute_lines, "minute_row", lambda engine, minute_id: rows_by_id[minute_id])
        assert cell_lines(batch, None) == "".join(map(csv_line, shaped)).encode()


def test_minutes_cells_byte_identical_on_hostile_values(db_url, sample_items_file):
    """The minutes export with SQLite making the cells (and PostgreSQL's, which keeps the Python
    path) writes the bytes of the Python path and of csv.writer, whatever a minute holds."""
    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(sample_items_file))
    writer = archive.engine
    engine = open_read_engine(db_url)
    with writer.connect() as conn:
        minute_id, meeting_id, committee_id = conn.execute(
            text("SELECT id, meeting_id, committee_id FROM minutes ORDER BY id LIMIT 1")
        ).one()
    nul = "\x00" if writer.dialect.name == "sqlite" else ""  # PostgreSQL's text holds no NUL
    cell = hostile | st.text(alphabet=st.sampled_from(HOSTILE + nul), max_size=8)
    any_text = st.text() if nul else st.text(alphabet=st.characters(blacklist_characters="\x00"))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.fixed_dictionaries(
            {"number": cell, "label": cell, "title": cell, "text": cell | any_text, "year": years}
        ),
        cell,
        cell,
        cell,
        st.one_of(st.none(), st.dates(min_value=date(1, 1, 1))),
    )
    def check(minute, committee, council, source_url, day):
        try:
            with writer.begin() as conn:
                conn.execute(update(Minute).where(Minute.id == minute_id).values(**minute))
                conn.execute(update(Committee).where(Committee.id == committee_id).values(name=committee))
                conn.execute(update(Council).values(slug=council))
                conn.execute(
                    update(MinuteSource)
                    .where(MinuteSource.minute_id == minute_id)
                    .values(source_url=source_url)
                )
                source_counts.recount(conn, [minute_id])
                conn.execute(update(Meeting).where(Meeting.id == meeting_id).values(date=day))
        except IntegrityError:  # another minute of the meeting has that number
            assume(False)
        out = io.StringIO()
        write_export(out, "minutes", engine)
        with pytest.MonkeyPatch.context() as m:
            m.setattr(export_queries, "CELLS", False)  # the Python path, the reference
            python = io.StringIO()
            write_export(python, "minutes", engine)
        assert out.getvalue() == python.getvalue() == _old_csv("minutes", engine)

    check()
    writer.dispose()


def test_minutes_of_one_meeting_stay_together_and_sqlite_sorts_nothing(db_url, sample_items_file):
    """Two meetings on one day: each one's minutes in a block (meetings by id), on both backends;
    SQLite's planned query walks indexes in that order instead of sorting a million rows."""
    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(sample_items_file))
    with archive.engine.begin() as conn:
        a, b = conn.execute(select(Meeting.id).order_by(Meeting.id).limit(2)).scalars()
        day = conn.scalar(select(Meeting.date).where(Meeting.id == a))
        conn.execute(update(Meeting).where(Meeting.id == b).values(date=day))
        ids = (
            conn.execute(select(Minute.id).where(Minute.meeting_id.in_([a, b])).order_by(Minute.id))
            .scalars()
            .all()
        )
        assert len(ids) >= 4
        for k, minute_id in enumerate(ids):  # the two meetings' minute ids interleaved
            block = ("a", "b")[k % 2]
            conn.execute(
                update(Minute)
                .where(Minute.id == minute_id)
                .values(meeting_id=(a, b)[k % 2], title=f"block {block}")
            )
    archive.engine.dispose()
    engine = open_read_engine(db_url)
    out = io.StringIO()
    write_export(out, "minutes", engine)
    header, *rows = csv.reader(io.StringIO(out.getvalue()))
    titles = [r[header.index("title")] for r in rows if r[header.index("title")].startswith("block ")]
    assert titles == sorted(titles) and len(set(titles)) == 2, titles
    if engine.dialect.name == "sqlite":
        from pipeline.read.export_stream import sqlite_minutes

        q = sqlite_minutes(None, None, None, None, cells=True).compile(dialect=engine.dialect)
        with engine.connect() as conn:
            plan = " ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + q.string).all())
        assert "TEMP B-TREE" not in plan, plan
    engine.dispose()


def test_minutes_bytes_go_straight_into_a_files_buffer(db_url, sample_items_file):
    """A file (a text stream over a binary buffer) gets SQLite's bytes directly, after what was
    written as text (the byte-order mark, the header); any other stream gets them decoded: the
    same bytes either way."""
    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(sample_items_file))
    archive.engine.dispose()
    engine = open_read_engine(db_url)
    text_stream = io.StringIO()
    n = write_export(text_stream, "minutes", engine, excel=True)
    raw = io.BytesIO()
    file_like = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    assert write_export(file_like, "minutes", engine, excel=True) == n > 0
    file_like.flush()
    assert raw.getvalue() == text_stream.getvalue().encode("utf-8")
    assert raw.getvalue().startswith("\ufeffcouncil,committee,".encode())
    latin = io.BytesIO()  # not UTF-8: written as text, so the stream's own encoding applies
    as_latin = io.TextIOWrapper(latin, encoding="latin-1", errors="replace", newline="")
    write_export(as_latin, "minutes", engine)
    as_latin.flush()
    assert latin.getvalue() == text_stream.getvalue()[1:].encode("latin-1", errors="replace")
    engine.dispose()
