"""Search: ranked results, exact minute labels and filters on both backends; on SQLite the
bounded candidate set (pipeline/read/search.py) and the facet tokens of migration 0011."""

from __future__ import annotations

import functools
from datetime import date

import pytest
from sqlalchemy import select, text

import pipeline.read.search as search_module
from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, make_engine, open_archive_engine, open_read_engine, upgrade
from pipeline.archive.models import Committee, Meeting, Minute
from pipeline.archive.writer import Archive
from pipeline.archive.writer.search_index import facets
from pipeline.read.search import search
from pipeline.read.search import search as search_fn
from tests.spider_items import load_items, store_items


def _archive(db_url, items_file):
    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(items_file))
    archive.engine.dispose()
    return open_read_engine(db_url)


@pytest.fixture
def engine(db_url, sample_items_file):
    return _archive(db_url, sample_items_file)


@pytest.fixture
def sqlite_engine(tmp_path, monkeypatch, sample_items_file):
    monkeypatch.setenv("COUNCIL_ARCHIVE_BLOBS", str(tmp_path / "blobs"))
    return _archive(f"sqlite:///{tmp_path / 'archive.sqlite'}", sample_items_file)


def _minutes(engine):
    with engine.connect() as conn:
        return conn.execute(
            select(Minute.label, Minute.title, Minute.text, Committee.name, Meeting.date)
            .join(Committee, Committee.id == Minute.committee_id)
            .join(Meeting, Meeting.id == Minute.meeting_id)
        ).all()


@pytest.mark.parametrize("using", ["auto", "fts"])
def test_results_ranked_labels_exact_and_filters_inside_the_match(engine, using):
    """``auto`` is the tantivy mirror on SQLite (tests/test_search_mirror.py), FTS5 or tsvector
    otherwise; ``fts`` the database's own index."""
    search = functools.partial(search_fn, using=using)
    minutes = _minutes(engine)
    hits = search(engine, "minutes", limit=50)
    assert len(hits) > 5
    assert all(hits[i].score >= hits[i + 1].score for i in range(len(hits) - 1))

    label = next(m.label for m in minutes if "/" in m.label)
    found = {h.title for h in search(engine, label, limit=500) if h.kind == "minute"}
    expected = {f"Minute {m.label} {m.title}" for m in minutes if label in f"{m.label} {m.title} {m.text}"}
    assert found == expected and f"Minute {label} " in " ".join(found)  # exact: 4/24 is not 4 of 2024

    committee = minutes[0].name
    by_committee = search(engine, "minutes", committee=committee, limit=500)
    assert by_committee and {h.committee for h in by_committee} == {committee}
    day = sorted({m.date for m in minutes})[1]
    in_range = search(engine, "minutes", date_from=day, date_to=day, limit=500)
    assert in_range and {h.meeting_date for h in in_range} == {day}
    assert search(engine, "minutes", date_from=date(1990, 1, 1), date_to=date(1990, 12, 31)) == []


def _bm25_all(engine, word: str) -> list[tuple[int, float]]:
    """Every match of ``word`` ranked by bm25: what the search did before the candidate bound."""
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT rowid, bm25(search_index, 0, 0, 0, 0, 0, 5.0, 1.0, 0) AS s FROM search_index "
                "WHERE search_index MATCH :q ORDER BY s, rowid DESC"
            ),
            {"q": f'{{title body}} : ("{word}")'},
        ).all()


def test_sqlite_ranks_every_match_or_the_newest_candidates(sqlite_engine, monkeypatch):
    engine = sqlite_engine
    ranked = _bm25_all(engine, "minutes")
    assert len(ranked) > 10
    # fewer matches than candidates: the whole match ranked, as before
    hits = search(engine, "minutes", limit=len(ranked), using="fts")
    assert [round(h.score, 6) for h in hits] == [round(-s, 6) for _, s in ranked]

    monkeypatch.setattr(search_module, "CANDIDATES", 4)
    newest = sorted((r for r in ranked), key=lambda r: -r[0])[:4]
    expected = sorted(newest, key=lambda r: (r[1], -r[0]))
    hits = search(engine, "minutes", limit=10, using="fts")
    assert [round(h.score, 6) for h in hits] == [round(-s, 6) for _, s in expected]
    # a filter is part of the match: the candidates are rows that pass it, however old
    committee = _minutes(engine)[0].name
    assert len(search(engine, "minutes", committee=committee, limit=10, using="fts")) == 4


def test_sqlite_index_rows_keyed_and_migration_facets_match_the_writer(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    engine = make_engine(url)
    upgrade(engine, "0009")
    rows = [
        ("minute", 7, 1, 3, "2021-05-04", "4/21 Budget", "the budget was agreed"),
        ("page", 7, 1, None, None, None, "page text"),
        ("page", 9, 2, 5, "2019-12-31", None, "other text"),
    ]
    with engine.begin() as conn:
        for r in rows:
            conn.execute(
                text(
                    "INSERT INTO search_index (kind, ref_id, council_id, committee_id, meeting_date, title, "
                    "body) VALUES (:k, :r, :c, :cm, :d, :t, :b)"
                ),
                dict(zip(["k", "r", "c", "cm", "d", "t", "b"], r, strict=True)),
            )
    upgrade(engine)
    with engine.connect() as conn:
        got = conn.execute(text("SELECT rowid, kind, ref_id, facets FROM search_index ORDER BY rowid")).all()
    assert got == [
        (14, "minute", 7, facets(1, 3, date(2021, 5, 4))),
        (15, "page", 7, facets(1, None, None)),
        (19, "page", 9, facets(2, 5, "2019-12-31")),
    ]
    assert got[0].facets == "council1 committee3 y2021 m202105"

    from pipeline.archive.writer import search_index

    with engine.begin() as conn:  # replacing a row leaves one row, found by its facets
        search_index.index(conn, "minute", 7, 1, 3, date(2021, 5, 4), "4/21 Budget", "deferred")
        search_index.index(conn, "minute", 7, 1, 3, date(2021, 6, 4), "4/21 Budget", "deferred again")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM search_index WHERE ref_id = 7")).scalar() == 2
        assert conn.execute(
            text("SELECT body FROM search_index WHERE search_index MATCH 'facets : m202106'")
        ).scalars().all() == ["deferred again"]
    engine.dispose()
