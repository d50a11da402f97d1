"""Score the parsers against the labelled corpus: precision and recall for minutes and references.

A minute matches on (document, number, label, meeting date); a minute reference on (document,
citing minute, cited number, cited year); a meeting reference on (document, citing minute, cited
date). Duplicates within a document collapse: citing the same thing twice in one minute is one
reference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.ops.parse_file import parse_file

CORPUS = Path(__file__).parent


@dataclass
class Score:
    gold: set = field(default_factory=set)
    found: set = field(default_factory=set)

    @property
    def precision(self) -> float:
        return len(self.gold & self.found) / len(self.found) if self.found else 1.0

    @property
    def recall(self) -> float:
        return len(self.gold & self.found) / len(self.gold) if self.gold else 1.0


def _ref_key(doc: str, r: dict) -> tuple:
    if r["kind"] == "minute":
        return (doc, r["from_minute"], "minute", r["cited_number"], r.get("cited_year"))
    return (doc, r["from_minute"], "meeting", r["cited_date"])


def labels() -> dict:
    out = {}
    for name in ("real_labels.json", "synthetic_labels.json"):
        out.update(json.loads((CORPUS / name).read_text(encoding="utf-8")))
    return out


def score_corpus(only: str | None = None) -> tuple[Score, Score, list[str]]:
    """Scores over the whole corpus, or its "real" half (seeds, Merton, the Kingston pages in
    tests/fixtures) or its "synthetic" one."""
    minutes, refs = Score(), Score()
    problems = []
    for doc, gold in labels().items():
        if only and ("synthetic" if doc.startswith("synthetic/") else "real") != only:
            continue
        result = parse_file(str(CORPUS / doc)).to_json()
        g_min = {(doc, m["number"], m["label"], m["meeting_date"]) for m in gold["minutes"]}
        f_min = {(doc, m["number"], m["label"], m["meeting_date"]) for m in result["minutes"]}
        g_ref = {_ref_key(doc, r) for r in gold["references"]}
        f_ref = {_ref_key(doc, {**r, "from_minute": r["from_minute"]}) for r in result["references"]}
        for kind, g, f in (("minute", g_min, f_min), ("reference", g_ref, f_ref)):
            problems += [f"missed {kind} {k}" for k in sorted(g - f, key=str)]
            problems += [f"spurious {kind} {k}" for k in sorted(f - g, key=str)]
        minutes.gold |= g_min
        minutes.found |= f_min
        refs.gold |= g_ref
        refs.found |= f_ref
    return minutes, refs, problems
