"""The CMIS page parsers on real Birmingham markup, on generated CMIS sites, and on fuzzed input."""

from __future__ import annotations

import contextlib
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.cmis_pages import (
    CmisCalendar,
    NotCmis,
    document_kind,
    find_calendar,
    find_module_id,
    list_view_url,
    month_url,
    normalised_title,
    parse_meeting,
    parse_month,
)
from pipeline.demo.cmis_site import build_cmis_site
from pipeline.demo.sample_site import route_key
from tests.conftest import FIXTURES

HOST = "https://birmingham.cmis.uk.com"
TAB = f"{HOST}/birmingham/Meetings/tabid/70"
MEETING = f"{TAB}/ctl/ViewMeetingPublic/mid/397/Meeting/15218/Committee/6/SelectedTab/Documents/Default.aspx"


def birmingham(name: str) -> str:
    return (FIXTURES / "birmingham-cmis" / name).read_text(encoding="utf-8")


# -- real markup --------------------------------------------------------------------------------


def test_calendar_found_from_the_list_views_meeting_links():
    html = birmingham("cmis_listview.html")
    found = find_calendar(html, f"{HOST}/birmingham/Meetings.aspx?ctl=MeetingCalendarListView&mid=397")
    assert found == CmisCalendar(
        70, 397, f"{TAB}/ctl/MeetingCalendarPublicNoJava/mid/397/Date/{{date}}/Default.aspx"
    )
    assert (
        month_url(found.template, 2026, 6)
        == f"{TAB}/ctl/MeetingCalendarPublicNoJava/mid/397/Date/2026-06-01/Default.aspx"
    )
    assert find_module_id(html) == 397  # from the table's id, dnn_ctr397_MeetingCalendarPublicList_...


def test_month_page_days_without_a_year_take_the_month_read():
    url = month_url(f"{TAB}/ctl/MeetingCalendarPublicNoJava/mid/397/Date/{{date}}/Default.aspx", 2026, 6)
    listing = parse_month(birmingham("cmis_calendar_month.html"), url, 2026, 6)
    got = [(m.site_id, m.committee_site_id, m.date, m.time, m.suffix) for m in listing.meetings]
    assert got == [
        (15028, 6, date(2026, 6, 8), time(10, 0), ""),
        (15029, 7, date(2026, 6, 9), time(10, 0), ""),
        (15030, 7, date(2026, 6, 9), time(12, 0), ""),
        (15099, 4, date(2026, 6, 30), time(14, 0), ""),
    ]
    assert (
        listing.meetings[0].url
        == f"{TAB}/ctl/ViewMeetingPublic/mid/397/Meeting/15028/Committee/6/SelectedTab/Documents/Default.aspx"
    )
    assert (listing.committee_site_id, listing.years, listing.skipped) == (None, [2026], [])
    later = parse_month(birmingham("cmis_calendar_month.html"), url, 2027, 6)
    assert {m.date.year for m in later.meetings} == {2027}


def test_list_view_rows_carry_full_dates():
    listing = parse_month(birmingham("cmis_listview.html"), f"{HOST}/birmingham/Meetings.aspx", 2026, 7)
    got = [(m.site_id, m.committee_site_id, m.date, m.time) for m in listing.meetings]
    assert got == [(15042, 4, date(2026, 7, 9), time(11, 0)), (15115, 38, date(2026, 7, 23), time(14, 0))]


def test_meeting_summary_read_by_label_not_by_class():
    page = parse_meeting(birmingham("cmis_meeting_summary.html"), MEETING)
    assert (page.site_id, page.committee_site_id, page.committee_name) == (
        15218,
        6,
        "Licensing Sub-Committee A",
    )
    assert (page.date, page.time) == (date(2026, 8, 3), time(10, 0))
    # "Scheduled" sits in a div.Value.Venue; the venue proper in a holder nested inside it
    assert (page.status, page.venue) == ("scheduled", "On-line meeting")
    [doc] = page.documents
    assert doc.url == f"{HOST}/birmingham/Document.ashx?czJKcaeAi5tUFL1DTL2UE4sOqCLHzE2A"
    assert (doc.title, doc.kind, doc.key) == (
        "Minutes of the previous meeting",
        "report",
        "cmis:15218:minutes of the previous meeting",
    )


def test_meeting_documents_kinds_and_keys_from_free_titles():
    page = parse_meeting(birmingham("cmis_detail_with_minutes.html"), MEETING)
    got = [(d.url, d.title, d.kind, d.key) for d in page.documents]
    assert got == [
        (
            f"{HOST}/Birmingham/Document.ashx?id=abc123",
            "Final Planning Minutes 16042026",
            "printed_minutes",
            "cmis:15218:final planning minutes 16042026",
        ),
        (
            f"{HOST}/Birmingham/Document.ashx?id=def456",
            "Final Agenda Reports - 9th July 2026",
            "agenda_pack",
            "cmis:15218:final agenda reports - 9th july 2026",
        ),
    ]
    assert page.items == [] and page.skipped == []


def test_a_moderngov_page_or_plain_text_is_not_cmis():
    kingston = (FIXTURES / "kingston" / "BrowseMeetings.html").read_text(encoding="utf-8")
    for html in (kingston, "", "Service Unavailable"):
        for parse in (lambda h: find_calendar(h, MEETING), lambda h: parse_meeting(h, MEETING)):
            with pytest.raises(NotCmis):
                parse(html)


# -- variants -----------------------------------------------------------------------------------

DNN = '<div class="DNNModuleContent ModCMISMeetingsC">{}</div>'


def test_calendar_from_the_module_id_and_a_skin_link_of_its_tab():
    html = '<a href="/cmis5/Meetings/tabid/73/ctl/Login/Default.aspx?returnurl=%2f">Login</a>' + DNN.format(
        '<input name="dnn$ctr412$MeetingCalendarPublic$hdnDate" />'
    )
    found = find_calendar(html, "https://h.gov.uk/cmis5/Meetings.aspx")
    assert (
        found.template
        == "https://h.gov.uk/cmis5/Meetings/tabid/73/ctl/MeetingCalendarPublicNoJava/mid/412/Date/{date}/Default.aspx"
    )


def test_calendar_from_a_month_link_and_none_without_a_tab():
    month = '<a href="/live/Meetingscalendar/tabid/70/ctl/MeetingCalendarPublicNoJava/mid/397/Date/2020-01-01/Default.aspx">x</a>'
    assert find_calendar(DNN.format(month), "https://n.gov.uk/live/").tabid == 70
    bare = DNN.format('<input name="dnn$ctr397$MeetingCalendarPublicList$x" />')
    assert find_calendar(bare, "https://n.gov.uk/live/Meetings.aspx") is None
    assert list_view_url("https://n.gov.uk/live/Meetings.aspx?x=1", 397) == (
        "https://n.gov.uk/live/Meetings.aspx?ctl=MeetingCalendarListView&mid=397"
    )


def test_a_december_day_on_januarys_page_is_last_years_and_marks_read_as_suffixes():
    rows = "".join(
        f'<tr><td class="SimpleCalendarDate">{day}</td><td><p class="Meeting">'
        f'<a href="/c/M/tabid/1/ctl/ViewMeetingPublic/mid/2/Meeting/{mid}/Committee/3/Default.aspx">10:00 Cabinet</a>'
        f"{note}</p></td></tr>"
        for day, mid, note in [
            ("Wednesday, 31 December", 1, ""),
            ("Friday, 2 January", 2, " (Cancelled)"),
            ("Friday, 30 February", 3, " Postponed"),
        ]
    )
    listing = parse_month(DNN.format(f"<table>{rows}</table>"), "https://h/c/", 2026, 1)
    assert [(m.date, m.suffix, m.cancelled) for m in listing.meetings] == [
        (date(2025, 12, 31), "", False),
        (date(2026, 1, 2), "CANCELLED", True),
        (None, "POSTPONED", False),
    ]


def test_bad_ids_and_links_are_skipped_not_fatal():
    html = DNN.format(
        '<a href="/c/M/tabid/1/ctl/ViewMeetingPublic/mid/2/Meeting/99999999999999999999/Committee/3/Default.aspx">x</a>'
        '<a href="http://[insert link]">y</a><a href="/c/Document.ashx?a=1">Agenda</a>'
        '<a href="/c/Document.ashx?a=1">Agenda (again)</a><a href="/c/Document.ashx?b=2">Agenda</a>'
        '<a href="/c/Document.ashx?c=3" title="Click to view \'Decision Notice\'"></a>'
    )
    listing = parse_month(html, "https://h/c/", 2026, 1)
    assert listing.meetings == [] and len(listing.skipped) == 2
    page = parse_meeting(
        html, "https://h/c/M/tabid/1/ctl/ViewMeetingPublic/mid/2/Meeting/77/Committee/3/Default.aspx"
    )
    assert [(d.title, d.kind, d.key) for d in page.documents] == [
        ("Agenda", "agenda_pack", "cmis:77:agenda"),  # the same URL twice is one document
        ("Agenda", "agenda_pack", "cmis:77:agenda (2)"),  # a second "Agenda" never merges with the first
        ("Decision Notice", "printed_decisions", "cmis:77:decision notice"),
    ]
    assert parse_meeting(html, "https://h/c/Default.aspx").documents[0].key is None  # no meeting id


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Final Planning Minutes 16042026", "printed_minutes"),
        ("Minutes", "printed_minutes"),
        ("Minutes of the previous meeting", "report"),
        ("Agenda", "agenda_pack"),
        ("Agenda Reports Pack", "agenda_pack"),
        ("Supplementary Agenda", "supplement"),
        ("Agenda front sheet", "agenda_frontsheet"),
        ("Decisions", "printed_decisions"),
        ("Appendix A", "report"),
        ("Budget Monitoring Report", "report"),
        ("Webcast", "other"),
    ],
)
def test_document_kind_from_the_title(title, kind):
    assert document_kind(title) == kind


def test_normalised_title_keeps_dates_and_digits():
    assert (
        normalised_title("  Final  Agenda\tReports - 9th July 2026 ")
        == "final agenda reports - 9th july 2026"
    )
    assert normalised_title("Minutes 16042026") == "minutes 16042026"


# -- generated sites ----------------------------------------------------------------------------


def _page(site, path: str) -> str:
    return site.routes[route_key(path)][1].decode("utf-8")


@pytest.mark.parametrize("agenda_items", [False, True])
def test_generated_site_pages_parse_back_to_the_model(agenda_items):
    site = build_cmis_site(committees=3, meetings_per_month=2, agenda_items=agenda_items, seed=7)
    host = "http://127.0.0.1:8000"
    entry = find_calendar(
        _page(site, site.prefix + site.meetings_page), host + site.prefix + site.meetings_page
    )
    assert (entry.tabid, entry.mid) == (site.tabid, site.mid)
    for month in {(m.when.year, m.when.month) for m in site.meetings}:
        path = site.month_path(*month)
        assert month_url(entry.template, *month) == host + path
        listing = parse_month(_page(site, path), host + path, *month)
        want = [(m.meeting_id, m.committee_id, m.when, m.at, m.cancelled) for m in site.meetings_in(*month)]
        assert [
            (x.site_id, x.committee_site_id, x.date, x.time, x.cancelled) for x in listing.meetings
        ] == want
    for m in site.meetings:
        page = parse_meeting(_page(site, site.meeting_path(m)), host + site.meeting_path(m))
        assert (page.site_id, page.committee_site_id, page.committee_name) == (
            m.meeting_id,
            m.committee_id,
            m.committee_name,
        )
        assert (page.date, page.time, page.status, page.venue) == (m.when, m.at, m.status, m.venue)
        docs = [*page.documents, *(d for it in page.items for d in it.documents)]
        assert sorted((d.key, d.title, d.kind) for d in docs) == sorted(
            (d.key, d.title, d.kind) for d in m.all_documents
        )
        assert all(
            d.url == host + site.document_path(x) for d in docs for x in m.all_documents if x.key == d.key
        )
        if agenda_items and not m.cancelled:
            got = [(it.number, it.title, it.minutes_text) for it in page.items]
            assert got == [(it.number, it.title, it.minutes) for it in m.items]
        else:
            assert page.items == []


def test_generated_minutes_are_numbered_and_cite_earlier_meetings():
    site = build_cmis_site(committees=2, meetings_per_month=2, seed=2)
    held = [m for m in site.meetings if m.minute_numbers]
    assert held and all(m.cites_meeting for m in held)
    assert any(m.cites_minute for m in held)
    for m in held:
        text = "\n".join(next(d for d in m.all_documents if d.kind == "printed_minutes").text)
        for n, item in zip(m.minute_numbers, m.items, strict=True):
            assert f"\n{n} {item.title}" in text
        assert f"held on {m.cites_meeting.day} {m.cites_meeting:%B %Y}" in text
        if m.cites_minute:
            assert f"Further to Minute {m.cites_minute} " in text


# -- fuzzing ------------------------------------------------------------------------------------

fragments = st.lists(
    st.sampled_from(
        [
            '<div class="DNNModuleContent ModCMISMeetingsC">',
            "</div>",
            "<table>",
            "<tr>",
            '<td class="SimpleCalendarDate">',
            "</td>",
            "</tr>",
            '<p class="Meeting">',
            '<a href="/c/M/tabid/',
            "/ctl/ViewMeetingPublic/mid/",
            "/ctl/MeetingCalendarPublicNoJava/mid/",
            "/Meeting/",
            "/Committee/",
            "/Default.aspx",
            '<a href="Document.ashx?',
            '<a href="#2026-02-',
            '<a href="http://[x]',
            '">',
            "</a>",
            '<div class="holder"><div class="DNNLabel">',
            '<div class="Value Venue">',
            '<div class="AgendaItem"><span class="ItemNumber">',
            '<span class="ItemTitle">',
            "<input name='dnn$ctr",
            "$MeetingCalendarPublic$x'/>",
            "Status:",
            "Date/Time:",
            "Monday, 31 June",
            "Friday, 29 February",
            "3 Aug 2026 - 10:00",
            "Cancelled",
            "99",
            "99999999999999999999",
            "-1",
            "&amp;",
            "\r\n",
            "x",
        ]
    ),
    max_size=40,
).map("".join)


def _all_parsers(html: str, url: str, year: int, month: int) -> None:
    for parse in (
        lambda: find_calendar(html, url),
        lambda: find_module_id(html),
        lambda: parse_month(html, url, year, month),
        lambda: parse_meeting(html, url),
    ):
        with contextlib.suppress(NotCmis):
            parse()


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(fragments, st.text(max_size=300)),
    st.sampled_from([MEETING, "https://h/c/Meeting/x/Committee/-1/", "https://h/", "not a url", ""]),
    st.integers(min_value=-5, max_value=10_000),
    st.integers(min_value=-1, max_value=14),
)
def test_parsers_never_raise_except_not_cmis(html, url, year, month):
    _all_parsers(html, url, year, month)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=60))
def test_structured_hrefs_and_ids_never_raise(mid, committee, title):
    href = (
        f"/c/M/tabid/{mid}/ctl/ViewMeetingPublic/mid/{mid}/Meeting/{mid}/Committee/{committee}/Default.aspx"
    )
    html = DNN.format(
        f'<table><tr><td class="SimpleCalendarDate">{title}</td><td><p class="Meeting"><a href="{href}">{title}</a>'
        f'</p></td></tr></table><a href="Document.ashx?{title}" title="{title}">{title}</a>'
        f"<input name='dnn$ctr{mid}$MeetingCalendarPublic$x' />"
    )
    _all_parsers(html, f"https://h{href}", 2026, 2)
