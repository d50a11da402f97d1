"""The text extractors, by name. pdfminer.six is the default the project was specified with.

An engine is a module with ``NAME``, ``VERSION`` and ``extract(data, cheap=False) -> Extraction``
(``cheap``: the faster, rougher way, tried after a time-out).

The opt-in engines (pypdfium2, tesseract) are imported on first use, so a plain start never loads
PDFium or runs ``tesseract --version``; where their library is missing they still import, and
every extraction is ``failed`` saying what to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from pipeline.extract import pdfminer_engine

DEFAULT = pdfminer_engine.NAME
_ENGINES: dict[str, ModuleType] = {pdfminer_engine.NAME: pdfminer_engine}
_OPT_IN = {
    "pypdfium2": "pipeline.extract.pdfium_engine",
    "tesseract": "pipeline.extract.ocr_engine",
}
ALIASES = {"pdfium": "pypdfium2"}  # the name people say (and issue 14 used); records keep the library's
OCR = "tesseract"


def engine(name: str = DEFAULT) -> ModuleType:
    name = ALIASES.get(name, name)
    if name not in _ENGINES and name in _OPT_IN:
        _ENGINES[name] = importlib.import_module(_OPT_IN[name])
    try:
        return _ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown extractor {name!r} (known: {', '.join(names())})") from None


def names() -> list[str]:
    return sorted({*_ENGINES, *_OPT_IN})


def text_engines() -> list[str]:
    """What ``--extractor`` accepts: the text-layer engines and their aliases (OCR is ``--ocr``)."""
    return sorted({*_ENGINES, *_OPT_IN, *ALIASES} - {OCR})
