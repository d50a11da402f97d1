"""Minutes and references of one document: the ``parse`` command and the pipeline's minutes stage.

Pure over its inputs: text (or an already extracted PDF, or a meeting page's HTML) in, a
``ParseResult`` out. Reading files and running the extractor happen in the callers.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from crawler.dates import two_digit_year
from crawler.pages import MeetingPage
from pipeline.parse.cleanup import clean_pages
from pipeline.parse.headings import MINUTES_LABEL
from pipeline.parse.labels import Reading, heading_key
from pipeline.parse.lines import split_lines
from pipeline.parse.minutes import Minute, find_minutes
from pipeline.parse.profile import MUNICIPAL, Profile
from pipeline.parse.references import Reference, references_in_minutes
from pipeline.parse.regions import page_date, top_date

INLINE_TAGS = re.compile(r"</?(?:b|i|u|em|strong|sup|sub|span|font)\b[^>]*>", re.IGNORECASE)
_CITES_N_YY = re.compile(r"\bminutes?\s+(?:no\.?\s*)?\d{1,4}/\d{2}\b", re.IGNORECASE)


@dataclass
class ParseResult:
    minutes: list[Minute] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    def to_json(self, profile: Profile = MUNICIPAL) -> dict:
        """The ``council-archive parse --json`` contract (plus extra keys, never renamed).

        ``numbering_year`` (minutes) and ``target_year`` (minute references) are the years the
        council's profile implies: what "74/15" or a bare "Minute 51" points into."""
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
                    "numbering_year": profile.numbering_year(m.meeting_date),
                }
                for m in self.minutes
            ],
            "references": [
                {
                    **{
                        k: (v.isoformat() if hasattr(v, "isoformat") else v)
                        for k, v in asdict(r).items()
                        if k not in ("start", "end", "minute_index")
                    },
                    "target_year": self.target_year(r, profile),
                }
                for r in self.references
            ],
        }

    def target_year(self, ref: Reference, profile: Profile) -> int | None:
        """The year a minute reference points into: its label's, else the citing minute's."""
        if ref.kind != "minute":
            return None
        if ref.cited_year is not None:
            return ref.cited_year
        citing = self.minutes[ref.minute_index] if ref.minute_index is not None else None
        return profile.numbering_year(citing.meeting_date) if citing else None


def parse_pages(raw_pages: list[str], profile: Profile = MUNICIPAL) -> tuple[list[str], ParseResult]:
    """An extracted document: its pages repaired (running headers, hyphenation...), and the minutes
    and references of the repaired text. What the crawl and ``reprocess`` both run."""
    clean = clean_pages(raw_pages)
    return clean, parse_text("\f".join(clean), profile)


def parse_text(text: str, profile: Profile = MUNICIPAL, page_date: date | None = None) -> ParseResult:
    """Minutes embedded anywhere in a document's text (pages separated by form feeds), and the
    references in and around them. ``page_date``: the meeting's date, for the text of a meeting
    page copied without its title."""
    text = INLINE_TAGS.sub("", text)  # "17<sup>th</sup> March" is "17th March" to every rule below
    minutes = find_minutes(text, profile=profile, page_date=page_date)
    return ParseResult(minutes, references_in_minutes(minutes, text, document_date(text, minutes, page_date)))


def document_date(text: str, minutes: list[Minute], page_date_known: date | None = None) -> date | None:
    """The date of the meeting a text is for (what text outside any minute is dated by): its
    minutes' meeting, else the first date near its top."""
    dated = [m.meeting_date for m in minutes if m.meeting_date]
    if dated:
        return max(dated)
    texts = [ln.text for ln in split_lines(text[:6000])]
    if any(MINUTES_LABEL.match(t) for t in texts):
        return page_date(texts) or page_date_known  # a meeting page: a date in its rows is an item's
    return top_date(texts)


def parse_meeting_page(page: MeetingPage, profile: Profile = MUNICIPAL) -> ParseResult:
    """A ModernGov meeting page: each row number is a minute number, its "Minutes:" block the text,
    and its title and description (the text before "Minutes:") are searched for citations too."""
    body = "\n".join(item.minutes_text or "" for item in page.items)
    cite_n_yy = bool(_CITES_N_YY.search(body))
    minutes, parts, offset = [], [], 0
    for item in page.items:
        part = "\n".join(t for t in (item.title, item.description, item.minutes_text) if t) + "\n"
        if item.minutes_text and item.number:
            number, label, reading = _row_key(item.number, page.date)
            if cite_n_yy and page.date is not None and number.isdigit() and label == number:
                label = f"{number}/{profile.numbering_year(page.date) % 100:02d}"
            minutes.append(
                Minute(
                    number=number,
                    label=label,
                    title=item.title,
                    meeting_date=page.date,
                    page=None,
                    text=item.minutes_text,
                    prefix=reading.prefix if reading else None,
                    year=reading.year if reading else None,
                    year_first=reading.year_first if reading else False,
                    start=offset,
                    end=offset + len(part),
                )
            )
        parts.append(part)
        offset += len(part)
    return ParseResult(minutes, references_in_minutes(minutes, "".join(parts), page.date))


def _row_key(printed: str, when: date | None) -> tuple[str, str, Reading | None]:
    """A meeting page row's number as (number, label, reading): "CB22/14" is minute 14 of Cabinet's
    2022 (the same minute the printed minutes head "CB22/14"), "12" is 12."""
    key = heading_key(printed)
    if key is None or not key.readings:
        return printed, printed, None
    fits = [r for r in key.readings if r.year is None or when is None or _year_fits(r.year, when)]
    reading = (fits or list(key.readings))[0]
    if reading.series == "roman" or (reading.sub is None and not reading.prefix and not reading.year):
        return (key.label if reading.series == "roman" else str(reading.num)), key.label, reading
    if reading.sub is None:
        number = str(reading.num)
    elif "." in key.label:
        number = f"{reading.num}.{reading.sub}"  # as the printed minutes' parse numbers them
    elif "(" in key.label or reading.sub.isdigit():
        number = f"{reading.num}({reading.sub})"
    else:
        number = f"{reading.num}{reading.sub}"
    return number, key.label, reading


def _year_fits(printed: str, when: date) -> bool:
    """Could a key's year part be the numbering year of a meeting on ``when`` (calendar, or the
    municipal year that began the May before)?"""
    year = two_digit_year(printed.split("-")[0])
    return year in (when.year, when.year - 1)
