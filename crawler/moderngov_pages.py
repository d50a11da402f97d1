"""Pure parsers for ModernGov pages: HTML text in, dataclasses out.

No network, no database, no files. Everything is read from inside ``div#modgov`` with the
``mg*`` classes ModernGov generates, so council templates (Bulma, old tables, side menus) do not
leak in. URLs are made absolute against the page URL and cleaned the way a browser would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from urllib.parse import parse_qs, urljoin, urlsplit

from parsel import Selector
from w3lib.url import safe_url_string

from crawler.dates import parse_date_text

# ModernGov's meeting-document ``T=`` codes (documents/g<MId>/...pdf?T=n).
DOCUMENT_KIND_BY_T = {
    "0": "agenda_frontsheet",
    "1": "printed_minutes",
    "2": "printed_decisions",
    "9": "agenda_pack",
    "10": "agenda_pack",
}
DOCUMENT_KINDS = (
    "agenda_pack",
    "agenda_frontsheet",
    "printed_minutes",
    "printed_decisions",
    "supplement",
    "report",
    "other",
)


@dataclass(frozen=True)
class CommitteeLink:
    site_id: int
    name: str
    url: str


@dataclass(frozen=True)
class MeetingLink:
    committee_site_id: int | None
    site_id: int
    url: str
    date: date | None
    time: time | None
    suffix: str  # what the list shows after the link: "Agenda, Decisions, Minutes", "CANCELLED", ""

    @property
    def cancelled(self) -> bool:
        return "CANCELLED" in self.suffix.upper()


@dataclass(frozen=True)
class MeetingList:
    committee_site_id: int | None
    committee_name: str | None
    years: list[int]
    meetings: list[MeetingLink]


@dataclass(frozen=True)
class DocumentLink:
    url: str
    title: str
    kind: str
    item_ai_id: int | None = None


@dataclass
class AgendaItem:
    ai_id: int | None
    number: str  # as shown in the row: "54." -> "54"
    title: str
    minutes_html: str | None = None
    minutes_text: str | None = None
    decision_html: str | None = None
    decision_text: str | None = None
    full_text_url: str | None = None  # mgAi.aspx page holding minutes the meeting page truncated
    documents: list[DocumentLink] = field(default_factory=list)


@dataclass
class MeetingPage:
    committee_site_id: int | None
    committee_name: str | None
    site_id: int | None
    date: date | None
    time: time | None
    status: str  # "scheduled" | "cancelled"
    venue: str | None
    title: str | None
    date_modified: date | None
    documents: list[DocumentLink]
    items: list[AgendaItem]


class NotModernGov(ValueError):
    """The page has no ``div#modgov``: a firewall challenge, an error page or another platform."""


def clean_href(href: str, base_url: str) -> str:
    """Absolute, browser-equivalent URL for an href as written in the markup.

    Browsers drop tabs and newlines inside URLs (WHATWG URL standard) and percent-encode spaces;
    ModernGov hrefs contain both (file names with spaces, hrefs wrapped over CR-LF).
    """
    href = href.replace("\t", "").replace("\r", "").replace("\n", "").strip()
    return safe_url_string(urljoin(base_url, href))


def query_param(url: str, *names: str) -> str | None:
    """First value of any of ``names`` in the URL's query, case-insensitively."""
    query = {k.lower(): v for k, v in parse_qs(urlsplit(url).query).items()}
    for name in names:
        values = query.get(name.lower())
        if values:
            return values[0]
    return None


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else None


def _text(sel, xpath: str = ".//text()") -> str:
    # Text nodes carry their own whitespace in HTML: join them as they are, then collapse.
    return " ".join("".join(sel.xpath(xpath).getall()).replace("\xa0", " ").split())


def _modgov(html: str) -> Selector:
    root = Selector(text=html).css("div#modgov")
    if not root:
        raise NotModernGov("no div#modgov in page")
    return root[0]


# "7:30 pm", "7.00 pm", "19:30".
_TIME_RE = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s*m\b", re.IGNORECASE)
_TIME24_RE = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")


def parse_time_text(text: str) -> time | None:
    m = _TIME_RE.search(text)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if 1 <= hour <= 12 and minute < 60:
            hour = hour % 12 + (12 if m.group(3).lower() == "p" else 0)
            return time(hour, minute)
    m = _TIME24_RE.search(text)
    if m:
        return time(int(m.group(1)), int(m.group(2)))
    return None


def parse_committee_list(html: str, url: str) -> list[CommitteeLink]:
    """Committees linked from mgListCommittees.aspx or mgCommitteeStructure.aspx."""
    root = _modgov(html)
    found: dict[int, CommitteeLink] = {}
    for a in root.xpath(".//a[@href]"):
        href = clean_href(a.attrib["href"], url)
        page = urlsplit(href).path.rsplit("/", 1)[-1].lower()
        if page == "mgcommitteedetails.aspx":
            site_id = _int_or_none(query_param(href, "ID"))
        elif page == "ielistmeetings.aspx":
            site_id = _int_or_none(query_param(href, "CommitteeId", "CId"))
        else:
            continue
        name = _text(a)
        if site_id is not None and name and site_id not in found:
            found[site_id] = CommitteeLink(site_id, name, href)
    return list(found.values())


def parse_meeting_list(html: str, url: str) -> MeetingList:
    """ieListMeetings.aspx: the year select and the meetings (``li`` or older ``tr`` rows)."""
    root = _modgov(html)
    years = sorted(
        {int(v) for v in root.css("select#YearSelect option::attr(value)").getall() if v.strip().isdigit()}
        - {0}
    )
    committee_id = _int_or_none(root.css("input[name=hCommitteeId]::attr(value)").get()) or _int_or_none(
        query_param(url, "CId", "CommitteeId")
    )
    name = _text(root.css("div.mgSubTitle h2.mgSubTitleTxt")[:1]) or None
    meetings: dict[int, MeetingLink] = {}
    for a in root.xpath(".//a[@href]"):
        href = clean_href(a.attrib["href"], url)
        if urlsplit(href).path.rsplit("/", 1)[-1].lower() != "ielistdocuments.aspx":
            continue
        mid = _int_or_none(query_param(href, "MId"))
        if mid is None or mid in meetings:
            continue
        link_text = _text(a)
        row = a.xpath("ancestor::*[self::li or self::tr][1]")
        row_text = _text(row[0]) if row else link_text
        suffix = row_text.split(link_text, 1)[-1] if link_text and link_text in row_text else ""
        suffix = suffix.strip().lstrip("-–").strip()
        when = link_text or a.attrib.get("title", "")
        meetings[mid] = MeetingLink(
            committee_site_id=_int_or_none(query_param(href, "CId")) or committee_id,
            site_id=mid,
            url=href,
            date=parse_date_text(when) or parse_date_text(a.attrib.get("title", "")),
            time=parse_time_text(when),
            suffix=suffix,
        )
    return MeetingList(committee_id, name, years, list(meetings.values()))


def document_kind(url: str, title: str = "") -> str:
    """Classify a document link by its ModernGov URL shape (never by the server's file name)."""
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1].lower()
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
    parts = a.xpath(
        ".//text()[not(ancestor::span[contains(@class,'mgFileSize')])]"
        "[not(ancestor::span[contains(@class,'mgHide')])]"
    ).getall()
    return " ".join("".join(parts).replace("\xa0", " ").split())


def _block_after(cell, label: str):
    """The content that follows a ``p.mgSubItemTitleTxt`` label ("Minutes:", "Decision:")."""
    heads = cell.xpath(f".//p[contains(@class,'mgSubItemTitleTxt')][normalize-space()='{label}']")
    if not heads:
        return None
    nxt = heads[0].xpath("following-sibling::*[1]")
    if not nxt or nxt[0].root.tag != "div":
        return None
    return nxt[0]


_BLOCK_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "div"})


def html_block_text(block) -> str:
    """Readable text of a block: one line per paragraph / list item / cell, whitespace collapsed."""
    root = block.root
    lines: list[str] = []

    def walk(el, buf: list[str]) -> None:
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _BLOCK_TAGS:
                flush(buf)
                inner: list[str] = []
                if child.text:
                    inner.append(child.text)
                walk(child, inner)
                flush(inner)
            elif tag == "br":
                flush(buf)
            else:
                if tag and child.text:
                    buf.append(child.text)
                if tag:
                    walk(child, buf)
            if child.tail:
                buf.append(child.tail)

    def flush(buf: list[str]) -> None:
        text = " ".join("".join(buf).replace("\xa0", " ").split())
        if text:
            lines.append(text)
        buf.clear()

    top: list[str] = [root.text] if root.text else []
    walk(root, top)
    flush(top)
    return "\n".join(lines)


def _parse_item_row(tr, url: str) -> AgendaItem | None:
    cells = tr.xpath("./td")
    if len(cells) < 2:
        return None
    number_cell, body = cells[0], cells[1]
    anchor = number_cell.xpath(".//a[@name]/@name").get() or body.xpath(".//a[@name]/@name").get() or ""
    ai_id = _int_or_none(anchor[2:]) if anchor.upper().startswith("AI") else None
    number = _text(number_cell).rstrip(".").strip()
    title_p = body.xpath("./p[contains(@class,'mgAiTitleTxt')]")
    title = _link_title(title_p[0]) if title_p else ""
    item = AgendaItem(ai_id=ai_id, number=number, title=title)
    for label, attr in (("Minutes:", "minutes"), ("Decision:", "decision")):
        block = _block_after(body, label)
        if block is not None:
            setattr(item, f"{attr}_html", block.get())
            setattr(item, f"{attr}_text", html_block_text(block))
    for a in body.xpath(".//a[@href]"):
        href = clean_href(a.attrib["href"], url)
        if urlsplit(href).path.rsplit("/", 1)[-1].lower() == "mgai.aspx":
            item.full_text_url = item.full_text_url or href
        elif _is_document_href(href):
            title = _link_title(a)
            item.documents.append(DocumentLink(href, title, document_kind(href, title), ai_id))
    return item


def parse_meeting_page(html: str, url: str) -> MeetingPage:
    """ieListDocuments.aspx: the meeting, its documents and its numbered agenda items."""
    sel = Selector(text=html)
    root = _modgov(html)
    subtitle_a = root.css("h2.mgSubTitleTxt a")
    subtitle = _text(root.css("h2.mgSubTitleTxt"))
    committee_name = None
    committee_id = _int_or_none(query_param(url, "CId"))
    if subtitle_a:
        committee_id = committee_id or _int_or_none(query_param(subtitle_a[0].attrib.get("href", ""), "ID"))
    title_attr = subtitle_a[0].attrib.get("title", "") if subtitle_a else ""
    if title_attr.startswith("Link to "):
        committee_name = title_attr[len("Link to ") :].strip()
    when = subtitle
    if committee_name and subtitle.startswith(committee_name):
        when = subtitle[len(committee_name) :]
    elif " - " in subtitle:
        committee_name, when = subtitle.rsplit(" - ", 1)
    dc_date = sel.xpath("//meta[@name='DC.date']/@content").get()
    meeting_date = parse_date_text(when)
    if meeting_date is None and dc_date:
        try:
            meeting_date = date.fromisoformat(dc_date.strip()[:10])
        except ValueError:
            meeting_date = None
    modified = sel.xpath("//meta[@name='DC.date.modified']/@content").get()
    try:
        date_modified = date.fromisoformat(modified.strip()[:10]) if modified else None
    except ValueError:
        date_modified = None
    status = "cancelled" if re.search(r"\bCANCELLED\b", subtitle, re.IGNORECASE) else "scheduled"
    if re.search(r"\bPOSTPONED\b", subtitle, re.IGNORECASE):
        status = "postponed"
    venue = None
    for label in root.css("span.mgLabel"):
        if _text(label).rstrip(":").strip().lower() in ("venue", "proposed venue"):
            parent = label.xpath("..")[0]
            texts = parent.xpath(
                "./text()|./*[not(contains(@class,'mgLabel'))][not(self::a[contains(.,'directions')])]//text()"
            ).getall()
            venue = " ".join(" ".join(texts).split()).strip() or None
            break
    documents: list[DocumentLink] = []
    for a in root.css("ul.mgActionList a[href]"):
        href = clean_href(a.attrib["href"], url)
        if _is_document_href(href):
            title = _link_title(a)
            documents.append(DocumentLink(href, title, document_kind(href, title)))
    items = []
    for tr in root.css("table.mgItemTable > tr, table.mgItemTable > tbody > tr"):
        item = _parse_item_row(tr, url)
        if item is not None:
            items.append(item)
    page_title = sel.xpath("//meta[@name='DC.title']/@content").get() or _text(sel.css("title"))
    return MeetingPage(
        committee_site_id=committee_id,
        committee_name=committee_name.strip(" -") if committee_name else None,
        site_id=_int_or_none(query_param(url, "MId")),
        date=meeting_date,
        time=parse_time_text(when),
        status=status,
        venue=venue,
        title=page_title or None,
        date_modified=date_modified,
        documents=documents,
        items=items,
    )


def parse_doc_pack_page(html: str, url: str) -> list[DocumentLink]:
    """mgChooseDocPack.aspx answered with HTML: the PDF links it offers."""
    root = _modgov(html)
    links = []
    for a in root.xpath(".//a[@href]"):
        href = clean_href(a.attrib["href"], url)
        if (
            _is_document_href(href)
            and urlsplit(href).path.rsplit("/", 1)[-1].lower() != "mgchoosedocpack.aspx"
        ):
            title = _link_title(a)
            links.append(DocumentLink(href, title, document_kind(href, title)))
    return links


def parse_datetime(d: date | None, t: time | None) -> datetime | None:
    return datetime.combine(d, t or time(0, 0)) if d else None
