"""The shape of a generated ModernGov site: committees, meetings, items, documents (plain data).

``sample_site.build_site`` fills it; ``sample_pages`` renders it as the HTML and PDFs a real
install serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time


@dataclass
class SampleDocument:
    href: str  # as written in the page (may hold spaces, &amp; and CR-LF)
    title: str
    kind: str
    text: list[str]
    raw: bytes | None = None  # a real PDF served as it was published, instead of rendering ``text``


@dataclass
class SampleItem:
    ai_id: int
    number: int
    title: str
    minutes: str | None
    documents: list[SampleDocument] = field(default_factory=list)
    description: str | None = None  # the item's text above its "Minutes:" block


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
    source: str | None = None  # where the real text was published (shown outside div#modgov)

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
    name: str = "Sample Borough Council"

    @property
    def meetings(self) -> list[SampleMeeting]:
        return [m for c in self.committees for m in c.meetings]


def fmt_long(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def fmt_time(t: time) -> str:
    return f"{(t.hour - 1) % 12 + 1}:{t.minute:02d} {'pm' if t.hour >= 12 else 'am'}"
