"""The command line's contract: one-line errors with exit 2, exports with the promised columns."""

from __future__ import annotations

import csv
import io

import pytest
from alembic.script import ScriptDirectory

from pipeline.archive.db import alembic_config
from pipeline.cli import main
from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["crawl", "--base-url", "https://h/", "--from", "2024-13-01"],
            "not a date (YYYY-MM-DD): '2024-13-01'",
        ),
        (["crawl", "--base-url", "ftp://h/"], "not an http(s) URL: 'ftp://h/'"),
        (["crawl", "--base-url", "democracy.example.gov.uk"], "not an http(s) URL"),
        (["crawl", "--base-url", "https://h/", "--delay", "-1"], "not a number of seconds"),
        (["crawl", "--base-url", "https://h/", "--concurrency", "0"], "not a whole number"),
        (["export", "agendas"], "invalid choice: 'agendas'"),
        (["export", "meetings", "--to", "yesterday"], "not a date"),
        (["frobnicate"], "invalid choice"),
        (["export", "documents", "--as-of", "last week"], "not a date"),
        (["crawl", "--base-url", "https://h/", "--delay", "inf"], "not a number of seconds from 0 to 3600"),
        (["crawl", "--base-url", "https://h/", "--delay", "nan"], "not a number of seconds from 0 to 3600"),
        (["crawl", "--base-url", "https://h/", "--delay", "1e400"], "not a number of seconds from 0 to 3600"),
        (["search", "x", "--limit", "99999999999999999999"], "not a whole number from 1 to 100,000"),
        (["search", "x", "--limit", "١٢"], "not a whole number"),
        (["crawl", "--base-url", "http://[insert link]/"], "not an http(s) URL"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err


def test_unknown_council_and_unopenable_database_exit_2(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'a.sqlite'}"
    # A read command never creates an archive: a mistyped --db says so.
    assert main(["export", "meetings", "--db", db]) == 2
    assert capsys.readouterr().err.strip() == (
        f"council-archive: error: no archive at {tmp_path / 'a.sqlite'} (the file does not exist)"
    )
    assert not (tmp_path / "a.sqlite").exists()
    assert main(["db", "upgrade", "--db", db]) == 0
    capsys.readouterr()
    assert main(["export", "meetings", "--council", "nowhere", "--db", db]) == 2
    assert (
        capsys.readouterr().err.strip()
        == "council-archive: error: unknown council 'nowhere' (not in this archive)"
    )
    assert main(["crawl", "--council", "nowhere", "--db", db]) == 2
    assert "unknown council 'nowhere'" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["export", "meetings", "--db", f"sqlite:///{blocker}/sub/a.sqlite"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("council-archive: error: no archive at")
    assert main(["db", "upgrade", "--db", f"sqlite:///{blocker}/sub/a.sqlite"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("council-archive: error: cannot")
    assert main(["db", "upgrade", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "cannot open database" in err
    assert main(["export", "minutes", "--as-of", "2026-01-01", "--db", db]) == 2
    assert "--as-of applies to meetings and documents, not minutes" in capsys.readouterr().err
    assert main(["db", "upgrade", "--db", "no-such-scheme://x"]) == 2
    assert "error:" in capsys.readouterr().err


def test_database_from_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COUNCIL_ARCHIVE_DB", f"sqlite:///{tmp_path / 'env.sqlite'}")
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "env.sqlite").is_file()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert f"schema revision {head}" in capsys.readouterr().out


def test_export_columns_after_a_crawl(site_factory, db_url, tmp_path):
    server = site_factory(committees=1, years=(2025,), meetings_per_year=3, cancelled_every=3)
    crawl = run_cli(
        "crawl", "--base-url", server.base_url, "--council", "sample", "--delay", "0", "--db", db_url
    )
    assert crawl.returncode == 0, crawl.stderr
    out = tmp_path / "m.csv"
    assert (
        run_cli("export", "meetings", "--council", "sample", "--db", db_url, "--output", str(out)).returncode
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0])[:7] == ["council", "committee", "meeting_id", "date", "time", "status", "url"]
    site_meetings = sorted(server.site.meetings, key=lambda m: m.when)
    assert [(r["meeting_id"], r["date"], r["status"]) for r in rows] == [
        (str(m.mid), m.when.isoformat(), "cancelled" if m.cancelled else "scheduled") for m in site_meetings
    ]
    assert rows[0]["time"] == site_meetings[0].at.strftime("%H:%M")
    docs = run_cli(
        "export",
        "documents",
        "--council",
        "sample",
        "--db",
        db_url,
        "--from",
        site_meetings[0].when.isoformat(),
        "--to",
        site_meetings[0].when.isoformat(),
    )
    assert docs.returncode == 0, docs.stderr
    drows = list(csv.DictReader(io.StringIO(docs.stdout)))
    assert list(drows[0])[:11] == [
        "council",
        "committee",
        "meeting_date",
        "title",
        "kind",
        "url",
        "sha256",
        "versions",
        "removed",
        "pages",
        "text_status",
    ]
    first = site_meetings[0]
    assert {r["meeting_date"] for r in drows} == {first.when.isoformat()}
    assert sorted(r["title"] for r in drows) == sorted(
        d.title for d in [*first.documents, *(x for it in first.items for x in it.documents)]
    )
    assert all(len(r["sha256"]) == 64 and r["versions"] == "1" and r["removed"] == "false" for r in drows)
    assert {r["text_status"] for r in drows} == {"ok"}  # every sample PDF has a text layer
    assert all(int(r["pages"]) >= 1 for r in drows)
