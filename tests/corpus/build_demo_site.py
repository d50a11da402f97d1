"""Build the demo's site data from the real council texts this repository holds.

    python tests/corpus/build_demo_site.py     # rewrites pipeline/demo/data/real_site.json (+ the Merton PDF)

Every meeting, item and minute text comes from a published council page or document (the seeds, the
Kingston pages, the Merton pack, the labelled real corpus), with the URL it was published at. Texts
are cut into the rows a ModernGov meeting page shows (number, title, "Minutes:" block) using the
hand labels' minute numbers, never the project's parser; nothing is reworded. Markdown markup of the
one text converted from a PDF (the Coventry pack) is removed, since the demo renders it as a PDF again.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
OUT = ROOT / "pipeline" / "demo" / "data"
sys.path.insert(0, str(ROOT))

from crawler.moderngov_pages import parse_meeting_page  # noqa: E402

REAL = HERE / "real"
KINGSTON = ROOT / "tests" / "fixtures" / "kingston"
COVENTRY = "https://edemocracy.coventry.gov.uk/"
KINGSTON_URL = "https://moderngov.kingston.gov.uk/"
PDF_ICON = re.compile(r"\s*pdf icon PDF [\d.]+ [KM]B\s*$")


def page_rows(text: str, numbers: list[int]) -> list[dict]:
    """Rows of a ModernGov meeting page saved as text: "N." line, title, description, "Minutes:" block."""
    lines = text.replace("\r", "").split("\n")
    starts, want = [], list(numbers)
    for i, line in enumerate(lines):
        if want and line.strip() == f"{want[0]}.":
            starts.append(i)
            want.pop(0)
    rows = []
    for n, (start, end) in zip(numbers, zip(starts, [*starts[1:], len(lines)], strict=True), strict=False):
        body = [x.strip() for x in lines[start + 1 : end]]
        body = [x for x in body if x]
        title, rest = PDF_ICON.sub("", body[0]), body[1:]
        cut = rest.index("Minutes:") if "Minutes:" in rest else len(rest)
        description = [x for x in rest[:cut] if x != "Additional documents:"]
        rows.append(
            {
                "number": n,
                "title": title,
                "description": "\n".join(description) or None,
                "minutes": "\n".join(rest[cut + 1 :]) or None,
            }
        )
    return rows


def unmarkdown(text: str) -> list[str]:
    text = re.sub(r"<sup>(.*?)</sup>", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    out = []
    for line in text.split("\n"):
        line = re.sub(r"^#+\s*", "", line).replace("**", "").rstrip()
        if line.strip() in ("---",):
            continue
        out.append(line)
    return out


def corpus_numbers(name: str) -> list[int]:
    labels = json.loads((REAL / f"{name}.json").read_text())
    return [int(m["number"]) for m in labels["minutes"]]


def coventry() -> list[dict]:
    pack = unmarkdown((REAL / "002_7809f80af90727c1.txt").read_text())
    start = next(i for i, x in enumerate(pack) if x.strip() == "Coventry City Council" and i > 60)
    end = next(i for i, x in enumerate(pack) if x.strip() == "(Meeting closed at 4.00 pm)") + 1
    april_minutes = pack[start:end]
    june = page_rows((REAL / "003_38730913436678bc.txt").read_text(), [1, 2, 3, 4, 5, 6])
    june_url = COVENTRY + "ieListDocuments.aspx?CId=569&MId=11065&Ver=4"
    for row in june:
        if row["number"] == 2:  # the page links the 14 April minutes as item 2's document
            row["documents"] = [{"title": "Minutes", "kind": "report", "text": april_minutes}]
    scb = "Education and Children's Services Scrutiny Board (2)"
    sc = "scrutiny-coordination-2015-07-29"
    cab = "cabinet-2018-10-02"
    return [
        {
            "site_id": 569,
            "name": scb,
            "council": "Coventry City Council",
            "meetings": [
                {
                    "mid": 10990,  # demo id: the 14 April 2016 page is not held, only its minutes
                    "date": "2016-04-14",
                    "time": "14:00",
                    "venue": "Committee Room 3 - Council House",
                    "source_url": june_url,
                    "source_note": "this meeting's minutes were published in the agenda pack of 16 June 2016",
                    "items": [],
                },
                {
                    "mid": 11065,
                    "date": "2016-06-16",
                    "time": "15:30",
                    "venue": "Committee Rooms 2 and 3 - Council House",
                    "source_url": june_url,
                    "items": june,
                    "documents": [{"title": "Agenda reports pack", "kind": "agenda_pack", "text": pack}],
                },
            ],
        },
        {
            "site_id": 151,
            "name": "Scrutiny Co-ordination Committee",
            "council": "Coventry City Council",
            "meetings": [
                {
                    "mid": 10781,
                    "date": "2015-07-29",
                    "time": "11:30",
                    "venue": "Committee Rooms 2 and 3 - Council House",
                    "source_url": json.loads((REAL / "coventry" / f"{sc}.json").read_text())["source_url"],
                    "source_note": "the beginning of the page (cut inside its last minute)",
                    "items": page_rows(
                        (REAL / "coventry" / f"{sc}.txt").read_text(), corpus_numbers(f"coventry/{sc}")
                    ),
                }
            ],
        },
        {
            "site_id": 129,
            "name": "Cabinet",
            "council": "Coventry City Council",
            "meetings": [
                {
                    "mid": 11774,
                    "date": "2018-10-02",
                    "time": "14:00",
                    "venue": "Committee Rooms 2 and 3 - Council House",
                    "source_url": json.loads((REAL / "coventry" / f"{cab}.json").read_text())["source_url"],
                    "source_note": "the beginning of the page (cut inside its last minute)",
                    "items": page_rows(
                        (REAL / "coventry" / f"{cab}.txt").read_text(), corpus_numbers(f"coventry/{cab}")
                    ),
                }
            ],
        },
    ]


def kingston() -> dict:
    meetings = []
    for name, mid in (("Agenda_Irrelevant.html", 10214), ("Agenda_151.html", 10221)):
        url = f"{KINGSTON_URL}ieListDocuments.aspx?CId=711&MId={mid}&Ver=4"
        page = parse_meeting_page((KINGSTON / name).read_text(encoding="utf-8"), url)
        items = [
            {
                "number": int(it.number),
                "title": it.title,
                "description": it.description,
                "minutes": it.minutes_text,
            }
            for it in page.items
            if it.number.isdigit()
        ]
        meetings.append(
            {
                "mid": mid,
                "date": page.date.isoformat(),
                "time": page.time.strftime("%H:%M"),
                "venue": page.venue or "Guildhall, Kingston upon Thames",
                "source_url": url,
                "items": items,
            }
        )
    return {
        "site_id": 711,
        "name": "Kingston and North Kingston Neighbourhood Committee",
        "council": "Royal Borough of Kingston upon Thames",
        "meetings": meetings,
    }


def merton() -> dict:
    shutil.copyfile(REAL / "merton-agenda-pack-2009-10-22.pdf", OUT / "merton-agenda-pack-2009-10-22.pdf")
    note = "the agenda pack PDF as saved by the OpenlyLocal project's tests (CountCulture/OpenlyLocal)"
    return {
        "site_id": 1210,
        "name": "Audit Committee",
        "council": "London Borough of Merton",
        "meetings": [
            {
                "mid": 9001,  # demo ids: the pack is held, the pages are not
                "date": "2009-09-24",
                "time": "19:15",
                "venue": "Merton Civic Centre, London Road, Morden",
                "source_url": "https://github.com/CountCulture/OpenlyLocal",
                "source_note": "this meeting's minutes were published in the agenda pack of 22 October 2009",
                "items": [],
            },
            {
                "mid": 9002,
                "date": "2009-10-22",
                "time": "19:15",
                "venue": "Merton Civic Centre, London Road, Morden",
                "source_url": "https://github.com/CountCulture/OpenlyLocal",
                "source_note": note,
                "items": [],
                "documents": [
                    {
                        "title": "Agenda reports pack",
                        "kind": "agenda_pack",
                        "file": "merton-agenda-pack-2009-10-22.pdf",
                    }
                ],
            },
        ],
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data = {
        "about": "Real published council minutes, served by the demo as a ModernGov site (see README.md here).",
        "committees": [*coventry(), kingston(), merton()],
    }
    (OUT / "real_site.json").write_text(
        json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    for c in data["committees"]:
        for m in c["meetings"]:
            print(c["name"], m["date"], len(m["items"]), "items")


if __name__ == "__main__":
    main()
