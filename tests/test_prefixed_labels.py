"""A council in the prefixed-label style, crawled into exports: one row per citation, each resolved
to the right committee's minute (prefix owner learnt from the headings, a committee named in the
citation, a committee that numbers by calendar year), or unresolved with its reason."""

from __future__ import annotations

import csv
import io

from pipeline.demo.site_server import SiteServer
from tests.conftest import crawl_site, run_cli
from tests.prefixed_site import CITATIONS, MINUTES, PLANNING, build_prefixed_site


def _export(table: str, db_url: str) -> list[dict]:
    result = run_cli("export", table, "--council", "prefixed", "--db", db_url)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_one_row_per_citation_resolved_row_by_row(db_url):
    with SiteServer(build_prefixed_site()) as server:
        crawl_site(server, db_url, council="prefixed")

    minutes = _export("minutes", db_url)
    expected_minutes = {
        (committee, when.isoformat(), label)
        for committee, meetings in MINUTES.items()
        for when, rows in meetings
        for label, _, _ in rows
    }
    got_minutes = [(m["committee"], m["meeting_date"], m["label"]) for m in minutes]
    assert sorted(got_minutes) == sorted(expected_minutes)  # each minute once, page and PDF merged
    planning = {m["label"]: m["year"] for m in minutes if m["committee"] == PLANNING}
    assert planning == {"P22/1": "2022", "P22/2": "2022", "P22/3": "2022", "P23/1": "2023", "P23/2": "2023",
                        "P23/3": "2023"}  # fmt: skip  # learnt: Planning numbers by calendar year

    refs = _export("references", db_url)
    assert len(refs) == len(CITATIONS), [(r["minute_label"], r["cited_text"]) for r in refs]
    by_citing = {(r["committee"], r["minute_label"], r["kind"]): r for r in refs}
    for committee, label, kind, text, t_committee, t_date, t_label, resolved, sources in CITATIONS:
        row = by_citing[(committee, label, kind)]
        assert row["cited_text"] in text, (label, row["cited_text"])
        got = (
            row["target_committee"],
            row["target_meeting_date"],
            row["target_minute_label"],
            row["resolved"],
        )
        assert got == (t_committee, t_date, t_label, resolved), (label, row)
        assert int(row["sources"]) == sources, (label, row)
        assert bool(row["reason"]) == (resolved == "false"), (label, row)
    reasons = {r["minute_label"]: r["reason"] for r in refs if r["resolved"] == "false"}
    assert "no minute 40 of 2021" in reasons["CB22/9"]
    assert "Finance Panel" in reasons["C22/5"]


def test_registry_year_convention_overrides_what_the_minutes_show(db_url, tmp_path):
    """Told the council numbers by municipal year, Planning's February 2023 minutes are of 2022;
    a citation of "P23/2" still finds the minute printed "P23/2"."""
    config = tmp_path / "councils.toml"
    with SiteServer(build_prefixed_site()) as server:
        config.write_text(
            f'[councils.prefixed]\nname = "Prefixed"\nbase_url = "{server.base_url}"\nplatform = "moderngov"\n'
            'enabled = true\nyear_convention = "municipal"\n',
            encoding="utf-8",
        )
        result = run_cli(
            "crawl", "--council", "prefixed", "--config", str(config), "--delay", "0", "--db", db_url
        )
        assert result.returncode == 0, result.stderr
    planning = {m["label"]: m["year"] for m in _export("minutes", db_url) if m["committee"] == PLANNING}
    assert planning["P23/2"] == "2022"
    refs = {r["minute_label"]: r for r in _export("references", db_url)}
    assert (refs["CB22/8"]["resolved"], refs["CB22/8"]["target_minute_label"]) == ("true", "P23/2")
