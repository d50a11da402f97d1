"""`council-archive export-warc`: the stored captures as a WARC file for web-archive tools (warcio).

Every successful fetch of a council becomes a `response` record: its URL, its fetch time
(WARC-Date), the HTTP status and headers as received, and the body from the blob store. Headers that
describe the transfer rather than the body (Content-Encoding, Transfer-Encoding, Content-Length) are
replaced by a Content-Length of the stored body, which is what Scrapy handed over (decoded).
Streams: one capture in memory at a time.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from http import HTTPStatus
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.archive.blobs import BlobStore
from pipeline.archive.models import FetchLog
from pipeline.read.councils import council_id as lookup_council
from pipeline.read.output_file import output_file

TRANSFER_HEADERS = {"content-length", "content-encoding", "transfer-encoding"}


def export_warc(
    engine: Engine,
    blobs: BlobStore,
    out: Path,
    council: str,
    date_from: date | None = None,
    date_to: date | None = None,
) -> int:
    with engine.connect() as conn:
        council_id = lookup_council(conn, council)
    query = select(FetchLog).where(FetchLog.council_id == council_id, FetchLog.sha256.is_not(None))
    if date_from:
        query = query.where(FetchLog.fetched_at >= datetime.combine(date_from, time.min))
    if date_to:
        query = query.where(FetchLog.fetched_at <= datetime.combine(date_to, time.max))
    n = 0
    with Session(engine) as session, output_file(out, "wb") as fh:
        writer = WARCWriter(fh, gzip=str(out).endswith(".gz"))
        writer.write_record(
            writer.create_warcinfo_record(
                out.name,
                {
                    "software": "council-archive",
                    "format": "WARC File Format 1.1",
                    "description": f"captures of the committee site of {council}",
                },
            )
        )
        for f in session.scalars(query.order_by(FetchLog.id).execution_options(yield_per=500)):
            body = blobs.get(f.sha256)
            headers = [(k, v) for k, v in (f.headers or {}).items() if k.lower() not in TRANSFER_HEADERS]
            headers.append(("Content-Length", str(len(body))))
            try:
                reason = HTTPStatus(f.status or 200).phrase
            except ValueError:
                reason = "Unknown"
            record = writer.create_warc_record(
                f.final_url or f.url,
                "response",
                payload=io.BytesIO(body),
                length=None,
                http_headers=StatusAndHeaders(f"{f.status or 200} {reason}", headers, protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Date": f.fetched_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
            )
            writer.write_record(record)
            n += 1
    return n
