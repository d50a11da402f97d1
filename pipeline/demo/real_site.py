"""The demo's ModernGov site, filled with real published council minutes (``data/real_site.json``).

Coventry City Council, the Royal Borough of Kingston upon Thames and the London Borough of Merton
published these texts; ``tests/corpus/build_demo_site.py`` cut them into meeting-page rows and
recorded where each was published. Here they become a ``SampleSite`` rendered in ModernGov's
markup (``sample_pages``), so the demo crawls, parses and resolves them as it would the real sites:
Coventry's "Further to Minute 74/15" of 16 June 2016 cites a minute of 14 April 2016 whose text is
in that meeting's agenda pack; Kingston's minutes of 15 January 2026 approve those of 18 November
2025. Site ids are the councils' where the page was held, demo ids otherwise.
"""

from __future__ import annotations

import json
from datetime import date, time
from functools import cache
from importlib.resources import files

from pipeline.demo.sample_model import SampleCommittee, SampleDocument, SampleItem, SampleMeeting, SampleSite
from pipeline.demo.sample_pages import render_site

COUNCIL_NAME = "Demo archive: minutes of Coventry, Kingston upon Thames and Merton"


def _data(name: str):
    return files("pipeline.demo").joinpath("data", name)


@cache
def site_data() -> dict:
    return json.loads(_data("real_site.json").read_text(encoding="utf-8"))


def _document(doc: dict, href: str) -> SampleDocument:
    raw = _data(doc["file"]).read_bytes() if "file" in doc else None
    return SampleDocument(href, doc["title"], doc["kind"], doc.get("text", []), raw)


def build_real_site(prefix: str = "/democracy/") -> SampleSite:
    committees, ai, sid = [], 60000, 120000
    for c in site_data()["committees"]:
        committee = SampleCommittee(c["site_id"], c["name"], "li")
        for m in c["meetings"]:
            gid = m["mid"] + 10000
            meeting = SampleMeeting(
                c["site_id"],
                c["name"],
                m["mid"],
                gid,
                date.fromisoformat(m["date"]),
                time.fromisoformat(m["time"]),
                m["venue"],
                source=published_at(c["name"], date.fromisoformat(m["date"])),
            )
            for row in m["items"]:
                ai += 1
                item = SampleItem(
                    ai, row["number"], row["title"], row["minutes"], description=row["description"]
                )
                for doc in row.get("documents", []):
                    sid += 1
                    item.documents.append(_document(doc, f"documents/s{sid}/{doc['title']}.pdf"))
                meeting.items.append(item)
            for doc in m.get("documents", []):
                href = f"mgChooseDocPack.aspx?ID={gid}" if doc["kind"] == "agenda_pack" else None
                meeting.documents.append(_document(doc, href or f"documents/g{gid}/{doc['title']}.pdf"))
            committee.meetings.append(meeting)
        committees.append(committee)
    site = SampleSite(prefix, committees, name=COUNCIL_NAME)
    render_site(site)
    return site


def published_at(committee: str, when: date) -> str | None:
    """Where the council published the page (or pack) a demo meeting's text comes from."""
    for c in site_data()["committees"]:
        for m in c["meetings"]:
            if c["name"] == committee and m["date"] == when.isoformat():
                return m["source_url"] + (f" ({m['source_note']})" if m.get("source_note") else "")
    return None
