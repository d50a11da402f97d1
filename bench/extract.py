"""Extraction throughput: one process, the process pool, and pdfminer's own pdf2txt.py.

    python bench/extract.py [--documents 48 --pages 12]

The PDFs: the Merton agenda pack plus generated council-style documents (fpdf2) of --pages pages.
"single" runs extract_pdf (pdfminer + the text repairs) in this process one PDF after another;
"pool" runs the same through ExtractionPool with one worker per core; "pdf2txt.py" is pdfminer's
command-line tool over the same files in one process (no repairs). All on this machine, one after
the other; the ratios are what to compare.
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
from pipeline.extract import ExtractionPool, extract_pdf  # noqa: E402


def corpus(n: int, pages: int) -> list[bytes]:
    docs = [(ROOT / "tests/corpus/real/merton-agenda-pack-2009-10-22.pdf").read_bytes()]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=48)
    ap.add_argument("--pages", type=int, default=12)
    args = ap.parse_args()
    docs = corpus(args.documents, args.pages)
    cores = os.cpu_count() or 1

    t0 = time.perf_counter()
    single = [extract_pdf(d) for d in docs]
    t_single = time.perf_counter() - t0
    n_pages = sum(len(r.pages) for r in single)

    with ExtractionPool(workers=cores) as pool:
        pool.extract(docs[0])  # start the workers before timing
        t0 = time.perf_counter()
        futures = [pool.submit(d) for d in docs]
        pooled = [f.result() for f in futures]
        t_pool = time.perf_counter() - t0
    assert [len(r.pages) for r in pooled] == [len(r.pages) for r in single]

    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, d in enumerate(docs):
            f = Path(tmp) / f"{i:03d}.pdf"
            f.write_bytes(d)
            files.append(str(f))
        tool = Path(sys.executable).parent / "pdf2txt.py"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(tool), "-o", os.devnull, *files], check=True)
        t_tool = time.perf_counter() - t0

    rate = {"single": n_pages / t_single, "pool": n_pages / t_pool, "pdf2txt": n_pages / t_tool}
    print(
        json.dumps(
            {
                "documents": len(docs),
                "pages": n_pages,
                "cores": cores,
                "single_pages_per_s": round(rate["single"], 1),
                "pool_pages_per_s": round(rate["pool"], 1),
                "pdf2txt_pages_per_s": round(rate["pdf2txt"], 1),
                "pool_vs_single": round(rate["pool"] / rate["single"], 2),
                "pool_efficiency_vs_cores_x_single": round(rate["pool"] / (cores * rate["single"]), 2),
                "single_vs_pdf2txt": round(rate["single"] / rate["pdf2txt"], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
