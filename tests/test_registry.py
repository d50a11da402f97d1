"""The council registry: generated with all councils, edited by `councils`, used by crawl and nightly."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.ops import registry

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
