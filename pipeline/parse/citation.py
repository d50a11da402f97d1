"""What a cross-reference found in minutes text is: the cited words and what they name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class Reference:
    kind: str  # "minute" | "meeting"
    cited_text: str  # the words in the text that make the citation
    cited_number: str | None = None  # "74"
    cited_sub: str | None = None  # "6" of 48(6), "a" of 3a
    cited_label: str | None = None  # "74/15", "E.24/23", "48(6)"
    cited_year: int | None = None  # the year the label prints (None when it prints none)
    cited_prefix: str | None = None  # "CB", "E", "JSC"
    cited_committee: str | None = None  # "Cabinet", "Pension Fund Panel"
    cited_date: date | None = None  # meeting references; minute references "of the meeting held on"
    from_minute: str | None = None  # number of the citing minute
    start: int = 0  # offset in the text searched
    end: int = 0
    minute_index: int | None = None  # position of the citing minute in the document's minutes
