"""Build the synthetic half of the labelled corpus: realistic minutes in each numbering style.

    python tests/corpus/build_corpus.py     # rewrites tests/corpus/synthetic/*.txt and labels

Labels are known by construction (the generator writes each heading and citation and records it);
the parser is never used here. Each document mixes in the traps real council papers hold: an agenda
list before embedded minutes, numbered recommendation lists inside minutes, numbered report
paragraphs after them, planning application and report codes, budget years, dates, page /
paragraph / item / appendix numbers, phone numbers, durations and future meetings.
The real half of the corpus (seeds, Kingston, Merton) is labelled by hand in ``real_labels.json``.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "synthetic"

COMMITTEES = [
    "Cabinet",
    "Planning Committee",
    "Audit and Governance Committee",
    "Licensing Committee",
    "Children's Services Scrutiny Board (2)",
    "Health and Wellbeing Board",
    "Joint Strategic Committee",
    "Pension Fund Panel",
    "Corporate Parenting Panel",
    "Environment Scrutiny Panel",
]
TITLES = [
    "Apologies for Absence",
    "Declarations of Interest",
    "Minutes",
    "Public Questions",
    "Petitions",
    "Budget Monitoring Report Quarter 2",
    "Treasury Management Strategy",
    "Local Plan Review",
    "Highways Capital Programme 2024/25",
    "Air Quality Action Plan",
    "Community Safety Partnership Update",
    "Adult Social Care Performance",
    "Housing Revenue Account Business Plan",
    "Work Programme",
    "Internal Audit Progress Report",
    "Risk Management Update",
    "Fees and Charges",
    "Corporate Plan Refresh",
    "Children's Social Care Performance Report",
    "School Admissions Arrangements",
    "Any Other Business",
    "Recommendations from the Task and Finish Group on Recruitment",
]
FILLER = [
    "The Committee considered a report of the Director of Finance which set out the position",
    "Members asked questions and officers responded",
    "The report explained the financial context and the risks identified",
    "Members discussed the implications for residents and the timetable for delivery",
]
TRAPS = [
    "Planning application DC/19/01834 was noted.",
    "The report reference CT/16/2 was circulated.",
    "The budget for 2015/16 was set out on page 84 of the agenda.",
    "Paragraph 3.1 of the report described the consultation.",
    "Item 9 on the agenda would be taken after Appendix 2.",
    "Residents could call 024 7683 3111 for details.",
    "The letter dated 14/04/2016 was tabled.",
    "The meeting was adjourned for 15 minutes 2 members having left.",
    "The next meeting will be held on 3 May 2024.",
    "The consultation ran from 30 September to 28 October 2025.",
    "Section 106 contributions of £1.2m were secured under clause 7.2.",
    "The Improvement Board reported on 11 May 2016.",
]


def fmt_long(d: date) -> str:
    return f"{d:%A}, {d.day} {d:%B %Y}"


def ordinal(n: int) -> str:
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


class Doc:
    def __init__(self, name: str):
        self.name = name
        self.lines: list[str] = []
        self.minutes: list[dict] = []
        self.references: list[dict] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)


# -- styles: how a council writes a heading and cites a minute -----------------------------------


def style_coventry(rnd, n, year, title):  # "69. Title", cited "74/15"
    return [f"{n}. {title}"], str(n), f"{n}/{year % 100:02d}"


def style_merton(rnd, n, year, title):  # "7" on its own line above an UPPERCASE heading
    return [f"{n}", f"{title.upper()} (Agenda item {n + 2})"], str(n), str(n)


def style_luton(rnd, n, year, title):  # "12 Apology for Absence"
    return [f"{n} {title}"], str(n), str(n)


def style_cb(rnd, n, year, title):  # "CB20/15. Title": year first
    return [f"CB{year % 100:02d}/{n}. {title}"], str(n), f"CB{year % 100:02d}/{n}"


def style_e(rnd, n, year, title):  # "E.70/23 Title"
    return [f"E.{n}/{year % 100:02d} {title}"], str(n), f"E.{n}/{year % 100:02d}"


def style_jsc(rnd, n, year, title):  # "JSC/73/20-21 Title"
    yy = f"{year % 100:02d}-{(year + 1) % 100:02d}"
    return [f"JSC/{n}/{yy} {title}"], str(n), f"JSC/{n}/{yy}"


def style_year_first(rnd, n, year, title):  # "23/165 Title"
    return [f"{year % 100:02d}/{n} {title}"], str(n), f"{year % 100:02d}/{n}"


def style_minute_word(rnd, n, year, title):  # "Minute 151: Title"
    return [f"Minute {n}: {title}"], str(n), str(n)


def style_star(rnd, n, year, title):  # "*450 Minutes"
    return [f"*{n} {title}"], str(n), str(n)


def style_markdown(rnd, n, year, title):  # converted packs: "### **69. Title**"
    return (
        [rnd.choice([f"### **{n}. {title}**", f"**{n}. {title}**", f"## {n}. **{title}**"])],
        str(n),
        f"{n}/{year % 100:02d}",
    )


STYLES = {
    "coventry": (style_coventry, "n/yy", (20, 80)),
    "merton": (style_merton, "plain", (1, 1)),
    "luton": (style_luton, "plain", (5, 40)),
    "cb": (style_cb, "prefixed", (5, 60)),
    "e": (style_e, "prefixed", (10, 90)),
    "jsc": (style_jsc, "prefixed", (30, 90)),
    "yearfirst": (style_year_first, "yearfirst", (100, 300)),
    "minuteword": (style_minute_word, "plain", (100, 200)),
    "star": (style_star, "plain", (400, 500)),
    "markdown": (style_markdown, "n/yy", (40, 90)),
}


def header(rnd, style: str, committee: str, when: date) -> list[str]:
    if style == "merton":
        return [
            committee.upper(),
            f"{when.day} {when:%B %Y}".upper(),
            "(19:15 TO 21:02)",
            "PRESENT:",
            "Councillors A Smith (Chair), B Jones and C Patel.",
        ]
    if style == "luton":
        return [
            committee,
            "Minutes",
            f"{when.day} {when:%B %Y} at 6.00 pm",
            "Present:",
            "Councillor Keens (Chair), Councillors Chapman and Moles",
        ]
    return [
        f"{rnd.choice(['Sample', 'Northshire', 'Eastbury'])} Council",
        f"Minutes of the Meeting of {committee}",
        f"held at {rnd.choice(['2.00 pm', '7.00 pm', '10.00 am'])} on {fmt_long(when)}",
        "Present:",
        "Councillor M Mutton (Chair)",
        "Councillor S Bains",
        "Councillor L Bigham",
    ]


def agenda(rnd, when: date, committee: str) -> list[str]:
    items = rnd.sample(TITLES, 8)
    return (
        [committee, f"{fmt_long(when)}", "Agenda", "Public Business"]
        + [f"{i + 1}. {t} (Pages {3 + 4 * i} - {6 + 4 * i})" for i, t in enumerate(items)]
        + [f"Chris West, Executive Director, telephone 024 7683 {rnd.randrange(1000, 9999)}", ""]
    )


def report_after(rnd) -> list[str]:
    return [
        "Briefing note",
        "To: Scrutiny Board",
        "1 Purpose of the Note",
        "1.1 To inform the Board of progress.",
        "2 Recommendations",
        "2.1 It is recommended that the Board:",
        "1) Note the progress made to date.",
        "2) Receive regular updates.",
        "3 Information/Background",
        "3.1 At their meeting on 14th April 2016, members considered the plan.",
    ]


def build_document(rnd: random.Random, k: int) -> Doc:
    style = list(STYLES)[k % len(STYLES)]
    make, cite, (lo, hi) = STYLES[style]
    committee = rnd.choice(COMMITTEES)
    year = rnd.choice([2015, 2016, 2019, 2020, 2021, 2023])
    when = date(year, rnd.choice([6, 7, 9, 10, 11, 12]), rnd.randrange(1, 28))
    muni = year  # months chosen fall after May: the municipal year is the calendar year
    doc = Doc(f"{k:03d}_{style}")
    embedded = k % 3 == 0
    if embedded:  # an agenda pack: agenda list first, then the previous meeting's minutes
        doc.add(*agenda(rnd, when + timedelta(days=42), committee))
    doc.add(*header(rnd, style, committee, when), "")
    first = rnd.randrange(lo, hi + 1)
    count = rnd.randrange(6, 11)
    numbers = []
    n = first
    for _ in range(count):
        numbers.append(n)
        n += 1 if rnd.random() > 0.1 else 2  # now and then a minute number is skipped
    titles = ["Apologies for Absence", "Declarations of Interest", "Minutes"] + rnd.sample(
        TITLES[3:], count - 3
    )
    prefix_shape = style in ("cb", "e", "jsc")
    for idx, (num, title) in enumerate(zip(numbers, titles, strict=True)):
        lines, number, label = make(rnd, num, muni, title)
        doc.add(*lines)
        doc.minutes.append(
            {
                "number": number,
                "label": label,
                "title": title if style != "merton" else title.upper(),
                "meeting_date": when.isoformat(),
            }
        )
        body = []
        if title == "Minutes":
            prev = when - timedelta(days=rnd.choice([28, 35, 42]))
            phr = rnd.choice(
                [
                    f"The minutes of the meeting held on {ordinal(prev.day)} {prev:%B}, {prev.year} were approved.",
                    f"RESOLVED that the minutes of the meeting held on {prev.day} {prev:%B %Y} be confirmed.",
                    f"The minutes of the meeting held on {prev.day} {prev:%B %Y} were agreed as a true record.",
                ]
            )
            body.append(phr)
            doc.references.append({"from_minute": number, "kind": "meeting", "cited_date": prev.isoformat()})
        for _ in range(rnd.randrange(1, 3)):
            body.append(". ".join(rnd.sample(FILLER, 3)) + ".")
        if rnd.random() < 0.5:
            body.append(rnd.choice(TRAPS))
        # citations of earlier minutes in this council's own style
        if idx >= 3 and rnd.random() < 0.8:
            for _ in range(rnd.randrange(1, 3)):
                cited = rnd.randrange(max(1, first - 40), max(2, first))
                cyear = muni - rnd.choice([0, 1])
                _, cnum, clabel = make(rnd, cited, cyear, "X")
                if cite == "plain":
                    clabel, cyear_out = str(cited), None
                else:
                    cyear_out = cyear
                phrase = rnd.choice(
                    [
                        "Further to Minute {l} the Committee noted the update.",
                        "(Minute {l} refers)",
                        "Members recalled the 3rd paragraph of Minute {l}.",
                        "The Committee had considered this previously (minute {l} '{t}').",
                    ]
                )
                if prefix_shape and rnd.random() < 0.4:
                    phrase = "Councillor Roche declared a personal interest in {l}."
                body.append(phrase.format(l=clabel, t=rnd.choice(TITLES)))
                doc.references.append(
                    {"from_minute": number, "kind": "minute", "cited_number": cnum, "cited_year": cyear_out}
                )
        if rnd.random() < 0.25:  # another committee's minute, in this council's label style
            other = rnd.choice(["Cabinet", "Council"])
            cited = rnd.randrange(1, 99)
            _, cnum, clabel = make(rnd, cited, muni - 1, "X")
            body.append(f"The {other} Minute {clabel} was noted.")
            doc.references.append(
                {
                    "from_minute": number,
                    "kind": "minute",
                    "cited_number": cnum,
                    "cited_year": None if cite == "plain" else muni - 1,
                }
            )
        if rnd.random() < 0.3:
            a, b = rnd.randrange(1, 40), rnd.randrange(41, 80)
            body.append(f"Minute Nos. {a} and {b} below refer.")
            for c in (a, b):
                doc.references.append(
                    {"from_minute": number, "kind": "minute", "cited_number": str(c), "cited_year": None}
                )
        if rnd.random() < 0.25:
            other_when = when - timedelta(days=rnd.randrange(3, 30))
            body.append(
                f"Comments made by the Pension Fund Panel at its meeting on {other_when.day} "
                f"{other_when:%B %Y} were reported."
            )
            doc.references.append(
                {"from_minute": number, "kind": "meeting", "cited_date": other_when.isoformat()}
            )
        if rnd.random() < 0.35:  # a numbered list inside a minute: never minute headings
            body.append("RESOLVED that:")
            for j in range(1, rnd.randrange(3, 7)):
                body.append(
                    f"{j}. {rnd.choice(['That', 'To', 'The report be noted and'])} the recommendation "
                    f"{j} be approved."
                )
        if style == "luton" and rnd.random() < 0.3:
            body.append("(i) That the Committee's thanks to Officers be recorded.")
        doc.add(*body, "")
    doc.add(f"(Meeting closed at {rnd.choice(['4.00 pm', '8.47 pm', '12.15 pm'])})", "")
    if embedded:
        doc.add(*report_after(rnd))
    return doc


def main() -> None:
    rnd = random.Random(20261124)
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.txt"):
        old.unlink()
    labels = {}
    for k in range(40):
        doc = build_document(rnd, k)
        (OUT / f"{doc.name}.txt").write_text("\n".join(doc.lines) + "\n", encoding="utf-8")
        labels[f"synthetic/{doc.name}.txt"] = {"minutes": doc.minutes, "references": doc.references}
    (HERE / "synthetic_labels.json").write_text(json.dumps(labels, indent=1) + "\n", encoding="utf-8")
    print(
        sum(len(v["minutes"]) for v in labels.values()),
        "minutes,",
        sum(len(v["references"]) for v in labels.values()),
        "references",
    )


if __name__ == "__main__":
    main()
