"""A stand-in for an improved parser, for the reprocess tests: same code paths, different output.

``apply()`` changes what the parsers produce (titles in capitals, the last minute of each text no
longer found, the repaired text marked) and bumps the parser version, in this process; a crawl
child gets it with ``run_cli(..., preamble=PREAMBLE)``.
"""

from __future__ import annotations

from dataclasses import replace

import pipeline.parse
from pipeline.parse import document

PREAMBLE = "import tests.parser_patch as patch; patch.apply()"
NEW_VERSION = "test-next"
_original = {}


def _changed(result: document.ParseResult) -> document.ParseResult:
    keep = result.minutes[:-1] if len(result.minutes) > 1 else result.minutes
    minutes = [replace(m, title=m.title.upper()) for m in keep]
    refs = [r for r in result.references if r.minute_index is not None and r.minute_index < len(minutes)]
    return document.ParseResult(minutes, refs)


def apply() -> None:
    if _original:
        return
    _original.update(
        parse_text=document.parse_text,
        parse_meeting_page=document.parse_meeting_page,
        clean_pages=document.clean_pages,
        version=pipeline.parse.PARSER_VERSION,
    )
    document.parse_text = lambda text, profile=document.MUNICIPAL: _changed(
        _original["parse_text"](text, profile)
    )
    document.parse_meeting_page = lambda page, profile=document.MUNICIPAL: _changed(
        _original["parse_meeting_page"](page, profile)
    )
    document.clean_pages = lambda pages: [
        t + "\n[repaired again]" if t else t for t in _original["clean_pages"](pages)
    ]
    pipeline.parse.PARSER_VERSION = NEW_VERSION


def undo() -> None:
    if not _original:
        return
    document.parse_text = _original.pop("parse_text")
    document.parse_meeting_page = _original.pop("parse_meeting_page")
    document.clean_pages = _original.pop("clean_pages")
    pipeline.parse.PARSER_VERSION = _original.pop("version")
