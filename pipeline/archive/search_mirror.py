"""The search mirror: a tantivy index derived from the ``search_index`` table of an SQLite archive,
for ranked search in tens of milliseconds over millions of minutes (bench/search.py).

Why a second index: FTS5 ranks with bm25 computed over every match, and a word found in most
minutes ("council", "to") costs hundreds of milliseconds however the query is written. Tantivy
ranks the top hits with block-max WAND, skipping blocks of postings that cannot reach them.

The table stays the truth. The mirror is rebuilt from it at will and kept in step through an
outbox: the writer appends (kind, ref_id) to ``search_index_changes`` in the same transaction as
each change to ``search_index`` (migration 0012), and ``writer/search_sync.py`` applies the log
to the mirror, commits it, then records the last applied ``seq`` in ``state.json``. The read side
uses the mirror only while it is current (no change logged after that seq, same database file);
otherwise it searches FTS5, slower but never wrong. PostgreSQL archives have no mirror.

This module holds what the writer and the read side share: where a mirror lives, its schema and
analyzer, and its state.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import tantivy
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

# The mirror's layout: a mirror of another FORMAT is rebuilt, not read.
FORMAT = 1
ANALYZER = "council"
STATE = "state.json"
CHANGES = "search_index_changes"


def analyzer() -> tantivy.TextAnalyzer:
    """Close to FTS5's ``porter unicode61 remove_diacritics 2``: words split on anything not a
    letter or digit ("74/15" is 74, 15), lower-cased, accents folded, English stems."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("rowid", indexed=True, fast=True)  # the search_index row
    sb.add_text_field("title", tokenizer_name=ANALYZER)
    sb.add_text_field("body", tokenizer_name=ANALYZER)
    sb.add_integer_field("council", indexed=True)
    sb.add_integer_field("committee", indexed=True)
    sb.add_integer_field("day", indexed=True, fast=True)  # meeting date as yyyymmdd
    return sb.build()


def database_file(conn: Connection) -> Path | None:
    """The SQLite file behind a connection (also a read-only one opened by URI), else None."""
    if conn.dialect.name != "sqlite":
        return None
    for _seq, name, file in conn.exec_driver_sql("PRAGMA database_list").all():
        if name == "main" and file:
            return Path(file)
    return None


def mirror_dir(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + ".search")


def open_index(path: Path) -> tantivy.Index:
    index = tantivy.Index(schema(), path=str(path), reuse=True)
    index.register_tokenizer(ANALYZER, analyzer())
    return index


@dataclass(frozen=True)
class State:
    format: int
    seq: int  # the last change applied
    inode: int  # of the database file the mirror was built from


def read_state(path: Path) -> State | None:
    try:
        raw = json.loads((path / STATE).read_text())
        return State(int(raw["format"]), int(raw["seq"]), int(raw["inode"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_state(path: Path, state: State) -> None:
    tmp = path / (STATE + ".tmp")
    tmp.write_text(json.dumps(state.__dict__))
    os.replace(tmp, path / STATE)  # readers see the old state or the new, never half


def current_mirror(conn: Connection) -> Path | None:
    """The mirror's directory if it reflects every change committed before this connection's
    read began, else None (no mirror, another format or database, changes not yet applied)."""
    db_file = database_file(conn)
    if db_file is None:
        return None
    path = mirror_dir(db_file)
    state = read_state(path)
    if state is None or state.format != FORMAT:
        return None
    try:
        if os.stat(db_file).st_ino != state.inode:
            return None
    except OSError:
        return None
    try:
        pending = conn.execute(text(f"SELECT 1 FROM {CHANGES} WHERE seq > :seq LIMIT 1"), {"seq": state.seq})
    except OperationalError:  # an archive older than migration 0012, opened read-only
        return None
    return None if pending.first() else path
