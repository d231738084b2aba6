"""results.jsonl: the batch run's row store, and the compact summary the other reports are built from.

During a run every finished file is appended as one JSON line, flushed and fsynced, so a run that is
killed loses at most the files in flight and ``--resume`` can carry on. At the end the file is
rewritten (atomically) in input order with exactly one row per current input. Reports hold only a
``PlanRow`` per input in memory, read full rows back by byte offset when they need findings, and
are streamed into their files (``fsutil.atomic_output``), never built whole in memory.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from yjplan.crossplan import CrossFinding
from yjplan.fsutil import atomic_output

RESULTS_NAME = "results.jsonl"
GRADES = ("优秀", "良好", "合格", "不合格")
STATUS_LABELS = {"audited": "已审查", "error": "出错", "skipped": "跳过"}


def encode_row(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "replace")


class RowLog:
    """Append-only writer: one fsynced line per finished file."""

    def __init__(self, path: Path, *, append: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh: IO[bytes] = open(path, "ab" if append else "wb")  # noqa: SIM115 - closed by close()
        if append and self._fh.tell() > 0:
            self._end_partial_line()

    def _end_partial_line(self) -> None:
        """A run killed mid-write leaves half a line; start ours on a fresh one."""
        with open(self.path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                self._fh.write(b"\n")

    def write(self, row: dict[str, Any], *, durable: bool = True) -> int:
        """Append ``row``; returns its byte offset.

        ``durable=False`` is for rows that are cheap to make again (cache hits, skipped files): they
        are flushed now and fsynced with the next durable row or at close, which keeps a run answered
        from the cache from spending its time in fsync.
        """
        offset = self._fh.tell()
        self._fh.write(encode_row(row))
        self._fh.flush()
        if durable:
            os.fsync(self._fh.fileno())
        return offset

    def close(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()


def scan(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(offset, row) of every complete, valid line; damaged lines (an interrupted write) are skipped."""
    if not path.exists():
        return
    with open(path, "rb") as fh:
        offset = 0
        for line in fh:
            start, offset = offset, offset + len(line)
            if not line.endswith(b"\n"):
                break
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and "key" in row:
                yield start, row


def read_at(path: Path, offset: int) -> dict[str, Any]:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return json.loads(fh.readline())


def rows_at(path: Path, offsets: Iterable[int]) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as fh:
        for offset in offsets:
            fh.seek(offset)
            yield json.loads(fh.readline())


def rewrite(path: Path, offsets: Iterable[int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rewrite ``path`` with the lines at ``offsets``, in that order; yields (new offset, row).

    The new file replaces the old one only when complete (temporary file, fsync, rename).
    """
    with atomic_output(path) as out, open(path, "rb") as src:
        for offset in offsets:
            src.seek(offset)
            line = src.readline()
            yield out.tell(), json.loads(line)
            out.write(line)


def _interned(value: Any) -> Any:
    """One shared copy of the short strings every row repeats (status, plan type, grade, ...)."""
    return sys.intern(value) if type(value) is str else value


@functools.lru_cache(maxsize=4096)
def _count(name: Any, value: int) -> tuple[Any, int]:
    """One shared (name, count) pair: the counts are small numbers that repeat from plan to plan."""
    return (_interned(name), value)


@dataclass(frozen=True, slots=True)
class PlanRow:
    """What the reports keep in memory for one input; the full row stays in results.jsonl."""

    path: str
    status: str  # audited | error | skipped
    offset: int  # of the row in the final results.jsonl
    title: str | None = None
    plan_type: str | None = None
    format: str | None = None
    total: float | None = None
    grade: str | None = None
    scores: tuple[tuple[str, float], ...] = ()
    counts: tuple[tuple[str, int], ...] = ()
    issue_date: str | None = None
    code: str | None = None  # error code
    reason: str | None = None  # error message or skip reason
    sha256: str | None = None
    cached: bool = False
    gate: tuple[str, ...] = ()  # why this file fails --fail-on/--fail-under

    @property
    def name(self) -> str:
        return self.title or Path(self.path).name

    def count(self, key: str) -> int:
        return dict(self.counts).get(key, 0)

    @staticmethod
    def from_row(row: dict[str, Any], offset: int, gate: tuple[str, ...] = ()) -> PlanRow:
        # The batch keeps one PlanRow per input until the reports are written: the strings every
        # row repeats (keys of scores and counts, status, type, grade) are shared, not copied.
        err = row.get("error") or {}
        return PlanRow(
            path=row.get("path", ""),
            status=_interned(row.get("status", "error")),
            offset=offset,
            title=row.get("title"),
            plan_type=_interned(row.get("plan_type")),
            format=_interned(row.get("format")),
            total=row.get("total"),
            grade=_interned(row.get("grade")),
            scores=tuple((_interned(k), float(v)) for k, v in (row.get("scores") or {}).items()),
            counts=tuple(_count(k, int(v)) for k, v in (row.get("counts") or {}).items()),
            issue_date=row.get("issue_date"),
            code=_interned(err.get("code")),
            reason=err.get("message") or row.get("reason"),
            sha256=row.get("sha256"),
            cached=bool(row.get("cached")),
            gate=gate,
        )


@dataclass(frozen=True, slots=True)
class RuleTally:
    rule_id: str
    title: str
    fail: int
    partial: int

    @property
    def gaps(self) -> int:
        return self.fail + self.partial


@dataclass(frozen=True, slots=True)
class BatchReport:
    outdir: Path
    results_path: Path
    plans: tuple[PlanRow, ...]  # audited by total (highest first), then errors, then skipped
    cross: Sequence[CrossFinding]  # a crossplan.FindingStore in a run: read from disk on each iteration
    rules: tuple[RuleTally, ...]  # most gaps first
    inputs: int  # inputs found this run
    ignored: int
    ignored_kinds: tuple[tuple[str, int], ...]
    interrupted: bool
    elapsed_s: float
    started: str  # ISO timestamp
    today: str
    roots: tuple[str, ...]
    cache_hits: int
    audited_now: int  # files audited by workers in this run
    resumed: int  # rows kept from an earlier run
    exit_code: int

    @property
    def audited(self) -> tuple[PlanRow, ...]:
        return tuple(p for p in self.plans if p.status == "audited")

    @property
    def errors(self) -> tuple[PlanRow, ...]:
        return tuple(p for p in self.plans if p.status == "error")

    @property
    def skipped(self) -> tuple[PlanRow, ...]:
        return tuple(p for p in self.plans if p.status == "skipped")

    @property
    def done(self) -> int:
        return len(self.plans)

    def grade_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(GRADES, 0)
        for p in self.audited:
            counts[p.grade or "不合格"] = counts.get(p.grade or "不合格", 0) + 1
        return counts

    def type_counts(self) -> dict[str, dict[str, int]]:
        """plan type → grade → count, plan types by number of plans."""
        table: dict[str, dict[str, int]] = {}
        for p in self.audited:
            row = table.setdefault(p.plan_type or "未知", dict.fromkeys(GRADES, 0))
            row[p.grade or "不合格"] = row.get(p.grade or "不合格", 0) + 1
        return dict(sorted(table.items(), key=lambda kv: -sum(kv[1].values())))

    def weakest(self, n: int = 5) -> tuple[PlanRow, ...]:
        return tuple(sorted(self.audited, key=lambda p: (p.total or 0.0, p.path))[:n])

    def rows(self, plans: Iterable[PlanRow]) -> Iterator[dict[str, Any]]:
        """Full rows of these plans, read back from results.jsonl."""
        return rows_at(self.results_path, (p.offset for p in plans))
