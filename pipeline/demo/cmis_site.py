"""Generated CMIS sites for the tests and the demo, served by ``pipeline.demo.site_server.SiteServer``.

Pages copy the markup of real CMIS installs (Birmingham's month calendar, list view, meeting summary
and document list, trimmed copies in tests/fixtures/birmingham-cmis/), with their quirks: ids as DNN
path segments, days written without a year ("Monday, 8 June"), the status in a ``Value Venue`` div
nested in its own holder, documents behind opaque ``Document.ashx?<token>`` links with free titles,
a site-wide PDF link in the skin outside the module. Three things are modelled, not copied (no real
markup seen): how a month page marks a cancelled meeting (a "Cancelled" note by the link), the
RadScheduler cells of the default meetings page, and agenda-item blocks (``agenda_items=True``).

Printed minutes are PDFs in the Luton style (tests/corpus/real/004_*.txt): numbered minutes running
on through the municipal year, "(Ref: 8)" agenda references, "the minutes of the meeting held on
<date>" and now and then "Minute <n>" cross-references. ``second_state()`` re-publishes one document
under a new token with the same bytes and another under a new token with new bytes (CMIS tokens are
opaque and do not stay put), so a crawl can be checked for stable identities and new versions.
Everything is deterministic for a seed.

Longer than 400 lines: the model, the builder and the renderer of one fixture site; split it like
``sample_model`` / ``sample_pages`` if it grows.
"""

from __future__ import annotations

import copy
import random
import string
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache
from html import escape

from pipeline.demo.sample_site import render_pdf, route_key
from pipeline.parse.profile import MUNICIPAL

HTML = "text/html; charset=utf-8"
COMMITTEE_NAMES = [
    (4, "Planning Committee"),
    (6, "Licensing Sub-Committee A"),
    (38, "Standards Committee"),
    (12, "Scrutiny Children Services Review Group"),
    (3, "Executive"),
    (1, "Council"),
]
TOPICS = [
    "Children's Services Ofsted Improvement Plan",
    "Stronger Families Programme Update",
    "Budget Monitoring Report",
    "Highways Maintenance Programme",
    "Air Quality Action Plan",
    "Parking Review",
    "Work Programme 2025/26",
    "Community Safety Partnership Annual Report",
]
TIMES = [time(10, 0), time(14, 0), time(18, 0), time(18, 30)]
VENUES = ["Committee Room 2", "Committee Rooms 3 & 4", "On-line meeting", "Council Chamber, Town Hall"]
TOKEN_CHARS = string.ascii_letters + string.digits


@dataclass
class CmisDocument:
    token: str  # the opaque query after Document.ashx?
    title: str
    kind: str  # what the parser should make of the title
    text: list[str]  # the PDF's lines
    key: str = ""  # the identity a crawler must give it: cmis:<meeting id>:<normalised title>
    html_error: bool = False  # served as an HTML error page with 200 (a crawler must refuse it)

    @property
    def body(self) -> bytes:
        return _pdf(tuple(self.text))


@dataclass
class CmisItem:
    number: str
    title: str
    minutes: str | None = None  # its minute's text, once the printed minutes exist
    documents: list[CmisDocument] = field(default_factory=list)


@dataclass
class CmisMeeting:
    committee_id: int
    committee_name: str
    meeting_id: int
    when: date
    at: time
    venue: str
    cancelled: bool = False
    documents: list[CmisDocument] = field(default_factory=list)  # not under an agenda item
    items: list[CmisItem] = field(default_factory=list)
    minute_numbers: list[int] = field(default_factory=list)  # in its printed minutes
    cites_meeting: date | None = (
        None  # "the minutes of the meeting held on ..." (none on the site: the first)
    )
    cites_minute: int | None = None  # "Further to Minute n": the committee's previous meeting, same year

    @property
    def status(self) -> str:
        return "cancelled" if self.cancelled else "scheduled"

    @property
    def all_documents(self) -> list[CmisDocument]:
        return [*(d for it in self.items for d in it.documents), *self.documents]


@dataclass
class CmisCommittee:
    site_id: int
    name: str
    meetings: list[CmisMeeting] = field(default_factory=list)


@dataclass
class CmisSite:
    """A whole CMIS install: committees, meetings, documents and the rendered routes."""

    prefix: str  # the install path: "/cmis5/", "/EssexCmis5/", "/"
    committees: list[CmisCommittee]
    first_month: date
    last_month: date
    current_month: date  # what the meetings page and the list view show
    meetings_page: str = "Meetings.aspx"
    tabid: int = 70
    mid: int = 397
    calendar_on_page: bool = True  # the meetings page links meetings / its tab; else only the list view does
    agenda_items: bool = False
    empty_months_around: int = 30  # empty month pages served either side (CMIS renders any month)
    routes: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    republished: dict[str, str] = field(
        default_factory=dict
    )  # second_state(): "same_bytes"/"new_bytes" -> key

    @property
    def meetings(self) -> list[CmisMeeting]:
        return sorted((m for c in self.committees for m in c.meetings), key=lambda m: (m.when, m.at))

    @property
    def documents(self) -> list[tuple[CmisMeeting, CmisDocument]]:
        return [(m, d) for m in self.meetings for d in m.all_documents]

    @property
    def page_folder(self) -> str:
        return self.meetings_page.rsplit(".", 1)[0]

    def meeting_path(self, m: CmisMeeting) -> str:
        return (
            f"{self.prefix}{self.page_folder}/tabid/{self.tabid}/ctl/ViewMeetingPublic/mid/{self.mid}"
            f"/Meeting/{m.meeting_id}/Committee/{m.committee_id}/SelectedTab/Documents/Default.aspx"
        )

    def month_path(self, year: int, month: int) -> str:
        return (
            f"{self.prefix}{self.page_folder}/tabid/{self.tabid}/ctl/MeetingCalendarPublicNoJava"
            f"/mid/{self.mid}/Date/{year:04d}-{month:02d}-01/Default.aspx"
        )

    def document_path(self, doc: CmisDocument) -> str:
        return f"{self.prefix}Document.ashx?{doc.token}"

    def meetings_in(self, year: int, month: int) -> list[CmisMeeting]:
        return [m for m in self.meetings if (m.when.year, m.when.month) == (year, month)]

    def meeting(self, meeting_id: int) -> CmisMeeting:
        return next(m for m in self.meetings if m.meeting_id == meeting_id)

    def second_state(self, retoken_all: bool = False) -> CmisSite:
        """The site after re-publication: one document under a new token with the same bytes, another
        under a new token with new bytes (``republished`` names both); optionally every token new."""
        site = copy.deepcopy(self)
        rnd = random.Random(f"second:{len(site.documents)}")
        taken = {d.token.lower() for _, d in site.documents}
        meeting = next(m for m in site.meetings if len(m.all_documents) >= 2)
        same, changed = meeting.all_documents[:2]
        for doc in (d for _, d in site.documents) if retoken_all else (same, changed):
            doc.token = _token(rnd, taken)
        changed.text = [*changed.text, "Amended: paragraph 3 corrected after publication."]
        site.republished = {"same_bytes": same.key, "new_bytes": changed.key}
        render_cmis_site(site)
        return site


# -- building the model -----------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _pdf(lines: tuple[str, ...]) -> bytes:
    """The same text renders to the same bytes: render once per process."""
    return render_pdf(list(lines))


def _token(rnd: random.Random, taken: set[str]) -> str:
    """A CMIS-like encrypted query: key=value pairs of base64-ish text. ``taken`` holds tokens
    lower-cased: the server's route keys lower-case query names, so tokens must differ beyond case."""
    while True:
        pairs = [
            "".join(rnd.choice(TOKEN_CHARS) for _ in range(24))
            + "="
            + "".join(rnd.choice(TOKEN_CHARS) for _ in range(11))
            + "%3D"
            for _ in range(2)
        ]
        token = "&".join(pairs)
        if token.lower() not in taken:
            taken.add(token.lower())
            return token


def _months(first: date, last: date) -> list[date]:
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    return out


def _shift_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _fmt_long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _fmt_luton_time(t: time) -> str:
    return f"{(t.hour - 1) % 12 + 1}.{t.minute:02d} {'pm' if t.hour >= 12 else 'am'}"


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def build_cmis_site(
    committees: int = 2,
    months: tuple[date, date] = (date(2025, 1, 1), date(2025, 6, 30)),
    meetings_per_month: int = 2,
    prefix: str = "/cmis5/",
    cancelled: bool = True,
    meetings_page: str = "Meetings.aspx",
    current_month: date | None = None,
    calendar_on_page: bool = True,
    agenda_items: bool = False,
    html_document: bool = False,
    empty_months_around: int = 30,
    seed: int = 1,
) -> CmisSite:
    rnd = random.Random(seed)
    chosen = [CmisCommittee(cid, name) for cid, name in COMMITTEE_NAMES[: max(committees, 1)]]
    month_list = _months(*months)
    taken: set[str] = set()
    meeting_id = 15000
    counters: dict[tuple[int, int], int] = {}  # (committee, municipal year) -> last minute number
    last_held: dict[int, CmisMeeting] = {}
    built = 0
    for i, month in enumerate(month_list):
        for k in range(meetings_per_month):
            committee = chosen[(i * meetings_per_month + k) % len(chosen)]
            meeting_id += 1 + rnd.randrange(3)
            built += 1
            m = CmisMeeting(
                committee.site_id,
                committee.name,
                meeting_id,
                month + timedelta(days=rnd.randrange(28)),
                rnd.choice(TIMES),
                rnd.choice(VENUES),
                cancelled=cancelled and built == 3,  # papers withdrawn, minutes never written
            )
            if not m.cancelled:
                last_month = month == month_list[-1]
                _fill_meeting(rnd, m, last_held.get(committee.site_id), counters, taken, not last_month)
                last_held[committee.site_id] = m
            committee.meetings.append(m)
    site = CmisSite(
        prefix=prefix if prefix.endswith("/") else prefix + "/",
        committees=chosen,
        first_month=month_list[0] if month_list else months[0].replace(day=1),
        last_month=month_list[-1] if month_list else months[0].replace(day=1),
        current_month=(current_month or (month_list[-1] if month_list else months[0])).replace(day=1),
        meetings_page=meetings_page,
        calendar_on_page=calendar_on_page,
        agenda_items=agenda_items,
        empty_months_around=empty_months_around,
    )
    _assign_keys(site)
    if html_document:
        site.documents[-1][1].html_error = True
    render_cmis_site(site)
    return site


def _fill_meeting(
    rnd: random.Random,
    m: CmisMeeting,
    previous: CmisMeeting | None,
    counters: dict,
    taken: set[str],
    with_minutes: bool,
) -> None:
    """Agenda items, their reports, the agenda pack and (once held) the printed minutes."""
    titles = ["Apology for Absence", "Minutes", "Disclosure of Interest", *rnd.sample(TOPICS, 2)]
    for n, title in enumerate(titles, start=1):
        item = CmisItem(str(n), title)
        if title in TOPICS:
            item.documents.append(_report(rnd, m, title, taken))
        if title == "Minutes" and previous is not None:
            item.documents.append(
                CmisDocument(
                    _token(rnd, taken),
                    "Minutes of the previous meeting",
                    "report",
                    [f"{previous.committee_name}", f"Minutes of {_fmt_long(previous.when)}", _paragraph(rnd)],
                )
            )
        m.items.append(item)
    if rnd.random() < 0.5:  # two reports with the same appendix title: keys "appendix a", "appendix a (2)"
        for it in m.items[3:5]:
            it.documents.append(_appendix(rnd, m, it.title, taken))
    m.documents.append(_agenda(rnd, m, taken))
    if rnd.random() < 0.3:
        m.documents.append(
            CmisDocument(
                _token(rnd, taken),
                "Supplementary Agenda",
                "supplement",
                ["Supplementary Agenda", _paragraph(rnd)],
            )
        )
    if with_minutes:
        m.documents.append(_printed_minutes(rnd, m, previous, counters, taken))


def _paragraph(rnd: random.Random) -> str:
    words = [
        "the",
        "committee",
        "considered",
        "report",
        "officers",
        "residents",
        "budget",
        "scheme",
        "consultation",
        "council",
        "members",
        "noted",
        "recommendation",
        "approved",
        "programme",
        "update",
        "road",
        "safety",
        "funding",
        "service",
        "director",
    ]
    return " ".join(rnd.choice(words) for _ in range(rnd.randrange(12, 30))).capitalize() + "."


def _report_title(topic: str) -> str:
    return topic if "report" in topic.lower() else f"{topic} Report"


def _report(rnd: random.Random, m: CmisMeeting, title: str, taken: set[str]) -> CmisDocument:
    lines = [f"Report to {m.committee_name}", title, f"Date of meeting: {_fmt_long(m.when)}"]
    return CmisDocument(
        _token(rnd, taken), _report_title(title), "report", lines + [_paragraph(rnd) for _ in range(3)]
    )


def _appendix(rnd: random.Random, m: CmisMeeting, topic: str, taken: set[str]) -> CmisDocument:
    lines = [f"Appendix A to the report on {topic}", _paragraph(rnd)]
    return CmisDocument(_token(rnd, taken), "Appendix A", "report", lines)


def _agenda(rnd: random.Random, m: CmisMeeting, taken: set[str]) -> CmisDocument:
    title = rnd.choice(
        [f"Final Agenda Reports - {_ordinal(m.when.day)} {m.when:%B %Y}", "Agenda Reports Pack", "Agenda"]
    )
    lines = [m.committee_name, f"{_fmt_long(m.when)} at {_fmt_luton_time(m.at)}", "Agenda"]
    lines += [f"{it.number}. {it.title}" for it in m.items]
    return CmisDocument(_token(rnd, taken), title, "agenda_pack", lines)


def _printed_minutes(
    rnd: random.Random, m: CmisMeeting, previous: CmisMeeting | None, counters: dict, taken: set[str]
) -> CmisDocument:
    """Luton-style minutes: numbers run on through the committee's municipal year."""
    year_key = (m.committee_id, MUNICIPAL.numbering_year(m.when))
    start = counters.get(year_key, 0) + 1
    m.minute_numbers = list(range(start, start + len(m.items)))
    counters[year_key] = m.minute_numbers[-1]
    lines = [
        "Item No:",
        "2.1",
        m.committee_name,
        "Minutes",
        f"{_fmt_long(m.when)} at {_fmt_luton_time(m.at)}",
        "Present:",
        "Councillor Keens (Chair), Councillors Chapman, Khurshid, Lovell, Moles and Roche",
        "In attendance:",
        "Damien Elcock, Service Director, Quality and Improvement",
    ]
    for number, item in zip(m.minute_numbers, m.items, strict=True):
        body = _minute_body(rnd, m, item, previous)
        item.minutes = "\n".join(body)  # what an agenda-item block shows once minutes are published
        lines += ["", f"{number} {_minute_heading(item)}", *body]
    lines += ["", f"(Note: The meeting ended {_fmt_luton_time(m.at.replace(hour=min(m.at.hour + 2, 23)))})"]
    short = m.committee_name.split()[0]
    title = f"Final {short} Minutes {m.when:%d%m%Y}"
    return CmisDocument(_token(rnd, taken), title, "printed_minutes", lines)


def _minute_heading(item: CmisItem) -> str:
    ref = {"Minutes": " (Ref: 2.1)", "Disclosure of Interest": " (Ref: 3)"}.get(item.title, "")
    if item.title in TOPICS:
        ref = f" (Ref: {int(item.number) + 3})"
    return item.title + ref


def _minute_body(
    rnd: random.Random, m: CmisMeeting, item: CmisItem, previous: CmisMeeting | None
) -> list[str]:
    if item.title == "Apology for Absence":
        return ["An apology for absence from the meeting was received from Councillor Petts."]
    if item.title == "Minutes":
        held = previous.when if previous else m.when - timedelta(days=35)
        m.cites_meeting = held
        return [
            f"Resolved: That the minutes of the meeting held on {_fmt_long(held)} be taken as a correct "
            "record of the meeting and the Chair be authorised to sign them in due course."
        ]
    if item.title == "Disclosure of Interest":
        return [
            "Councillor Keens declared a personal interest as a school governor and remained in the meeting."
        ]
    body = [
        f"The Service Director presented the report (Ref {int(item.number) + 3}) on {item.title}.",
        _paragraph(rnd),
    ]
    same_year = previous is not None and MUNICIPAL.numbering_year(previous.when) == MUNICIPAL.numbering_year(
        m.when
    )
    if same_year and previous.minute_numbers and m.cites_minute is None and rnd.random() < 0.6:
        m.cites_minute = previous.minute_numbers[-1]
        body.insert(0, f"Further to Minute {m.cites_minute} the committee noted progress on the action plan.")
    return body + ["Resolved: (i) That the report be noted."]


def _assign_keys(site: CmisSite) -> None:
    """The keys a crawler must give: page order, a repeated title numbered " (2)", " (3)"..."""
    for m in site.meetings:
        seen: dict[str, int] = {}
        for doc in _page_order(site, m):
            norm = " ".join(doc.title.lower().split())
            seen[norm] = seen.get(norm, 0) + 1
            doc.key = f"cmis:{m.meeting_id}:{norm}" + (f" ({seen[norm]})" if seen[norm] > 1 else "")


def _page_order(site: CmisSite, m: CmisMeeting) -> list[CmisDocument]:
    """Documents as the meeting page lists them: with agenda items, items' papers first; without,
    one list, the meeting's own papers first."""
    item_docs = [d for it in m.items for d in it.documents]
    return [*item_docs, *m.documents] if site.agenda_items else [*m.documents, *item_docs]


# -- rendering --------------------------------------------------------------------------------


def _page(site: CmisSite, title: str, module: str, path: str) -> bytes:
    """A DNN page: skin (menu, Login link of the tab, a site-wide PDF) around the CMIS module."""
    p = site.prefix
    login = f"{p}{site.page_folder}/tabid/{site.tabid}/ctl/Login/Default.aspx?returnurl={escape(path)}"
    skin_login = f'<li><a href="{login}">Login</a></li>' if site.calendar_on_page else ""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{escape(title)} - Sample City Council</title></head>\n"
        f'<body><form method="post" action="{escape(path)}" id="Form">\n'
        f'<div id="dnn_Header"><ul class="menu"><li><a href="{p}Home/tabid/36/Default.aspx">Home</a></li>'
        f'<li><a href="{p}{site.meetings_page}">Meetings</a></li>{skin_login}'
        f'<li><a href="{p}Document.ashx?sitewide=PrivacyNotice%3D">Privacy notice (pdf)</a></li></ul></div>\n'
        f'<div id="dnn_ContentPane">\n{module}\n</div>\n'
        '<div id="dnn_Footer"><small>&copy; Sample City Council</small></div></form></body></html>\n'
    ).encode()


def _meeting_anchor(site: CmisSite, m: CmisMeeting, text: str, extra: str = "") -> str:
    return f'<a href="{escape(site.meeting_path(m))}"{extra}>{escape(text)}</a>'


def _month_page(site: CmisSite, month: date) -> bytes:
    ctl = f"dnn_ctr{site.mid}_MeetingCalendarPublicNoJava_grdRadMeeting_ctl00"
    rows = []
    for i, day in enumerate(_days(month)):
        cells = []
        for m in (x for x in site.meetings if x.when == day):
            note = ' <span class="MeetingStatus">Cancelled</span>' if m.cancelled else ""
            anchor = _meeting_anchor(site, m, f"{m.at:%H:%M} {m.committee_name}")
            cells.append(f'<p class="Meeting">{anchor}{note}</p>')
        row_class = "rgRow" if i % 2 == 0 else "rgAltRow"
        rows.append(
            f'<tr class="{row_class}" id="{ctl}__{i}"><td class="SimpleCalendarDate">{day:%A}, {day.day} {day:%B}</td>'
            f"<td>{''.join(cells)}</td></tr>"
        )
    module = (
        '<div class="DNNModuleContent ModCMISMeetingsC">'
        f'<input type="hidden" name="dnn$ctr{site.mid}$MeetingCalendarPublicNoJava$hdnDate" value="{month.isoformat()}" />'
        f'<h2>Meetings in {month:%B %Y}</h2><table class="rgMasterTable" id="{ctl}">{"".join(rows)}</table></div>'
    )
    return _page(site, "Meetings", module, site.month_path(month.year, month.month))


def _days(month: date) -> list[date]:
    out, d = [], month
    while d.month == month.month:
        out.append(d)
        d += timedelta(days=1)
    return out


def _list_view(site: CmisSite) -> bytes:
    """``?ctl=MeetingCalendarListView``: the current month only (whatever date is asked for)."""
    ctl = f"dnn_ctr{site.mid}_MeetingCalendarPublicList_grdRadMeeting_ctl00"
    rows = []
    month = site.current_month
    for i, m in enumerate(site.meetings_in(month.year, month.month)):
        stamp = f"{m.when.day} {m.when:%b %Y} {m.at:%H:%M}"
        title = f' title="Click to view: {escape(m.committee_name)} - {stamp} : {m.at:%H:%M}"'
        anchor = _meeting_anchor(site, m, f"{stamp} - {m.committee_name}", title)
        rows.append(
            f'<tr class="{"rgRow" if i % 2 == 0 else "rgAltRow"}" id="{ctl}__{i}"><td class="DateColumn">{anchor}</td>'
            f"<td>{escape(m.venue)}</td></tr>"
        )
    module = (
        '<div class="CMIS_ModuleWrapper CM_ModuleWrapper MeetingCalendarListView">'
        f'<table id="{ctl}"><thead><tr><th scope="col" class="DateColumn rgHeader">Date/Start Time</th>'
        f'<th scope="col" class="rgHeader">Venue</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )
    return _page(site, "Meetings", module, f"{site.prefix}{site.meetings_page}")


def _meetings_page(site: CmisSite) -> bytes:
    """The default (JavaScript) calendar: Telerik RadScheduler cells of the current month."""
    month = site.current_month
    cells = []
    for day in _days(month):
        apts = "".join(
            f'<div class="rsApt" title="{m.at:%H:%M} {escape(m.committee_name)} : {escape(m.venue)}">'
            + (
                _meeting_anchor(site, m, m.committee_name)
                if site.calendar_on_page
                else escape(m.committee_name)
            )
            + "</div>"
            for m in site.meetings
            if m.when == day
        )
        cells.append(
            f'<td><div class="rsDateWrap"><a class="rsDateHeader" href="#{day.isoformat()}">{day.day}</a></div>{apts}</td>'
        )
    weeks = "".join("<tr>" + "".join(cells[i : i + 7]) + "</tr>" for i in range(0, len(cells), 7))
    module = (
        '<div class="DNNModuleContent ModCMISMeetingsC">'
        f'<input type="hidden" name="dnn$ctr{site.mid}$MeetingCalendarPublic$hdnSelectedDate" value="{month.isoformat()}" />'
        f'<div id="dnn_ctr{site.mid}_MeetingCalendarPublic_radScheduler" class="RadScheduler">'
        f'<table class="rsContentTable">{weeks}</table></div></div>'
    )
    return _page(site, "Meetings", module, f"{site.prefix}{site.meetings_page}")


def _holder(label: str, css: str, value: str, inner: str = "") -> str:
    return (
        f'<div class="holder"><div class="DNNLabel {css}Label"><div class="dnnLabel"><label><span>{label}:</span>'
        f'</label></div></div><div class="Value {css}">{value}</div>{inner}</div>'
    )


def _document_item(site: CmisSite, doc: CmisDocument, i: int) -> str:
    return (
        '<li class="DocumentListItem"><img class="FileTypeImage" src="/images/FileManager/Icons/pdf.gif" alt="pdf" />'
        f'<a id="dnn_ctr{site.mid}_ViewMeetingPublic_cmisPdfDocuments_rptDocuments_linkTitle_{i}" '
        f'title="Click to view \'{escape(doc.title)}\'" class="TitleLink" href="{escape(site.document_path(doc))}" '
        f'target="_blank">{escape(doc.title)}</a> <span class="FileSize">(156Kb)</span></li>'
    )


def _document_list(site: CmisSite, docs: list[CmisDocument], start: int = 0) -> str:
    if not docs:
        return ""
    lis = "".join(_document_item(site, d, start + i) for i, d in enumerate(docs))
    return f'<ol class="DocumentList">{lis}</ol>'


def _items_block(site: CmisSite, m: CmisMeeting) -> str:
    blocks, n = [], 0
    for it in m.items:
        docs = _document_list(site, it.documents, n)
        n += len(it.documents)
        minutes = "".join(f"<p>{escape(line)}</p>" for line in (it.minutes or "").split("\n") if line)
        minutes = f'<div class="ItemMinutes">{minutes}</div>' if minutes else ""
        blocks.append(
            f'<div class="AgendaItem"><span class="ItemNumber">{escape(it.number)}.</span> '
            f'<span class="ItemTitle">{escape(it.title)}</span>{minutes}{docs}</div>'
        )
    return f'<div class="AgendaItems"><h2>Agenda items</h2>{"".join(blocks)}</div>'


def _meeting_page(site: CmisSite, m: CmisMeeting) -> bytes:
    venue = f'<a href="{site.prefix}{site.page_folder}/tabid/{site.tabid}/ctl/MeetingVenueDetails/mid/{site.mid}/VenueID/13/Default.aspx">{escape(m.venue)}</a>'
    status = "Cancelled" if m.cancelled else "Scheduled"
    summary = (
        _holder("Committee", "Committee", escape(m.committee_name))
        + _holder("Date/Time", "DateTime", f"{m.when.day} {m.when:%b %Y} - {m.at:%H:%M}")
        + _holder("Status", "Venue", status, _holder("Venue", "Venue", venue))  # sic: CMIS's nested holder
    )
    if m.cancelled:
        docs = "<p>There are no documents for this meeting.</p>"
    elif site.agenda_items:
        docs = _items_block(site, m) + _document_list(site, m.documents, len(m.all_documents))
    else:
        docs = _document_list(site, _page_order(site, m))
    module = (
        '<div class="DNNModuleContent ModCMISMeetingsC"><h1>Meeting Details</h1>'
        f'{summary}<div id="dnn_ctr{site.mid}_ViewMeetingPublic_cmisPdfDocuments_pnlDocuments" class="CmisDocumentList">'
        f"{docs}</div></div>"
    )
    return _page(site, f"{m.committee_name} - {_fmt_long(m.when)}", module, site.meeting_path(m))


def _error_page() -> bytes:
    return b"<!DOCTYPE html><html><head><title>Error</title></head><body>An error has occurred.</body></html>"


def render_cmis_site(site: CmisSite) -> None:
    routes = site.routes
    routes.clear()
    entry = route_key(f"{site.prefix}{site.meetings_page}")
    routes[entry] = (HTML, _meetings_page(site))
    list_view = f"{site.prefix}{site.meetings_page}?ctl=MeetingCalendarListView&mid={site.mid}"
    routes[route_key(list_view)] = (HTML, _list_view(site))
    first = _shift_months(site.first_month, -site.empty_months_around)
    last = _shift_months(site.last_month, site.empty_months_around)
    for month in _months(first, last):
        routes[route_key(site.month_path(month.year, month.month))] = (HTML, _month_page(site, month))
    routes[route_key(f"{site.prefix}Document.ashx?sitewide=PrivacyNotice%3D")] = (
        "application/pdf",
        render_pdf(["Privacy notice", "How the council uses your data."]),
    )
    for m in site.meetings:
        routes[route_key(site.meeting_path(m))] = (HTML, _meeting_page(site, m))
        for doc in m.all_documents:
            body = (HTML, _error_page()) if doc.html_error else ("application/pdf", doc.body)
            routes[route_key(site.document_path(doc))] = body
