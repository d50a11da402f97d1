"""What every command shares: the parser that errs in one line, argument types, --db."""

from __future__ import annotations

import argparse
import math
from datetime import date
from urllib.parse import urlsplit


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage dump
        self.exit(2, f"{self.prog}: error: {message}\n")


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def http_url(value: str) -> str:
    try:
        parts = urlsplit(value.strip())
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {value!r}")
    return value.strip()


MAX_DELAY_S = 3600.0


def non_negative_float(value: str) -> float:
    try:
        f = float(value)
    except ValueError:
        f = -1
    if not math.isfinite(f) or f < 0 or f > MAX_DELAY_S:
        raise argparse.ArgumentTypeError(f"not a number of seconds from 0 to {MAX_DELAY_S:.0f}: {value!r}")
    return f


MAX_COUNT = 100_000


def positive_int(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 6 or not 1 <= int(value) <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"not a whole number from 1 to {MAX_COUNT:,}: {value!r}")
    return int(value)


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", help="database URL (default: $COUNCIL_ARCHIVE_DB or sqlite:///data/archive.sqlite)"
    )


def add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default="data/councils.toml", help="council registry (TOML)")


def add_extraction(p: argparse.ArgumentParser) -> None:
    """``--extractor`` and ``--ocr``: opt-in engines (pdfminer.six stays the default)."""
    from pipeline.extract.engines import DEFAULT, text_engines

    p.add_argument(
        "--extractor",
        choices=text_engines(),
        default=None,
        help=f"PDF text engine (default {DEFAULT}; pdfium = pypdfium2, about 5x faster): a document "
        "extracted by two engines keeps both texts",
    )
    p.add_argument(
        "--ocr",
        action="store_true",
        help="read pages with no usable text layer (scans) with Tesseract (apt-get install tesseract-ocr)",
    )
