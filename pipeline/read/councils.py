"""The one council lookup of the read side: slug -> id, or a one-line error."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, exists, select

from pipeline.archive.models import Council, Meeting


class UnknownCouncil(ValueError):
    pass


def find_council(conn: Connection, slug: str) -> int | None:
    return conn.scalar(select(Council.id).where(Council.slug == slug))


def council_id(conn: Connection, slug: str) -> int:
    found = find_council(conn, slug)
    if found is None:
        raise UnknownCouncil(f"unknown council {slug!r} (not in this archive)")
    return found


def base_url_of(engine: Engine, slug: str) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(select(Council.base_url).where(Council.slug == slug))


def platform_of(engine: Engine, slug: str) -> str | None:
    """The platform a council was crawled as, once that crawl archived meetings (a run that failed
    as the wrong platform proves nothing)."""
    with engine.connect() as conn:
        return conn.scalar(
            select(Council.platform).where(
                Council.slug == slug, exists().where(Meeting.council_id == Council.id)
            )
        )
