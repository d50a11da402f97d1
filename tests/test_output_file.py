"""Exports land whole under their name, and a device or pipe given as the output stays one
(``export -o /dev/null`` once renamed a regular file over the machine's /dev/null)."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from pipeline.read.output_file import output_file
from tests.conftest import run_cli


def test_a_regular_file_appears_whole_or_not_at_all(tmp_path):
    target = tmp_path / "out" / "minutes.csv"
    with pytest.raises(RuntimeError), output_file(target) as fh:
        fh.write("half")
        raise RuntimeError("killed")
    assert not target.exists() and not list(target.parent.iterdir())
    with output_file(target) as fh:
        fh.write("whole")
        assert not target.exists()  # not under its name until complete
    assert target.read_text() == "whole"


def test_export_to_a_device_or_a_pipe_writes_into_it(tmp_path, db_url):
    assert run_cli("db", "--db", db_url, "upgrade").returncode == 0
    link = tmp_path / "null"
    link.symlink_to(os.devnull)  # a link, so that a regression replaces the link, not /dev/null
    result = run_cli("export", "meetings", "--db", db_url, "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    result = run_cli("export", "meetings", "--db", db_url, "-o", str(fifo))
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert got and got[0].startswith("council,") and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert not (tmp_path / "pipe.part").exists()
