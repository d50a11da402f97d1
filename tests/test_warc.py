"""export-warc: every stored capture read back with warcio, payloads equal to the stored sha256."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import create_engine, select
from warcio.archiveiterator import ArchiveIterator

from pipeline.archive.models import FetchLog
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def test_warc_round_trip(site_factory, db_url, tmp_path):
    server = site_factory(committees=1, years=(2025,), meetings_per_year=2, cancelled_every=0)
    crawl = run_cli(
        "crawl", "--base-url", server.base_url, "--council", "sample", "--delay", "0", "--db", db_url
    )
    assert crawl.returncode == 0, crawl.stderr
    out = tmp_path / "sample.warc.gz"
    result = run_cli("export-warc", "--council", "sample", "--db", db_url, "-o", str(out))
    assert result.returncode == 0, result.stderr
    engine = create_engine(db_url)
    with engine.connect() as c:
        stored = {
            (f.final_url or f.url, f.fetched_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")): (f.sha256, f.status)
            for f in c.execute(select(FetchLog).where(FetchLog.sha256.is_not(None)))
        }
    engine.dispose()
    seen = {}
    with open(out, "rb") as fh:
        for record in ArchiveIterator(fh, check_digests=True):  # raises on a payload digest mismatch
            if record.rec_type != "response":
                assert record.rec_type == "warcinfo"
                continue
            key = (
                record.rec_headers.get_header("WARC-Target-URI"),
                record.rec_headers.get_header("WARC-Date"),
            )
            payload = record.content_stream().read()
            seen[key] = (hashlib.sha256(payload).hexdigest(), int(record.http_headers.get_statuscode()))
            assert record.http_headers.get_header("Content-Length") == str(len(payload))
    assert seen == stored and len(seen) > 10
    assert any(status == 200 and url.endswith("T=1") for (url, _), (_, status) in seen.items())
    missing = run_cli(
        "export-warc", "--council", "nowhere", "--db", db_url, "-o", str(tmp_path / "x.warc.gz")
    )
    assert missing.returncode == 2 and "unknown council 'nowhere'" in missing.stderr
