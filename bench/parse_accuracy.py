"""Precision, recall and F1 of minutes segmentation and reference detection on the labelled corpus.

    python bench/parse_accuracy.py [--show-errors] [--councils] [--classes] [--part real|synthetic]
        [--extractor pypdfium2]

The real part (tests/corpus/real/: published minutes of UK councils labelled by hand before the
parser ran, plus the seeds, the Merton pack and two Kingston pages) is the figure to report; the
synthetic part (tests/corpus/synthetic/, written by the same hands as the parser) is a regression
check only. Figures per council and per class (tests/corpus/real/README.md) on request.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.corpus.score import score  # noqa: E402


def row(name: str, s) -> str:
    return f"  {name:<18}{len(s.gold):>8}{len(s.found):>8}{s.hits:>7}{s.precision:>11.3f}{s.recall:>8.3f}{s.f1:>7.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--councils", action="store_true", help="figures per council")
    ap.add_argument("--classes", action="store_true", help="recall per class of minute and reference")
    ap.add_argument("--part", choices=["real", "synthetic"])
    ap.add_argument("--split", choices=["dev", "held-out", "fresh", "unseen"], help="of the real part")
    args = ap.parse_args()
    runs = (
        [(args.part or "real", args.split)]
        if (args.part or args.split)
        else [
            ("real", None),
            ("real", "held-out"),
            ("real", "fresh"),
            ("real", "unseen"),
            ("synthetic", None),
        ]
    )
    for part, split in runs:
        r = score(part, split=split)
        what = f"{part} corpus" + (f", {split} councils" if split else "")
        print(f"{what}: {len(r.by_council)} councils")
        print(f"  {'':<18}{'labelled':>8}{'found':>8}{'right':>7}{'precision':>11}{'recall':>8}{'F1':>7}")
        for name, s in (
            ("minutes", r.minutes),
            ("minute references", r.minute_refs),
            ("meeting references", r.meeting_refs),
            ("all references", r.references),
        ):
            print(row(name, s))
        labels = r.labels_right / r.labels_scored if r.labels_scored else 1.0
        print(f"  labels of found minutes right: {labels:.3f} ({r.labels_right} of {r.labels_scored})")
        print(f"  trap hits: {len(r.trap_hits)}")
        if args.councils:
            print(f"  {'council':<32}{'minutes F1':>11}{'refs F1':>9}{'refs':>6}")
            for council, c in sorted(r.by_council.items()):
                print(
                    f"  {council:<32}{c.minutes.f1:>11.3f}{c.references.f1:>9.3f}{len(c.references.gold):>6}"
                )
        if args.classes:
            print(f"  {'class':<44}{'labelled':>9}{'found':>7}{'recall':>8}")
            for cls, (gold, found) in sorted(r.by_class.items()):
                print(f"  {cls:<44}{gold:>9}{found:>7}{found / gold:>8.3f}")
        if args.show_errors:
            print(
                "\n".join(["  " + t for t in r.trap_hits] + ["  " + p for p in r.problems]) or "  no errors"
            )
        print()


if __name__ == "__main__":
    main()
