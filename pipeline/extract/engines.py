"""The text extractors, by name. pdfminer.six is the default the project was specified with.

An engine is a module with ``NAME``, ``VERSION`` and ``extract(data, cheap=False) -> Extraction``
(``cheap``: the faster, rougher way, tried after a time-out).
"""

from __future__ import annotations

from types import ModuleType

from pipeline.extract import pdfminer_engine

DEFAULT = pdfminer_engine.NAME
_ENGINES: dict[str, ModuleType] = {pdfminer_engine.NAME: pdfminer_engine}


def engine(name: str = DEFAULT) -> ModuleType:
    try:
        return _ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown extractor {name!r} (known: {', '.join(sorted(_ENGINES))})") from None


def names() -> list[str]:
    return sorted(_ENGINES)
