"""Content-addressed blob store: every fetched byte string stored once, named by its sha256.

Files are never named from server file names. Writes go to a temporary file in ``.incoming/``
(on the same file system), are fsynced and then renamed, so a crash never leaves a half-written
blob under a real name; temporary files a killed process left behind are removed by the next run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

STALE_AFTER_S = 3600  # a temporary blob this old belongs to no live writer (writes take seconds)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._made: set[Path] = set()  # folders known to exist: a mkdir per blob is a syscall each

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its sha256."""
        digest = sha256_hex(data)
        target = self.path(digest)
        if target.is_file() and target.stat().st_size == len(data):
            return digest
        try:
            self._write(data, target)
        except FileNotFoundError:  # a folder removed since it was made: make it again, once
            self._made.clear()
            self._write(data, target)
        return digest

    def _write(self, data: bytes, target: Path) -> None:
        for folder in (target.parent, self.incoming):
            if folder not in self._made:
                folder.mkdir(parents=True, exist_ok=True)
                self._made.add(folder)
        fd, tmp = tempfile.mkstemp(dir=self.incoming, prefix="tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    @property
    def incoming(self) -> Path:
        return self.root / ".incoming"

    def clean_incoming(self, older_than_s: float = STALE_AFTER_S) -> int:
        """Remove temporary files left by a killed writer; returns how many."""
        if not self.incoming.is_dir():
            return 0
        removed = 0
        cutoff = time.time() - older_than_s
        for leftover in self.incoming.glob("tmp-*"):
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
            except FileNotFoundError:  # another process's writer finished with it meanwhile
                continue
        return removed
