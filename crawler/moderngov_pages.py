"""Pure parsers for ModernGov pages: HTML text in, the dataclasses of ``crawler.pages`` out.

No network, no database, no files. Everything is read from inside ``div#modgov`` with the
``mg*`` classes ModernGov generates, so council templates (Bulma, old tables, side menus) do not
leak in. URLs are made absolute against the page URL and cleaned the way a browser would; a link
or id the archive cannot use is skipped (and listed in ``skipped``), never the whole page.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from crawler.dates import parse_date_text, parse_time_text
from crawler.html_text import block_text, elements, inline_text, read_html, xpath
from crawler.pages import (
    AgendaItem,
    CommitteeLink,
    DocumentLink,
    MeetingLink,
    MeetingList,
    MeetingPage,
)
from crawler.urls import clean_href, page_name, query_param, site_id

# ModernGov's meeting-document ``T=`` codes (documents/g<MId>/...pdf?T=n).
DOCUMENT_KIND_BY_T = {
    "0": "agenda_frontsheet",
    "1": "printed_minutes",
    "2": "printed_decisions",
    "9": "agenda_pack",
    "10": "agenda_pack",
}
MAX_YEAR_OPTIONS = 200  # a year select longer than this is junk, not history


class NotModernGov(ValueError):
    """The page has no ``div#modgov``: a firewall challenge, an error page or another platform."""


def _attr(sel, name: str) -> str:
    """An attribute's value, or "" (of a Selector or an lxml element): through XPath, which (unlike
    ``.attrib``) never raises on a control character in some other attribute's name."""
    found = elements(sel)
    return xpath(f"string(@{name})")(found[0]) if found else ""


def _modgov(html: str, skipped: list[str] | None = None) -> Selector:
    return _modgov_of(read_html(html, skipped))


def _modgov_of(sel: Selector) -> Selector:
    root = sel.css("div#modgov")
    if not root:
        raise NotModernGov("no div#modgov in page")
    return root[0]


def _links(root, url: str, skipped: list[str]):
    """(anchor, absolute URL) of every usable link of this site; the others go to ``skipped``.
    The anchors are lxml elements (``root``: a Selector or an lxml element)."""
    host = (urlsplit(url).hostname or "").lower()
    for a in (a for el in elements(root) for a in xpath(".//a[@href]")(el)):
        raw = _attr(a, "href")
        href = clean_href(raw, url)
        if href is None:
            if raw.strip() and not raw.strip().startswith("#"):
                skipped.append(f"link {raw.strip()[:200]!r}: not an http(s) URL of a page")
            continue
        if host and (urlsplit(href).hostname or "").lower() != host:
            if _is_document_href(href) or page_name(href) in ("ielistdocuments.aspx", "ielistmeetings.aspx"):
                skipped.append(f"link {href[:200]}: on another site, not archived as this council's")
            continue
        yield a, href


def parse_committee_list(html: str, url: str) -> list[CommitteeLink]:
    """Committees linked from mgListCommittees.aspx or mgCommitteeStructure.aspx."""
    root = _modgov(html)
    found: dict[int, CommitteeLink] = {}
    for a, href in _links(root, url, []):
        page = page_name(href)
        if page == "mgcommitteedetails.aspx":
            cid = site_id(query_param(href, "ID"))
        elif page == "ielistmeetings.aspx":
            cid = site_id(query_param(href, "CommitteeId", "CId"))
        else:
            continue
        name = inline_text(a)
        if cid is not None and name and cid not in found:
            found[cid] = CommitteeLink(cid, name, href)
    return list(found.values())


def _year(value: str) -> int | None:
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) != 4:
        return None
    year = int(value)
    return year if 1900 <= year <= 2100 else None


def parse_meeting_list(html: str, url: str) -> MeetingList:
    """ieListMeetings.aspx: the year select and the meetings (``li`` or older ``tr`` rows)."""
    skipped: list[str] = []
    root = _modgov(html, skipped)
    years: set[int] = set()
    for value in root.css("select#YearSelect option::attr(value)").getall():
        year = _year(value)
        if year is None:
            if value.strip() not in ("", "0"):
                skipped.append(f"year option {value.strip()[:40]!r}: not a year")
        elif len(years) < MAX_YEAR_OPTIONS:
            years.add(year)
    committee_id = site_id(root.css("input[name=hCommitteeId]::attr(value)").get()) or site_id(
        query_param(url, "CId", "CommitteeId")
    )
    name = inline_text(root.css("div.mgSubTitle h2.mgSubTitleTxt")[:1]) or None
    found: list[tuple] = []  # (anchor, href, meeting id, row element or None)
    links_per_row: dict[object, int] = {}
    for a, href in _links(root, url, skipped):
        if page_name(href) != "ielistdocuments.aspx":
            continue
        raw_mid = query_param(href, "MId")
        mid = site_id(raw_mid)
        if mid is None:
            if raw_mid:
                skipped.append(f"meeting link {href[:200]}: MId {raw_mid[:40]!r} is not a usable id")
            continue
        row = xpath("ancestor::*[self::li or self::tr][1]")(a)
        key = row[0] if row else None
        links_per_row[key] = links_per_row.get(key, 0) + 1
        found.append((a, href, mid, key))
    meetings: dict[int, MeetingLink] = {}
    for a, href, mid, row in found:
        if mid in meetings:
            continue
        link_text = inline_text(a)
        if row is not None and links_per_row[row] == 1:
            row_text = inline_text(row)
            suffix = row_text.split(link_text, 1)[-1] if link_text and link_text in row_text else ""
        else:  # a row of many links: what follows each link is its own suffix (linear, not row x links)
            suffix = " ".join((a.tail or "").split())
        suffix = suffix.strip().lstrip("-–").strip()[:200]
        when = link_text or _attr(a, "title")
        meetings[mid] = MeetingLink(
            committee_site_id=site_id(query_param(href, "CId")) or committee_id,
            site_id=mid,
            url=href,
            date=parse_date_text(when) or parse_date_text(_attr(a, "title")),
            time=parse_time_text(when),
            suffix=suffix,
        )
    return MeetingList(committee_id, name, sorted(years), list(meetings.values()), skipped)


def document_kind(url: str, title: str = "") -> str:
    """Classify a document link by its ModernGov URL shape (never by the server's file name)."""
    path = urlsplit(url).path
    last = page_name(url)
    if last == "mgchoosedocpack.aspx":
        return "supplement" if query_param(url, "SID") else "agenda_pack"
    parts = [p.lower() for p in path.split("/") if p]
    if "documents" in parts[:-1]:
        folder = parts[parts.index("documents") + 1]
        if folder.startswith("g"):
            return DOCUMENT_KIND_BY_T.get(query_param(url, "T") or "", "other")
        if folder.startswith("s"):
            return "report"
        if folder.startswith("b"):
            return "supplement" if "supplement" in title.lower() else "agenda_pack"
    if last == "mgconvert2pdf.aspx":
        return "report"
    return "other"


def _is_document_href(url: str) -> bool:
    parts = [p.lower() for p in urlsplit(url).path.split("/") if p]
    if "documents" in parts[:-1]:
        return True
    return bool(parts) and parts[-1] in ("mgchoosedocpack.aspx", "mgconvert2pdf.aspx")


def _link_title(a) -> str:
    """Link text without ModernGov's file-size badge and hidden ", item 59." suffix."""
    return inline_text(
        a,
        ".//text()[not(ancestor::span[contains(@class,'mgFileSize')])]"
        "[not(ancestor::span[contains(@class,'mgHide')])]",
    )


def _block_after(cell, label: str):
    """The content that follows a ``p.mgSubItemTitleTxt`` label ("Minutes:", "Decision:")."""
    heads = xpath(".//p[contains(@class,'mgSubItemTitleTxt')][normalize-space()=$label]")(cell, label=label)
    if not heads:
        return None
    nxt = xpath("following-sibling::*[1]")(heads[0])
    if not nxt or nxt[0].tag != "div":
        return None
    return nxt[0]


def _description(body) -> str | None:
    """The item's own text between its title and its "Minutes:"/"Decision:" label (often the
    recommendation, e.g. "To confirm the minutes of the meeting held on ...")."""
    parts = []
    for el in xpath("./*")(body):
        classes = _attr(el, "class")
        if "mgAiTitleTxt" in classes:
            continue
        if "mgSubItemTitleTxt" in classes:
            break
        text = block_text(el)
        if text:
            parts.append(text)
    return "\n".join(parts) or None


def _first_name(cell) -> str:
    names = xpath(".//a[@name]/@name")(cell)
    return names[0] if names else ""


def _parse_item_row(tr, url: str, skipped: list[str]) -> AgendaItem | None:
    """One row of the agenda table (an lxml element)."""
    cells = xpath("./td")(tr)
    if len(cells) < 2:
        return None
    number_cell, body = cells[0], cells[1]
    anchor = _first_name(number_cell) or _first_name(body)
    ai_id = site_id(anchor[2:]) if anchor.upper().startswith("AI") else None
    number = inline_text(number_cell).rstrip(".").strip()[:40]
    title_p = xpath("./p[contains(@class,'mgAiTitleTxt')]")(body)
    title = _link_title(title_p[0]) if title_p else ""
    item = AgendaItem(ai_id=ai_id, number=number, title=title, description=_description(body))
    for label, attr in (("Minutes:", "minutes"), ("Decision:", "decision")):
        block = _block_after(body, label)
        if block is not None:
            setattr(item, f"{attr}_html", _html(block))
            setattr(item, f"{attr}_text", block_text(block))
    for a, href in _links(body, url, skipped):
        if page_name(href) == "mgai.aspx":
            item.full_text_url = item.full_text_url or href
        elif _is_document_href(href):
            title = _link_title(a)
            item.documents.append(DocumentLink(href, title, document_kind(href, title), ai_id))
    return item


def _html(element) -> str:
    # as parsel's Selector.get() serialises an element of an HTML page
    return etree.tostring(element, method="html", encoding="unicode", with_tail=False)


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


def parse_meeting_page(html: str, url: str) -> MeetingPage:
    """ieListDocuments.aspx: the meeting, its documents and its numbered agenda items."""
    skipped: list[str] = []
    sel = read_html(html, skipped)
    root = _modgov_of(sel)
    subtitle_a = root.css("h2.mgSubTitleTxt a")
    subtitle = inline_text(root.css("h2.mgSubTitleTxt"))
    committee_name = None
    committee_id = site_id(query_param(url, "CId"))
    if subtitle_a:
        committee_id = committee_id or site_id(query_param(_attr(subtitle_a[0], "href"), "ID"))
    title_attr = _attr(subtitle_a[0], "title") if subtitle_a else ""
    if title_attr.startswith("Link to "):
        committee_name = title_attr[len("Link to ") :].strip()
    when = subtitle
    if committee_name and subtitle.startswith(committee_name):
        when = subtitle[len(committee_name) :]
    elif " - " in subtitle:
        committee_name, when = subtitle.rsplit(" - ", 1)
    meeting_date = parse_date_text(when) or _iso_date(sel.xpath("//meta[@name='DC.date']/@content").get())
    date_modified = _iso_date(sel.xpath("//meta[@name='DC.date.modified']/@content").get())
    status = "cancelled" if re.search(r"\bCANCELLED\b", subtitle, re.IGNORECASE) else "scheduled"
    if re.search(r"\bPOSTPONED\b", subtitle, re.IGNORECASE):
        status = "postponed"
    venue = None
    for label in root.css("span.mgLabel"):
        if inline_text(label).rstrip(":").strip().lower() in ("venue", "proposed venue"):
            parts = label.xpath("..")[0].xpath(
                "./text()|./*[not(contains(@class,'mgLabel'))][not(self::a[contains(.,'directions')])]//text()"
            )
            venue = " ".join(" ".join(parts.getall()).split()) or None
            break
    documents: list[DocumentLink] = []
    for action_list in root.css("ul.mgActionList"):
        for a, href in _links(action_list, url, skipped):
            if _is_document_href(href):
                title = _link_title(a)
                documents.append(DocumentLink(href, title, document_kind(href, title)))
    items = []
    for tr in root.css("table.mgItemTable > tr, table.mgItemTable > tbody > tr"):
        item = _parse_item_row(tr.root, url, skipped)
        if item is not None:
            items.append(item)
    raw_mid = query_param(url, "MId")
    if raw_mid and site_id(raw_mid) is None:
        skipped.append(f"meeting id {raw_mid[:40]!r} of {url[:200]} is not a usable id")
    page_title = sel.xpath("//meta[@name='DC.title']/@content").get() or inline_text(sel.css("title"))
    return MeetingPage(
        committee_site_id=committee_id,
        committee_name=committee_name.strip(" -") if committee_name else None,
        site_id=site_id(raw_mid),
        date=meeting_date,
        time=parse_time_text(when),
        status=status,
        venue=venue,
        title=page_title or None,
        date_modified=date_modified,
        documents=documents,
        items=items,
        skipped=skipped,
    )


def parse_doc_pack_page(html: str, url: str) -> list[DocumentLink]:
    """mgChooseDocPack.aspx answered with HTML: the PDF links it offers."""
    root = _modgov(html)
    links = []
    for a, href in _links(root, url, []):
        if _is_document_href(href) and page_name(href) != "mgchoosedocpack.aspx":
            title = _link_title(a)
            links.append(DocumentLink(href, title, document_kind(href, title)))
    return links
