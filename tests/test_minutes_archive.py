"""Minutes in the archive, resolved references, exports and `refs`, end to end over served sites."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, time

import pytest

from pipeline.demo.sample_site import (
    SampleCommittee,
    SampleDocument,
    SampleItem,
    SampleMeeting,
    SampleSite,
    render_site,
)
from pipeline.demo.site_server import SiteServer
from pipeline.read.exports import spreadsheet_safe
from tests.conftest import crawl_site, run_cli
from tests.corpus.score import CORPUS

pytestmark = pytest.mark.slow
BOARD = "Education and Children's Services Scrutiny Board (2)"


def _split_seed_002() -> list[SampleItem]:
    """Minutes 69-76 of 14 April 2016 as the rows of that meeting's page (seed 002, by hand-known numbers)."""
    lines = (CORPUS / "real" / "002_7809f80af90727c1.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if "Minutes of the Meeting of" in ln)
    end = next(i for i, ln in enumerate(lines) if ln.startswith("(Meeting closed"))
    heads = []
    for n in range(69, 77):
        i = next(i for i in range(start, end) if f"{n}." in lines[i].replace("*", "").replace("#", "")[:8])
        heads.append((n, i))
    items = []
    for k, (n, i) in enumerate(heads):
        stop = heads[k + 1][1] if k + 1 < len(heads) else end
        title = lines[i].replace("*", "").replace("#", "").strip().split(".", 1)[1].strip()
        body = "\n".join(ln.replace("*", "") for ln in lines[i + 1 : stop] if ln.strip())
        items.append(SampleItem(51000 + n, n, title, body))
    return items


def _split_seed_003() -> list[SampleItem]:
    """Rows 1-6 of the 16 June 2016 meeting page (seed 003)."""
    lines = [
        ln.strip()
        for ln in (CORPUS / "real" / "003_38730913436678bc.txt").read_text(encoding="utf-8").splitlines()
    ]
    starts = [i for i, ln in enumerate(lines) if ln in {f"{n}." for n in range(1, 7)}]
    items = []
    for k, i in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(lines)
        block = [ln for ln in lines[i + 1 : stop] if ln]
        title = block[0].split(" pdf icon")[0]
        minutes = block[block.index("Minutes:") + 1 :]
        items.append(SampleItem(52000 + k + 1, k + 1, title, "\n".join(minutes)))
    return items


def seed_site() -> SampleSite:
    april = SampleMeeting(
        300, BOARD, 1001, 2001, date(2016, 4, 14), time(14, 0), "Council House", items=_split_seed_002()
    )
    june = SampleMeeting(
        300, BOARD, 1002, 2002, date(2016, 6, 16), time(15, 30), "Council House", items=_split_seed_003()
    )
    pack = (CORPUS / "real" / "002_7809f80af90727c1.txt").read_text(encoding="utf-8").splitlines()
    june.documents = [
        SampleDocument("mgChooseDocPack.aspx?ID=2002", "Agenda reports pack", "agenda_pack", pack)
    ]
    site = SampleSite("/", [SampleCommittee(300, BOARD, "li", [april, june])])
    render_site(site)
    return site


def crawl(server, db_url, *extra):
    return crawl_site(server, db_url, *extra, council="coventry")


def export(db_url, table, *extra) -> list[dict]:
    result = run_cli("export", table, "--council", "coventry", "--db", db_url, *extra)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_seeds_end_to_end_references_resolve_to_minutes_72_and_74_of_14_april(db_url):
    with SiteServer(seed_site()) as server:
        crawl(server, db_url)
    minutes = export(db_url, "minutes")
    april = [m for m in minutes if m["meeting_date"] == "2016-04-14"]
    assert [m["number"] for m in april] == [str(n) for n in range(69, 77)]
    assert {m["label"] for m in april} >= {"72/15", "74/15"}
    # each April minute was found twice: on its meeting page and embedded in the June pack
    assert {m["sources"] for m in april} == {"2"}
    refs = export(db_url, "references", "--from", "2016-06-01")
    minute_refs = [
        (r["minute_label"], r["target_minute_label"], r["target_meeting_date"], r["resolved"])
        for r in refs
        if r["kind"] == "minute"
    ]
    assert sorted(minute_refs) == [
        ("2/16", "72/15", "2016-04-14", "true"),
        ("3/16", "74/15", "2016-04-14", "true"),
        ("4/16", "74/15", "2016-04-14", "true"),
    ]
    meeting_refs = [
        (r["minute_label"], r["target_meeting_date"], r["resolved"]) for r in refs if r["kind"] == "meeting"
    ]
    assert meeting_refs == [("2/16", "2016-04-14", "true")]
    earlier = export(db_url, "references", "--to", "2016-04-30")
    by_text = {r["cited_text"]: r for r in earlier}
    assert (
        by_text["Minute 51/15"]["resolved"] == "false"
        and by_text["Minute 51/15"]["target_minute_label"] == ""
    )
    assert by_text["Minute 51/15"]["meeting_date"] == "2016-04-14"

    out = run_cli("refs", "74/15", "--committee", BOARD, "--db", db_url, "--json")
    assert out.returncode == 0, out.stderr
    [minute] = json.loads(out.stdout)
    assert minute["meeting_date"] == "2016-04-14"
    assert sorted(r["minute_label"] for r in minute["cited_by"]) == ["3/16", "4/16"]
    assert [r["cited_text"] for r in minute["cites"]] == ["Minute 66/15"]
    assert minute["cites"][0]["resolved"] is False
    table = run_cli("refs", "74/15", "--committee", BOARD, "--db", db_url)
    assert "cited by: 2" in table.stdout
    missing = run_cli("refs", "99/99", "--committee", BOARD, "--db", db_url)
    assert missing.returncode == 2 and "no minute '99/99'" in missing.stderr

    # search: a label is found exactly (FTS splits "74/15" into two tokens), words are ranked
    found = json.loads(run_cli("search", "74/15", "--db", db_url, "--json").stdout)
    assert found and all(h["kind"] in ("minute", "page") for h in found)
    minutes_hits = [h for h in found if h["kind"] == "minute"]
    assert {h["title"].split()[1] for h in minutes_hits} >= {"74/15", "3/16", "4/16"}
    assert not any(h["title"].startswith("Minute 75/15") for h in found)
    words = json.loads(
        run_cli("search", "serious case review child", "--db", db_url, "--json", "--limit", "3").stdout
    )
    [minute71] = [h for h in words if h["title"] == "Minute 71/15 Serious Case Review - Child E"]
    assert minute71["meeting_date"] == "2016-04-14" and minute71["source_url"].startswith("http://127.0.0.1")
    pages = json.loads(
        run_cli("search", "Ofsted inspection", "--db", db_url, "--json", "--to", "2016-06-30").stdout
    )
    assert any(h["kind"] == "page" and h["page"] and h["title"] == "Agenda reports pack" for h in pages)
    none = json.loads(
        run_cli("search", "serious case review", "--db", db_url, "--json", "--from", "2016-05-01").stdout
    )
    assert all(h["meeting_date"] >= "2016-05-01" for h in none)


def test_backfill_resolves_formerly_unresolved_references(site_factory, db_url):
    server = site_factory(committees=1, years=(2023, 2025), meetings_per_year=3, cancelled_every=0)
    site = server.site
    cited_meeting = next(m for m in site.meetings if m.when.year == 2023 and m.when.month >= 5)
    cited = cited_meeting.items[1]
    citing_meeting = next(m for m in site.meetings if m.when.year == 2025)
    citing_meeting.items[0].minutes = f"Further to Minute {cited.number}/23 the Committee noted the update."
    render_site(site)

    crawl(server, db_url, "--from", "2025-01-01")
    label = f"Minute {cited.number}/23"
    citing = str(citing_meeting.items[0].number)

    def the_reference(rows):
        [ref] = [r for r in rows if r["cited_text"] == label and r["minute_label"].split("/")[0] == citing]
        return ref

    ref = the_reference(export(db_url, "references"))
    assert ref["resolved"] == "false"

    crawl(server, db_url, "--from", "2023-01-01", "--to", "2023-12-31")  # the backfill
    ref = the_reference(export(db_url, "references"))
    assert ref["resolved"] == "true"
    assert ref["target_meeting_date"] == cited_meeting.when.isoformat()
    assert ref["target_minute_label"].split("/")[0] == str(cited.number)
    assert ref["method"].startswith("same committee, year 2023")


def test_exports_are_spreadsheet_safe_and_stream_jsonl(site_factory, db_url, tmp_path):
    server = site_factory(committees=1, years=(2025,), meetings_per_year=1, cancelled_every=0)
    server.site.meetings[0].items[0].title = '=HYPERLINK("http://evil","click")'
    render_site(server.site)
    crawl(server, db_url)
    out = tmp_path / "minutes.csv"
    result = run_cli("export", "minutes", "--council", "coventry", "--db", db_url, "--excel", "-o", str(out))
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0])[:7] == [
        "council",
        "committee",
        "meeting_date",
        "number",
        "label",
        "title",
        "source_url",
    ]
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil","click")'
    jsonl = run_cli("export", "minutes", "--council", "coventry", "--db", db_url, "--format", "jsonl")
    first = json.loads(jsonl.stdout.splitlines()[0])
    assert first["title"] == '=HYPERLINK("http://evil","click")'  # JSON is data, not a spreadsheet
    assert len(jsonl.stdout.splitlines()) == len(rows)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_spreadsheet_safe(cell):
    assert spreadsheet_safe(cell) == "'" + cell
    assert spreadsheet_safe("Minute 74/15") == "Minute 74/15" and spreadsheet_safe(3) == 3


def test_datasette_opens_the_archive_with_its_canned_queries(tmp_path, monkeypatch):
    import asyncio
    from pathlib import Path

    import yaml
    from datasette.app import Datasette

    monkeypatch.setenv("COUNCIL_ARCHIVE_BLOBS", str(tmp_path / "blobs"))
    db = tmp_path / "archive.sqlite"
    with SiteServer(seed_site()) as server:
        crawl(server, f"sqlite:///{db}")
    metadata = yaml.safe_load((Path(__file__).parent.parent / "docs" / "datasette-metadata.yml").read_text())

    async def fetch(path):
        ds = Datasette([str(db)], metadata=metadata)
        response = await ds.client.get(path)
        assert response.status_code == 200, response.text[:300]
        return response.json()

    rows = asyncio.run(fetch("/archive/minutes_view.json?_shape=array&label=74/15"))
    assert [(r["committee"], r["meeting_date"], r["sources"]) for r in rows] == [(BOARD, "2016-04-14", 2)]
    q = f"/archive/cited_by.json?_shape=array&committee={BOARD}&label=74/15"
    cited = asyncio.run(
        fetch(q.replace(" ", "+").replace("'", "%27").replace("(", "%28").replace(")", "%29"))
    )
    assert sorted(r["minute_label"] for r in cited) == ["3/16", "4/16"]
    unresolved = asyncio.run(fetch("/archive/unresolved_references.json?_shape=array"))
    assert "Minute 51/15" in {r["cited_text"] for r in unresolved}
    found = asyncio.run(fetch("/archive/search.json?_shape=array&q=safeguarding"))
    assert found
