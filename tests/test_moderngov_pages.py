"""The ModernGov page parsers on real Kingston markup, generated older layouts, and fuzzed input."""

import contextlib
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dates import parse_date_text, parse_time_text
from crawler.moderngov_pages import (
    NotModernGov,
    document_kind,
    parse_committee_list,
    parse_doc_pack_page,
    parse_meeting_list,
    parse_meeting_page,
)
from crawler.urls import clean_href
from pipeline.demo.sample_site import build_site, route_key
from tests.conftest import FIXTURES

BASE = "https://moderngov.kingston.gov.uk/"


def kingston(name: str) -> str:
    return (FIXTURES / "kingston" / name).read_text(encoding="utf-8")


def test_committee_structure_lists_committees_inside_modgov_only():
    committees = parse_committee_list(kingston("CommitteeStructure.html"), BASE + "mgCommitteeStructure.aspx")
    by_id = {c.site_id: c for c in committees}
    assert len(committees) == 30
    assert by_id[711].name == "Kingston and North Kingston Neighbourhood Committee"
    assert by_id[711].url == BASE + "mgCommitteeDetails.aspx?ID=711"
    assert by_id[626].name == "Joint Appointments Committee (Kingston & Richmond)"
    # The side menu (outside div#modgov) links to ieListMeetings.aspx?CId=686: not a committee here.
    assert 686 not in by_id


def test_meeting_list_years_meetings_and_suffixes():
    listing = parse_meeting_list(
        kingston("BrowseMeetings.html"), BASE + "ieListMeetings.aspx?CommitteeId=711"
    )
    assert listing.committee_site_id == 711
    assert listing.committee_name == "Kingston and North Kingston Neighbourhood Committee"
    assert listing.years == [2022, 2023, 2024, 2025, 2026, 2027]
    by_mid = {m.site_id: m for m in listing.meetings}
    assert len(by_mid) == 15
    m = by_mid[10221]
    assert (m.date, m.time, m.suffix) == (date(2026, 1, 15), time(19, 30), "Agenda, Decisions, Minutes")
    assert m.url == BASE + "ieListDocuments.aspx?CId=711&MId=10221&Ver=4"
    assert by_mid[10161].cancelled and by_mid[10161].date == date(2025, 12, 4)
    assert not by_mid[10221].cancelled
    assert by_mid[10337].suffix == ""
    assert by_mid[10158].time == time(19, 0)


def test_meeting_page_items_54_to_65_with_ai_ids_and_minutes():
    page = parse_meeting_page(
        kingston("Agenda_151.html"), BASE + "ieListDocuments.aspx?CId=711&MId=10221&Ver=4"
    )
    assert page.site_id == 10221 and page.committee_site_id == 711
    assert page.committee_name == "Kingston and North Kingston Neighbourhood Committee"
    assert (page.date, page.time, page.status) == (date(2026, 1, 15), time(19, 30), "scheduled")
    assert page.venue == "Guildhall, Kingston upon Thames."
    assert page.date_modified == date(2026, 2, 5)
    assert [i.number for i in page.items] == [str(n) for n in range(54, 66)]
    assert [i.ai_id for i in page.items] == [
        51890,
        51891,
        51892,
        51893,
        51894,
        51902,
        51903,
        51900,
        51901,
        51899,
        51896,
        51897,
    ]
    items = {i.number: i for i in page.items}
    assert items["54"].title == "Public Question Time"
    assert items["55"].minutes_text == "There were no petitions submitted."
    assert items["56"].minutes_text.startswith(
        "Apologies were received from Councillors Noel Hadjimichael, Patrick"
    )
    assert (
        items["58"].minutes_text
        == "The minutes of the meeting held on 18 November 2025 were approved as a correct record."
    )
    # The agenda text before "Minutes:" is not part of the minutes.
    assert "Advance notice" not in items["54"].minutes_text
    assert items["59"].decision_text.startswith("RESOLVED that:")
    assert items["59"].full_text_url == BASE + "mgAi.aspx?ID=51902"
    assert items["54"].decision_text is None and items["54"].full_text_url is None
    assert "<p" in items["55"].minutes_html
    docs59 = [(d.title, d.kind, d.item_ai_id) for d in items["59"].documents]
    assert docs59[0] == (
        "Petition Regarding the Introduction of Traffic Management Measures On Manorgate Road",
        "report",
        51902,
    )
    assert ("Annex 4 - Survey summary", "report", 51902) in docs59 and len(docs59) == 5
    assert (
        items["59"].documents[0].url
        == BASE + "documents/s112217/Petition%20TMO%20Manorgate%20Rd%20Report.pdf"
    )


def test_meeting_page_documents_by_kind():
    page = parse_meeting_page(
        kingston("Agenda_151.html"), BASE + "ieListDocuments.aspx?CId=711&MId=10221&Ver=4"
    )
    docs = [(d.kind, d.title) for d in page.documents]
    assert docs == [
        ("agenda_frontsheet", "Agenda frontsheet"),
        ("agenda_pack", "Agenda reports pack"),
        ("supplement", "Supplement: Agenda Item 7 - Community Safety Update"),
        ("supplement", "Late Material"),
        ("printed_decisions", "Printed decisions"),
        ("printed_minutes", "Printed minutes"),
    ]
    assert page.documents[2].url == BASE + "mgChooseDocPack.aspx?ID=10230&SID=23550"
    assert page.documents[0].url.startswith(
        BASE + "documents/g10230/Agenda%20frontsheet%20Thursday%2015-Jan-2026"
    )


def test_reports_pack_t10_and_cancelled_meeting():
    page = parse_meeting_page(
        kingston("Agenda_Irrelevant.html"), BASE + "ieListDocuments.aspx?CId=179&MId=10223&Ver=4"
    )
    assert ("agenda_pack", "Agenda reports pack") in [(d.kind, d.title) for d in page.documents]
    assert page.venue == "Chessington World of Adventure"
    cancelled = parse_meeting_page(
        kingston("Agenda_412.html"), BASE + "ieListDocuments.aspx?CId=711&MId=10161&Ver=4"
    )
    assert cancelled.status == "cancelled"
    assert cancelled.date == date(2025, 12, 4)
    assert cancelled.venue == "Guildhall, Kingston upon Thames."
    assert cancelled.documents == [] and cancelled.items == []


def test_non_moderngov_page_is_refused():
    html = (
        FIXTURES / "bad-responses" / "leeds.gov.uk__GetCouncillorsByWard__sharepoint_error.html"
    ).read_text(encoding="utf-8", errors="replace")
    with pytest.raises(NotModernGov):
        parse_meeting_page(html, BASE + "ieListDocuments.aspx?CId=1&MId=2")
    with pytest.raises(NotModernGov):
        parse_committee_list(html, BASE + "mgListCommittees.aspx")


def test_older_tr_layout_and_sub_path_install():
    site = build_site(committees=1, tr_layout_committees=1, prefix="/democracy/", years=(2024,))
    committee = site.committees[0]
    base = "http://127.0.0.1:9/democracy/"
    ctype, html = site.routes[route_key(f"/democracy/ieListMeetings.aspx?CId={committee.site_id}&Year=2024")]
    listing = parse_meeting_list(
        html.decode(), base + f"ieListMeetings.aspx?CId={committee.site_id}&Year=2024"
    )
    assert {m.site_id for m in listing.meetings} == {m.mid for m in committee.meetings}
    for parsed in listing.meetings:
        expected = next(m for m in committee.meetings if m.mid == parsed.site_id)
        assert parsed.date == expected.when and parsed.time == expected.at
        assert parsed.cancelled == expected.cancelled
        assert parsed.url.startswith(base + "ieListDocuments.aspx?CId=")


def test_hrefs_with_spaces_entities_and_crlf():
    assert clean_href("documents/g1/Printed\r\nminutes 1.pdf?T=1", "https://h/sub/x.aspx") == (
        "https://h/sub/documents/g1/Printedminutes%201.pdf?T=1"
    )
    assert (
        clean_href("  mgChooseDocPack.aspx?ID=1&SID=2 ", "https://h/a/")
        == "https://h/a/mgChooseDocPack.aspx?ID=1&SID=2"
    )


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://h/documents/g1/A.pdf?T=0", "agenda_frontsheet"),
        ("https://h/documents/g1/A.pdf?T=1", "printed_minutes"),
        ("https://h/documents/g1/A.pdf?T=2", "printed_decisions"),
        ("https://h/documents/g1/A.pdf?T=10", "agenda_pack"),
        ("https://h/mgChooseDocPack.aspx?ID=1", "agenda_pack"),
        ("https://h/mgChooseDocPack.aspx?ID=1&SID=4", "supplement"),
        ("https://h/documents/s123/Report.pdf", "report"),
        ("https://h/documents/g1/A.pdf?T=7", "other"),
        ("https://h/elsewhere/A.pdf", "other"),
    ],
)
def test_document_kind(url, kind):
    assert document_kind(url) == kind


def test_doc_pack_page_offers_its_pdf():
    site = build_site(committees=1, years=(2024,), meetings_per_year=1, cancelled_every=0)
    m = site.meetings[0]
    _, html = site.routes[route_key(f"/mgChooseDocPack.aspx?ID={m.gid}")]
    offered = parse_doc_pack_page(html.decode(), f"http://h/mgChooseDocPack.aspx?ID={m.gid}")
    assert len(offered) == 1 and offered[0].kind == "agenda_pack" and "T=10" in offered[0].url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thursday 15 January 2026 7:30 pm", date(2026, 1, 15)),
        ("14th April, 2016", date(2016, 4, 14)),
        ("3 Sept 2025", date(2025, 9, 3)),
        ("05/01/2024 14:00", date(2024, 1, 5)),
        ("31 February 2024", None),
        ("no date", None),
    ],
)
def test_parse_date_text(text, expected):
    assert parse_date_text(text) == expected


def test_parse_time_text():
    assert parse_time_text("15 Jan 2026 7:30 pm") == time(19, 30)
    assert parse_time_text("held at 2.00 pm on") == time(14, 0)
    assert parse_time_text("12 noon") is None
    assert parse_time_text("10:00") == time(10, 0)


html_fragments = st.lists(
    st.sampled_from(
        [
            '<div id="modgov">',
            "</div>",
            '<table class="mgItemTable">',
            "<tr>",
            "<td class='mgItemNumberCell'>",
            "</td>",
            "</tr>",
            "<td>",
            '<p class="mgSubItemTitleTxt">Minutes:</p>',
            '<div class="mgWordPara">',
            '<a href="ieListDocuments.aspx?CId=1&MId=',
            '<a href="documents/g1/x.pdf?T=',
            '<a name="AI',
            '">',
            "</a>",
            '<select id="YearSelect"><option value="',
            '<h2 class="mgSubTitleTxt">',
            "</h2>",
            "12 Jan 2020",
            "CANCELLED",
            "7:30 pm",
            "\r\n",
            "&amp;",
            "<li>",
            "</li>",
            "x",
            "99",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(html_fragments, st.text(max_size=300)))
def test_parsers_never_raise_on_arbitrary_html(html):
    for parse in (parse_committee_list, parse_meeting_list, parse_meeting_page, parse_doc_pack_page):
        with contextlib.suppress(NotModernGov):
            parse(html, "https://h/sub/ieListDocuments.aspx?CId=1&MId=2")
