"""Generated ModernGov sites for the demo, the tests and the benchmarks.

Pages copy the markup of real ModernGov installs (Kingston's ``li`` layout of 2026 and the older
``tr`` table layout), including their quirks: hrefs with spaces, ``&amp;`` and CR-LF, " - CANCELLED"
list suffixes, document packs behind ``mgChooseDocPack.aspx``, sub-path installs. PDFs are rendered
with fpdf2. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from urllib.parse import quote

from fpdf import FPDF

PAGE_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="DC.title" content="{title}"/>
{meta}<title>{title} - Modern Council</title></head>
<body class="has-background-light"><div class="container">
<nav class="menu"><ul class="menu-list">
<li><a href="mgCalendarMonthView.aspx?GL=1&amp;bcr=1">Calendar</a></li>
<li><a href="mgListCommittees.aspx?bcr=1">Committees</a></li>
<li><a href="mgCommitteeDetails.aspx?ID=99999">A committee link outside div#modgov</a></li>
</ul></nav>
<div id="modgov"><div class="mgHeader"><h1 class="mgMainTitleTxt">{h1}</h1></div>
"""
PAGE_FOOT = """<div class="mgFooter"><p>&nbsp;</p></div></div></div>
<footer class="footer"><small>&copy; Sample Borough Council</small></footer></body></html>
"""

ITEM_TITLES = [
    "Apologies for Absence",
    "Declarations of Interest",
    "Minutes",
    "Public Question Time",
    "Petitions",
    "Budget Monitoring Report",
    "Highways Maintenance Programme",
    "Community Grants Programme",
    "Work Programme",
    "Annual Report of the Safeguarding Partnership",
    "Parking Review",
    "Air Quality Action Plan",
    "Any Other Business",
]


@dataclass
class SampleDocument:
    href: str  # as written in the page (may hold spaces, &amp; and CR-LF)
    title: str
    kind: str
    text: list[str]


@dataclass
class SampleItem:
    ai_id: int
    number: int
    title: str
    minutes: str | None
    documents: list[SampleDocument] = field(default_factory=list)


@dataclass
class SampleMeeting:
    committee_id: int
    committee_name: str
    mid: int
    gid: int
    when: date
    at: time
    venue: str
    cancelled: bool = False
    items: list[SampleItem] = field(default_factory=list)
    documents: list[SampleDocument] = field(default_factory=list)

    @property
    def href(self) -> str:
        return f"ieListDocuments.aspx?CId={self.committee_id}&amp;MId={self.mid}&amp;Ver=4"

    @property
    def suffix(self) -> str:
        if self.cancelled:
            return " - CANCELLED"
        kinds = {d.kind for d in self.documents}
        parts = ["Agenda"] + (["Minutes"] if "printed_minutes" in kinds else [])
        return " - " + ", ".join(parts)


@dataclass
class SampleCommittee:
    site_id: int
    name: str
    layout: str  # "li" (current ModernGov) or "tr" (older installs)
    meetings: list[SampleMeeting] = field(default_factory=list)


@dataclass
class SampleSite:
    """A whole site: its committees plus the rendered routes, keyed by path+query."""

    prefix: str
    committees: list[SampleCommittee]
    routes: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    has_list_committees: bool = True

    @property
    def meetings(self) -> list[SampleMeeting]:
        return [m for c in self.committees for m in c.meetings]


def _fmt_long(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def _fmt_time(t: time) -> str:
    return f"{(t.hour - 1) % 12 + 1}:{t.minute:02d} {'pm' if t.hour >= 12 else 'am'}"


def render_pdf(lines: list[str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(True)
    pdf.set_creator("council-archive sample site")
    # A fixed date: the same text renders to the same bytes, as a real server's stored file would.
    pdf.set_creation_date(datetime(2020, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        safe = line.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, 6, safe or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# -- building the model -----------------------------------------------------------------------


def build_site(
    committees: int = 2,
    years: tuple[int, ...] = (2024, 2025),
    meetings_per_year: int = 3,
    prefix: str = "/",
    tr_layout_committees: int = 1,
    cancelled_every: int = 5,
    seed: int = 1,
    has_list_committees: bool = True,
) -> SampleSite:
    rnd = random.Random(seed)
    names = [
        "Planning Committee",
        "Cabinet",
        "Audit and Governance Committee",
        "Licensing Committee",
        "Scrutiny Board (2)",
        "Health Overview and Scrutiny Panel",
        "Pension Fund Panel",
        "Council",
    ]
    site_committees = []
    mid, gid, ai, sid = 10100, 20100, 50100, 110000
    counter = 0
    for c in range(committees):
        name = names[c % len(names)] + (f" {c // len(names) + 1}" if c >= len(names) else "")
        layout = "tr" if c >= committees - tr_layout_committees else "li"
        committee = SampleCommittee(700 + c, name, layout)
        minute_no = 0
        previous: SampleMeeting | None = None  # the committee's last meeting that took place
        for year in years:
            for k in range(meetings_per_year):
                counter += 1
                month = 1 + (k * 12 // max(meetings_per_year, 1))
                when = date(year, month, 1) + timedelta(days=rnd.randrange(0, 25))
                mid, gid = mid + 1, gid + 1
                meeting = SampleMeeting(
                    committee.site_id,
                    name,
                    mid,
                    gid,
                    when,
                    time(19, 0) if k % 2 else time(14, 0),
                    rnd.choice(["Guildhall, Sample upon Thames", "Committee Room 1 - Council House"]),
                    cancelled=cancelled_every > 0 and counter % cancelled_every == 0,
                )
                if not meeting.cancelled:
                    for n, title in enumerate(rnd.sample(ITEM_TITLES, 4)):
                        minute_no += 1
                        ai += 1
                        item = SampleItem(ai, minute_no, title, _minutes_text(rnd, title, when, previous))
                        if n % 2 == 1:
                            sid += 1
                            item.documents.append(
                                SampleDocument(
                                    f"documents/s{sid}/{title} report {when:%d-%b-%Y}.pdf",
                                    title,
                                    "report",
                                    [
                                        f"Report to {name}",
                                        title,
                                        f"Date of meeting: {_fmt_long(when)}",
                                        *(_paragraph(rnd) for _ in range(3)),
                                    ],
                                )
                            )
                        meeting.items.append(item)
                    meeting.documents = _meeting_documents(rnd, meeting)
                if not meeting.cancelled:
                    previous = meeting
                committee.meetings.append(meeting)
        site_committees.append(committee)
    site = SampleSite(
        prefix if prefix.endswith("/") else prefix + "/",
        site_committees,
        has_list_committees=has_list_committees,
    )
    render_site(site)
    return site


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
    ]
    return " ".join(rnd.choice(words) for _ in range(rnd.randrange(12, 30))).capitalize() + "."


def _minutes_text(rnd: random.Random, title: str, when: date, previous: SampleMeeting | None) -> str:
    """Minutes text; it cites the committee's previous meeting and now and then one of its minutes."""
    if title == "Minutes":
        prev = previous.when if previous else when - timedelta(days=rnd.randrange(28, 70))
        return (
            f"The minutes of the meeting held on {prev.day} {prev:%B %Y} were approved as a correct record."
        )
    if title == "Apologies for Absence":
        return "Apologies were received from Councillors Smith and Jones."
    text = f"{_paragraph(rnd)}\nRESOLVED that the report be noted."
    if previous and previous.items and rnd.random() < 0.4:
        cited = rnd.choice(previous.items)
        year = previous.when.year if previous.when.month >= 5 else previous.when.year - 1  # municipal year
        text = f"Further to Minute {cited.number}/{year % 100:02d} the Committee noted progress.\n" + text
    return text


def _meeting_documents(rnd: random.Random, m: SampleMeeting) -> list[SampleDocument]:
    stamp = f"{_fmt_long(m.when).split(' ', 1)[0]} {m.when:%d-%b-%Y} {m.at:%H.%M} {m.committee_name}"
    agenda = [f"{m.committee_name}", f"{_fmt_long(m.when)} at {_fmt_time(m.at)}", "Agenda"] + [
        f"{it.number}. {it.title}" for it in m.items
    ]
    minutes = [
        "Minutes of the Meeting of " + m.committee_name,
        f"held at {_fmt_time(m.at)} on {_fmt_long(m.when)}",
        "Present: Councillors Smith (Chair), Jones and Patel",
    ]
    for it in m.items:
        minutes += [f"{it.number}. {it.title.upper()}", *(it.minutes or "").split("\n")]
    docs = [
        SampleDocument(
            f"documents/g{m.gid}/Agenda frontsheet {stamp}.pdf?T=0",
            "Agenda frontsheet",
            "agenda_frontsheet",
            agenda,
        ),
        SampleDocument(
            f"mgChooseDocPack.aspx?ID={m.gid}",
            "Agenda reports pack",
            "agenda_pack",
            agenda + ["Reports"] + [_paragraph(rnd) for _ in range(4)],
        ),
    ]
    if rnd.random() < 0.4:
        docs.append(
            SampleDocument(
                f"mgChooseDocPack.aspx?ID={m.gid}&amp;SID={m.gid + 5000}",
                "Supplement: Late Material",
                "supplement",
                ["Supplement", _paragraph(rnd)],
            )
        )
    docs.append(
        SampleDocument(
            f"documents/g{m.gid}/Printed\r\nminutes {stamp}.pdf?T=1",
            "Printed minutes",
            "printed_minutes",
            minutes,
        )
    )
    return docs


# -- rendering ------------------------------------------------------------------------------


def route_key(path_and_query: str) -> str:
    """How the server and the renderer agree on a URL: decoded path, sorted lowercase-keyed query."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    parts = urlsplit(path_and_query)
    query = sorted((k.lower(), v) for k, v in parse_qsl(parts.query, keep_blank_values=True))
    key = unquote(parts.path)
    return key + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")


def _href_route(prefix: str, href: str) -> str:
    clean = href.replace("&amp;", "&").replace("\r", "").replace("\n", "")
    return route_key(prefix + quote(clean, safe="/?&=:"))


def _html(title: str, h1: str, body: str, meta: str = "") -> bytes:
    return (PAGE_HEAD.format(title=escape(title), h1=escape(h1), meta=meta) + body + PAGE_FOOT).encode(
        "utf-8"
    )


def render_site(site: SampleSite) -> None:
    p = site.prefix
    routes = site.routes
    routes.clear()
    structure = "".join(
        '<h2 class="mgSectionTitle">Committees</h2>\n<ul class="mgBulletList">\n'
        + "".join(
            f'<li><a href="mgCommitteeDetails.aspx?ID={c.site_id}" title="Link to details for {escape(c.name)}">'
            f"{escape(c.name)}</a></li>\n"
            for c in site.committees
        )
        + "</ul>"
    )
    page = _html("Committee structure", "Committee structure", f'<div class="mgContent">{structure}</div>')
    routes[route_key(p + "mgCommitteeStructure.aspx")] = ("text/html; charset=utf-8", page)
    if site.has_list_committees:
        routes[route_key(p + "mgListCommittees.aspx")] = ("text/html; charset=utf-8", page)
    for c in site.committees:
        years = sorted({m.when.year for m in c.meetings})
        latest = [m for m in c.meetings if m.when.year == years[-1]] if years else []
        routes[route_key(f"{p}ieListMeetings.aspx?CommitteeId={c.site_id}")] = (
            "text/html; charset=utf-8",
            _meeting_list(c, years, latest),
        )
        for y in years:
            routes[route_key(f"{p}ieListMeetings.aspx?CId={c.site_id}&Year={y}")] = (
                "text/html; charset=utf-8",
                _meeting_list(c, years, [m for m in c.meetings if m.when.year == y]),
            )
        for m in c.meetings:
            routes[_href_route(p, m.href)] = ("text/html; charset=utf-8", _meeting_page(m))
            for doc in [*m.documents, *(d for it in m.items for d in it.documents)]:
                route = _href_route(p, doc.href)
                pdf = render_pdf(doc.text)
                if doc.kind == "agenda_pack":
                    pack = f"documents/g{m.gid}/Public reports pack {m.when:%d-%b-%Y} {m.committee_name}.pdf?T=10"
                    body = (
                        f'<div class="mgContent"><ul class="mgActionList"><li><a href="{escape(pack)}">'
                        f"Agenda reports pack</a></li></ul></div>"
                    )
                    routes[route] = (
                        "text/html; charset=utf-8",
                        _html("Document pack", "Choose document pack", body),
                    )
                    routes[_href_route(p, pack)] = ("application/pdf", pdf)
                else:
                    routes[route] = ("application/pdf", pdf)


def _meeting_list(c: SampleCommittee, years: list[int], meetings: list[SampleMeeting]) -> bytes:
    options = '<option value="0"> </option>' + "".join(f'<option value="{y}">{y}</option>' for y in years)
    head = (
        f'<div class="mgSubTitle"><h2 class="mgSubTitleTxt">{escape(c.name)}</h2></div>\n'
        '<form method="post" action="ieListMeetings.aspx" id="FormYearSelect"><div class="mgLinks">'
        '<ul class="mgActionList"><li><label for="YearSelect">Show meetings for the year: </label>'
        f'<select size="1" id="YearSelect" name="YearSelect">{options}</select></li></ul></div>'
        f'<div class="mgContent"><div class="mgHiddenField"><input type="hidden" name="hCommitteeId" '
        f'value="{c.site_id}" /></div>'
    )
    ordered = sorted(meetings, key=lambda m: m.when, reverse=True)
    if c.layout == "li":
        rows = "".join(
            f'<li class="mgTableEvenRow"><a class="mgMeetingTableLnk" href="{m.href}" '
            f'title="Link to meeting details for {escape(c.name)} meeting of {m.when.day} {m.when:%b %Y}">'
            f"{m.when.day} {m.when:%b %Y}&nbsp;{_fmt_time(m.at).replace(':', '&#58;')}</a>{m.suffix}</li>"
            for m in ordered
        )
        listing = f'<ul class="mgNonBulletTableList">{rows}</ul>'
    else:
        rows = "".join(
            f'<tr class="mgTableOddRow"><td class="mgTableTd"><a href="{m.href}">'
            f"{m.when:%d/%m/%Y} {m.at:%H:%M}</a>{m.suffix}</td></tr>\n"
            for m in ordered
        )
        listing = (
            f'<table class="mgTable" summary="Table of meetings"><tr><th scope="col">Date</th></tr>'
            f"{rows}</table>"
        )
    body = (
        head
        + f'<div class="mgTableBorder"><div class="mgTableTitleTxt">Meetings</div>{listing}</div></div></form>'
    )
    return _html(f"Browse meetings - {c.name}", "Browse meetings", body)


def _doc_link(doc: SampleDocument, item_no: int | None = None) -> str:
    hide = f'<span class="mgHide">, item {item_no}.</span>' if item_no else ""
    return (
        f'<a href="{escape(doc.href, quote=True).replace("&amp;amp;", "&amp;")}" '
        f'title="Link to document {escape(doc.title)} pdf file">{escape(doc.title)} {hide}'
        f'<span class="mgFileSize"><img src="mgimages/logo-pdf-1.gif" alt="" /> PDF 120 KB</span> </a>'
    )


def _meeting_page(m: SampleMeeting) -> bytes:
    when = f"{_fmt_long(m.when)} {_fmt_time(m.at)}"
    sub = f"{m.committee_name} - {when}" + (", CANCELLED" if m.cancelled else "")
    head = (
        f'<div class="mgSubTitle"><h2 class="mgSubTitleTxt"><a href="mgCommitteeDetails.aspx?ID={m.committee_id}" '
        f'title="Link to {escape(m.committee_name)}">{escape(sub)}</a></h2></div>\n'
    )
    links = "".join(f"<li>{_doc_link(d)}</li>\n" for d in m.documents)
    actions = f'<div class="mgLinks"><ul class="mgActionList">{links}</ul></div>'
    if m.cancelled:
        content = (
            '<div class="mgContent"><p>No documents are available for this meeting</p>'
            f'<p><span class="mgLabel">Proposed venue: </span>{escape(m.venue)}</p></div>'
        )
    else:
        rows = []
        for it in m.items:
            first, *more = it.documents or [None]
            title = (
                f'<p class="mgAiTitleTxt">{_doc_link(first)}</p>'
                if first
                else f'<p class="mgAiTitleTxt">{escape(it.title)}</p>'
            )
            minutes = ""
            if it.minutes:
                paras = "".join(f'<p class="MsoNormal">{escape(x)}</p>' for x in it.minutes.split("\n"))
                minutes = (
                    f'<p class="mgSubItemTitleTxt">Minutes:</p>\n'
                    f'<div class="mgWordPara"><div class="WordSection1">{paras}</div></div>'
                )
            rows.append(
                f'<tr><td class="mgItemNumberCell"><p class="mgAiTitleTxt"><a name="AI{it.ai_id}"></a>'
                f"{it.number}.</p></td>\n<td>{title}\n{minutes}</td></tr>"
            )
        content = (
            f'<div class="mgContent"><p><span class="mgLabel">Venue: </span>{escape(m.venue)}</p>'
            '<table class="mgItemTable" summary="Table of agenda items" id="mgItemTable">'
            '<caption class="mgSectionTitle">Items</caption><tr><th class="mgHide">No.</th>'
            f'<th class="mgHide">Item</th></tr>{"".join(rows)}</table></div>'
        )
    meta = f'<meta name="DC.date" scheme="W3CDTF" content="{m.when.isoformat()}"/>\n'
    title = f"Agenda for {m.committee_name} on {when}"
    h1 = "Meeting" if m.cancelled else "Agenda and minutes"
    return _html(title, h1, head + actions + content, meta)
