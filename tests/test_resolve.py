"""The pure resolution rules (pipeline.parse.resolve) and the council profile they use."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from pipeline.cli import main
from pipeline.parse.profile import Profile
from pipeline.parse.resolve import citation_key, meeting_target, minute_target, pick_committee

BY_NAME = {"cabinet": 1, "scrutiny board (2)": 2, "planning committee": 3}
BY_PREFIX = {"CB": 1, "P": 3}


def ref(**fields):
    base = dict(
        kind="minute",
        cited_number="74",
        cited_sub=None,
        cited_year=None,
        cited_prefix=None,
        cited_committee=None,
        cited_date=None,
        cited_label="74",
    )
    return SimpleNamespace(**{**base, **fields})


def test_committee_from_prefix_then_name_then_the_citing_committee():
    assert pick_committee(2, "CB", None, BY_NAME, BY_PREFIX) == (1, "prefix CB")
    assert pick_committee(2, "XX", None, BY_NAME, BY_PREFIX) == (None, "no committee uses prefix XX")
    assert pick_committee(2, None, "Cabinet", BY_NAME, BY_PREFIX) == (1, "committee 'Cabinet'")
    assert pick_committee(2, None, "Planning  Committee", BY_NAME, BY_PREFIX)[0] == 3
    assert pick_committee(2, None, "the Board", BY_NAME, BY_PREFIX) == (2, "same committee")
    assert pick_committee(2, None, "the Cabinet", BY_NAME, BY_PREFIX)[0] == 1
    assert pick_committee(2, None, "Board", BY_NAME, BY_PREFIX) == (2, "same committee")
    assert pick_committee(2, None, "Licensing Committee", BY_NAME, BY_PREFIX)[0] is None
    assert pick_committee(2, None, None, BY_NAME, BY_PREFIX) == (2, "same committee")


@pytest.mark.parametrize(
    ("convention", "citing", "year"),
    [
        ("municipal", date(2016, 3, 10), 2015),
        ("municipal", date(2016, 6, 16), 2016),
        ("calendar", date(2016, 3, 10), 2016),
    ],
)
def test_year_of_a_label_without_one_is_the_citing_meetings_numbering_year(convention, citing, year):
    t = minute_target(ref(), 2, citing, Profile(convention), BY_NAME, BY_PREFIX)
    assert (t.committee_id, t.year, t.number, t.problem) == (2, year, "74", None)


def test_a_label_year_wins_and_a_sub_number_is_kept():
    t = minute_target(
        ref(cited_year=2015, cited_sub="6"), 2, date(2016, 6, 16), Profile(), BY_NAME, BY_PREFIX
    )
    assert (t.year, t.number) == (2015, "746")
    assert t.method == "same committee, year 2015, number 74"


def test_what_cannot_resolve_says_why():
    assert minute_target(
        ref(cited_prefix="ZZ"), 2, date(2016, 1, 1), Profile(), BY_NAME, BY_PREFIX
    ).problem == ("no committee uses prefix ZZ")
    assert minute_target(ref(), 2, None, Profile(), BY_NAME, BY_PREFIX).problem == (
        "no year: the citing meeting has no date"
    )
    m = ref(kind="meeting", cited_number=None, cited_date=None)
    assert meeting_target(m, 2, BY_NAME).problem == "no date"
    m = ref(kind="meeting", cited_number=None, cited_date=date(2016, 4, 14), cited_committee="Cabinet")
    t = meeting_target(m, 2, BY_NAME)
    assert (t.committee_id, t.meeting_date, t.problem) == (1, date(2016, 4, 14), None)


def test_one_citation_one_key_whatever_the_source_wrote_around_it():
    a = ref(cited_prefix="C.B", cited_year=2022, cited_committee="Cabinet")
    b = ref(cited_prefix="CB", cited_year=2022, cited_committee="  cabinet ")
    assert citation_key(a) == citation_key(b)
    assert citation_key(a) != citation_key(ref(cited_prefix="CB", cited_year=2021, cited_committee="Cabinet"))
    assert citation_key(ref(kind="meeting", cited_date=date(2016, 4, 14))) == "meeting|2016-04-14|"


def test_profile_rejects_an_unknown_convention():
    with pytest.raises(ValueError, match="unknown year convention 'lunar'"):
        Profile("lunar")


def test_councils_set_year_convention_and_parse_follows_it(tmp_path, capsys):
    registry = tmp_path / "councils.toml"
    registry.write_text('[councils.luton]\nname = "Luton"\nbase_url = "https://luton.example/"\n')
    assert main(["councils", "set", "luton", "year_convention=calendar", "--config", str(registry)]) == 0
    assert "reprocess --council luton" in capsys.readouterr().out
    assert 'year_convention = "calendar"' in registry.read_text()
    assert (
        main(
            [
                "councils",
                "show",
                "luton",
                "--config",
                str(registry),
                "--db",
                f"sqlite:///{tmp_path}/no.sqlite",
            ]
        )
        == 0
    )
    assert "year_convention  calendar" in capsys.readouterr().out
    assert main(["councils", "set", "luton", "year_convention=lunar", "--config", str(registry)]) == 2
    assert "year_convention must be one of municipal, calendar" in capsys.readouterr().err

    text = tmp_path / "m.txt"
    text.write_text(
        "Minutes of the Meeting of the Cabinet held on 10 March 2016\nPresent: Cllr A\n"
        "1. Minutes\nFurther to Minute 12 the Cabinet noted progress.\n2. Budget\nAgreed.\n"
    )
    found = {}
    for convention in ("municipal", "calendar"):
        assert main(["parse", str(text), "--json", "--year-convention", convention]) == 0
        import json

        found[convention] = json.loads(capsys.readouterr().out)
    assert [m["numbering_year"] for m in found["municipal"]["minutes"]] == [2015, 2015]
    assert [m["numbering_year"] for m in found["calendar"]["minutes"]] == [2016, 2016]
    assert found["municipal"]["references"][0]["target_year"] == 2015
    assert found["calendar"]["references"][0]["target_year"] == 2016


def test_the_year_convention_is_learnt_from_label_and_date_pairs():
    from pipeline.parse.profile import learn_year_convention

    municipal = [("15", date(2016, 2, 3)), ("15", date(2016, 3, 9)), ("16", date(2016, 6, 1))]
    calendar = [("16", date(2016, 2, 3)), ("2016", date(2016, 4, 20)), ("15", date(2015, 11, 4))]
    assert learn_year_convention(municipal) == "municipal"
    assert learn_year_convention(calendar) == "calendar"
    assert learn_year_convention([("16", date(2016, 9, 1))]) is None  # May-December tells nothing
    assert learn_year_convention([("15", date(2016, 2, 1)), ("16", date(2016, 3, 1))]) is None  # a tie
    assert learn_year_convention([("20-21", date(2021, 1, 12))]) == "municipal"


def test_a_target_whose_label_disagrees_is_no_resolution():
    from pipeline.parse.resolve import label_disagreement

    cited = SimpleNamespace(cited_prefix="CB", cited_number="14", cited_label="CB22/14")
    assert label_disagreement(cited, "CB22/14") is None
    assert "C22/14" in label_disagreement(cited, "C22/14")
    assert label_disagreement(
        SimpleNamespace(cited_prefix=None, cited_number="74", cited_label="74/15"), "75/15"
    )
    assert (
        label_disagreement(SimpleNamespace(cited_prefix=None, cited_number="74", cited_label="74"), "74.")
        is None
    )
