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
        target.parent.mkdir(parents=True, exist_ok=True)
        self.incoming.mkdir(parents=True, exist_ok=True)
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
        return digest

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
