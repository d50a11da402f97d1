"""What a council's minute numbering means: its profile, carried to the parsers and the resolver.

``year_convention``: "municipal" (minutes numbered through the year that starts in May: 74/15 is
May 2015 to April 2016) or "calendar" (January to December). Set per council in the registry
(`council-archive councils set SLUG year_convention=calendar`); the archive keeps a copy in
``councils.year_convention``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
