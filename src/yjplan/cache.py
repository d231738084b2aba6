"""Result cache: (file sha256, audit context) → the row a worker produced for those bytes.

Stored in one SQLite database (stdlib ``sqlite3``, WAL mode) rather than one JSON file per entry:
a large folder would otherwise leave tens of thousands of small files (slow to create on Windows and
under virus scanners, easy to half-write), while SQLite gives atomic writes, safe concurrent use by
two runs sharing the cache, indexed look-ups and a single file to delete to clear it. Rows are
stored as zlib-compressed JSON. Only the main process touches the database.

The context digest covers everything besides the bytes that can change a row: yjplan's version and
source code, every built-in rule pack file, extra packs, the audit options and the parse limits.
A cache hit therefore never parses the file: the main process hashes the bytes and looks up.

A cache that cannot be opened or written is switched off with a note; it never fails a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
import zlib
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from yjplan.config import Config
from yjplan.pipeline import AuditOptions

CACHE_ENV = "YJPLAN_CACHE_DIR"
DB_NAME = "results-v1.sqlite3"
# Row fields that describe one run rather than the file's content.
VOLATILE = frozenset(("path", "path_raw", "key", "index", "ms", "pid", "cached", "changed", "size"))
# Errors that depend only on the bytes; timeouts, memory, I/O and internal errors are retried.
CACHEABLE_ERRORS = frozenset(("E201", "E202", "E203", "E204", "E207", "E208", "E210", "E212", "E213"))


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("yjplan"))


@cache
def code_digest() -> str:
    """Hash of yjplan's own source and built-in packs: a changed parser or rule invalidates entries."""
    from yjplan import __version__
    from yjplan.rules.load import builtin_root

    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for root, pattern in ((package, "*.py"), (builtin_root(), "*")):
        for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:24]


def config_digest(cfg: Config) -> str:
    """What of the configuration changes a row after matching: waivers and the baseline's content."""
    baseline = b""
    if cfg.baseline is not None:
        try:
            baseline = Path(cfg.baseline).read_bytes()
        except OSError:
            baseline = b"unreadable"
    return hashlib.sha256(repr((cfg.waivers, cfg.root)).encode() + hashlib.sha256(baseline).digest()).hexdigest()[:24]


def context_digest(opts: AuditOptions, config_key: str = "") -> str:
    """The part of the cache key that is not the file's hash."""
    from yjplan.limits import DEFAULT_LIMITS

    extra = []
    if opts.rule_packs:
        from yjplan.rules.load import load_pack

        extra = [load_pack(ref).digest for ref in opts.rule_packs]
    # the time and memory limits decide whether a row is produced, not what it says
    limits = replace(opts.limits, timeout_s=DEFAULT_LIMITS.timeout_s, max_memory_mb=DEFAULT_LIMITS.max_memory_mb)
    text = repr((code_digest(), extra, opts.cache_key(), limits, config_key))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def cacheable(row: dict[str, Any]) -> bool:
    if row.get("changed"):
        return False
    if row.get("status") == "audited":
        return True
    return row.get("status") == "error" and row.get("error", {}).get("code") in CACHEABLE_ERRORS


class ResultCache:
    """A handle on the cache database; ``get``/``put`` never raise."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.note: str | None = None
        self.hits = 0
        self._db: sqlite3.Connection | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(directory / DB_NAME, timeout=10, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS rows (sha256 TEXT NOT NULL, context TEXT NOT NULL, "
                "created REAL NOT NULL, data BLOB NOT NULL, PRIMARY KEY (sha256, context)) WITHOUT ROWID"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS pairs (key TEXT PRIMARY KEY, created REAL NOT NULL, data BLOB NOT NULL)"
            )
            self._db = db
        except (OSError, sqlite3.Error) as exc:
            self.note = f"缓存不可用，本次不使用缓存（{directory}：{exc}）"

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def get(self, sha256: str, context: str) -> dict[str, Any] | None:
        if self._db is None:
            return None
        try:
            found = self._db.execute(
                "SELECT data FROM rows WHERE sha256 = ? AND context = ?", (sha256, context)
            ).fetchone()
            if found is None:
                return None
            row = json.loads(zlib.decompress(found[0]))
        except (sqlite3.Error, zlib.error, ValueError):
            return None
        self.hits += 1
        return row if isinstance(row, dict) else None

    def put(self, sha256: str, context: str, row: dict[str, Any]) -> None:
        if self._db is None or not cacheable(row):
            return
        data = zlib.compress(json.dumps({k: v for k, v in row.items() if k not in VOLATILE},
                                        ensure_ascii=False).encode("utf-8"))
        try:
            self._db.execute("INSERT OR REPLACE INTO rows VALUES (?, ?, ?, ?)", (sha256, context, time.time(), data))
        except sqlite3.Error as exc:
            self.note = f"写入缓存失败，之后不再使用缓存（{exc}）"
            self.close()

    def get_pair(self, key: str) -> list[tuple[str, str, str, float]] | None:
        """Copied paragraphs found between two files (by their hashes), from an earlier run."""
        if self._db is None:
            return None
        try:
            found = self._db.execute("SELECT data FROM pairs WHERE key = ?", (f"{code_digest()}:{key}",)).fetchone()
            return None if found is None else [tuple(x) for x in json.loads(zlib.decompress(found[0]))]  # type: ignore[misc]
        except (sqlite3.Error, zlib.error, ValueError, TypeError):
            return None

    def put_pair(self, key: str, copies: list[tuple[str, str, str, float]]) -> None:
        if self._db is None:
            return
        data = zlib.compress(json.dumps(copies, ensure_ascii=False).encode("utf-8"))
        try:
            self._db.execute("INSERT OR REPLACE INTO pairs VALUES (?, ?, ?)",
                             (f"{code_digest()}:{key}", time.time(), data))
        except sqlite3.Error as exc:
            self.note = f"写入缓存失败，之后不再使用缓存（{exc}）"
            self.close()

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
