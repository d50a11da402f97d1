"""export-warc: every stored capture read back with warcio, payloads equal to the stored sha256."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine, open_read_engine
from pipeline.archive.models import FetchLog
from pipeline.archive.writer import Archive
from pipeline.read.councils import UnknownCouncil
from pipeline.read.warc import export_warc
from tests.spider_items import load_items, store_items


def test_warc_round_trip(db_url, tmp_path, sample_items_file):
    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(sample_items_file))
    engine, blobs = open_read_engine(db_url), BlobStore(blob_root(db_url))
    out = tmp_path / "sample.warc.gz"
    assert export_warc(engine, blobs, out, "sample") > 10
    with engine.connect() as c:
        stored = {
            (f.final_url or f.url, f.fetched_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")): (f.sha256, f.status)
            for f in c.execute(select(FetchLog).where(FetchLog.sha256.is_not(None)))
        }
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
    with pytest.raises(UnknownCouncil, match="unknown council 'nowhere'"):
        export_warc(engine, blobs, tmp_path / "x.warc.gz", "nowhere")
    assert not (tmp_path / "x.warc.gz").exists()
