"""What a council's minute numbering means: its profile, carried to the parsers and the resolver.

``year_convention``: "municipal" (minutes numbered through the year that starts in May: 74/15 is
May 2015 to April 2016) or "calendar" (January to December). Set per council in the registry
(`council-archive councils set SLUG year_convention=calendar`); the archive keeps a copy in
``councils.year_convention``. Where the registry says nothing, each committee's convention is
learnt from its own minutes: a heading that prints its year ("74/15", "CB22/14", "JSC/073/20-21")
beside the date of its meeting says which (``learn_year_convention``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from crawler.dates import two_digit_year

YEAR_CONVENTIONS = ("municipal", "calendar")


@dataclass(frozen=True)
class Profile:
    year_convention: str = "municipal"
    year_start_month: int = 5  # of a municipal year

    def __post_init__(self):
        if self.year_convention not in YEAR_CONVENTIONS:
            raise ValueError(
                f"unknown year convention {self.year_convention!r} (one of: {', '.join(YEAR_CONVENTIONS)})"
            )

    def numbering_year(self, d: date | None) -> int | None:
        """The year a meeting's minutes are numbered in."""
        if d is None:
            return None
        if self.year_convention == "calendar":
            return d.year
        return d.year if d.month >= self.year_start_month else d.year - 1

    @property
    def key(self) -> str:
        """Short and stable: part of the parser version recorded on derived rows."""
        return (
            self.year_convention
            if self.year_start_month == 5
            else f"{self.year_convention}-{self.year_start_month:02d}"
        )


MUNICIPAL = Profile()


def learn_year_convention(pairs: Iterable[tuple[str, date]]) -> str | None:
    """The convention (year as printed in a minute's key, meeting date) pairs show: only meetings
    from January to April tell the two apart (minute 12/16 of February 2016 is calendar, 12/15
    municipal). None without such evidence; the majority where councils changed."""
    votes: Counter = Counter()
    for printed, when in pairs:
        year = two_digit_year(printed.split("-")[0]) if printed else None
        if year is None or when is None or when.month >= MUNICIPAL.year_start_month:
            continue
        if year == when.year:
            votes["calendar"] += 1
        elif year == when.year - 1:
            votes["municipal"] += 1
    if not votes:
        return None
    (best, n), *rest = votes.most_common()
    return best if not rest or n > rest[0][1] else None


@dataclass(frozen=True)
class Profiles:
    """A council's profile, and the conventions its committees' own minutes show."""

    default: Profile = MUNICIPAL
    by_committee: Mapping[int, Profile] = field(default_factory=dict)

    def of(self, committee_id: int | None) -> Profile:
        return self.by_committee.get(committee_id, self.default) if committee_id is not None else self.default
