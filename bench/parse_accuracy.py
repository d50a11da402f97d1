"""Precision and recall of minutes segmentation and reference detection on the labelled corpus.

    python bench/parse_accuracy.py [--show-errors]

The corpus (tests/corpus/) holds the real seed texts, the Merton agenda pack (PDF, extracted with
pdfminer.six), two Kingston meeting pages, and synthetic documents in every numbering style listed
in the parse issue, with traps; see tests/corpus/build_corpus.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.corpus.score import score_corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    print(f"{'corpus':<11}{'':<12}{'labelled':>10}{'found':>8}{'precision':>11}{'recall':>8}")
    for part in ("real", "synthetic", None):
        minutes, refs, problems = score_corpus(part)
        for name, s in (("minutes", minutes), ("references", refs)):
            print(
                f"{part or 'all':<11}{name:<12}{len(s.gold):>10}{len(s.found):>8}{s.precision:>11.3f}{s.recall:>8.3f}"
            )
    if args.show_errors:
        print("\n".join(problems) or "no errors")


if __name__ == "__main__":
    main()
