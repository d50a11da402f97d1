"""Where an export's bytes go: a file that appears under its name whole, or a device as it is.

A regular file is written as NAME.part and renamed over NAME when complete, so a crash never
leaves half an export under the real name. ``/dev/null``, ``/dev/stdout``, a named pipe or any
other existing non-regular file is written in place: renaming onto it would replace the device
with a regular file (which is how ``export -o /dev/null`` once broke a machine's /dev/null).
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def output_file(path: Path | str, mode: str = "w", **open_args) -> Iterator[IO]:
    path = Path(path)
    try:
        special = not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        special = False
    if special:
        with open(path, mode, **open_args) as fh:
            yield fh
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, mode, **open_args) as fh:
            yield fh
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
