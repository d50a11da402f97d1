"""The council registry, `data/councils.toml`: which councils exist and where their sites are.

Generated from shared/data/uk-councils.tsv (`python -m pipeline.ops.registry TSV > data/councils.toml`),
then kept by hand and by `council-archive councils add|disable|check --update`. tomlkit keeps the
file's comments and order when it is edited; reading alone (a crawl, the nightly) goes through the
standard library's tomllib, ten times faster on the 368 councils.
"""

from __future__ import annotations

import csv
import sys
import tomllib
from pathlib import Path

import tomlkit

from crawler.urls import cmis_install_root
from pipeline.parse.profile import YEAR_CONVENTIONS, Profile

DEFAULT_REGISTRY = Path("data/councils.toml")
PROFILE_KEYS = ("year_convention",)  # what the parsers and the resolver are told about a council
PLATFORMS = ("moderngov", "cmis")


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
        if entry["platform"] == "cmis" and not predecessor:
            cmis_install(entry)
        councils[row["slug"]] = entry
    doc["councils"] = councils
    return doc


def cmis_install(entry) -> bool:
    """A CMIS entry's base_url made its install folder (the crawl starts there), enabled, when the URL
    shows a known install folder (crawler.urls.CMIS_INSTALL); else disabled with the reason."""
    root = cmis_install_root(str(entry["base_url"]))
    if root is None:
        entry["enabled"] = False
        entry["note"] = (
            f"CMIS install folder not recognised in {entry['base_url']} (known: /cmis/, /cmis5/, "
            "/cmis5public/, /cmis5live/, /EssexCmis5/, /ccc_live/, /live/, /dms/): "
            "`councils set` base_url to it, then enable"
        )
        return False
    entry["base_url"] = root
    entry["enabled"] = True
    return True


def load(path: Path = DEFAULT_REGISTRY) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(_text(path))
    except tomlkit.exceptions.TOMLKitError as exc:
        raise RegistryError(f"{path} is not valid TOML: {exc}") from None


def read(path: Path = DEFAULT_REGISTRY) -> dict:
    """The registry as plain data, to read (``load`` keeps the file's layout, to edit it)."""
    try:
        return tomllib.loads(_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path} is not valid TOML: {exc}") from None


def _text(path: Path) -> str:
    if not path.is_file():
        raise RegistryError(f"no council registry at {path}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path} is not UTF-8 text: {exc.reason}") from None


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


def _checked(key: str, value: str):
    if key == "year_convention":
        if value not in YEAR_CONVENTIONS:
            raise RegistryError(
                f"year_convention must be one of {', '.join(YEAR_CONVENTIONS)}, not {value!r}"
            )
        return value
    if key == "platform":
        if value not in PLATFORMS:
            raise RegistryError(f"platform must be one of {', '.join(PLATFORMS)}, not {value!r}")
        return value
    if key == "base_url":
        if not value.startswith(("http://", "https://")):
            raise RegistryError(f"base_url must be an http(s) URL, not {value!r}")
        return value.rstrip("/") + "/"
    if key == "enabled":
        if value.lower() not in ("true", "false"):
            raise RegistryError(f"enabled must be true or false, not {value!r}")
        return value.lower() == "true"
    if key in ("name", "note"):
        return value
    raise RegistryError(
        f"unknown field {key!r} (one of: year_convention, name, base_url, platform, enabled, note)"
    )


def set_fields(doc, slug: str, assignments: list[str]) -> dict:
    """Apply ``KEY=VALUE`` assignments to a council; returns what was set."""
    entry = get(doc, slug)
    changes = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or not key.strip():
            raise RegistryError(f"expected KEY=VALUE, got {assignment!r}")
        changes[key.strip()] = _checked(key.strip(), value.strip())
    for key, value in changes.items():
        entry[key] = value
    return changes


def find(path: Path, slug: str) -> dict | None:
    """The registry's entry for ``slug``, or None (no registry file, or not in it)."""
    try:
        entry = councils(read(path)).get(slug)
    except RegistryError:
        return None
    return dict(entry) if entry is not None else None


def profile_of(entry: dict | None) -> Profile | None:
    if not entry or "year_convention" not in entry:
        return None
    return Profile(year_convention=str(entry["year_convention"]))


def profiles(path: Path) -> dict[str, Profile]:
    """The councils whose registry entry sets a profile."""
    try:
        doc = read(path)
    except RegistryError:
        return {}
    found = {slug: profile_of(dict(e)) for slug, e in councils(doc).items()}
    return {slug: p for slug, p in found.items() if p is not None}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        sys.stdout.write(tomlkit.dumps(from_tsv(fh)))
