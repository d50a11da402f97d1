"""What a minute's key looks like, as a heading prints it and as a citation writes it: the one rule.

Councils key their minutes every way: "69", "69.", "3a", "7(b)", "74/15" (number/year), "23/165"
(year/number), "25\\25", "21.44" (year.number), "1.23" (number.year), "CB22/14", "E.70/23", "C048/23", "CL.72",
"CAB 193", "JSC/073/20-21", "19-20/FRA/15", "03/10/1" (month/year/number), "(199)", "*450", "Minute 151", "Item 77", "Article 13", roman "II". A key can be
read more than one way ("74/15": minute 74 of 2015, or minute 15 of 1974?); every reading is
offered and the chain of headings (``headings.py``) decides, since a council numbers one way
throughout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.dates import two_digit_year

# The key at the start of a heading line, and what follows it.
_HEADING = re.compile(
    r"""^(?P<star>\*\s*)?
    (?:(?P<word>(?i:minute|min|item|article|agenda\s+item))\.?\s+(?i:no\.?\s*)?)?
    (?P<key>
        (?P<rp>[A-Z]{1,6})/(?P<rn>\d{1,4})/(?P<ry>\d{2}-\d{2}|\d{2,4})(?![\d/])   # JSC/073/20-21, M/140/2006
      | (?P<yy>\d{2}-\d{2})/(?P<yp>[A-Z]{1,6})/(?P<yn>\d{1,4})(?![\d/])          # 19-20/FRA/15
      | (?P<mm>\d{1,2})/(?P<my>\d{2})/(?P<mn>\d{1,3})(?![\d/])                    # 03/10/1: month/year/number
      | (?P<p>[A-Z]{1,6})(?:\.\s?|\s)?(?P<pa>\d{1,4})(?:/(?P<pb>\d{1,4}(?:-\d{2})?))?(?![\d/])  # CB22/14, CL.72
      | (?P<a>\d{1,4})(?P<slash>[/\\])(?P<b>\d{1,4}(?:-\d{2})?)(?![\d/])         # 74/15, 23/165, 25\25
      | (?P<d1>\d{1,4})\.(?P<d2>\d{1,3})(?![\d.])                              # 21.44, 4.1, 1.19
      | (?P<n>\d{1,4})(?P<sub>[a-z](?![a-z])|\s?\((?:[a-z]|\d{1,2})\))?(?![\d/])   # 12, 3a, 7(b), 48(6)
      | (?P<roman>(?:X{0,3})(?:IX|IV|V?I{0,3}))(?=[.):\s]|$)                      # II, IV
      | \((?P<letter>[a-z])\)                                                    # (a)
      | \((?P<bn>\d{1,4})\)                                                      # (199)
    )
    (?P<sep>\s*(?:[.:)\]–-]|:-)?)
    (?:\s+(?P<rest>\S.*))?$""",
    re.VERBOSE,
)
_ROMAN = {"I": 1, "V": 5, "X": 10}
# A second number after a key: "C048/23  1.  APOLOGIES" (the agenda item number beside the minute's).
_AGENDA_NUMBER = re.compile(r"^\d{1,3}\.?\s+(?=\S)")


@dataclass(frozen=True)
class Reading:
    """One way to read a heading key."""

    num: int  # the number that counts up through the sequence
    sub: str | None  # "a" of 3a, "b" of 7(b), "1" of the page row 4.1
    prefix: str | None  # "CB", "E", "JSC", "C"
    year: str | None  # as printed: "15", "20-21", "2006"
    series: str  # headings of one sequence share it: the style and any fixed part ("dotted 21")
    year_first: bool = False  # "CB22/14", "23/165": year before number


@dataclass(frozen=True)
class HeadingKey:
    label: str  # the key as printed, without its closing "." or ":"
    rest: str | None  # what follows it on the line (the title, often)
    readings: tuple[Reading, ...]
    word: bool  # "Minute 151", "Item 77": a key a word introduces
    separator: str  # ".", ":", ")" or ""


def roman_value(text: str) -> int | None:
    if not text or any(ch not in _ROMAN for ch in text):
        return None
    total = prev = 0
    for ch in reversed(text):
        value = _ROMAN[ch]
        total += -value if value < prev else value
        prev = max(prev, value)
    return total or None


def _year_readings(num: str, year: str, prefix: str | None, style: str) -> list[Reading]:
    """74/15 read both ways (number/year, year/number); a 3-4 digit part can only be the number
    unless it is a plausible year (2006)."""
    out = []
    if "-" in year or len(year) == 4 or (len(year) == 2 and len(num) <= 4):
        out.append(Reading(int(num), None, prefix, year, f"{style} n/{year}"))
    if "-" not in year and len(num) <= 2 and (len(year) <= 3 or not out):
        out.append(Reading(int(year), None, prefix, num, f"{style} {num}/n", year_first=True))
    return out or [Reading(int(num), None, prefix, year, f"{style} n/{year}")]


def heading_key(text: str) -> HeadingKey | None:
    """The key a heading line starts with, every way it can be read, or None."""
    m = _HEADING.match(text)
    if not m or not m.group("key"):
        return None
    g = m.groupdict()
    readings: list[Reading] = []
    if g["rn"]:
        readings.append(Reading(int(g["rn"]), None, g["rp"], g["ry"], f"prefix {g['rp']} range"))
    elif g["mn"]:
        readings.append(
            Reading(int(g["mn"]), None, None, f"{g['mm']}/{g['my']}", f"meeting {g['mm']}/{g['my']}")
        )
    elif g["yn"]:
        readings.append(Reading(int(g["yn"]), None, g["yp"], g["yy"], f"range {g['yy']} {g['yp']}", True))
    elif g["pa"]:
        if g["pb"]:
            readings += _year_readings(g["pa"], g["pb"], g["p"], f"prefix {g['p']}")
        else:
            readings.append(Reading(int(g["pa"]), None, g["p"], None, f"prefix {g['p']}"))
    elif g["a"]:
        style = "backslash" if g["slash"] == "\\" else "slash"
        readings += _year_readings(g["a"], g["b"], None, style)
    elif g["d1"] and not g["d2"].strip("0"):
        readings.append(
            Reading(int(g["d1"]), None, None, None, "n.0")
        )  # "60.0": minute 60, paragraphs 60.1...
    elif g["d1"]:
        # 21.44: minute 44 of (20)21; or 4.1: the first part of minute 4 (a page row or a paragraph)
        readings.append(Reading(int(g["d2"]), None, None, g["d1"], f"dotted {g['d1']}", year_first=True))
        readings.append(Reading(int(g["d1"]), g["d2"], None, None, "n"))
        if len(g["d2"]) == 2:  # 1.23: minute 1 of (20)23
            readings.append(Reading(int(g["d1"]), None, None, g["d2"], f"dotted n.{g['d2']}"))
    elif g["n"]:
        sub = (g["sub"] or "").strip().strip("()") or None
        readings.append(Reading(int(g["n"]), sub, None, None, "word" if g["word"] else "n"))
    elif g["roman"]:
        value = roman_value(g["roman"])
        if value is None:
            return None
        readings.append(Reading(value, None, None, None, "roman"))
    elif g["bn"]:
        readings.append(Reading(int(g["bn"]), None, None, None, "bracketed"))
    else:
        readings.append(Reading(0, g["letter"], None, None, "letter"))
    if g["star"]:
        readings = [
            Reading(r.num, r.sub, r.prefix, r.year, "star " + r.series, r.year_first) for r in readings
        ]
    label = (g["star"] or "").strip() + g["key"].strip()
    if g["word"] and g["word"].lower() in ("item", "article", "agenda item"):
        label = f"{g['word'].title()} {label}"
    rest = g["rest"]
    if rest and _AGENDA_NUMBER.match(rest) and (g["rp"] or g["pb"] or g["p"]):
        rest = _AGENDA_NUMBER.sub("", rest, count=1)
    return HeadingKey(label, rest, tuple(readings), bool(g["word"]), (g["sep"] or "").strip())


# -- labels as citations write them --------------------------------------------------------------

# One cited label: E.24/23, CB22/27, CAB 193, JSC/73/20-21, 74/15, 48(6), 16 (b), 3a, *118, 151.
CITED = (
    r"(?:[A-Z]{1,6}/\d{1,4}/(?:\d{2}-\d{2}|\d{2,4})|\d{2}-\d{2}/[A-Z]{1,6}/\d{1,4}"
    r"|(?:\*|[A-Z]{1,6}(?:\.\s?|\s|/)?)?\d{1,4}(?:\s?\((?:[a-z]|\d{1,2})\)|[a-z](?![a-z]))?"
    r"(?:[/\\]\d{1,4}(?:-\d{2})?)?(?:\s?\((?:[a-z]|\d{1,2})\))?)"
)
_CITED_PARTS = re.compile(
    r"^(?:(?P<rp>[A-Z]{1,6})/(?P<rn>\d{1,4})/(?P<ry>\d{2}-\d{2}|\d{2,4})"
    r"|(?P<yy>\d{2}-\d{2})/(?P<yp>[A-Z]{1,6})/(?P<yn>\d{1,4})"
    r"|(?P<star>\*)?(?:(?P<p>[A-Z]{1,6})(?:\.\s?|\s|/)?)?(?P<n>\d{1,4})(?P<s1>\s?\((?:[a-z]|\d{1,2})\)|[a-z])?"
    r"(?:[/\\](?P<y>\d{1,4}(?:-\d{2})?))?(?P<s2>\s?\((?:[a-z]|\d{1,2})\))?)$"
)


def parse_cited(label: str, year_first: bool = False, near_year: int | None = None) -> dict:
    """A cited label as number, sub-number, prefix and the year it prints (None when it prints none).

    ``year_first``: the council writes year/number ("CB22/14" = minute 14 of 2022), as its own
    headings show; "23/165" is read year-first whatever the setting (165 is no year).
    ``near_year``: the citing meeting's year. Of two two-digit parts ("E/09/04" cited in 2009), the
    one that is that year or the one before is the year, when only one of them is.
    """
    m = _CITED_PARTS.match(label.strip())
    if not m:
        return {"cited_number": None, "cited_sub": None, "cited_prefix": None, "cited_year": None}
    g = m.groupdict()
    if g["rn"]:
        prefix, number, year, sub = g["rp"], g["rn"], g["ry"], None
    elif g["yn"]:
        prefix, number, year, sub = g["yp"], g["yn"], g["yy"], None
    else:
        prefix, number, year = g["p"], g["n"], g["y"]
        sub = (g["s1"] or g["s2"] or "").strip().strip("()") or None
    # "23/165", "C22/2": a part of one or three digits is no year, so it is the number
    if year and "-" not in year and (year_first or (len(year) in (1, 3) and len(number) <= 2)):
        number, year = year, number
    elif year and near_year and len(year) == 2 and len(number) == 2:
        recent = {near_year % 100, (near_year - 1) % 100}
        if int(number) in recent and int(year) not in recent:
            number, year = year, number
    return {
        "cited_number": str(int(number)),
        "cited_sub": sub,
        "cited_prefix": prefix,
        "cited_year": two_digit_year(year) if year else None,
    }


# A query token that is a minute label (search matches it exactly): 74/15, E.24/23, 48(6), CB22/14.
SEARCH_LABEL = re.compile(r"^[A-Za-z]{0,6}\.?\d+(?:[/(\\][\w\-/()]*)+$")
