"""Minutes segmentation and reference detection: the seeds, each numbering style, traps, fuzzing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ops.parse_file import parse_file
from pipeline.parse.document import parse_text
from pipeline.parse.labels import parse_cited as parse_label
from pipeline.parse.minutes import find_minutes
from pipeline.parse.profile import Profile
from pipeline.parse.references import find_references
from tests.conftest import FIXTURES, run_cli
from tests.corpus.score import CORPUS

REAL = CORPUS / "real"


def refs_by_minute(result):
    out: dict[str, list] = {}
    for r in result.references:
        out.setdefault(r.from_minute, []).append(r)
    return out


def test_seed_002_embedded_minutes_69_to_76_belong_to_14_april_and_agenda_items_do_not():
    result = parse_file(str(REAL / "002_7809f80af90727c1.txt"))
    assert [m.number for m in result.minutes] == [str(n) for n in range(69, 77)]
    assert {m.meeting_date for m in result.minutes} == {date(2016, 4, 14)}
    assert result.minutes[5].label == "74/15"
    assert result.minutes[5].title == "Improvement Board Progress Report from 30 March, 2016"
    assert "Apologies and Substitutions" not in [m.title for m in result.minutes]
    # the numbered recommendation lists inside minutes 71-73 are not minutes
    assert "Seek assurance" not in " ".join(m.title for m in result.minutes)
    by = refs_by_minute(result)
    assert [(r.cited_label, r.cited_year) for r in by["70"] if r.kind == "minute"] == [
        ("51/15", 2015),
        ("63/15", 2015),
    ]
    assert [r.cited_date for r in by["70"] if r.kind == "meeting"] == [date(2016, 3, 17)]
    # the briefing note after "(Meeting closed at 4.00 pm)" belongs to no minute
    assert "Briefing note" not in result.minutes[-1].text


def test_seed_003_minutes_2_3_4_cite_72_15_and_74_15():
    result = parse_file(str(REAL / "003_38730913436678bc.txt"))
    assert [m.number for m in result.minutes] == ["1", "2", "3", "4", "5", "6"]
    assert {m.meeting_date for m in result.minutes} == {date(2016, 6, 16)}
    by = refs_by_minute(result)
    assert [(r.cited_number, r.cited_year) for r in by["2"] if r.kind == "minute"] == [("72", 2015)]
    assert [r.cited_date for r in by["2"] if r.kind == "meeting"] == [date(2016, 4, 14)]
    assert [r.cited_label for r in by["3"]] == ["74/15"]
    assert [r.cited_label for r in by["4"]] == ["74/15"]
    assert set(by) == {"2", "3", "4"}


def test_seed_004_luton_minutes_12_to_18():
    result = parse_file(str(REAL / "004_e8740f46709c5b46.txt"))
    assert [(m.number, m.title) for m in result.minutes][:2] == [
        ("12", "Apology for Absence"),
        ("13", "Minutes"),
    ]
    assert [m.number for m in result.minutes] == [str(n) for n in range(12, 19)]
    assert {m.meeting_date for m in result.minutes} == {date(2021, 3, 2)}
    dates = sorted(r.cited_date for r in refs_by_minute(result)["13"])
    assert dates[0] == date(2021, 1, 13) and date(2021, 1, 21) in dates


def test_merton_pack_minutes_1_to_7_of_24_september_2009_not_its_agenda():
    result = parse_file(str(REAL / "merton-agenda-pack-2009-10-22.pdf"))
    assert [m.number for m in result.minutes] == [str(n) for n in range(1, 8)]
    assert {m.meeting_date for m in result.minutes} == {date(2009, 9, 24)}
    assert result.minutes[0].title == "DECLARATIONS OF INTEREST" and result.minutes[0].page == 3
    assert result.minutes[3].title == "AUDITED FINAL ACCOUNTS 2008/09 AND USE OF RESOURCES JUDGEMENT"
    assert "Annual complaints report" not in [m.title for m in result.minutes]
    panel = [r for r in result.references if r.from_minute == "3"]  # (the joint session cites it too)
    assert [(r.cited_committee, r.cited_date) for r in panel] == [("Pension Fund Panel", date(2009, 9, 21))]


def test_kingston_meeting_page_rows_are_minutes():
    result = parse_file(str(FIXTURES / "kingston" / "Agenda_151.html"))
    assert [m.number for m in result.minutes] == [str(n) for n in range(54, 66)]
    assert result.minutes[4].title == "Minutes" and result.minutes[4].meeting_date == date(2026, 1, 15)
    assert [(r.from_minute, r.cited_date) for r in result.references] == [("58", date(2025, 11, 18))]


@pytest.mark.parametrize(
    ("heading", "number", "label", "prefix"),
    [
        ("69. Declarations of Interests", "69", "69", None),
        ("12 Apology for Absence", "12", "12", None),
        ("*450 Minutes", "450", "450", None),
        ("Minute 151: Budget Monitoring", "151", "151", None),
        ("E.70/23 Treasury Management", "70", "E.70/23", "E"),
        ("JSC/73/20-21 Work Programme", "73", "JSC/73/20-21", "JSC"),
    ],
)
def test_heading_styles(heading, number, label, prefix):
    n0 = int(number)
    nxt = heading.replace(str(n0), str(n0 + 1), 1).rsplit(" ", 1)[0] + " Any Other Business"
    text = f"Minutes of the Meeting of Cabinet held on 3 June 2021\nPresent: Councillor A\n{heading}\nText.\n{nxt}\nMore."
    minutes = find_minutes(text)
    assert [(m.number, m.label, m.prefix) for m in minutes][0] == (number, label, prefix)
    assert len(minutes) == 2 and minutes[0].meeting_date == date(2021, 6, 3)


def test_year_first_labels_are_learnt_from_the_heading_chain():
    text = (
        "Minutes of the Meeting of Cabinet held on 3 June 2020\nPresent: Cllr A\nCB20/15. Minutes\n"
        "Personal interest in CB20/17.\nCB20/16. Budget\nText.\nCB20/17. Parking\nText.\n"
        "23/165 is not a heading here.\n"
    )
    result = parse_text(text)
    assert [(m.number, m.label, m.year) for m in result.minutes] == [
        ("15", "CB20/15", "20"),
        ("16", "CB20/16", "20"),
        ("17", "CB20/17", "20"),
    ]
    assert [(r.cited_number, r.cited_year, r.cited_prefix) for r in result.references] == [("17", 2020, "CB")]


def test_sub_items_follow_their_parent():
    text = (
        "Minutes of the Meeting of Planning Committee held on 3 June 2021\nPresent: Cllr A\n"
        "3. Planning Applications\n3a 12 High Street\nGranted.\n3b 14 High Street\nRefused.\n"
        "4. Appeals\nNoted.\n"
    )
    assert [m.number for m in find_minutes(text)] == ["3", "3a", "3b", "4"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Further to Minute 74/15 the Board noted", [("minute", "74", None, "74/15", 2015, None, None)]),
        (
            "minute 72/15 'Children's Social Care Performance Report'",
            [("minute", "72", None, "72/15", 2015, None, None)],
        ),
        ("(Minute 48(6) refers)", [("minute", "48", "6", "48(6)", None, None, None)]),
        (
            "Minute Nos. 11 and 18 below refer",
            [("minute", "11", None, "11", None, None, None), ("minute", "18", None, "18", None, None, None)],
        ),
        (
            "minutes 290 and 292",
            [
                ("minute", "290", None, "290", None, None, None),
                ("minute", "292", None, "292", None, None, None),
            ],
        ),
        ("(Minute E.24/23 below refers)", [("minute", "24", None, "E.24/23", 2023, "E", None)]),
        ("the 3rd paragraph of Minute 62/13", [("minute", "62", None, "62/13", 2013, None, None)]),
        ("Further to Cabinet Minute 45/15", [("minute", "45", None, "45/15", 2015, None, "Cabinet")]),
    ],
)
def test_minute_references(text, expected):
    got = [
        (r.kind, r.cited_number, r.cited_sub, r.cited_label, r.cited_year, r.cited_prefix, r.cited_committee)
        for r in find_references(text)
    ]
    assert got == expected


def test_minute_reference_with_the_meeting_it_belongs_to():
    """The minute, dated by its meeting, and that meeting: both are cited (corpus rule)."""
    minute, meeting = find_references(
        "Minute No. 21/21 of the meeting held on 18 March refers", meeting_date=date(2021, 6, 1)
    )
    assert (minute.kind, minute.cited_label, minute.cited_date) == ("minute", "21/21", date(2021, 3, 18))
    assert (meeting.kind, meeting.cited_date) == ("meeting", date(2021, 3, 18))


@pytest.mark.parametrize(
    ("text", "committee", "when"),
    [
        ("the minutes of the meeting held on 14th April, 2016 were approved", None, date(2016, 4, 14)),
        ("the meeting held on 15th October 2020", None, date(2020, 10, 15)),
        ("the Pension Fund Panel held on 21 September 2009", "Pension Fund Panel", date(2009, 9, 21)),
        ("the Executive at its meeting on 9 March 2021 supported", "Executive", date(2021, 3, 9)),
        ("as noted at the 9 August 2010 Cabinet meeting", None, date(2010, 8, 9)),
    ],
)
def test_meeting_references(text, committee, when):
    [ref] = find_references(text)
    assert (ref.kind, ref.cited_committee, ref.cited_date) == ("meeting", committee, when)


@pytest.mark.parametrize(
    "text",
    [
        "Planning application DC/19/01834 was approved.",
        "The report CT/16/2 was noted.",
        "The budget for 2015/16 was set.",
        "The letter of 14/04/2016 was tabled.",
        "See page 84 and paragraph 3.1.",
        "Item 9 on the agenda and Appendix 2 were noted.",
        "Call 024 7683 3111 or 07521058748.",
        "The meeting adjourned for 15 minutes 2 members having left.",
        "The next meeting will be held on 3 May 2024.",
        "The Improvement Board reported on 11 May 2016.",
        "An eighteen month review was held on 2nd February 2016.",
        "That approval be deferred to the November 11 2009 meeting.",
        "Requests that it be on the agenda for the 28th January 2021 meeting of the Board.",
    ],
)
def test_not_references(text):
    assert find_references(text, heading_prefixes={"CB"}) == []


def test_bare_labels_only_in_the_shape_of_the_documents_own_headings():
    text = "Personal interest in CB22/27 and in DC/19/01834."
    assert [r.cited_label for r in find_references(text, heading_prefixes={"CB"})] == ["CB22/27"]
    assert find_references(text) == []


def test_year_conventions():
    assert parse_label("74/15")["cited_year"] == 2015
    assert parse_label("JSC/73/20-21")["cited_year"] == 2020
    assert parse_label("23/165") == {
        "cited_number": "165",
        "cited_sub": None,
        "cited_prefix": None,
        "cited_year": 2023,
    }
    result = parse_text("14 March 2016\nPresent: Cllr A\n1. Minutes\nMinute 12 refers.\n2. Budget\nAgreed.\n")
    [ref] = result.references
    assert result.target_year(ref, Profile()) == 2015  # municipal: March 2016 is in 2015/16
    assert result.target_year(ref, Profile("calendar")) == 2016
    assert Profile("calendar").numbering_year(date(2016, 3, 1)) == 2016


def test_parse_command_json_contract():
    result = run_cli("parse", str(REAL / "003_38730913436678bc.txt"), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"minutes", "references"}
    assert {"number", "label", "title", "meeting_date", "page"} <= set(doc["minutes"][0])
    assert {"kind", "cited_text", "cited_number", "cited_label", "cited_date", "from_minute"} <= set(
        doc["references"][0]
    )
    assert [r["cited_text"] for r in doc["references"] if r["from_minute"] == "3"] == ["Minute 74/15"]
    assert doc["minutes"][0]["meeting_date"] == "2016-06-16"


def test_parse_command_unreadable_file(tmp_path):
    missing = run_cli("parse", str(tmp_path / "nope.pdf"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n garbage that is not a PDF body")
    result = run_cli("parse", str(broken))
    assert result.returncode == 2
    assert (
        result.stderr.startswith("council-archive: error: cannot extract text from")
        and "Traceback" not in result.stderr
    )


lines = st.sampled_from(
    [
        "Minutes of the Meeting of Cabinet held on 3 June 2021",
        "Present:",
        "PRESENT:",
        "69.",
        "70. Minutes",
        "12 Apology for Absence",
        "CB20/15. Minutes",
        "E.70/23 Title",
        "JSC/73/20-21 Work",
        "*450 Minutes",
        "Minute 151: Budget",
        "3a Sub item",
        "(a) Sub",
        "48(6) Item",
        "Minutes:",
        "Further to Minute 74/15",
        "the meeting held on 14th April, 2016",
        "DECLARATIONS OF INTEREST",
        "(Agenda item 3)",
        "\f",
        "",
        "(Meeting closed at 4.00 pm)",
        "1. To agree",
        "minutes 290 and 292",
        "Cabinet Minute 45/15",
        "31 February 2020",
        "16/147 (A & B) Personal",
        "PC Minutes 15 March 2016",
        "3. Minutes 3.1 The Minutes of",
        "Minute E/10/51 refers",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(lines, max_size=40).map("\n".join), st.text(max_size=400)))
def test_parsers_never_raise(text):
    result = parse_text(text)
    for m in result.minutes:
        assert m.number and m.label
    for r in result.references:
        assert r.kind in ("minute", "meeting")


def test_a_text_is_not_dated_by_the_minutes_it_confirms():
    """A page copied without its title starts with the confirmation of the last minutes: that
    date is the meeting cited, not the text's own."""
    for text in (
        "The minutes of the meeting held on 19 December 2023 were taken as read, confirmed and signed.\n",
        "To confirm the\nminutes of the meeting held on 23 September 2020\n",
        "The minutes of the Board held on 10th September 2024, including the exempt record, were considered.\n",
    ):
        [ref] = parse_text(text).references
        assert ref.kind == "meeting" and ref.cited_date.year in (2020, 2023, 2024)
