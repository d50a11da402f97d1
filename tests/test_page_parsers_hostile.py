"""The page parsers and URL helpers on hostile input: structured fuzzing (hrefs, ids, year options,
nesting) never raises, every bad element is skipped and said, and pathological shapes take time
in proportion to their size."""

from __future__ import annotations

import contextlib
import time
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.cmis_pages import NotCmis, parse_meeting, parse_month
from crawler.moderngov_pages import (
    NotModernGov,
    parse_committee_list,
    parse_doc_pack_page,
    parse_meeting_list,
    parse_meeting_page,
)
from crawler.urls import MAX_SITE_ID, clean_href, query_param, site_id

PAGE = "https://democracy.example.gov.uk/ieListDocuments.aspx?CId=1&MId=2"

hrefs = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda scheme, host, path, q: f"{scheme}{host}{path}{q}",
        st.sampled_from(
            ["", "http://", "https://", "javascript:", "mailto:", "file://", "data:", "//", "ftp://", "http:"]
        ),
        st.sampled_from(
            ["", "[insert link]", "democracy.example.gov.uk", "127.0.0.1:99999", "h:0x", "xn--", "ünïcode.uk"]
        ),
        st.sampled_from(
            ["", "/", "ieListDocuments.aspx", "documents/g1/a b.pdf", "mgChooseDocPack.aspx", "\r\n/x", "%zz"]
        ),
        st.sampled_from(
            ["", "?CId=1&MId=2", "?MId=" + "9" * 40, "?MId=٢٣", "?MId=-1", "?T=1", "#frag", "?MId=1&MId=2"]
        ),
    ),
)
ids = st.one_of(st.text(max_size=30), st.integers(min_value=-(2**70), max_value=2**70).map(str))


@settings(max_examples=500, deadline=None)
@given(hrefs)
def test_clean_href_gives_an_http_url_or_none(href):
    url = clean_href(href, PAGE)
    if url is not None:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.hostname
    query_param(url or PAGE, "MId", "CId")


@settings(max_examples=500, deadline=None)
@given(ids)
def test_site_ids_fit_64_bits_or_are_none(value):
    n = site_id(value)
    assert n is None or 0 <= n <= MAX_SITE_ID


def _page(links: list[str], options: list[str], depth: int, ai: str) -> str:
    anchors = "".join(f'<li><a href="{h}">{i} January 2025</a> - CANCELLED</li>' for i, h in enumerate(links))
    opts = "".join(f'<option value="{o}">{o}</option>' for o in options)
    nest = "<div>" * depth + "deep" + "</div>" * depth
    return (
        '<html><body><div id="modgov"><h2 class="mgSubTitleTxt">Cabinet - 1 January 2025</h2>'
        f'<select id="YearSelect">{opts}</select><ul class="mgActionList">{anchors}</ul>{nest}'
        f'<table class="mgItemTable"><tr><td><a name="AI{ai}"></a>1.</td><td>'
        f'<p class="mgAiTitleTxt">Minutes</p><p class="mgSubItemTitleTxt">Minutes:</p><div>Agreed.</div>'
        "</td></tr></table></div></body></html>"
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(hrefs, max_size=8),
    st.lists(st.one_of(ids, st.sampled_from(["2025", "٢٠٢٤", "9" * 3000, "0", ""])), max_size=5),
    st.integers(min_value=0, max_value=2500),
    ids,
)
def test_moderngov_parsers_never_raise_and_skip_what_they_cannot_use(links, options, depth, ai):
    html = _page(links, options, depth, ai)
    for parse in (parse_committee_list, parse_meeting_list, parse_meeting_page, parse_doc_pack_page):
        result = parse(html, PAGE)
        for link in getattr(result, "meetings", []) or []:
            assert link.url.startswith("https://democracy.example.gov.uk/") and link.site_id <= MAX_SITE_ID
        for doc in getattr(result, "documents", []) or []:
            assert doc.url.startswith("https://democracy.example.gov.uk/")
    page = parse_meeting_page(html, PAGE)
    assert [i.number for i in page.items] == ["1"]  # the rest of the page survives any bad element


@settings(max_examples=150, deadline=None)
@given(st.lists(hrefs, max_size=8), st.integers(min_value=0, max_value=2500), st.text(max_size=100))
def test_cmis_parsers_never_raise(links, depth, text):
    anchors = "".join(f'<p class="Meeting"><a href="{h}">10:00 {text}</a></p>' for h in links)
    html = (
        f'<div class="DNNModuleContent ModCMISMeetingsC">{"<div>" * depth}{anchors}{"</div>" * depth}</div>'
    )
    for parse in (lambda: parse_month(html, PAGE, 2025, 6), lambda: parse_meeting(html, PAGE)):
        with contextlib.suppress(NotCmis):
            parse()


def _seconds(work, *args) -> float:
    started = time.perf_counter()
    work(*args)
    return time.perf_counter() - started


def _linear(make, parse, n: int = 1000) -> None:
    small, large = make(n), make(8 * n)
    t_small = min(_seconds(parse, small, PAGE) for _ in range(3))
    t_large = min(_seconds(parse, large, PAGE) for _ in range(3))
    assert t_large < 20 * t_small + 0.05, (t_small, t_large)  # 8x the input; quadratic would be 64x


def _options(n: int) -> str:
    return (
        '<div id="modgov"><select id="YearSelect">'
        + '<option value="2020">x</option>' * n
        + "</select></div>"
    )


def _long_attribute(n: int) -> str:
    return f'<div id="modgov"><a href="ieListDocuments.aspx?MId={"9" * (100 * n)}">x</a></div>'


def test_pathological_pages_take_time_in_proportion_to_their_size():
    one_row = lambda n: (  # noqa: E731
        '<div id="modgov"><ul><li>'
        + "".join(f'<a href="ieListDocuments.aspx?CId=1&MId={i}">1 May 2025</a> x ' for i in range(n))
        + "</li></ul></div>"
    )
    _linear(one_row, parse_meeting_list)
    deep = lambda n: '<div id="modgov">' + "<div>" * n + "x" + "</div>" * n + "</div>"  # noqa: E731
    _linear(deep, parse_meeting_page)
    _linear(_options, parse_meeting_list)
    _linear(_long_attribute, parse_meeting_list)
    with contextlib.suppress(NotModernGov):
        parse_meeting_list("<html></html>", PAGE)
