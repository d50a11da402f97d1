"""How a reference finds what it cites. Pure decisions; storage.py applies them to the archive.

A minute reference resolves to (committee, year, number): no committee named means the citing
committee; a label prefix ("CB", "E.") means the committee whose own minute headings carry that
prefix; a committee name ("Cabinet Minute 45/15") the committee of that name. The year is the one
the label implies ("74/15": 2015), else the citing minute's own year. A meeting reference resolves
by committee and date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crawler.dates import municipal_year


def minute_year(meeting_date: date | None, convention: str = "municipal") -> int | None:
    """The year a council numbers a meeting's minutes in."""
    if meeting_date is None:
        return None
    return municipal_year(meeting_date) if convention == "municipal" else meeting_date.year


@dataclass(frozen=True)
class Target:
    committee_id: int | None
    year: int | None
    number: str | None
    meeting_date: date | None
    method: str


def normalise_name(name: str) -> str:
    return " ".join(name.lower().replace("&", "and").split())


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
        found = committees_by_name.get(key)
        if found is None:  # "the Board", "the Committee": the citing committee named generically
            if key in ("board", "committee", "panel", "sub-committee", "group"):
                return citing_committee_id, "same committee"
            return None, f"no committee named {named!r}"
        return found, f"committee {named!r}"
    return citing_committee_id, "same committee"


def minute_target(
    ref,
    citing_committee_id: int,
    citing_date: date | None,
    convention: str,
    committees_by_name: dict[str, int],
    committees_by_prefix: dict[str, int],
) -> Target:
    committee, why = pick_committee(
        citing_committee_id, ref.cited_prefix, ref.cited_committee, committees_by_name, committees_by_prefix
    )
    year = ref.cited_year if ref.cited_year is not None else minute_year(citing_date, convention)
    number = ref.cited_number if not ref.cited_sub else f"{ref.cited_number}{ref.cited_sub}"
    return Target(committee, year, number, ref.cited_date, f"{why}, year {year}, number {ref.cited_number}")


def meeting_target(ref, citing_committee_id: int, committees_by_name: dict[str, int]) -> Target:
    committee, why = pick_committee(citing_committee_id, None, ref.cited_committee, committees_by_name, {})
    return Target(committee, None, None, ref.cited_date, f"{why}, meeting of {ref.cited_date}")
