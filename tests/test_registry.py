"""The council registry: generated with all councils, edited by `councils`, used by crawl and nightly."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.ops import registry
from pipeline.ops.nightly import load_registry

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "councils.toml"


def test_shipped_registry_has_all_368_councils():
    doc = registry.load(SHIPPED)
    entries = registry.councils(doc)
    assert len(entries) == 368
    assert sum(e["platform"] == "moderngov" for e in entries.values()) == 334
    assert sum(e["platform"] == "cmis" for e in entries.values()) == 34
    assert entries["coventry"]["base_url"] == "https://edemocracy.coventry.gov.uk/"
    assert entries["coventry"]["enabled"] is True
    # predecessor county councils that shared a slug with their successor are kept, disabled
    assert entries["somerset"]["name"] == "Somerset Council" and entries["somerset"]["enabled"]
    assert entries["somerset-county-council"]["enabled"] is False


def test_from_tsv_and_the_councils_commands(tmp_path, capsys):
    tsv = "code\tslug\tname\tnation\tplatform\tbase_url\nCOV\tcoventry\tCoventry City Council\tENG\tModernGov\thttps://e.gov.uk\n"
    path = tmp_path / "councils.toml"
    registry.save(registry.from_tsv(io.StringIO(tsv)), path)
    assert (
        main(
            [
                "councils",
                "add",
                "kingston",
                "--base-url",
                "https://moderngov.kingston.gov.uk/",
                "--name",
                "Kingston",
                "--config",
                str(path),
            ]
        )
        == 0
    )
    assert main(["councils", "disable", "coventry", "--config", str(path)]) == 0
    capsys.readouterr()
    assert main(["councils", "list", "--enabled", "--config", str(path)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["kingston"]
    text = path.read_text()
    assert text.startswith("# UK council committee sites.")  # comments survive edits
    assert "enabled = false" in text
    assert main(["councils", "add", "kingston", "--base-url", "https://x/", "--config", str(path)]) == 2
    assert "already in the registry" in capsys.readouterr().err
    assert main(["councils", "show", "atlantis", "--config", str(path)]) == 2
    assert "unknown council 'atlantis'" in capsys.readouterr().err


@pytest.mark.slow
def test_crawl_by_council_slug_from_the_registry(site_factory, db_url, tmp_path):
    from tests.conftest import run_cli

    server = site_factory(committees=1, years=(2025,), meetings_per_year=1, cancelled_every=0)
    path = tmp_path / "councils.toml"
    doc = registry.from_tsv(io.StringIO("code\tslug\tname\tnation\tplatform\tbase_url\n"))
    registry.add(doc, "sample", server.base_url, "Sample Borough Council")
    registry.save(doc, path)
    result = run_cli("crawl", "--council", "sample", "--config", str(path), "--delay", "0", "--db", db_url)
    assert result.returncode == 0, result.stderr
    assert "crawl run 1 of sample: finished" in result.stdout


def test_cmis_councils_enabled_where_their_install_folder_is_recognised():
    entries = registry.councils(registry.load(SHIPPED))
    cmis = {slug: e for slug, e in entries.items() if e["platform"] == "cmis"}
    enabled = {slug: e["base_url"] for slug, e in cmis.items() if e["enabled"]}
    assert enabled["luton"] == "http://democracy.luton.gov.uk/cmis5public/"
    assert enabled["essex"] == "http://cmis.essex.gov.uk/EssexCmis5/"
    assert enabled["cambridgeshire"] == "https://cambridgeshire.cmis.uk.com/ccc_live/"
    assert enabled["nottinghamshire"] == "https://www.nottinghamshire.gov.uk/dms/"
    assert enabled["sunderland"] == "https://committees.sunderland.gov.uk/committees/cmis5/"
    assert enabled["derby"] == "https://democracy.derby.gov.uk/cmis5/"  # from a DNN tab path
    assert len(enabled) == 15
    for e in cmis.values():
        if not e["enabled"]:
            assert e["note"].startswith(f"CMIS install folder not recognised in {e['base_url']}")
    assert not cmis["braintree"]["enabled"]  # /braintree/Councillors.aspx: no known folder
    nightly = load_registry(SHIPPED)
    assert set(enabled) <= set(nightly) and not (set(cmis) - set(enabled)) & set(nightly)


def test_from_tsv_makes_cmis_urls_install_folders_or_disables_them():
    tsv = (
        "code\tslug\tname\tnation\tplatform\tbase_url\n"
        "LUT\tluton\tLuton\tENG\tCMIS\thttp://democracy.luton.gov.uk/cmis5public/Councillors.aspx\n"
        "BRA\tbraintree\tBraintree\tENG\tCMIS\thttp://braintree.cmis.uk.com/braintree/Councillors.aspx\n"
    )
    entries = registry.councils(registry.from_tsv(io.StringIO(tsv)))
    assert (entries["luton"]["base_url"], entries["luton"]["enabled"]) == (
        "http://democracy.luton.gov.uk/cmis5public/",
        True,
    )
    assert entries["braintree"]["enabled"] is False and "not recognised" in entries["braintree"]["note"]
