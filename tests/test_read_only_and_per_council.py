"""Read commands never write or migrate (a read-only PostgreSQL role is enough, an old schema is
one line), and what the archive holds is counted per council."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine, upgrade
from pipeline.archive.writer import Archive
from pipeline.cli import main
from pipeline.read.summary import archive_counts
from tests.spider_items import load_items, store_items


def _archive(db_url: str, *councils: str, items_file) -> Archive:
    engine = open_archive_engine(db_url)
    archive = Archive(engine, BlobStore(blob_root(db_url)))
    for slug in councils:
        store_items(archive, archive.ensure_council(slug, f"http://{slug}.example/"), load_items(items_file))
    return archive


def test_counts_are_per_council_with_two_councils_in_one_archive(new_db, sample_items_file, tmp_path, capsys):
    two, one = (
        _archive(new_db(), "alpha", "beta", items_file=sample_items_file),
        _archive(new_db(), "alpha", items_file=sample_items_file),
    )
    with two.engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT slug, id FROM councils")).all())
    with one.engine.connect() as conn:
        alone = conn.execute(text("SELECT id FROM councils")).scalar()
    expected = archive_counts(one.engine, alone)
    assert expected["minutes detected"] > 0 and expected["blobs"] > 0 and expected["pages of text"] > 0
    # the same site archived twice under two slugs: each council counts what it holds, no more
    assert archive_counts(two.engine, ids["alpha"]) == expected
    assert archive_counts(two.engine, ids["beta"]) == expected

    registry = tmp_path / "councils.toml"
    registry.write_text('[councils.alpha]\nname = "Alpha"\nbase_url = "http://alpha.example/"\n')
    db = two.engine.url.render_as_string(hide_password=False)
    assert main(["councils", "show", "alpha", "--config", str(registry), "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"archive          minutes detected: {expected['minutes detected']}" in out
    assert f"archive          blobs: {expected['blobs']}" in out
    assert "year_convention  municipal (default)" in out


def test_read_commands_work_for_a_read_only_postgresql_role(
    pg_admin, sample_items_file, monkeypatch, tmp_path
):
    monkeypatch.setenv("COUNCIL_ARCHIVE_BLOBS", str(tmp_path / "blobs"))
    name, role = f"ca_test_{uuid.uuid4().hex[:12]}", f"reader_{uuid.uuid4().hex[:8]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
    owner = make_url(str(pg_admin.url)).set(database=name).render_as_string(hide_password=False)
    try:
        archive = _archive(owner, "alpha", items_file=sample_items_file)
        with archive.engine.begin() as conn:
            conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
            conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
        archive.engine.dispose()
        reader = make_url(owner).set(username=role).render_as_string(hide_password=False)
        out = tmp_path / "minutes.csv"
        assert main(["export", "minutes", "--db", reader, "-o", str(out)]) == 0
        assert out.read_text().count("\n") > 5
        assert main(["search", "budget", "--db", reader]) == 0
        registry = tmp_path / "councils.toml"
        registry.write_text('[councils.alpha]\nname = "Alpha"\nbase_url = "http://alpha.example/"\n')
        assert main(["councils", "show", "alpha", "--config", str(registry), "--db", reader]) == 0
        assert main(["db", "current", "--db", reader]) == 0
        # and the role really cannot write: the guard is the database's, not politeness
        with create_engine(reader).connect() as conn, pytest.raises(Exception, match="permission denied"):
            conn.execute(text("DELETE FROM minutes"))
    finally:
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))


def test_an_older_schema_asks_for_db_upgrade_in_one_line(db_url, capsys):
    engine = open_archive_engine(db_url, migrate=False)
    upgrade(engine, "0005")
    engine.dispose()
    for argv in (
        ["export", "minutes"],
        ["search", "budget"],
        ["history", "http://x/"],
        ["refs", "1", "--committee", "C"],
    ):
        assert main([*argv, "--db", db_url]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "run `council-archive db upgrade` first" in err
    with create_engine(db_url).connect() as conn:  # and nothing was migrated behind the user's back
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0005"
