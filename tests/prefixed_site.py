"""A ModernGov site in the prefixed-label style, with the citations such councils print.

Each committee keys its minutes with its own prefix and the year first ("CB22/14" is Cabinet's
minute 14 of 2022): Cabinet CB and Council C by municipal year, Planning P by calendar year (its
February 2023 minutes are P23/...), Scrutiny Board (2) with plain "28/22". Every minute is printed
twice, on the meeting page (rows keyed "CB22/4.") and in the printed minutes PDF (Merton's layout:
"CB22/4 TITLE"); Cabinet's February pack embeds September's minutes again. ``CITATIONS`` is what the
references export must say, one row per citation however many sources print it.
"""

from __future__ import annotations

from datetime import date, time

from pipeline.demo.sample_model import SampleCommittee, SampleDocument, SampleItem, SampleMeeting, SampleSite
from pipeline.demo.sample_pages import render_site

CABINET, COUNCIL, PLANNING, SCRUTINY = "Cabinet", "Council", "Planning Committee", "Scrutiny Board (2)"

# committee -> [(date, [(label, title, minutes text)])]
MINUTES: dict[str, list[tuple[date, list[tuple[str, str, str]]]]] = {
    CABINET: [
        (
            date(2022, 6, 14),
            [
                ("CB22/1", "Apologies for Absence", "Apologies were received from Councillor Hart."),
                (
                    "CB22/2",
                    "Library Service Review",
                    "RESOLVED that the library review proceed to consultation.",
                ),
                ("CB22/3", "Capital Programme", "RESOLVED that the capital programme be approved."),
            ],
        ),
        (
            date(2022, 9, 13),
            [
                (
                    "CB22/4",
                    "Library Service Review Outcome",
                    "Further to Minute CB22/2, the Cabinet considered the consultation responses.\n"
                    "RESOLVED that the library review outcome be adopted.",
                ),
                (
                    "CB22/5",
                    "Council Tax Support Scheme",
                    "Council Minute C22/2 refers. RESOLVED that the scheme be recommended to Council.",
                ),
                (
                    "CB22/6",
                    "Scrutiny Recommendations on Parks",
                    "Scrutiny Board (2) Minute 28/22 was noted. RESOLVED that the recommendations be accepted.",
                ),
            ],
        ),
        (
            date(2023, 2, 14),
            [
                (
                    "CB22/7",
                    "Minutes",
                    "The minutes of the meeting held on 13 September 2022 were agreed as a correct record.",
                ),
                (
                    "CB22/8",
                    "Planning Enforcement Charter",
                    "Planning Committee Minute P23/2 was considered. RESOLVED that the charter be endorsed.",
                ),
                (
                    "CB22/9",
                    "Leisure Contract",
                    "Further to Minute CB21/40 the Cabinet noted progress on the leisure contract.",
                ),
            ],
        ),
    ],
    COUNCIL: [
        (
            date(2022, 7, 20),
            [
                ("C22/1", "Declarations of Interest", "No declarations were made."),
                ("C22/2", "Council Tax Support", "RESOLVED that Cabinet be asked to review the scheme."),
                ("C22/3", "Motions", "A motion on bus services was carried."),
            ],
        ),
        (
            date(2023, 1, 25),
            [
                (
                    "C22/4",
                    "Council Tax Support Scheme 2023/24",
                    "Cabinet Minute CB22/5 was received. RESOLVED that the scheme be adopted.",
                ),
                (
                    "C22/5",
                    "Treasury Management",
                    "The Finance Panel Minute 12 was noted. RESOLVED that the strategy be approved.",
                ),
                ("C22/6", "Questions", "Questions were answered by the Leader."),
            ],
        ),
    ],
    PLANNING: [
        (
            date(2022, 11, 10),
            [
                ("P22/1", "Apologies", "Apologies were received from Councillor Webb."),
                ("P22/2", "Land at Mill Lane", "RESOLVED that permission be granted."),
                ("P22/3", "Enforcement Update", "The enforcement update was noted."),
            ],
        ),
        (
            date(2023, 2, 9),
            [
                ("P23/1", "Apologies", "There were no apologies."),
                (
                    "P23/2",
                    "Planning Enforcement Charter",
                    "RESOLVED that the draft charter be sent to Cabinet.",
                ),
                ("P23/3", "Appeals", "Further to Minute P22/3 the appeals list was noted."),
            ],
        ),
    ],
    SCRUTINY: [
        (
            date(2022, 8, 3),
            [
                ("28/22", "Parks and Open Spaces", "RESOLVED that recommendations be made to Cabinet."),
                ("29/22", "Work Programme", "The work programme was agreed."),
                ("30/22", "Date of Next Meeting", "The next meeting will be held on 1 March 2023."),
            ],
        ),
    ],
}

# What the references export must hold, one row each:
# (citing committee, citing minute label, kind, cited text, target committee, target date, target label,
#  resolved, sources)
CITATIONS = [
    (CABINET, "CB22/4", "minute", "Minute CB22/2", CABINET, "2022-06-14", "CB22/2", "true", 3),
    (CABINET, "CB22/5", "minute", "Council Minute C22/2", COUNCIL, "2022-07-20", "C22/2", "true", 3),
    (CABINET, "CB22/6", "minute", "Scrutiny Board (2) Minute 28/22", SCRUTINY, "2022-08-03", "28/22", "true", 3),
    (CABINET, "CB22/7", "meeting", "the minutes of the meeting held on 13 September 2022", CABINET, "2022-09-13", "",
     "true", 2),
    (CABINET, "CB22/8", "minute", "Planning Committee Minute P23/2", PLANNING, "2023-02-09", "P23/2", "true", 2),
    (CABINET, "CB22/9", "minute", "Minute CB21/40", "", "", "", "false", 2),
    (COUNCIL, "C22/4", "minute", "Cabinet Minute CB22/5", CABINET, "2022-09-13", "CB22/5", "true", 2),
    (COUNCIL, "C22/5", "minute", "The Finance Panel Minute 12", "", "", "", "false", 2),
    (PLANNING, "P23/3", "minute", "Minute P22/3", PLANNING, "2022-11-10", "P22/3", "true", 2),
]  # fmt: skip

SITE_IDS = {CABINET: 901, COUNCIL: 902, PLANNING: 903, SCRUTINY: 904}


def build_prefixed_site() -> SampleSite:
    mid, gid, ai = 30100, 40100, 60100
    committees = []
    for name, meetings in MINUTES.items():
        committee = SampleCommittee(SITE_IDS[name], name, "li")
        earlier: SampleMeeting | None = None
        for when, rows in meetings:
            mid, gid = mid + 1, gid + 1
            meeting = SampleMeeting(committee.site_id, name, mid, gid, when, time(18, 30), "Civic Centre")
            for label, title, text in rows:
                ai += 1
                meeting.items.append(SampleItem(ai, label, title, text))  # rows keyed "CB22/4."
            meeting.documents = [_printed_minutes(meeting)]
            if name == CABINET and earlier is not None and when.month == 2:
                meeting.documents.append(_pack_with(meeting, earlier))
            committee.meetings.append(meeting)
            earlier = meeting
        committees.append(committee)
    site = SampleSite("/", committees)
    render_site(site)
    return site


def _record(m: SampleMeeting) -> list[str]:
    """The minutes as Merton prints them: a title, attendance, then "CB22/4 TITLE" headings."""
    lines = [
        f"Minutes of the meeting of the {m.committee_name} held on {m.when.day} {m.when:%B %Y}",
        "Present: Councillors Hart (Chair), Webb and Osei",
    ]
    for it in m.items:
        lines += [f"{it.number} {it.title.upper()}", *it.minutes.split("\n")]
    return lines


def _printed_minutes(m: SampleMeeting) -> SampleDocument:
    return SampleDocument(
        f"documents/g{m.gid}/Printed minutes {m.when:%d-%b-%Y} {m.committee_name}.pdf?T=1",
        "Printed minutes",
        "printed_minutes",
        _record(m),
    )


def _pack_with(m: SampleMeeting, earlier: SampleMeeting) -> SampleDocument:
    agenda = [m.committee_name, f"{m.when.day} {m.when:%B %Y}", "Agenda"] + [
        f"{k}. {it.title}" for k, it in enumerate(m.items, 1)
    ]
    return SampleDocument(f"mgChooseDocPack.aspx?ID={m.gid}", "Agenda reports pack", "agenda_pack",
                          agenda + _record(earlier))  # fmt: skip
