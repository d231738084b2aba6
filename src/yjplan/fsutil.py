"""Atomic file writes: a report is either complete or absent, never half written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """A file to stream a report into; it replaces ``path`` only when complete (temporary file,
    fsync, rename), so a report is either the whole new one or still the old one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file owner-only (0600); a report should get the usual umask-based mode
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_output(path) as out:
        out.write(data)


def printable(text: str) -> str:
    """Make text safe to write as UTF-8. A file name that is not valid UTF-8 reaches us as lone
    surrogates (surrogateescape); they become ``\\udcff`` escapes, which read back as the same
    name inside a JSON string and stay legible anywhere else."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, printable(text).encode("utf-8"))
