"""The per-file work of a batch run, in a worker process: audit one file, return one compact row.

A row is a JSON-ready dict (the line written to results.jsonl): scores, the gaps found, and the
``crossplan`` features the folder-level checks need. Whole Documents never travel back to the main
process, so its memory does not grow with the documents' size.

Every failure becomes a row: a YjplanError keeps its stable code and Chinese message, MemoryError
becomes E214, anything else E999. Killing a worker that overruns its time limit is the executor's
job (executors.py); this module only applies the memory cap inside the worker.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yjplan.config import Config
from yjplan.errors import INTERNAL_MESSAGE, YjplanError
from yjplan.pipeline import AuditOptions

ROW_SCHEMA = "yjplan.batch.row/1"
# Test-only: a comma-separated list of file names the worker sleeps on, to exercise the time limit.
# Read by the main process (batch.py) and passed down in WorkerSetup, never read by workers.
TEST_HANG_ENV = "YJPLAN_TEST_HANG"


@dataclass(frozen=True, slots=True)
class Task:
    index: int  # position of the file in the run's inputs
    path: str  # as walked (may hold surrogate escapes for undecodable names)
    sha256: str  # of the bytes the main process hashed
    opts: AuditOptions


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    config: Config = field(default_factory=Config)
    memory_mb: int | None = None  # address-space cap applied once in each local worker process
    hang_on: tuple[str, ...] = ()  # test-only, see TEST_HANG_ENV


def error_row(code: str, message: str, detail: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"status": "error", "error": {"code": code, "message": message}}
    if detail:
        row["error"]["detail"] = detail
    return row


def timeout_row(seconds: float) -> dict[str, Any]:
    return error_row("E211", f"处理超时（超过 {seconds:g} 秒），已终止该文件的处理")


def crashed_row(exitcode: int | None) -> dict[str, Any]:
    how = f"信号 {-exitcode}" if exitcode is not None and exitcode < 0 else f"退出码 {exitcode}"
    return error_row("E999", f"处理该文件时工作进程意外退出（{how}）")


def set_memory_limit(memory_mb: int | None) -> None:
    """Cap this process's address space so one huge document raises MemoryError instead of swapping."""
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return
    soft = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):  # a container may forbid it
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def result_row(result) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """AuditResult → the compact, JSON-ready row (without path fields, which the main process adds)."""
    from yjplan.crossplan import features_of
    from yjplan.report.json import summary_counts

    doc = result.document
    gaps = []
    for f in result.findings:
        if not f.is_gap:
            continue
        first = f.evidence[0].quote if f.evidence else None
        gaps.append({
            "rule_id": f.rule_id,
            "title": f.title,
            "outcome": f.outcome.value,
            "severity": f.severity.value,
            "message": f.message,
            "location": f.location.describe() if f.location else None,
            "section": " / ".join(f.section_path) or None,
            "evidence": first,
            "suppressed": f.suppressed,
            "baseline": f.baseline,
        })
    return {
        "status": "audited",
        "format": doc.format,
        "title": doc.title,
        "issuer": doc.issuer,
        "issue_date": doc.issue_date.isoformat() if doc.issue_date else None,
        "page_count": doc.page_count,
        "char_count": doc.char_count,
        "notes": list(doc.notes),
        "plan_type": result.plan_type.plan_type,
        "plan_type_reason": result.plan_type.reason,
        "pack": result.pack,
        "total": result.total,
        "grade": result.grade,
        "scores": {s.criterion.value: s.score for s in result.scores},
        "counts": summary_counts(result),
        "rules_checked": len(result.findings),
        "findings": gaps,
        "crossplan": features_of(doc),
        "timings_ms": dict(result.timings_ms),
    }


def audit_task(task: Task, setup: WorkerSetup) -> dict[str, Any]:
    """Audit one file; never raises (except when the process itself is being torn down)."""
    t0 = time.perf_counter()
    if task.path and Path(task.path).name in setup.hang_on:
        time.sleep(3600)  # test-only: stands in for a parser stuck in a loop
    try:
        from yjplan.pipeline import audit_file
        from yjplan.postprocess import finalize

        result = finalize(audit_file(task.path, task.opts), setup.config, None, today=task.opts.today)
        row = result_row(result)
        if result.document.sha256 != task.sha256:
            row["changed"] = True  # the file changed between hashing and reading: do not cache
    except YjplanError as err:
        row = error_row(err.code, err.message)
    except MemoryError:
        row = error_row("E214", f"内存超过上限（{setup.memory_mb} MB），文件过大或结构异常")
    except RecursionError:
        row = error_row("E210", "文件结构嵌套过深，无法解析")
    except Exception as exc:  # one bad file must not end the run: it becomes an E999 row
        row = error_row("E999", INTERNAL_MESSAGE, f"{type(exc).__name__}: {exc}"[:300])
    row["ms"] = round((time.perf_counter() - t0) * 1000, 1)
    row["pid"] = os.getpid()
    return row


def worker_main(conn, setup: WorkerSetup) -> None:  # type: ignore[no-untyped-def]
    """Loop of a local worker process: receive a Task, send back its row; None or EOF ends it."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    set_memory_limit(setup.memory_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(audit_task(task, setup))


def audit_task_with_deadline(task: Task, setup: WorkerSetup, timeout_s: float | None) -> dict[str, Any]:
    """For executors that cannot kill a task (Dask): give up waiting after ``timeout_s``.

    The audit runs in a daemon thread; when it overruns, the row says E211 and the thread is left
    behind (Python cannot stop a thread). The run goes on; only that worker's CPU is lost.
    """
    if not timeout_s:
        return audit_task(task, setup)
    import threading

    box: list[dict[str, Any]] = []
    thread = threading.Thread(target=lambda: box.append(audit_task(task, setup)), daemon=True)
    thread.start()
    thread.join(timeout_s)
    return box[0] if box else timeout_row(timeout_s)
