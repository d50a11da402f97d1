"""`detect` and `councils check` against the shared fixtures served on 127.0.0.1."""

from __future__ import annotations

import socket

import pytest

from pipeline.cli import main
from pipeline.demo.sample_site import SampleSite, route_key
from pipeline.demo.site_server import SiteServer
from pipeline.ops.detect import Detector, classify
from pipeline.ops.registry import add, from_tsv, load, save
from tests.conftest import FIXTURES

WSDL = b'<?xml version="1.0"?><wsdl:definitions name="mgWebService" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>'


def fixture(*parts: str) -> bytes:
    return FIXTURES.joinpath(*parts).read_bytes()


def html(body: bytes) -> tuple[str, bytes]:
    return ("text/html; charset=utf-8", body)


@pytest.fixture
def servers():
    new_home = SampleSite("/", [])
    new_home.routes.update(
        {"/democracy/mgCommitteeStructure.aspx": html(fixture("kingston", "CommitteeStructure.html"))}
    )
    with SiteServer(new_home) as moved_to:
        site = SampleSite("/", [])
        site.routes.update(
            {
                "/democracy/mgCommitteeStructure.aspx": html(fixture("kingston", "CommitteeStructure.html")),
                "/home": html(
                    b'<html><body><a href="democracy/ieDocHome.aspx">Council meetings</a></body></html>'
                ),
                "/cmis/": html(fixture("birmingham-cmis", "cmis_listview.html")),
                "/stub": html(fixture("bad-responses", "denbighshire.gov.uk__GetCouncillorsByWard.xml")),
                "/leeds": html(
                    fixture("bad-responses", "leeds.gov.uk__GetCouncillorsByWard__sharepoint_error.html")
                ),
                "/quiet/": html(b"<html><body>Welcome</body></html>"),
                route_key("/quiet/mgWebService.asmx?WSDL"): ("text/xml", WSDL),
                "/democracy/": ("redirect", b"mgCommitteeStructure.aspx"),  # a base folder sends you on
                "/challenge": html(
                    b"<html><head><title>Just a moment...</title></head><body>cf-chl</body></html>"
                ),
                "/old/": ("redirect", f"{moved_to.base_url}democracy/mgCommitteeStructure.aspx".encode()),
            }
        )
        with SiteServer(site) as server:
            yield server.base_url, moved_to.base_url


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


def test_detect_each_kind_of_site(servers, tmp_path):
    base, new_base = servers
    detector = Detector(tmp_path / "cache")
    d = detector.detect(base + "democracy/mgCommitteeStructure.aspx")
    assert (d.status, d.base_url, d.moved) == ("moderngov", base + "democracy/", False)
    d = detector.detect(base + "home")
    assert (d.status, d.base_url) == ("moderngov", base + "democracy/")
    assert detector.detect(base + "cmis/").status == "cmis"
    d = detector.detect(base + "quiet/")
    assert (d.status, d.base_url, d.reason) == (
        "moderngov",
        base + "quiet/",
        "mgWebService.asmx?WSDL answers",
    )
    d = detector.detect(base + "leeds")
    assert d.status == "other" and "SharePoint" in d.reason
    assert detector.detect(base + "challenge").status == "blocked"
    d = detector.detect(base + "stub")  # a 200 whose script sends browsers to https (nothing answers there)
    assert d.status == "unreachable" and d.reason.startswith("script redirect to https") and d.moved
    d = detector.detect(base + "old/")
    assert (d.status, d.base_url, d.moved) == ("moderngov", new_base + "democracy/", True)
    assert detector.detect(dead_url()).status == "unreachable"


def test_detection_is_cached_and_works_offline(tmp_path):
    cache = tmp_path / "cache"
    site = SampleSite("/", [])
    site.routes["/democracy/mgCommitteeStructure.aspx"] = html(fixture("kingston", "CommitteeStructure.html"))
    with SiteServer(site) as server:
        url = server.base_url + "democracy/mgCommitteeStructure.aspx"
        first = Detector(cache).detect(url)
        second = Detector(cache).detect(url)
        hits = sum(server.hits.values())
    assert not first.from_cache and second.from_cache and hits == 1
    offline = Detector(cache).detect(url)  # the server is gone
    assert offline.status == "moderngov" and offline.from_cache


def test_classify_is_pure():
    assert classify("https://h/x/", 200, '<div id="modgov"></div>').base_url == "https://h/x/"
    assert classify("https://h/", 403, "<title>Access denied</title>").status == "blocked"
    assert classify("https://h/", 200, "<html>plain</html>").status == "other"


def test_councils_check_reports_and_updates_moved_hosts(servers, tmp_path, capsys):
    import io

    base, new_base = servers
    path = tmp_path / "councils.toml"
    doc = from_tsv(io.StringIO("code\tslug\tname\tnation\tplatform\tbase_url\n"))
    add(doc, "moving", base + "old/")
    add(doc, "steady", base + "democracy/")
    add(doc, "gone", dead_url())
    save(doc, path)
    code = main(["councils", "check", "--config", str(path), "--cache", str(tmp_path / "c"), "--update"])
    out = capsys.readouterr().out
    assert code == 1  # "gone" does not answer
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "moved to " + new_base + "democracy/ (registry updated)" in lines["moving"]
    assert lines["steady"].split()[1] == "ok" and lines["gone"].split()[1] == "unreachable"
    assert load(path)["councils"]["moving"]["base_url"] == new_base + "democracy/"
    assert main(["detect", base + "cmis/", "--cache", ""]) == 0
    assert capsys.readouterr().out.startswith("cmis: CMIS markup")
