"""Pure parsers for CMIS pages (DotNetNuke + Telerik): HTML text in, the dataclasses of ``crawler.pages`` out.

No network, no database, no files. CMIS lives at varying paths (/cmis5/, /cmis5public/, /EssexCmis5/,
/ccc_live/, /live/, /dms/) behind DNN "friendly" URLs whose ids are path segments:

    .../Meetings/tabid/70/ctl/MeetingCalendarPublicNoJava/mid/397/Date/2026-06-01/Default.aspx  (a month)
    .../Meetings/tabid/70/ctl/ViewMeetingPublic/mid/397/Meeting/15028/Committee/6/SelectedTab/Documents/Default.aspx

so ids are read from path segments, never from a query. Documents are ``Document.ashx?<opaque token>``
with free titles; the token changes when a document is re-published, so a document's identity is its
meeting and its title (``DocumentLink.key``). CSS classes are unreliable in CMIS (the meeting status sits
in a ``Value Venue`` div), so meeting fields are read by their label text. A link or id the archive
cannot use is listed in ``skipped``; only a page that is not CMIS at all raises ``NotCmis``.

Longer than 400 lines: three page types (meetings page, month, meeting) of a platform whose markup
varies by install and whose classes cannot be trusted, each read more than one way.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from parsel import Selector

from crawler.dates import DATE_PATTERN, make_date, parse_date_text, parse_time_text
from crawler.html_text import block_text, inline_text, read_html
from crawler.pages import AgendaItem, DocumentLink, MeetingLink, MeetingList, MeetingPage
from crawler.urls import clean_href, site_id

MONTH_CTL = "MeetingCalendarPublicNoJava"  # the module's no-JavaScript month view: any month, plain GET
DATE_SLOT = "{date}"  # where a month template takes YYYY-MM-01
MAX_KEY_TITLE = 200  # characters of normalised title in a document key
DOCUMENT_HANDLERS = ("document.ashx", "binary.ashx")
DOCUMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".rtf", ".xls", ".xlsx", ".ppt", ".pptx", ".odt")

# Anything a DNN/CMIS page carries and an error page, firewall challenge or other platform does not.
_CMIS_MARKERS = re.compile(
    r"dnn[_$]ctr\d+|DNNModuleContent|dnn_ContentPane|ModCMIS|CMIS_ModuleWrapper|CmisDocumentList"
    r"|MeetingCalendarPublic|ViewMeetingPublic|Document\.ashx",
    re.IGNORECASE,
)
_MODULE_ID = re.compile(r"dnn[$_]ctr(\d{1,19})[$_]MeetingCalendarPublic", re.IGNORECASE)
_TAB_PREFIX = r"(?P<prefix>.*?/tabid/(?P<tabid>\d{1,19}))/ctl/"
_MONTH_LINK = re.compile(_TAB_PREFIX + MONTH_CTL + r"/mid/(?P<mid>\d{1,19})(?:/|$)", re.IGNORECASE)
_CTL_MID_LINK = re.compile(_TAB_PREFIX + r"(?P<ctl>\w+)/mid/(?P<mid>\d{1,19})(?:/|$)", re.IGNORECASE)
_CTL_LINK = re.compile(_TAB_PREFIX, re.IGNORECASE)
_DAY_RE = re.compile(r"\b" + DATE_PATTERN + r"\b", re.IGNORECASE)
_ISO_ANCHOR = re.compile(r"^#((?:19|20)\d{2})-(\d{2})-(\d{2})$")
_SELECTED_TAB = re.compile(r"/SelectedTab/[^/]+/", re.IGNORECASE)
_CLICK_TO_VIEW = re.compile(r"^\s*click\s+(?:here\s+)?to\s+view\s*:?\s*", re.IGNORECASE)


class NotCmis(ValueError):
    """The page shows no sign of DNN/CMIS: a firewall challenge, an error page or another platform."""


@dataclass(frozen=True)
class CmisCalendar:
    """Where an install's month pages are: ``template`` holds ``{date}`` for YYYY-MM-01."""

    tabid: int
    mid: int
    template: str


# -- shared helpers ----------------------------------------------------------------------------


def _cmis(html: str) -> Selector:
    if not isinstance(html, str) or not _CMIS_MARKERS.search(html):
        raise NotCmis("no DNN/CMIS markup in page")
    return read_html(html)


def _content(sel: Selector):
    """The CMIS module(s) of the page, so skin menus and side widgets do not leak in."""
    for xpath in (
        "//*[contains(@class,'ModCMIS')]",
        "//*[contains(@class,'CMIS_ModuleWrapper') or contains(@class,'CM_ModuleWrapper')]",
        "//*[@id='dnn_ContentPane']",
    ):
        found = sel.xpath(xpath)
        if found:
            return found
    return sel.xpath("/*")


def _attr(el, name: str) -> str:
    """An attribute's value; "" when absent or when lxml refuses the element's attributes (control
    characters in a name), which ``Selector.attrib`` would raise on."""
    try:
        return el.root.get(name) or ""
    except (ValueError, AttributeError):
        return ""


def _links(scope, url: str, skipped: list[str]):
    """(anchor, absolute URL) of every usable link; the unusable ones go to ``skipped``."""
    for a in scope.xpath(".//a[@href]"):
        raw = _attr(a, "href")
        href = clean_href(raw, url)
        if href is None:
            if raw.strip() and not raw.strip().startswith(("#", "javascript:", "mailto:")):
                skipped.append(f"link {raw.strip()[:200]!r}: not an http(s) URL of a page")
            continue
        yield a, href


def _segments(url: str) -> list[str]:
    try:
        return [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return []


def segment_after(url: str, name: str) -> str | None:
    """The path segment after ``/name/`` (case-insensitive): ``Meeting`` -> "15028"."""
    parts = _segments(url)
    for i, part in enumerate(parts[:-1]):
        if part.lower() == name.lower():
            return parts[i + 1]
    return None


def _path_url(url: str) -> str:
    """The URL without query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("?", 1)[0].split("#", 1)[0]
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


# -- the calendar ------------------------------------------------------------------------------


def find_module_id(html: str) -> int | None:
    """The meetings calendar's DNN module id (``dnn$ctr397$MeetingCalendarPublic...``), or None."""
    _cmis(html)
    m = _MODULE_ID.search(html)
    return site_id(m.group(1)) if m else None


def _calendar(prefix: str, tabid: str, mid: str | int) -> CmisCalendar | None:
    tab, module = site_id(tabid), site_id(str(mid))
    if tab is None or module is None:
        return None
    return CmisCalendar(tab, module, f"{prefix}/ctl/{MONTH_CTL}/mid/{module}/Date/{DATE_SLOT}/Default.aspx")


def find_calendar(html: str, url: str) -> CmisCalendar | None:
    """The month-page template of an install, from its meetings page or list view; None when the page
    is CMIS but shows neither a month link, nor a meeting link, nor the module id with its tab."""
    sel = _cmis(html)
    module = find_module_id(html)
    paths = [_path_url(href) for _, href in _links(sel, url, [])]
    for pattern, wanted in ((_MONTH_LINK, None), (_CTL_MID_LINK, "viewmeetingpublic")):
        for path in paths:
            m = pattern.match(path)
            if m and (wanted is None or m.group("ctl").lower() == wanted):
                found = _calendar(m.group("prefix"), m.group("tabid"), m.group("mid"))
                if found:
                    return found
    if module is None:
        return None
    # The module's own tab: any other view of the module, else a skin link (Login, Print) of the tab.
    for path in paths:
        m = _CTL_MID_LINK.match(path)
        if m and site_id(m.group("mid")) == module:
            return _calendar(m.group("prefix"), m.group("tabid"), module)
    for path in paths:
        m = _CTL_LINK.match(path)
        if m:
            return _calendar(m.group("prefix"), m.group("tabid"), module)
    return None


def list_view_url(page_url: str, mid: int) -> str:
    """The module's list view (only ever the current month), whose meeting links carry the tabid."""
    return f"{_path_url(page_url)}?ctl=MeetingCalendarListView&mid={mid}"


def month_url(template: str, year: int, month: int) -> str:
    return template.replace(DATE_SLOT, f"{year:04d}-{month:02d}-01")


# -- a month of meetings -----------------------------------------------------------------------


def _documents_tab(href: str) -> str:
    """The meeting's Documents tab, whichever tab the calendar linked (one URL per meeting)."""
    return _SELECTED_TAB.sub("/SelectedTab/Documents/", href, count=1)


def _year_for(day_month: int, year: int, month: int) -> int:
    """A day shown in a month's page without a year: a December day on January's page is last year's."""
    if month == 1 and day_month == 12:
        return year - 1
    if month == 12 and day_month == 1:
        return year + 1
    return year


def _day_in(text: str, year: int, month: int) -> date | None:
    """ "Monday, 8 June" (no year: the month being read gives it) or a full "9 Jul 2026"."""
    for m in _DAY_RE.finditer(text):
        if m.group("year"):
            found = make_date(m.group("day"), m.group("month"), m.group("year"))
        else:
            probe = make_date(m.group("day"), m.group("month"), 2000)  # 2000: a leap year
            found = probe and make_date(m.group("day"), m.group("month"), _year_for(probe.month, year, month))
        if found:
            return found
    return None


def _iso_day(anchor_hrefs: list[str]) -> date | None:
    """RadScheduler's month cells: a date header linking to "#YYYY-MM-DD"."""
    for href in anchor_hrefs:
        m = _ISO_ANCHOR.match(href.strip())
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _meeting_day(a, year: int, month: int) -> date | None:
    own = parse_date_text(inline_text(a)) or parse_date_text(_attr(a, "title"))
    if own:
        return own
    row = a.xpath("ancestor::tr[1]")
    if row:
        day_cells = row[0].xpath("./td[contains(@class,'CalendarDate')]") or row[0].xpath("./td[1]")
        found = _day_in(inline_text(day_cells[0]), year, month) if day_cells else None
        if found:
            return found
    return _iso_day(a.xpath("ancestor::td[1]//a[starts-with(@href,'#')]/@href").getall())


def _status_words(text: str) -> str:
    if re.search(r"cancel", text, re.IGNORECASE):
        return "CANCELLED"
    if re.search(r"postpone", text, re.IGNORECASE):
        return "POSTPONED"
    return ""


def _list_suffix(a) -> str:
    """ "CANCELLED" / "POSTPONED" when the calendar marks the meeting (text, title or class), else ""."""
    holder = a.xpath("parent::*")
    marks = [_attr(a, "title"), _attr(a, "class"), inline_text(a)]
    if holder and holder[0].root.tag in ("p", "li", "div", "span"):
        marks += [_attr(holder[0], "class"), inline_text(holder[0])]
    return _status_words(" ".join(marks))


def parse_month(html: str, url: str, year: int, month: int) -> MeetingList:
    """A month page (or the list view): every meeting linked, dated from its row; no committee."""
    root = _content(_cmis(html))
    skipped: list[str] = []
    meetings: dict[int, MeetingLink] = {}
    for a, href in _links(root, url, skipped):
        raw = segment_after(href, "Meeting")
        if raw is None:
            continue
        mid = site_id(raw)
        if mid is None:
            skipped.append(f"meeting link {href[:200]}: meeting id {raw[:40]!r} is not a usable id")
            continue
        if mid in meetings:
            continue
        text = inline_text(a)
        meetings[mid] = MeetingLink(
            committee_site_id=site_id(segment_after(href, "Committee")),
            site_id=mid,
            url=_documents_tab(href),
            date=_meeting_day(a, year, month),
            time=parse_time_text(text) or parse_time_text(_attr(a, "title")),
            suffix=_list_suffix(a),
        )
    years = [year] if isinstance(year, int) and 1900 <= year <= 2100 else []
    return MeetingList(None, None, years, list(meetings.values()), skipped)


# -- a meeting page ----------------------------------------------------------------------------


def _label(el) -> str:
    return inline_text(el).rstrip(":").strip().lower()


def _labelled_fields(scope) -> dict[str, object]:
    """Label text -> value element: ``div.DNNLabel`` + ``div.Value`` pairs, or two-cell table rows."""
    fields: dict[str, object] = {}
    for value in scope.xpath(".//*[contains(concat(' ', normalize-space(@class), ' '), ' Value ')]"):
        label = value.xpath("preceding-sibling::*[1]")
        name = _label(label[0]) if label else ""
        if name and len(name) <= 40:
            fields.setdefault(name, value)
    for row in scope.xpath(".//tr[count(*)=2]"):
        first, second = row.xpath("./*")
        text = inline_text(first)
        if text.endswith(":") and len(text) <= 40:
            fields.setdefault(_label(first), second)
    return fields


def _field(fields: dict, *names: str) -> str | None:
    for name in names:
        if name in fields:
            return inline_text(fields[name]) or None
    return None


def _status(fields: dict, scope) -> str:
    text = _field(fields, "status", "meeting status")
    if text is None:  # no status field: a heading saying "CANCELLED" still counts
        text = " ".join(inline_text(h) for h in scope.xpath(".//h1|.//h2|.//h3"))
    word = _status_words(text)
    return {"CANCELLED": "cancelled", "POSTPONED": "postponed"}.get(word, "scheduled")


def normalised_title(title: str) -> str:
    """What a document key holds of its title: NFKC, lower case, whitespace collapsed, digits kept."""
    return " ".join(unicodedata.normalize("NFKC", title).lower().split())[:MAX_KEY_TITLE]


def document_kind(title: str) -> str:
    """Classify a CMIS document by its free title (its URL says nothing)."""
    t = title.lower()
    if "supplement" in t:
        return "supplement"
    if re.search(r"minutes?\b.*\b(previous|last) meeting", t):
        return "report"  # the previous meeting's minutes, tabled for approval: an agenda paper
    if "minute" in t:
        return "printed_minutes"
    if "decision" in t:
        return "printed_decisions"
    if re.search(r"front\s*sheet", t):
        return "agenda_frontsheet"
    if "agenda" in t:
        return "agenda_pack"
    if re.search(r"report|appendix|annex|item\b", t):
        return "report"
    return "other"


def _is_document(href: str) -> bool:
    parts = _segments(href)
    last = parts[-1].lower() if parts else ""
    return last in DOCUMENT_HANDLERS or last.endswith(DOCUMENT_EXTENSIONS)


def _document_title(a) -> str:
    text = inline_text(a, ".//text()[not(ancestor::*[contains(@class,'FileSize')])]")
    if text:
        return text[:1000]
    return _CLICK_TO_VIEW.sub("", _attr(a, "title")).strip(" '\"")[:1000]


class _Keys:
    """Document keys of one meeting; a title seen twice gets " (2)", so two documents never merge."""

    def __init__(self, meeting_id: int | None):
        self.meeting_id = meeting_id
        self.seen: Counter = Counter()

    def key(self, title: str) -> str | None:
        norm = normalised_title(title)
        if self.meeting_id is None or not norm:
            return None  # no stable identity: the URL stands in
        self.seen[norm] += 1
        n = self.seen[norm]
        return f"cmis:{self.meeting_id}:{norm}" + (f" ({n})" if n > 1 else "")


def _document_links(scope, url: str, skipped: list[str]):
    """(anchor, URL) of each document link in page order, each URL once (a document listed twice is one)."""
    taken: set[str] = set()
    for a, href in _links(scope, url, skipped):
        if _is_document(href) and href not in taken:
            taken.add(href)
            yield a, href


def _class_word(word: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {word} ')"


_ITEM = _class_word("AgendaItem")


def _agenda_item(el) -> AgendaItem:
    number = inline_text(el.xpath(f".//*[{_class_word('ItemNumber')}]")[:1]).rstrip(".").strip()[:40]
    item = AgendaItem(
        ai_id=None, number=number, title=inline_text(el.xpath(f".//*[{_class_word('ItemTitle')}]")[:1])[:1000]
    )
    minutes = el.xpath(f".//*[{_class_word('ItemMinutes')}]")[:1]
    if minutes:
        item.minutes_html = minutes[0].get()
        item.minutes_text = block_text(minutes[0]) or None
    description = el.xpath(f".//*[{_class_word('ItemDescription')}]")[:1]
    if description:
        item.description = block_text(description[0]) or None
    return item


def _agenda_items(scope) -> dict[object, AgendaItem]:
    """Agenda items where the page lays them out (``AgendaItem`` blocks with ``ItemNumber``, ``ItemTitle``,
    optional ``ItemMinutes``), by element; CMIS pages without them give none."""
    items = {}
    for el in scope.xpath(f".//*[{_ITEM}][not(ancestor::*[{_ITEM}])]"):
        item = _agenda_item(el)
        if item.number or item.title:
            items[el.root] = item
    return items


def parse_meeting(html: str, url: str) -> MeetingPage:
    """ViewMeetingPublic: the meeting (ids from the URL, fields by label), its documents and any items."""
    sel = _cmis(html)
    scope = _content(sel)
    skipped: list[str] = []
    raw_mid = segment_after(url, "Meeting")
    meeting_id = site_id(raw_mid)
    if raw_mid is not None and meeting_id is None:
        skipped.append(f"meeting id {raw_mid[:40]!r} of {url[:200]} is not a usable id")
    fields = _labelled_fields(scope)
    when = _field(fields, "date/time", "date and time", "date", "meeting date") or ""
    at = _field(fields, "time", "start time")
    items = _agenda_items(scope)
    keys = _Keys(meeting_id)  # in page order, so " (2)" goes to the later of two same-titled documents
    documents = []
    for a, href in _document_links(scope, url, skipped):
        title = _document_title(a)  # untitled: kept, with its URL as identity (key None)
        link = DocumentLink(href, title, document_kind(title), key=keys.key(title))
        owner = a.xpath(f"ancestor::*[{_ITEM}][last()]")
        item = items.get(owner[0].root) if owner else None
        (item.documents if item is not None else documents).append(link)
    page_title = _field(fields, "title", "meeting title") or inline_text(sel.xpath("//title")) or None
    return MeetingPage(
        committee_site_id=site_id(segment_after(url, "Committee")),
        committee_name=_field(fields, "committee", "committee name"),
        site_id=meeting_id,
        date=parse_date_text(when),
        time=parse_time_text(at or "") or parse_time_text(when),
        status=_status(fields, scope),
        venue=_field(fields, "venue", "location"),
        title=page_title[:1000] if page_title else None,
        date_modified=None,
        documents=documents,
        items=list(items.values()),
        skipped=skipped,
    )
