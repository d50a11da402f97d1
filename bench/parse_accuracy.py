"""Precision, recall and F1 of minutes segmentation and reference detection on the labelled corpus.

    python bench/parse_accuracy.py [--show-errors] [--councils] [--classes] [--part real|synthetic]
        [--extractor pdfium]

Without --part/--split it ends with the PDFs of the real corpus read by both engines (pdfminer.six,
pypdfium2): minutes and references each finds, and how far apart they are.

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
    ap.add_argument("--extractor", help="PDF text engine for the scores above (default pdfminer.six)")
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
        r = score(part, split=split, extractor=args.extractor)
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
    if not args.part and not args.split:
        both_engines()


def both_engines() -> None:
    """The PDFs of the real corpus read by each engine: the same minutes and references (goal: within 1 %)?"""
    engines = ("pdfminer.six", "pypdfium2")
    results = {name: score("real", extractor=name, pdfs_only=True) for name in engines}
    pdfs = sorted({k[0] for r in results.values() for k in r.minutes.gold | r.references.gold})
    print(f"PDFs of the real corpus, each engine ({len(pdfs)}: {', '.join(pdfs)})")
    print(f"  {'':<22}" + "".join(f"{n:>14}" for n in engines) + f"{'difference':>12}")
    for what, pick in (
        ("minutes found", lambda r: len(r.minutes.found)),
        ("minutes right", lambda r: r.minutes.hits),
        ("references found", lambda r: len(r.references.found)),
        ("references right", lambda r: r.references.hits),
    ):
        a, b = (pick(results[n]) for n in engines)
        print(f"  {what:<22}{a:>14}{b:>14}{(b - a) / a if a else 0.0:>+12.1%}")
    a, b = (results[n] for n in engines)
    print(
        f"  same minutes found: {a.minutes.found == b.minutes.found}; "
        f"same references found: {a.references.found == b.references.found}"
    )
    rendered(engines)


def rendered(engines: tuple[str, ...]) -> None:
    """The real corpus has one PDF: its texts are also rendered to PDFs here (fpdf2, one line per
    line, long lines wrapped), then read back by each engine and scored against their labels."""
    from pipeline.demo.sample_site import render_pdf
    from pipeline.extract import engine
    from pipeline.parse.document import parse_pages
    from tests.corpus.score import Result, _score_document, documents

    docs = [d for d in documents() if d.part == "real" and d.path.suffix == ".txt"]
    pdfs = [render_pdf(d.path.read_text(encoding="utf-8").splitlines()) for d in docs]
    results = {}
    for name in engines:
        results[name] = Result()
        for doc, data in zip(docs, pdfs, strict=True):
            pages = [p.text for p in engine(name).extract(data).pages]
            _score_document(results[name], doc, parse_pages(pages)[1].to_json())
    print(f"Real texts rendered to PDF here ({len(docs)} documents), each engine")
    print(f"  {'':<22}" + "".join(f"{n:>14}" for n in engines) + f"{'difference':>12}")
    for what, pick in (
        ("minutes found", lambda r: len(r.minutes.found)),
        ("minutes right", lambda r: r.minutes.hits),
        ("minutes F1", lambda r: r.minutes.f1),
        ("references found", lambda r: len(r.references.found)),
        ("references right", lambda r: r.references.hits),
        ("references F1", lambda r: r.references.f1),
    ):
        a, b = (pick(results[n]) for n in engines)
        cell = "{:>14.3f}" if isinstance(a, float) else "{:>14}"
        print(f"  {what:<22}" + cell.format(a) + cell.format(b) + f"{(b - a) / a if a else 0.0:>+12.1%}")
    a, b = (results[n] for n in engines)
    print(
        f"  found by one engine only: {len(a.minutes.found ^ b.minutes.found)} minutes, "
        f"{len(a.references.found ^ b.references.found)} references"
    )


if __name__ == "__main__":
    main()
