"""How a reference finds what it cites. Pure decisions; the derivation job applies them.

A minute reference resolves to (committee, year, number): no committee named means the citing
committee; a label prefix ("CB", "E.") means the committee whose own minute headings carry that
prefix; a committee name ("Cabinet Minute 45/15") the committee of that name. The year is the one
the label implies ("74/15": 2015), else the citing meeting's numbering year under the council's
profile. A meeting reference resolves by committee and date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.parse.labels import heading_key
from pipeline.parse.profile import Profile

GENERIC_BODIES = ("board", "committee", "panel", "sub-committee", "group")


@dataclass(frozen=True)
class Target:
    committee_id: int | None
    year: int | None
    number: str | None
    meeting_date: date | None
    method: str
    problem: str | None = None  # why it cannot resolve, when that is known before looking


def normalise_name(name: str) -> str:
    return " ".join(name.lower().replace("&", "and").split())


def citation_key(ref) -> str:
    """What one citation cites, normalised: the same key in one minute is the same citation,
    however many sources (meeting page, printed minutes, a later pack) show it."""
    committee = normalise_name(ref.cited_committee) if ref.cited_committee else ""
    if ref.kind == "minute":
        prefix = (ref.cited_prefix or "").upper().replace(".", "")
        sub = f"({ref.cited_sub})" if ref.cited_sub else ""
        year = ref.cited_year if ref.cited_year is not None else ""
        return f"minute|{prefix}|{ref.cited_number}{sub}|{year}|{committee}|{ref.cited_date or ''}"[:300]
    return f"meeting|{ref.cited_date or ''}|{committee}"[:300]


def pick_committee(
    citing_committee_id: int,
    prefix: str | None,
    named: str | None,
    committees_by_name: dict[str, int],
    committees_by_prefix: dict[str, int],
) -> tuple[int | None, str]:
    """The committee a reference cites, and why."""
    if prefix:
        found = committees_by_prefix.get(prefix)
        return found, f"prefix {prefix}" if found else f"no committee uses prefix {prefix}"
    if named:
        key = normalise_name(named)
        found = committees_by_name.get(key, committees_by_name.get(key.removeprefix("the ")))
        if found is None:  # "the Board", "the Committee": the citing committee named generically
            if key.removeprefix("the ") in GENERIC_BODIES:
                return citing_committee_id, "same committee"
            return None, f"no committee named {named!r}"
        return found, f"committee {named!r}"
    return citing_committee_id, "same committee"


def minute_target(
    ref,
    citing_committee_id: int,
    citing_date: date | None,
    profile: Profile,
    committees_by_name: dict[str, int],
    committees_by_prefix: dict[str, int],
) -> Target:
    committee, why = pick_committee(
        citing_committee_id, ref.cited_prefix, ref.cited_committee, committees_by_name, committees_by_prefix
    )
    year = ref.cited_year if ref.cited_year is not None else profile.numbering_year(citing_date)
    number = ref.cited_number if not ref.cited_sub else f"{ref.cited_number}{ref.cited_sub}"
    problem = (
        why if committee is None else ("no year: the citing meeting has no date" if year is None else None)
    )
    return Target(
        committee, year, number, ref.cited_date, f"{why}, year {year}, number {ref.cited_number}", problem
    )


def meeting_target(ref, citing_committee_id: int, committees_by_name: dict[str, int]) -> Target:
    committee, why = pick_committee(citing_committee_id, None, ref.cited_committee, committees_by_name, {})
    problem = why if committee is None else ("no date" if ref.cited_date is None else None)
    return Target(committee, None, None, ref.cited_date, f"{why}, meeting of {ref.cited_date}", problem)


def label_disagreement(ref, target_label: str) -> str | None:
    """Why the minute found cannot be the one cited, by the labels (None when they agree): a
    prefix or a printed year the two labels both carry must be the same ("CB22/14" is not "C22/14")."""
    key = heading_key(target_label)
    if key is None or not key.readings:
        return None
    readings = key.readings
    if ref.cited_prefix and all(
        r.prefix and r.prefix.upper() != ref.cited_prefix.upper().replace(".", "") for r in readings
    ):
        return f"minute found is labelled {target_label}, not {ref.cited_label}"
    cited = re.match(r"\d+", ref.cited_number or "")
    numbers = {r.num for r in readings if r.series != "roman"}
    if cited and numbers and int(cited.group(0)) not in numbers:
        return f"minute found is labelled {target_label}, not {ref.cited_label}"
    return None
