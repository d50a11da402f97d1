"""The package tree is the architecture: the import contracts of pyproject.toml hold, and no module
grows past ~400 lines without saying why."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_module_over_400_lines_without_a_reason():
    long = []
    for path in [*ROOT.glob("pipeline/**/*.py"), *ROOT.glob("crawler/**/*.py")]:
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > 400 and "Longer than" not in doc:
            long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not long, long
