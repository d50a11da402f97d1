"""The labelled real corpus obeys its own rules (tests/corpus/real/README.md): every label file is
well formed, every citation and trap is text of its document, every citing minute is a labelled
minute, and a meeting page's minutes each have their "Minutes:" block."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

REAL = Path(__file__).parent / "corpus" / "real"
FILES = sorted(REAL.glob("*/*.json"))
KINDS = {"meeting_page", "agenda_item_page", "printed_minutes", "agenda_pack", "other"}
TYPES = {
    "london_borough",
    "metropolitan",
    "unitary",
    "county",
    "district",
    "welsh",
    "scottish",
    "northern_irish",
    "parish",
    "other",
}


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_the_corpus_is_as_big_as_the_issue_asks():
    councils = {json.loads(f.read_text())["council_slug"] for f in FILES}
    assert len(FILES) >= 150 and len(councils) >= 30


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REAL)))
def test_label_file_follows_the_rules(path):
    labels = json.loads(path.read_text(encoding="utf-8"))
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    flat = _squash(text)
    assert labels["source_url"].startswith(("http://", "https://"))
    assert labels["document_kind"] in KINDS and labels["council_type"] in TYPES
    numbers = {m["number"] for m in labels["minutes"]}
    for m in labels["minutes"]:
        assert m["meeting_date"] is None or date.fromisoformat(m["meeting_date"])
    for r in labels["references"]:
        assert r["from_minute"] is None or r["from_minute"] in numbers, r
        assert _squash(r["cited_text"]) in flat, r["cited_text"]
        if r["kind"] == "meeting":
            assert r["cited_date"] is None or date.fromisoformat(r["cited_date"])
        else:
            assert r["cited_number"] and (r["cited_year"] is None or 1900 < r["cited_year"] < 2100)
    for trap in labels.get("traps", []):
        assert _squash(trap["text"]) in flat, trap
    if labels["document_kind"] == "meeting_page":
        lines = text.split("\n")
        starts = [
            next(
                i
                for i, line in enumerate(lines)
                if re.match(r"^\s*" + re.escape(m["label"]) + r"\.?(\s|$)", line)
            )
            for m in labels["minutes"]
        ]
        for k, start in enumerate(starts):
            end = min([s for s in starts if s > start], default=len(lines))
            block = lines[start:end]
            assert any(re.match(r"^\s*Minutes\s*:\s*$", line, re.I) for line in block), labels["minutes"][k]
