"""Dates and times as UK council documents write them. Pure functions.

(What a municipal year is belongs to a council's profile: ``pipeline.parse.profile``.)"""

from __future__ import annotations

import re
from datetime import date, time

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_MONTH_NAMES = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# "14 April 2016", "14th April, 2016", "14<sup>th</sup> April 2016" (after tag stripping), "18 March".
DATE_PATTERN = (
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>"
    + _MONTH_NAMES
    + r")\.?,?(?:\s+(?P<year>(?:19|20)\d{2}))?"
)
_DATE_RE = re.compile(r"\b" + DATE_PATTERN + r"\b", re.IGNORECASE)
_NUMERIC_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b")


def make_date(day: str | int, month: str, year: str | int | None) -> date | None:
    if year is None:
        return None
    m = MONTHS.get(str(month)[:3].lower())
    try:
        return date(int(year), m, int(day)) if m else None
    except ValueError:
        return None


def parse_date_text(text: str) -> date | None:
    """The first complete calendar date written in ``text`` (UK day-month-year order)."""
    for m in _DATE_RE.finditer(text):
        d = make_date(m.group("day"), m.group("month"), m.group("year"))
        if d:
            return d
    m = _NUMERIC_RE.search(text)
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    return None


def two_digit_year(text: str) -> int | None:
    """'15' -> 2015, '20-21' -> 2020, '2015' -> 2015, '99' -> 1999."""
    m = re.match(r"^(\d{2,4})(?:-\d{2})?$", text)
    if not m:
        return None
    y = int(m.group(1))
    if y < 100:
        y += 2000 if y < 70 else 1900
    return y if 1900 <= y <= 2100 else None


# "7:30 pm", "7.00 pm", "19:30".
_TIME_RE = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s*m\b", re.IGNORECASE)
_TIME24_RE = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")


def parse_time_text(text: str) -> time | None:
    m = _TIME_RE.search(text)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if 1 <= hour <= 12 and minute < 60:
            hour = hour % 12 + (12 if m.group(3).lower() == "p" else 0)
            return time(hour, minute)
    m = _TIME24_RE.search(text)
    if m:
        return time(int(m.group(1)), int(m.group(2)))
    return None
