"""The real ModernGov spider's items, captured once and stored in-process by the tests.

``dump_items`` runs the spider (in a child process: Scrapy's reactor runs once per process) with a
pipeline that only pickles each item; ``store_items`` then does what the crawl's stages do (blobs,
extraction, parsing, one transaction per item, derivation) in the test's own process, so tests of
the archive and the read side need no crawl of their own.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

from crawler.items import DocumentItem
from pipeline.archive.writer import Archive
from pipeline.extract import extract_pdf, is_pdf
from pipeline.parse.profile import MUNICIPAL, Profile
from pipeline.stages import ParseStage

ROOT = Path(__file__).resolve().parent.parent


class DumpPipeline:
    """Scrapy item pipeline: append each item, pickled, to the file named by DUMP_FILE."""

    def __init__(self, path: str):
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("DUMP_FILE"))

    def process_item(self, item):
        with open(self.path, "ab") as fh:
            pickle.dump(item, fh)
        return item


def dump_items(base_url: str, path: Path, council: str = "sample") -> list:
    settings = {
        "ITEM_PIPELINES": json.dumps({"tests.spider_items.DumpPipeline": 100}),
        "DUMP_FILE": str(path),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
        "LOG_LEVEL": "WARNING",
    }
    args = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "moderngov",
        "-a",
        f"base_url={base_url}",
        "-a",
        f"council={council}",
    ]
    for k, v in settings.items():
        args += ["-s", f"{k}={v}"]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env={**os.environ}, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return load_items(path)


def load_items(path: Path) -> list:
    items = []
    with open(path, "rb") as fh:
        while True:
            try:
                items.append(pickle.load(fh))
            except EOFError:
                return items


def store_items(
    archive: Archive, council_id: int, items: list, profile: Profile = MUNICIPAL, derive: bool = True
):
    """What the crawl's stages do with each item, in order, here."""
    parse = ParseStage(profile)
    extracted: set[str] = set()
    for item in items:
        fetch = item.fetch
        if fetch.ok:
            fetch.sha256 = archive.blobs.put(fetch.body)
        if isinstance(item, DocumentItem):
            if fetch.ok and is_pdf(fetch.body) and fetch.sha256 not in extracted:
                extracted.add(fetch.sha256)
                item.extraction = extract_pdf(fetch.body)
            parse.parse(item)
            archive.store_document(council_id, None, item)
        else:
            parse.parse(item)
            archive.store_page(council_id, None, item)
    if derive:
        stats = archive.derive(council_id, profile)
        assert archive.sync_search() is None
        return stats
    return None
