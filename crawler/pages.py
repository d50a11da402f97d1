"""What a committee site's pages say, whatever the platform (ModernGov, CMIS): plain dataclasses.

The page parsers (``moderngov_pages``, ``cmis_pages``) fill these; the spiders put them in items;
the archive stores them. ``skipped`` lists the elements of a page a parser could not use (a
placeholder link, an id too long for the archive), each with what it was: the rest of the page is
kept, and the run report shows what was left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time


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
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentLink:
    url: str
    title: str
    kind: str
    item_ai_id: int | None = None
    # The document's identity on its site when its URL is not stable (CMIS serves each document
    # under a new opaque token): "cmis:<meeting id>:<normalised title>". None: the URL is the identity.
    key: str | None = None


@dataclass
class AgendaItem:
    ai_id: int | None
    number: str  # as shown in the row: "54." -> "54"
    title: str
    minutes_html: str | None = None
    minutes_text: str | None = None
    decision_html: str | None = None
    decision_text: str | None = None
    full_text_url: str | None = None  # a page holding minutes the meeting page truncated
    documents: list[DocumentLink] = field(default_factory=list)
    description: str | None = None  # the item's own text before its "Minutes:" block


@dataclass
class MeetingPage:
    committee_site_id: int | None
    committee_name: str | None
    site_id: int | None
    date: date | None
    time: time | None
    status: str  # "scheduled" | "cancelled" | "postponed"
    venue: str | None
    title: str | None
    date_modified: date | None
    documents: list[DocumentLink]
    items: list[AgendaItem]
    skipped: list[str] = field(default_factory=list)
