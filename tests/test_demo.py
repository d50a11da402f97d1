"""`council-archive demo`: the tour shows real published minutes and real citations between them, and
Datasette served on the demo archive (127.0.0.1) has a working search box and linked references."""

from __future__ import annotations

import csv
import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipeline.demo.real_site import site_data

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SCB = "Education and Children's Services Scrutiny Board (2)"


def run_demo(db_url: str, cwd: Path) -> str:
    env = {**os.environ, "COUNCIL_ARCHIVE_BLOBS": str(cwd / "blobs")}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "demo", "--db", db_url],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_tour_shows_real_minutes_and_real_citations(db_url, tmp_path):
    out = run_demo(db_url, tmp_path)
    # the search: real Coventry minutes and pages first (FTS5 and PostgreSQL rank a little apart)
    search = out.split('$ council-archive search "safeguarding" --limit 3\n')[1].split("\n\n")[0]
    assert f"  minute {SCB} 2016-0" in search, search  # a real Coventry minute among them
    assert all(line.startswith(("  minute ", "  page ", "         ")) for line in search.splitlines()), search
    assert search.count("[Safeguarding]") == 3, search
    # refs: minute 74/15 of 14 April 2016 (from the pack), cited by two minutes of 16 June 2016
    assert f'$ council-archive refs 74/15 --committee "{SCB}"' in out
    assert "minute 74/15 of 2016-04-14: Improvement Board Progress Report from 30 March, 2016" in out
    assert "cited by minute 3/16 of 2016-06-16: Minute 74/15" in out
    assert "cited by minute 4/16 of 2016-06-16: Minute 74/15" in out
    assert '"Further to Minute 74/15 the Scrutiny Board noted a joint briefing note' in out  # its own words
    assert (
        "text as published: https://edemocracy.coventry.gov.uk/ieListDocuments.aspx?CId=569&MId=11065" in out
    )
    assert "0 failed fetches" in out
    # the export: the real citations resolve to real minutes and meetings the demo archived
    rows = list(csv.DictReader((tmp_path / "data" / "demo-references.csv").open(encoding="utf-8")))
    resolved = {
        (r["committee"], r["minute_label"], r["target_meeting_date"], r["target_minute_label"])
        for r in rows
        if r["resolved"] == "true"
    }
    assert resolved == {
        (SCB, "2/16", "2016-04-14", ""),  # "the minutes of the meeting held on 14th April, 2016"
        (SCB, "2/16", "2016-04-14", "72/15"),
        (SCB, "3/16", "2016-04-14", "74/15"),
        (SCB, "4/16", "2016-04-14", "74/15"),
        ("Kingston and North Kingston Neighbourhood Committee", "58", "2025-11-18", ""),
    }
    unresolved = [r for r in rows if r["resolved"] != "true"]
    assert unresolved and all(r["reason"].startswith("no ") for r in unresolved)  # cited, but not held


def test_the_demo_site_is_real_text_with_its_source():
    data = site_data()
    for committee in data["committees"]:
        for meeting in committee["meetings"]:
            assert meeting["source_url"].startswith(("https://", "http://")), meeting
    texts = " ".join(
        it["minutes"] or "" for c in data["committees"] for m in c["meetings"] for it in m["items"]
    )
    assert "Further to Minute 74/15 the Scrutiny Board noted a joint briefing note" in texts
    assert "residents road programme" not in texts.lower()  # the old generated word salad


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (127.0.0.1 only)
        return answer.read().decode("utf-8")


@pytest.fixture
def datasette_on_demo(tmp_path):
    """The demo archive (SQLite: Datasette reads SQLite only), served by Datasette on 127.0.0.1."""
    db = tmp_path / "demo.sqlite"
    run_demo(f"sqlite:///{db}", tmp_path)
    port = _free_port()
    exe = Path(sys.executable).with_name("datasette")
    server = subprocess.Popen(
        [str(exe), "serve", str(db), "-m", str(ROOT / "docs" / "datasette-metadata.yml")]
        + ["--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _get(base + "/-/versions.json")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _cells(page: str, column: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(rf'<td class="col-{column}[^"]*">(.*?)</td>', page, re.S)]


def test_datasette_search_box_and_reference_links(datasette_on_demo):
    base = datasette_on_demo
    plugins = _get(base + "/-/plugins.json")
    assert '"render_cell"' in plugins  # the package's link plugin is loaded by its entry point
    # the search box of the search index: the table page shows it and finds real minutes
    index = _get(base + "/demo/search_index")
    assert 'name="_search"' in index
    hits = _get(base + "/demo/search_index?_search=safeguarding")
    titles = _cells(hits, "title")
    link = next(t for t in titles if "5/16 Draft Work Programme" in t)
    href = re.search(r'href="([^"]+)"', link).group(1)
    assert href.startswith("/demo/minutes_view?minute_id=")
    minute = _get(base + href)  # the link lands on the real minute
    assert "Multi-Agency Safeguarding Hub (MASH)" in html.unescape(minute)

    # the references view: minute labels link to the minutes they name
    refs = _get(base + "/demo/references_view?target_minute_id__notnull=1")
    targets = _cells(refs, "target_minute_label")
    link = next(t for t in targets if ">74/15<" in t)
    target = _get(base + re.search(r'href="([^"]+)"', link).group(1))
    assert "Improvement Board Progress Report from 30 March, 2016" in html.unescape(target)
    assert any("minutes_view?minute_id=" in c and ">3/16<" in c for c in _cells(refs, "minute_label"))
    assert any("minute_sources?minute_id=" in c for c in _cells(refs, "sources"))
    meeting = next(c for c in _cells(refs, "target_meeting_date") if "2016-04-14" in c)
    assert "Committee Room 3 - Council House" in _get(base + re.search(r'href="([^"]+)"', meeting).group(1))

    # the canned query: the source document and the cited minute's publication, as links
    query = _get(base + "/demo/references?committee=" + urllib.request.quote(SCB))
    sources = _cells(query, "source_url")
    assert any(
        re.search(r'<a href="http://127\.0\.0\.1:\d+/democracy/ieListDocuments\.aspx\?CId=569', c)
        for c in sources
    )
    cited_in = _cells(query, "target_source_url")
    assert any(re.search(r'<a href="http://127\.0\.0\.1:\d+/democracy/', c) for c in cited_in)
