"""Bring the search mirror (pipeline/archive/search_mirror.py) up to date with ``search_index``.

``sync`` applies the change log since the mirror's state: each logged row is deleted from the
mirror and added again if it is still in the table, the mirror is committed, then its state
records the last seq applied, then the applied log entries are deleted. A crash between any two
steps leaves entries that the next sync applies again (deleting and re-adding a row twice is the
same as once), so the mirror can be behind but never wrong. With no mirror, one of another
format or one built from another database file, it is rebuilt whole in a new directory that
then takes the old one's place. One sync at a time per archive, across processes (a file lock):
SQLite commits writes one at a time, so log entries are committed in seq order and none can
appear below the seq a sync has read up to.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import tantivy
from filelock import FileLock, Timeout
from sqlalchemy import Engine, text

from pipeline.archive import search_mirror as M
from pipeline.archive.writer.search_index import rowid

WAIT_S = 300  # for another process's sync of the same archive
HEAP = 128_000_000
REBUILD_ABOVE = 200_000  # changes: past this a rebuild is cheaper than deletes and re-adds
_ROWS = "SELECT rowid, title, body, council_id, committee_id, meeting_date FROM search_index"


class SyncBusy(RuntimeError):
    """Another process held the archive's mirror for longer than WAIT_S."""


@dataclass
class SyncResult:
    path: Path
    rebuilt: bool
    rows: int  # rows written to the mirror
    seconds: float


def sync(engine: Engine, *, rebuild: bool = False, wait_s: float = WAIT_S) -> SyncResult | None:
    """Bring the mirror of an SQLite archive up to date (None for other archives)."""
    with engine.connect() as conn:
        db_file = M.database_file(conn)
    if db_file is None:
        return None
    path = M.mirror_dir(db_file)
    t0 = time.perf_counter()
    try:
        with FileLock(str(path) + ".lock", timeout=wait_s):
            inode = os.stat(db_file).st_ino
            state = M.read_state(path)
            if rebuild or state is None or state.format != M.FORMAT or state.inode != inode:
                rows = _rebuild(engine, path, inode)
                rebuilt = True
            else:
                rows, rebuilt = _apply(engine, path, state)
    except Timeout:
        raise SyncBusy(
            f"the search mirror {path} was busy for {wait_s:.0f} s; the next sync catches up"
        ) from None
    return SyncResult(path, rebuilt, rows, time.perf_counter() - t0)


def _document(row) -> tantivy.Document:
    doc = tantivy.Document(rowid=row[0], title=row[1] or "", body=row[2] or "", council=row[3])
    if row[4] is not None:
        doc.add_integer("committee", row[4])
    if row[5]:
        doc.add_integer("day", int(str(row[5])[:10].replace("-", "")))
    return doc


def _writer(index: tantivy.Index) -> tantivy.IndexWriter:
    return index.writer(HEAP, min(4, os.cpu_count() or 1))


def _rebuild(engine: Engine, path: Path, inode: int) -> int:
    for stale in path.parent.glob(path.name + ".new-*"):  # a rebuild killed part-way
        shutil.rmtree(stale, ignore_errors=True)
    new = Path(tempfile.mkdtemp(dir=path.parent, prefix=path.name + ".new-"))
    index = M.open_index(new)
    writer = _writer(index)
    rows = 0
    with engine.connect() as conn, conn.begin():  # one snapshot: the log's end and the rows agree
        seq = conn.execute(text(f"SELECT coalesce(max(seq), 0) FROM {M.CHANGES}")).scalar()
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(_ROWS)
        while batch := cursor.fetchmany(5000):
            for row in batch:
                writer.add_document(_document(row))
            rows += len(batch)
        cursor.close()
    writer.commit()
    writer.wait_merging_threads()
    del writer, index
    M.write_state(new, M.State(M.FORMAT, seq, inode))
    old = path.with_name(f"{path.name}.old-{os.getpid()}")
    if path.exists():
        os.rename(path, old)
    os.rename(new, path)
    shutil.rmtree(old, ignore_errors=True)  # readers that still map its files keep them until they close
    _prune(engine, seq)
    return rows


def _apply(engine: Engine, path: Path, state: M.State) -> tuple[int, bool]:
    with engine.connect() as conn, conn.begin():
        changes = conn.execute(
            text(f"SELECT seq, kind, ref_id FROM {M.CHANGES} WHERE seq > :seq ORDER BY seq"),
            {"seq": state.seq},
        ).all()
        last = changes[-1].seq if changes else None
        keys = sorted({rowid(kind, ref_id) for _seq, kind, ref_id in changes})
        rows = []
        for k in range(0, len(keys) if len(keys) <= REBUILD_ABOVE else 0, 500):
            chunk = ",".join(str(int(r)) for r in keys[k : k + 500])
            rows += conn.execute(text(f"{_ROWS} WHERE rowid IN ({chunk})")).all()
    if last is None:
        return 0, False
    if len(keys) > REBUILD_ABOVE:
        return _rebuild(engine, path, state.inode), True
    index = M.open_index(path)
    writer = _writer(index)
    for key in keys:  # a delete applies to documents added before it, so re-adds below survive it
        writer.delete_documents_by_term("rowid", key)
    for row in rows:
        writer.add_document(_document(row))
    writer.commit()
    writer.wait_merging_threads()
    del writer, index
    M.write_state(path, M.State(M.FORMAT, last, state.inode))
    _prune(engine, last)
    return len(rows), False


def _prune(engine: Engine, seq: int) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {M.CHANGES} WHERE seq <= :seq"), {"seq": seq})
