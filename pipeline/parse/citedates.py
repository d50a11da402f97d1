"""Dates as citations write them, and lists of them. Pure.

"14 April 2016", "14th April, 2016", "26 th September", "Wed 27th September 2023", "the 23rd of July",
"TUESDAY 1 SEPTEMBER 2020", "July 20 2009", "18/06/2019", and lists that share a month or a year:
"12 and 19 December 2023 and 9 January 2024", "28th March and 16th April, 2012". A date without a
year is the latest such date not after the citing meeting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from crawler.dates import MONTHS

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])\s?(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
# one date: [weekday] [the] day [of] month [year] | month day [year] | d/m/yyyy
_ONE = (
    rf"(?:{WEEKDAY}\.?,?\s+)?(?:the\s+)?(?P<day>{_DAY})(?:\s+of)?\s*(?P<month>{MONTH})\b\.?,?(?:\s*(?P<year>{_YEAR})(?!\d))?"
    rf"|(?:{WEEKDAY}\.?,?\s+)?(?P<umonth>{MONTH})\.?\s+(?P<uday>{_DAY}),?\s+(?P<uyear>{_YEAR})(?!\d)"
    rf"|(?:{WEEKDAY}\.?,?\s+)?(?P<nday>[12]\d|3[01]|0?[1-9])[/.-](?P<nmonth>1[0-2]|0?[1-9])[/.-](?P<nyear>{_YEAR})\b"
)
ONE_DATE = re.compile(rf"(?<![\w/]){_ONE}", re.IGNORECASE)
# a bare day joined to the next date of a list: the "12" of "12 and 19 December 2023"
_BARE_DAY = re.compile(rf"(?<![\w/£$.,]){_DAY}(?=\s*(?:,|and|&)\s)", re.IGNORECASE)
_JOIN = re.compile(r"^\s*(?:,\s*)?(?:and|&|,)\s*(?:on\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    day: int
    month: int
    year: int | None

    def resolve(self, context: date | None) -> date | None:
        """The date, a missing year filled from the citing meeting's date (latest not after it)."""
        try:
            if self.year is not None:
                return date(self.year, self.month, self.day)
            if context is None:
                return None
            d = date(context.year, self.month, self.day)
            return d if d <= context else date(context.year - 1, self.month, self.day)
        except ValueError:
            return None


def _number(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))


def dates_in(text: str) -> list[DateMention]:
    """Every date mentioned in ``text``, in order, lists expanded (a bare day takes the month and
    year of the date it is listed with)."""
    found: list[DateMention] = []
    for m in ONE_DATE.finditer(text):
        g = m.groupdict()
        if g["day"]:
            day, month, year = _number(g["day"]), MONTHS[g["month"][:3].lower()], g["year"]
        elif g["uday"]:
            day, month, year = _number(g["uday"]), MONTHS[g["umonth"][:3].lower()], g["uyear"]
        else:
            day, month, year = int(g["nday"]), int(g["nmonth"]), g["nyear"]
        found.append(DateMention(m.start(), m.end(), day, month, int(year) if year else None))
    # "28th March and 16th April, 2012": a date without a year takes the year of the next in the list
    for k in range(len(found) - 1, 0, -1):
        a, b = found[k - 1], found[k]
        if a.year is None and b.year is not None and _JOIN.match(text[a.end : b.start]):
            found[k - 1] = DateMention(a.start, a.end, a.day, a.month, b.year)
    # "12 and 19 December 2023": bare days before a full date
    extra: list[DateMention] = []
    for d in found:
        k = d.start
        while True:
            window = text[max(0, k - 12) : k]
            bare = list(_BARE_DAY.finditer(window))
            if not bare or not _JOIN.match(window[bare[-1].end() :]):
                break
            start = max(0, k - 12) + bare[-1].start()
            extra.append(
                DateMention(
                    start, start + len(bare[-1].group(0)), _number(bare[-1].group(0)), d.month, d.year
                )
            )
            k = start
    return sorted(found + extra, key=lambda d: d.start)
