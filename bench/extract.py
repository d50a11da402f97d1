"""Extraction throughput: pdfminer.six and pypdfium2, in one process and in the process pool, and
pdfminer's own pdf2txt.py.

    python bench/extract.py [--documents 32 --pages 12]

The PDFs: the Merton agenda pack plus generated council-style documents (fpdf2) of about --pages
pages. "single" runs an engine's extract in this process one PDF after another; "pool" runs the
same through ExtractionPool with one worker per core (the crawl's way, a task per document);
"pdf2txt.py" is pdfminer's command-line tool over the same files in one process. All on this
machine, one after the other: the ratios are what to compare. Also printed: the minutes the parser
finds in the Merton pack's text from each engine (clean_pages + parse_text), which should agree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.demo.sample_site import render_pdf  # noqa: E402
from pipeline.extract import ExtractionPool, engine  # noqa: E402
from pipeline.parse.cleanup import clean_pages  # noqa: E402
from pipeline.parse.document import parse_text  # noqa: E402

MERTON = ROOT / "tests/corpus/real/merton-agenda-pack-2009-10-22.pdf"
ENGINES = ("pdfminer.six", "pypdfium2")


def corpus(n: int, pages: int) -> list[bytes]:
    docs = [MERTON.read_bytes()]
    for k in range(n - 1):
        lines = []
        for p in range(pages):
            lines += [f"Minutes of the Meeting of Committee {k}", f"{p + 1}. ITEM TITLE {p}"]
            lines += [
                f"Paragraph {i} of page {p}: the committee considered the report and noted the "
                f"recommendations of officers on budget line {i * p}."
                for i in range(22)
            ]
        docs.append(render_pdf(lines))
    return docs


def run_single(name: str, docs: list[bytes]) -> tuple[float, list]:
    extract = engine(name).extract
    extract(docs[0])  # imports and first-call costs out of the timing
    t0 = time.perf_counter()
    results = [extract(d) for d in docs]
    return time.perf_counter() - t0, results


def run_pool(name: str, docs: list[bytes], cores: int) -> tuple[float, list]:
    with ExtractionPool(workers=cores, extractor=name) as pool:
        # start every worker (and its imports) before timing
        for f in [pool.submit(docs[0]) for _ in range(cores)]:
            f.result()
        t0 = time.perf_counter()
        futures = [pool.submit(d) for d in docs]
        results = [f.result() for f in futures]
        return time.perf_counter() - t0, results


def run_pdf2txt(docs: list[bytes]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, d in enumerate(docs):
            f = Path(tmp) / f"{i:03d}.pdf"
            f.write_bytes(d)
            files.append(str(f))
        tool = Path(sys.executable).parent / "pdf2txt.py"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(tool), "-o", os.devnull, *files], check=True)
        return time.perf_counter() - t0


def merton_minutes(name: str) -> list[dict]:
    pages = [p.text for p in engine(name).extract(MERTON.read_bytes()).pages]
    return [{"number": m.number, "title": m.title} for m in parse_text("\f".join(clean_pages(pages))).minutes]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=32)
    ap.add_argument("--pages", type=int, default=12)
    args = ap.parse_args()
    docs = corpus(args.documents, args.pages)
    cores = os.cpu_count() or 1
    load_before = os.getloadavg()[0]  # another job on the machine skews the pool figures most

    seconds: dict[str, float] = {}
    page_counts: dict[str, list[int]] = {}
    for name in ENGINES:
        for way, run in (("single", run_single), ("pool", lambda n, d: run_pool(n, d, cores))):
            took, results = run(name, docs)
            failed = [r.error for r in results if r.status == "failed"]
            if failed:
                sys.exit(f"{name} {way}: {len(failed)} documents failed, e.g. {failed[0]}")
            seconds[f"{name} {way}"] = took
            page_counts[f"{name} {way}"] = [len(r.pages) for r in results]
    if len({tuple(c) for c in page_counts.values()}) != 1:
        sys.exit(f"the engines disagree on page counts: {page_counts}")
    seconds["pdf2txt.py single"] = run_pdf2txt(docs)
    n_pages = sum(page_counts["pdfminer.six single"])
    rate = {k: n_pages / s for k, s in seconds.items()}

    minutes = {name: merton_minutes(name) for name in ENGINES}
    pm, pf = minutes["pdfminer.six"], minutes["pypdfium2"]
    print(
        json.dumps(
            {
                "documents": len(docs),
                "pages": n_pages,
                "cores": cores,
                "load_average_before": round(load_before, 2),
                "pages_per_s": {k: round(v, 1) for k, v in rate.items()},
                "ratios": {
                    "pdfminer pool / single": round(
                        rate["pdfminer.six pool"] / rate["pdfminer.six single"], 2
                    ),
                    "pypdfium2 pool / single": round(rate["pypdfium2 pool"] / rate["pypdfium2 single"], 2),
                    "pdfminer pool / (cores x single)": round(
                        rate["pdfminer.six pool"] / (cores * rate["pdfminer.six single"]), 2
                    ),
                    "pypdfium2 pool / (cores x single)": round(
                        rate["pypdfium2 pool"] / (cores * rate["pypdfium2 single"]), 2
                    ),
                    "pypdfium2 / pdfminer, single": round(
                        rate["pypdfium2 single"] / rate["pdfminer.six single"], 1
                    ),
                    "pypdfium2 / pdfminer, pool": round(
                        rate["pypdfium2 pool"] / rate["pdfminer.six pool"], 1
                    ),
                    "pdfminer single / pdf2txt.py": round(
                        rate["pdfminer.six single"] / rate["pdf2txt.py single"], 2
                    ),
                },
                "merton_minutes": {
                    "pdfminer.six": [f"{m['number']} {m['title']}" for m in pm],
                    "pypdfium2": [f"{m['number']} {m['title']}" for m in pf],
                    "same_numbers": [m["number"] for m in pm] == [m["number"] for m in pf],
                    "same_titles": pm == pf,
                },
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
