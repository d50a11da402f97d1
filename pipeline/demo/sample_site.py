"""Generated ModernGov sites for the demo, the tests and the benchmarks: deterministic for a seed.

The model is ``sample_model``, the rendering ``sample_pages``; their names are re-exported here.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from pipeline.demo.sample_model import (  # noqa: F401 (re-exported for callers)
    SampleCommittee,
    SampleDocument,
    SampleItem,
    SampleMeeting,
    SampleSite,
    fmt_long,
    fmt_time,
)
from pipeline.demo.sample_pages import render_pdf, render_site, route_key  # noqa: F401

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
                                        f"Date of meeting: {fmt_long(when)}",
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
    stamp = f"{fmt_long(m.when).split(' ', 1)[0]} {m.when:%d-%b-%Y} {m.at:%H.%M} {m.committee_name}"
    agenda = [f"{m.committee_name}", f"{fmt_long(m.when)} at {fmt_time(m.at)}", "Agenda"] + [
        f"{it.number}. {it.title}" for it in m.items
    ]
    minutes = [
        "Minutes of the Meeting of " + m.committee_name,
        f"held at {fmt_time(m.at)} on {fmt_long(m.when)}",
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
