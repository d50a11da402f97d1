"""The council registry, `data/councils.toml`: which councils exist and where their sites are.

Generated from shared/data/uk-councils.tsv (`python -m pipeline.ops.registry TSV > data/councils.toml`),
then kept by hand and by `council-archive councils add|disable|check --update`. tomlkit keeps the
file's comments and order when it is edited.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import tomlkit

DEFAULT_REGISTRY = Path("data/councils.toml")
FIELDS = ("name", "code", "nation", "platform", "base_url", "enabled")


class RegistryError(ValueError):
    """The registry cannot be read or changed; the message is one line for the user."""


def from_tsv(lines) -> tomlkit.TOMLDocument:
    doc = tomlkit.document()
    doc.add(tomlkit.comment("UK council committee sites. Generated from uk-councils.tsv (DemocracyClub/LGSF"))
    doc.add(tomlkit.comment("metadata, MIT); edit freely: `council-archive councils add|disable|check`."))
    councils = tomlkit.table(is_super_table=True)
    rows = list(csv.DictReader(lines, delimiter="\t"))
    taken = [r["slug"] for r in rows]
    for row in rows:
        predecessor = taken.count(row["slug"]) > 1 and "County Council" in row["name"]
        if predecessor:
            # Abolished in a reorganisation; its successor unitary council keeps the plain slug.
            row = {**row, "slug": row["slug"] + "-county-council"}
        entry = tomlkit.table()
        entry["name"] = row["name"]
        entry["code"] = row["code"]
        entry["nation"] = row["nation"]
        entry["platform"] = row["platform"].lower()
        entry["base_url"] = row["base_url"].rstrip("/") + "/"
        entry["enabled"] = not predecessor
        if predecessor:
            entry["note"] = "predecessor authority, abolished; its papers may live on the successor's site"
        councils[row["slug"]] = entry
    doc["councils"] = councils
    return doc


def load(path: Path = DEFAULT_REGISTRY) -> tomlkit.TOMLDocument:
    if not path.is_file():
        raise RegistryError(f"no council registry at {path}")
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except tomlkit.exceptions.TOMLKitError as exc:
        raise RegistryError(f"{path} is not valid TOML: {exc}") from None


def save(doc: tomlkit.TOMLDocument, path: Path = DEFAULT_REGISTRY) -> None:
    tmp = path.with_suffix(".toml.part")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    tmp.replace(path)


def councils(doc) -> dict:
    return doc.get("councils", {})


def get(doc, slug: str) -> dict:
    entry = councils(doc).get(slug)
    if entry is None:
        raise RegistryError(f"unknown council {slug!r} (not in the registry)")
    return entry


def add(doc, slug: str, base_url: str, name: str | None = None, platform: str = "moderngov") -> None:
    if slug in councils(doc):
        raise RegistryError(f"council {slug!r} is already in the registry")
    if "councils" not in doc:
        doc["councils"] = tomlkit.table(is_super_table=True)
    entry = tomlkit.table()
    entry["name"] = name or slug
    entry["platform"] = platform
    entry["base_url"] = base_url.rstrip("/") + "/"
    entry["enabled"] = True
    doc["councils"][slug] = entry


def set_enabled(doc, slug: str, enabled: bool) -> None:
    get(doc, slug)["enabled"] = enabled


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        sys.stdout.write(tomlkit.dumps(from_tsv(fh)))
