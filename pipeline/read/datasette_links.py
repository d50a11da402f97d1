"""Datasette plugin (entry point ``datasette`` in pyproject): cells that name a minute link to it.

Datasette links foreign keys only on table pages and absolute URLs anywhere (docs: "Plugin hooks",
``render_cell``); the archive's views and canned queries name minutes by label with their ids
beside them. Here a citing or cited minute's label links to that minute's row of ``minutes_view``,
a cited meeting's date to the meeting, a search hit to its minute or document page, and ``references_view``'s ``sources`` to the pages
and documents the citing minute was read from. Loaded only by Datasette (pip install -e '.[datasette]').
"""

from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape

# label column -> the id column beside it, in references_view and the canned queries
MINUTE_LABELS = {"minute_label": "citing_minute_id", "target_minute_label": "target_minute_id"}


def _get(row, key: str):
    try:
        return row[key]
    except (IndexError, KeyError):
        return None


def _link(href: str, text) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, text)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if value in (None, ""):
        return None
    minutes = datasette.urls.table(database, "minutes_view")
    if column in MINUTE_LABELS and (minute_id := _get(row, MINUTE_LABELS[column])) is not None:
        return _link(f"{minutes}?minute_id={int(minute_id)}", value)
    if column == "target_meeting_date" and (meeting_id := _get(row, "target_meeting_id")) is not None:
        return _link(datasette.urls.row(database, "meetings", str(int(meeting_id))), value)
    if column == "sources" and table == "references_view":
        citing = _get(row, "citing_minute_id")
        if citing is not None:
            href = datasette.urls.table(database, "minute_sources") + f"?minute_id={int(citing)}"
            return _link(href, escape(value))
    if column in ("title", "ref_id") and (kind := _get(row, "kind")) in ("minute", "page"):
        ref = _get(row, "ref_id")
        if ref is None:
            return None
        if kind == "minute":
            return _link(f"{minutes}?minute_id={int(ref)}", value)
        return _link(datasette.urls.row(database, "text_pages", str(int(ref))), value)
    return None
