"""`reprocess`: an archive made by an older parser becomes what a fresh crawl with the new one makes,
offline."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine
from pipeline.archive.writer.reprocess import reprocess
from tests import parser_patch
from tests.archive_snapshot import snapshot
from tests.conftest import crawl_site, run_cli

pytestmark = pytest.mark.slow
VERSIONED = ("detected_minutes", "detected_references", "text_extractions", "page_versions")


def test_reprocess_gives_exactly_the_archive_a_fresh_crawl_with_the_new_parser_makes(site_factory, new_db):
    server = site_factory(committees=2, years=(2024, 2025), meetings_per_year=3, seed=5)
    old, fresh = new_db(), new_db()
    crawl_site(server, old)
    engine = open_archive_engine(old)
    with engine.begin() as conn:  # as an older release of the parser left them
        for table in VERSIONED:
            conn.execute(
                text(f"UPDATE {table} SET parser_version = '1;municipal' WHERE parser_version IS NOT NULL")
            )
    before = snapshot(engine)
    requests = sum(server.hits.values())

    parser_patch.apply()
    try:
        stats = reprocess(engine, BlobStore(blob_root(old)))
    finally:
        parser_patch.undo()
    assert sum(server.hits.values()) == requests  # not a single request
    assert stats.texts > 0 and stats.pages > 0 and not stats.failed

    crawl_site(server, fresh, preamble=parser_patch.PREAMBLE)
    after, expected = snapshot(engine), snapshot(open_archive_engine(fresh))
    assert after["minutes"] != before["minutes"]  # the new parser did change things
    for table in expected:
        assert after[table] == expected[table], table

    parser_patch.apply()
    try:  # nothing is stale now: nothing is parsed again, and deriving again changes nothing
        again = reprocess(engine, BlobStore(blob_root(old)))
    finally:
        parser_patch.undo()
    assert (again.texts, again.pages) == (0, 0)
    assert snapshot(engine) == after


def test_reprocess_command_is_one_line_for_an_unknown_council(db_url):
    open_archive_engine(db_url).dispose()
    result = run_cli("reprocess", "--council", "nowhere", "--db", db_url)
    assert result.returncode == 2
    assert result.stderr.strip() == "council-archive: error: unknown council 'nowhere' (not in this archive)"
