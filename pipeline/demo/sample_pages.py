"""The pages and PDFs of a generated ModernGov site, in the markup of real installs.

Pages copy the markup of real ModernGov installs (Kingston's ``li`` layout of 2026 and the older
``tr`` table layout), including their quirks: hrefs with spaces, ``&amp;`` and CR-LF, " - CANCELLED"
list suffixes, document packs behind ``mgChooseDocPack.aspx``, sub-path installs. PDFs are rendered
with fpdf2.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from urllib.parse import quote

from fpdf import FPDF

from pipeline.demo.sample_model import (
    SampleCommittee,
    SampleDocument,
    SampleMeeting,
    SampleSite,
    fmt_long,
    fmt_time,
)

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
<footer class="footer">{footer}<small>&copy; {council}</small></footer></body></html>
"""
# Typographic characters of real council text that the PDF core fonts (latin-1) lack.
PDF_SAFE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u2022": "\u00b7",
        "\u00a0": " ",
        "\uf0b7": "\u00b7",
    }
)


def render_pdf(lines: list[str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(True)
    pdf.set_creator("council-archive sample site")
    # A fixed date: the same text renders to the same bytes, as a real server's stored file would.
    pdf.set_creation_date(datetime(2020, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        safe = line.translate(PDF_SAFE).encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, 6, safe or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# -- building the model -----------------------------------------------------------------------


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


def _html(title: str, h1: str, body: str, meta: str = "", footer: str = "", council: str = "") -> bytes:
    foot = PAGE_FOOT.format(footer=footer, council=escape(council or "Sample Borough Council"))
    return (PAGE_HEAD.format(title=escape(title), h1=escape(h1), meta=meta) + body + foot).encode("utf-8")


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
            routes[_href_route(p, m.href)] = ("text/html; charset=utf-8", _meeting_page(m, site.name))
            for doc in [*m.documents, *(d for it in m.items for d in it.documents)]:
                route = _href_route(p, doc.href)
                pdf = doc.raw if doc.raw is not None else render_pdf(doc.text)
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
            f"{m.when.day} {m.when:%b %Y}&nbsp;{fmt_time(m.at).replace(':', '&#58;')}</a>{m.suffix}</li>"
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


def _meeting_page(m: SampleMeeting, council: str = "") -> bytes:
    when = f"{fmt_long(m.when)} {fmt_time(m.at)}"
    sub = f"{m.committee_name} - {when}" + (", CANCELLED" if m.cancelled else "")
    head = (
        f'<div class="mgSubTitle"><h2 class="mgSubTitleTxt"><a href="mgCommitteeDetails.aspx?ID={m.committee_id}" '
        f'title="Link to {escape(m.committee_name)}">{escape(sub)}</a></h2></div>\n'
    )
    links = "".join(f"<li>{_doc_link(d)}</li>\n" for d in m.documents)
    actions = f'<div class="mgLinks"><ul class="mgActionList">{links}</ul></div>'
    if m.cancelled or not m.items:
        none = "<p>No documents are available for this meeting</p>" if m.cancelled else ""
        label = "Proposed venue" if m.cancelled else "Venue"
        content = f'<div class="mgContent">{none}<p><span class="mgLabel">{label}: </span>{escape(m.venue)}</p></div>'
    else:
        rows = []
        for it in m.items:
            first, *more = it.documents or [None]
            title = (
                f'<p class="mgAiTitleTxt">{_doc_link(first)}</p>'
                if first
                else f'<p class="mgAiTitleTxt">{escape(it.title)}</p>'
            )
            minutes = "".join(f"<p>{escape(x)}</p>" for x in (it.description or "").split("\n") if x)
            if it.minutes:
                paras = "".join(f'<p class="MsoNormal">{escape(x)}</p>' for x in it.minutes.split("\n"))
                minutes += (
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
    footer = (
        f'<p class="source">Text as published at <a href="{escape(m.source, quote=True)}">{escape(m.source)}</a></p>'
        if m.source
        else ""
    )
    return _html(title, h1, head + actions + content, meta, footer, council)
