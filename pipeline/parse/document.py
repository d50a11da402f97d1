"""Minutes and references of one document: the ``parse`` command and the pipeline's minutes stage.

Pure over its inputs: text (or an already extracted PDF, or a meeting page's HTML) in, a
``ParseResult`` out. Reading files and running the extractor happen in the callers.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from crawler.moderngov_pages import MeetingPage
from crawler.dates import municipal_year
from pipeline.parse.minutes import Minute, find_minutes
from pipeline.parse.references import Reference, references_in_minutes

_CITES_N_YY = re.compile(r"\bminutes?\s+(?:no\.?\s*)?\d{1,4}/\d{2}\b", re.IGNORECASE)


@dataclass
class ParseResult:
    minutes: list[Minute] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    def to_json(self) -> dict:
        """The ``council-archive parse --json`` contract (plus extra keys, never renamed)."""
        return {
            "minutes": [
                {
                    "number": m.number,
                    "label": m.label,
                    "title": m.title,
                    "meeting_date": m.meeting_date.isoformat() if m.meeting_date else None,
                    "page": m.page,
                    "prefix": m.prefix,
                    "year": m.year,
                }
                for m in self.minutes
            ],
            "references": [
                {
                    k: (v.isoformat() if hasattr(v, "isoformat") else v)
                    for k, v in asdict(r).items()
                    if k not in ("start", "end", "minute_index")
                }
                for r in self.references
            ],
        }


def parse_text(text: str, convention: str = "municipal") -> ParseResult:
    """Minutes embedded anywhere in a document's text (pages separated by form feeds)."""
    minutes = find_minutes(text)
    return ParseResult(minutes, references_in_minutes(text, minutes, convention))


def parse_meeting_page(page: MeetingPage, convention: str = "municipal") -> ParseResult:
    """A ModernGov meeting page: each row number is a minute number, its "Minutes:" block the text."""
    body = "\n".join(item.minutes_text or "" for item in page.items)
    cite_n_yy = bool(_CITES_N_YY.search(body))
    minutes = []
    for item in page.items:
        if not item.minutes_text or not item.number:
            continue
        number = item.number
        label = number
        if cite_n_yy and page.date is not None and number.isdigit():
            label = f"{number}/{municipal_year(page.date) % 100:02d}"
        minutes.append(
            Minute(
                number=number,
                label=label,
                title=item.title,
                meeting_date=page.date,
                page=None,
                text=item.minutes_text,
            )
        )
    return ParseResult(minutes, references_in_minutes(body, minutes, convention))
