"""The parser's accuracy on real published minutes can only go up, and its time stays linear.

The floors are the figures last measured by ``python bench/parse_accuracy.py`` on tests/corpus/real/
(docs/architecture.md). Raise them when the parser gets better; a change that lowers one fails here.
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from pipeline.parse.document import parse_text
from pipeline.parse.labels import parse_cited
from pipeline.parse.references import find_references
from tests.corpus.score import score

# (F1 floor, measured) per part of the real corpus
FLOORS = {
    None: {"minutes": 0.975, "minute_refs": 0.938, "meeting_refs": 0.942},
    "held-out": {"minutes": 0.926, "minute_refs": 0.750, "meeting_refs": 0.833},
    "fresh": {"minutes": 0.987, "minute_refs": 0.933, "meeting_refs": 0.933},
    "unseen": {"minutes": 0.916, "minute_refs": 0.857, "meeting_refs": 0.909},  # never read
}


@pytest.mark.parametrize("split", list(FLOORS))
def test_real_corpus_figures_never_fall(split):
    result = score("real", split=split)
    got = {
        "minutes": result.minutes.f1,
        "minute_refs": result.minute_refs.f1,
        "meeting_refs": result.meeting_refs.f1,
    }
    low = {k: round(v, 3) for k, v in got.items() if v < FLOORS[split][k] - 0.0005}
    assert not low, f"below the measured floor {FLOORS[split]}: {low}"
    assert result.trap_hits == []


def test_the_real_corpus_meets_the_issue_targets():
    result = score("real")
    assert result.minutes.f1 >= 0.97
    assert result.minute_refs.f1 >= 0.93
    assert result.meeting_refs.f1 >= 0.93


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("The Panel noted the PC Minutes 4 Oct 22 as circulated.", []),
        ("received the Housing Board Minutes 2nd November 2019", []),
        ("7. Minutes 7.1 The Minutes of the meeting held on 3 May were agreed.", []),
        ("(c) MINUTES 1. Minute of Audit Committee dated 2nd May, 2019, page 1.", []),
        ("further to Minute 7 (4 May) and minute 12", ["7", "12"]),
    ],
)
def test_a_number_that_is_a_date_a_paragraph_or_a_list_item_is_no_minute(text, labels):
    assert [r.cited_label for r in find_references(text) if r.kind == "minute"] == labels


def test_of_two_two_digit_parts_the_citing_years_is_the_year():
    assert parse_cited("E/11/37", near_year=2011)[("cited_number")] == "37"
    assert parse_cited("E/37/11", near_year=2012)["cited_number"] == "37"  # 11 is the year before
    assert parse_cited("12/11", near_year=2012)["cited_number"] == "12"  # both recent: as printed
    assert parse_cited("E/11/37")["cited_number"] == "11"  # no context: number first, as printed


def test_bare_keys_in_the_shape_of_the_documents_own_headings_cite_them():
    text = (
        "21 June 2018\n"
        "18/201 Apologies\nNone.\n"
        "18/202 Declarations of interest\n"
        "Cllr A Smith  18/205 (A & B)  Personal\nCllr B Jones  18/207  Prejudicial\n"
        "18/203 Budget 18/19\nThe 18/19 budget was noted; see also 18/2019 papers.\n"
        "18/204 Planning\nApplication 18/00123/FUL was noted.\n"
    )
    result = parse_text(text)
    assert [m.label for m in result.minutes] == ["18/201", "18/202", "18/203", "18/204"]
    refs = [(r.from_minute, r.cited_number, r.cited_sub) for r in result.references if r.kind == "minute"]
    assert refs == [("202", "205", "a"), ("202", "205", "b"), ("202", "207", None)]


def test_record_shapes_of_texts_not_seen_before():
    # a key a word and a dash mark, its record run on after the title on one long line
    run_on = "Minutes of the Meeting of Tyneham Parish Council held on 3rd May 2022\n" + "".join(
        f"Minute no. {n} – Item {n} Title The Clerk reported {'at length ' * 40}on the matter.\n"
        for n in (1, 2, 3)
    )
    assert [m.number for m in parse_text(run_on).minutes] == ["1", "2", "3"]
    # attendance under the first heading: that heading is a minute, not the header
    present = "P22/041 PRESENT\nCllrs A, B and C.\nIn attendance: the Clerk.\n\nP22/042 APOLOGIES\nNone.\n"
    assert [m.label for m in parse_text(present).minutes] == ["P22/041", "P22/042"]
    # a sentence about minutes broken across lines starts no new record; a period is no meeting
    text = (
        "Minutes of the Meeting of Upton Council held on 4 June 2019\nPresent: Cllr A\n"
        "1 Minutes\nThe minute of the special meeting of Upton Council dated 8 May 2019\n"
        "was submitted and approved.\n2 Reports\nReports received between 1 April 2019 and 3 May 2019 were noted.\n"
    )
    result = parse_text(text)
    assert [(m.number, m.meeting_date) for m in result.minutes] == [
        ("1", date(2019, 6, 4)),
        ("2", date(2019, 6, 4)),
    ]
    assert [(r.kind, r.cited_date) for r in result.references] == [("meeting", date(2019, 5, 8))]
    # a list of meetings is no title: the text is not dated by its first item
    listed = "To receive the minutes listed below.\na) Planning Committee 4 October 2021\nb) Finance Committee 6 December 2021\n"
    assert [r.cited_date for r in parse_text(listed).references] == [date(2021, 10, 4), date(2021, 12, 6)]


def _seconds(text: str) -> float:
    started = time.perf_counter()
    parse_text(text, page_date=date(2020, 5, 3))
    return time.perf_counter() - started


SHAPES = {
    "numbered lines": lambda n: "".join(
        f"{i}. Title {i}\nResolved: minute {i - 1} noted.\n" for i in range(1, n)
    ),
    "capitals": lambda n: "MINUTES OF THE MEETING HELD ON " * n,
    "Minute No. headers": lambda n: "Minute No. " * n,
    "lists of references": lambda n: "Minutes 1, 2, 3 and 4 of the meeting held on 3 May 2020. " * n,
    "year keys": lambda n: "16/137 Apologies\n" + "see 16/140 and 16/141 (A & B). " * n,
    "minute tables": lambda n: "Minute No.  Report title\n" + "  53  Disposal of sites\n" * n,
    "one long line": lambda n: ("word " * 50 + "Minute 12 ") * n,
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_parsing_takes_time_in_proportion_to_the_text(shape):
    make = SHAPES[shape]
    small, large = make(500), make(8000)
    t_small = min(_seconds(small) for _ in range(3))
    t_large = min(_seconds(large) for _ in range(2))
    assert t_large < 48 * t_small + 0.1, (t_small, t_large)  # 16x the text; quadratic would be 256x
