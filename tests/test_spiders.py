"""`crawl` picks its spider: the registry's platform, else the archive's, else `detect`'s answer."""

from __future__ import annotations

import pytest

from crawler.spiders.cmis import CmisSpider
from crawler.spiders.moderngov import ModernGovSpider
from crawler.urls import cmis_install_root
from pipeline.ops.detect import Detection
from pipeline.ops.spiders import UnknownPlatform, platform_for, spider_for
from tests.conftest import run_cli


class Detect:
    def __init__(self, status: str, reason: str = ""):
        self.status, self.reason, self.asked = status, reason, []

    def __call__(self, url: str) -> Detection:
        self.asked.append(url)
        return Detection(url, self.status, reason=self.reason)


def test_registry_then_archive_then_detection():
    detect = Detect("moderngov")
    assert platform_for("https://x.gov.uk/", "cmis", "moderngov", detect) == "cmis"
    assert platform_for("https://x.gov.uk/", None, "cmis", detect) == "cmis"
    assert detect.asked == []  # a request only when neither knows
    assert platform_for("https://x.gov.uk/", None, None, detect) == "moderngov"
    assert platform_for("https://x.gov.uk/cmis5/", None, None, Detect("cmis")) == "cmis"
    assert detect.asked == ["https://x.gov.uk/"]


def test_an_unsure_detection_is_cmis_only_for_a_cmis_install_folder():
    assert platform_for("https://x.gov.uk/cmis5public/", None, None, Detect("other", "HTTP 404")) == "cmis"
    assert platform_for("https://x.gov.uk/democracy/", None, None, Detect("other", "HTTP 404")) == "moderngov"
    assert platform_for("https://x.gov.uk/dms/", None, None, Detect("unreachable")) == "cmis"

    def broken(url):
        raise RuntimeError("a detection that fails in a way nobody foresaw")

    assert platform_for("https://x.gov.uk/cmis5/", None, None, broken) == "cmis"
    assert platform_for("https://x.gov.uk/", None, None, broken) == "moderngov"


def test_spider_for_each_platform_and_a_one_line_error_otherwise():
    assert spider_for("cmis") is CmisSpider and spider_for("CMIS") is CmisSpider
    assert spider_for(None) is ModernGovSpider and spider_for("moderngov") is ModernGovSpider
    with pytest.raises(UnknownPlatform, match="no spider for platform 'sharepoint'"):
        spider_for("sharepoint")


@pytest.mark.parametrize(
    ("url", "root"),
    [
        (
            "http://democracy.luton.gov.uk/cmis5public/Councillors.aspx/",
            "http://democracy.luton.gov.uk/cmis5public/",
        ),
        (
            "https://democracy.derby.gov.uk/cmis5/Councillors/tabid/62/ScreenMode/Alphabetical/Default.aspx/",
            "https://democracy.derby.gov.uk/cmis5/",
        ),
        ("http://cmis.essex.gov.uk/EssexCmis5/Councillors.aspx/", "http://cmis.essex.gov.uk/EssexCmis5/"),
        (
            "https://committees.sunderland.gov.uk/committees/cmis5/Members.aspx",
            "https://committees.sunderland.gov.uk/committees/cmis5/",
        ),
        (
            "https://cambridgeshire.cmis.uk.com/ccc_live/Meetings.aspx",
            "https://cambridgeshire.cmis.uk.com/ccc_live/",
        ),
        ("https://www.nottinghamshire.gov.uk/dms/", "https://www.nottinghamshire.gov.uk/dms/"),
        ("https://midlothian.cmis.uk.com/live/Councillors.aspx", "https://midlothian.cmis.uk.com/live/"),
        ("http://braintree.cmis.uk.com/braintree/Councillors.aspx/", None),
        ("https://carlisle.cmis.uk.com/CarlisleCityCouncillors.aspx/", None),
        ("not a url", None),
        ("ftp://x/cmis5/", None),
    ],
)
def test_cmis_install_root(url, root):
    assert cmis_install_root(url) == root


def test_crawl_of_a_platform_no_spider_crawls_is_one_line(tmp_path):
    config = tmp_path / "councils.toml"
    config.write_text(
        '[councils.x]\nname = "X"\nplatform = "sharepoint"\nbase_url = "http://127.0.0.9:9/"\n',
        encoding="utf-8",
    )
    done = run_cli(
        "crawl", "--council", "x", "--config", str(config), "--db", f"sqlite:///{tmp_path}/a.sqlite"
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "council-archive: error: no spider for platform 'sharepoint' (one of: moderngov, cmis)"
    ]
