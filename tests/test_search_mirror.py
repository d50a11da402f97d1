"""The tantivy search mirror of an SQLite archive (pipeline/archive/search_mirror.py): the same
hits as FTS5 while it is current, FTS5's hits while it is behind, up to date after each sync,
whatever order writes, syncs and crashes come in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from pipeline.archive import search_mirror as M
from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, make_engine, open_archive_engine, open_read_engine
from pipeline.archive.writer import Archive, search_index, search_sync
from pipeline.read.search import search
from tests.conftest import crawl_site, run_cli
from tests.spider_items import load_items, store_items

QUERIES = [
    ("minutes", {}),
    ("council meeting", {}),
    ("report", {"council": "sample"}),
    ("apologies", {"date_from": date(2025, 1, 1)}),
]


@pytest.fixture
def archive(tmp_path, monkeypatch, sample_items_file):
    monkeypatch.setenv("COUNCIL_ARCHIVE_BLOBS", str(tmp_path / "blobs"))
    url = f"sqlite:///{tmp_path / 'archive.sqlite'}"
    archive = Archive(open_archive_engine(url), BlobStore(blob_root(url)))
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(sample_items_file))
    yield archive
    archive.engine.dispose()


def _mirror(engine) -> Path | None:
    with engine.connect() as conn:
        return M.current_mirror(conn)


def _found(engine, query, using="auto", **kw) -> set:
    return {
        (h.kind, h.title, h.source_url, h.page, h.snippet)
        for h in search(engine, query, limit=500, using=using, **kw)
    }


def test_mirror_current_after_the_store_and_answers_as_fts5_does(archive, tmp_path):
    reader = open_read_engine(str(archive.engine.url))
    assert _mirror(reader) == tmp_path / "archive.sqlite.search"  # a read-only engine finds it too
    for query, kw in QUERIES:
        assert _found(reader, query, **kw) == _found(reader, query, "fts", **kw), query
    hits = search(reader, "minutes", limit=50)
    assert len(hits) > 5 and all(hits[i].score >= hits[i + 1].score for i in range(len(hits) - 1))
    # a label is matched as printed, through the mirror as through FTS5
    with archive.engine.connect() as conn:
        label = conn.execute(text("SELECT label FROM minutes WHERE label LIKE '%/%' LIMIT 1")).scalar()
    assert _found(reader, label) == _found(reader, label, "fts") and _found(reader, label)


def _add(engine, ref_id: int, body: str, kind: str = "minute") -> None:
    with engine.begin() as conn:
        search_index.index(conn, kind, ref_id, 1, None, date(2025, 3, 4), f"T{ref_id}", body)


def _drop(engine, ref_id: int, kind: str = "minute") -> None:
    with engine.begin() as conn:
        search_index.unindex(conn, kind, ref_id)


def _tantivy_rowids(engine, word: str) -> set[int]:
    """What the mirror itself holds for ``word``, read straight from tantivy."""
    path = M.mirror_dir(Path(engine.url.database))
    index = M.open_index(path)
    searcher = index.searcher()
    hits = searcher.search(index.parse_query(f'"{word}"', ["title", "body"]), 10_000).hits
    return set(searcher.fast_field_values("rowid", [a for _s, a in hits]))


def _fts_rowids(engine, word: str) -> set[int]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                text("SELECT rowid FROM search_index WHERE search_index MATCH :q"),
                {"q": f'{{title body}} : "{word}"'},
            ).scalars()
        )


def test_a_change_makes_it_stale_until_the_next_sync_applies_it(archive):
    engine = archive.engine
    _add(engine, 900_001, "zebracrossing petition received")
    assert _mirror(engine) is None  # behind: search asks FTS5
    assert search_sync.sync(engine).rows == 1
    assert _mirror(engine) is not None and _tantivy_rowids(engine, "zebracrossing") == {1_800_002}
    _add(engine, 900_001, "replaced text about a roundabout")
    _drop(engine, 900_002)  # a row that never was: logged, nothing to remove
    search_sync.sync(engine)
    assert _tantivy_rowids(engine, "zebracrossing") == set()
    assert _tantivy_rowids(engine, "roundabout") == {1_800_002}
    _drop(engine, 900_001)
    search_sync.sync(engine)
    assert _tantivy_rowids(engine, "roundabout") == set()
    with engine.connect() as conn:  # applied entries are gone from the log
        assert conn.execute(text("SELECT count(*) FROM search_index_changes")).scalar() == 0


def test_a_crash_before_the_state_is_written_is_applied_again(archive, monkeypatch):
    engine = archive.engine
    _add(engine, 900_003, "quagmire drainage scheme")

    def crash(*_a):
        raise OSError("disk full")

    monkeypatch.setattr(M, "write_state", crash)
    with pytest.raises(OSError):
        search_sync.sync(engine)  # committed to tantivy, state not recorded
    monkeypatch.undo()
    assert _mirror(engine) is None  # still behind: FTS5 answers
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM search_index_changes")).scalar() == 1
    search_sync.sync(engine)
    assert _mirror(engine) is not None
    index = M.open_index(M.mirror_dir(Path(engine.url.database)))
    assert (
        index.searcher().search(index.parse_query('"quagmire"', ["body"]), 10).count == 1
    )  # once, not twice


def test_rebuilt_when_missing_of_another_format_or_another_database(archive, tmp_path):
    engine = archive.engine
    path = M.mirror_dir(Path(engine.url.database))
    shutil.rmtree(path)
    (tmp_path / "archive.sqlite.search.new-killed").mkdir()  # a rebuild killed part-way
    assert _mirror(engine) is None
    result = search_sync.sync(engine)
    assert result.rebuilt and result.rows > 10 and _mirror(engine) == path
    assert not list(tmp_path.glob("*.new-*"))
    M.write_state(path, M.State(M.FORMAT + 1, M.read_state(path).seq, M.read_state(path).inode))
    assert _mirror(engine) is None and search_sync.sync(engine).rebuilt
    # the database file replaced by a copy (another inode): the old mirror is not trusted
    engine.dispose()
    copy = tmp_path / "copy.sqlite"
    shutil.copy(tmp_path / "archive.sqlite", copy)
    os.replace(copy, tmp_path / "archive.sqlite")
    assert _mirror(engine) is None and search_sync.sync(engine).rebuilt and _mirror(engine) == path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["add", "drop", "sync", "rebuild"]),
            st.integers(1, 6),
            st.sampled_from(["alpha", "beta", "alpha beta"]),
            st.sampled_from(["minute", "page"]),
        ),
        max_size=25,
    )
)
def test_any_order_of_writes_and_syncs_ends_with_the_mirror_equal_to_the_table(tmp_path_factory, ops):
    url = f"sqlite:///{tmp_path_factory.mktemp('m') / 'a.sqlite'}"
    engine = open_archive_engine(url)
    try:
        for op, ref, body, kind in ops:
            if op == "add":
                _add(engine, ref, body, kind)
            elif op == "drop":
                _drop(engine, ref, kind)
            else:
                search_sync.sync(engine, rebuild=op == "rebuild")
        search_sync.sync(engine)
        assert _mirror(engine) is not None
        for word in ("alpha", "beta"):
            assert _tantivy_rowids(engine, word) == _fts_rowids(engine, word)
    finally:
        engine.dispose()


SYNC_IN_CHILD = """
import sys
from pipeline.archive.db import make_engine
from pipeline.archive.writer import search_index, search_sync
engine = make_engine(sys.argv[1])
for n in range(int(sys.argv[2]), int(sys.argv[2]) + 40):
    with engine.begin() as conn:
        search_index.index(conn, "minute", n, 1, None, None, None, "concurrent words")
    search_sync.sync(engine)
"""


def test_two_processes_writing_and_syncing_at_once_leave_it_complete(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    open_archive_engine(url).dispose()
    children = [
        subprocess.Popen(
            [sys.executable, "-c", SYNC_IN_CHILD, url, str(start)], cwd=Path(__file__).parent.parent
        )
        for start in (1_000, 2_000)
    ]
    assert [c.wait(timeout=240) for c in children] == [0, 0]
    engine = make_engine(url)
    assert _mirror(engine) is not None
    assert _tantivy_rowids(engine, "concurrent") == {
        2 * n for n in [*range(1_000, 1_040), *range(2_000, 2_040)]
    }
    engine.dispose()


def test_crawl_leaves_it_current_and_reprocess_rebuilds_it(site_factory, tmp_path):
    server = site_factory(committees=1, years=(2025,), meetings_per_year=2, seed=4)
    db_url = f"sqlite:///{tmp_path / 'crawl.sqlite'}"
    crawl_site(server, db_url, env={"COUNCIL_ARCHIVE_BLOBS": str(tmp_path / "blobs")})
    engine = make_engine(db_url)
    path = _mirror(engine)
    assert path is not None and _tantivy_rowids(engine, "minutes") == _fts_rowids(engine, "minutes") != set()
    before = os.stat(path).st_ino
    result = run_cli("reprocess", "--db", db_url, env={"COUNCIL_ARCHIVE_BLOBS": str(tmp_path / "blobs")})
    assert result.returncode == 0, result.stderr
    assert _mirror(engine) == path and os.stat(path).st_ino != before  # a new directory: rebuilt
    found = run_cli("search", "minutes", "--db", db_url)
    assert found.returncode == 0 and "Minute" in found.stdout
    engine.dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=80),
        st.lists(
            st.sampled_from(
                [
                    "minutes",
                    "council",
                    "report",
                    "Apologies",
                    "the",
                    "1/24",
                    "2/25",
                    "AND",
                    "NEAR",
                    "OR",
                    '"',
                    "(",
                    "*",
                    "-",
                    "title:",
                    "body:",
                    "^2",
                    "~",
                    "é",
                    "x" * 70,
                ]
            ),
            max_size=6,
        ).map(" ".join),
    )
)
def test_any_query_text_gets_hits_or_a_one_line_error_through_the_mirror(archive, query):
    from pipeline.read.search import SearchError

    assert _mirror(archive.engine) is not None
    try:
        found = _found(archive.engine, query)
    except SearchError as exc:
        assert "\n" not in str(exc)
        return
    assert found == _found(archive.engine, query, "fts")
