"""``yjplan batch``: audit every plan under some folders, in parallel, resumably, with folder reports.

``run(settings)`` is the only place with mutable run state, all of it in its locals:

1. discover inputs (discover.py) and refuse an output folder inside an input folder;
2. for each input, in the main process: read and hash the bytes, then skip it (``--resume``: same
   path and hash already in results.jsonl), answer it from the cache, or hand it to an executor
   (executors.py) that runs ``worker.audit_task`` in worker processes with a time and memory limit;
3. append each finished row to results.jsonl (fsynced) and the cache as it arrives;
4. on SIGINT/SIGTERM stop dispatching and terminate the workers, then carry on with step 5 for the
   files already done;
5. rewrite results.jsonl in input order, condensing each row as it streams by, run the cross-plan
   checks (crossplan.py) on the condensed data and stream the reports (report/batch_*.py) into
   their files, each atomically. Memory stays flat in the number of files: nothing holds every
   row, and full rows are read back from results.jsonl by offset when a report needs them.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, TextIO

from yjplan.errors import ExitCode, InputError, OutputPathError, UsageError, YjplanError
from yjplan.limits import DEFAULT_LIMITS, Limits
from yjplan.report.batch_jsonl import RESULTS_NAME, BatchReport, PlanRow, RowLog, RuleTally

FORMATS = ("terminal", "csv", "xlsx", "html", "jsonl")
EXECUTORS = ("local", "dask")


@dataclass(frozen=True, slots=True)
class BatchSettings:
    inputs: tuple[Path, ...]
    output: Path | None = None  # None: ./yjplan-batch-<date>
    formats: tuple[str, ...] = FORMATS
    jobs: int | None = None  # None: the number of CPUs
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    resume: bool = False
    use_cache: bool = True
    cache_dir: Path | None = None
    timeout_s: float | None = None  # None: Limits default
    memory_mb: int | None = None  # None: Limits default
    plan_type: str | None = None
    rules: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    executor: str = "local"
    scheduler: str | None = None
    fail_on: str | None = None
    fail_under: float | None = None
    config: Path | None = None
    quiet: bool = False
    progress: bool | None = None  # None: only when stderr is a terminal and not quiet
    today: date | None = None
    max_files: int | None = None  # stop after this many files were audited (simulates an interruption)


Executor = Callable[..., Iterator[tuple[Any, dict[str, Any]]]]


def default_output(today: date) -> Path:
    return Path.cwd() / f"yjplan-batch-{today.isoformat()}"


def _check_output(outdir: Path, explicit: bool, inputs: tuple[Path, ...]) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise OutputPathError("输出位置已存在且不是文件夹", path=outdir)
    real = os.path.realpath(outdir)
    for root in inputs:
        if not os.path.isdir(root):
            continue
        base = os.path.realpath(root)
        if real == base:
            raise OutputPathError(f"输出文件夹不能就是输入文件夹“{root}”，请用 -o 指定其子文件夹或其他位置",
                                  path=outdir)
        if real.startswith(base.rstrip(os.sep) + os.sep) and not explicit:
            raise OutputPathError(
                f"默认的输出文件夹位于输入文件夹“{root}”之内；请用 -o 指定其他位置（明确指定时允许放在输入文件夹内）",
                path=outdir,
            )


def _jobs(requested: int | None) -> int:
    if requested is not None:
        if requested < 1:
            raise UsageError("--jobs 必须是正整数")
        return requested
    count = os.process_cpu_count() if hasattr(os, "process_cpu_count") else os.cpu_count()
    return max(1, count or 1)


def _gate(row: dict[str, Any], fail_on: str, fail_under: float | None) -> tuple[str, ...]:
    if row.get("status") != "audited":
        return ()
    from yjplan.model import Severity

    reasons = []
    if fail_on != "none":
        floor = Severity(fail_on).rank
        hits = [f for f in row.get("findings") or ()
                if not f.get("suppressed") and not f.get("baseline") and Severity(f["severity"]).rank >= floor]
        if hits:
            reasons.append(f"{len(hits)} 个问题达到{Severity(fail_on).label}级别")
    total = row.get("total")
    if fail_under is not None and total is not None and total < fail_under:
        reasons.append(f"总分 {total:.1f} 低于 {fail_under:g}")
    return tuple(reasons)


def _config_error(error: dict[str, Any]) -> YjplanError:
    """Rebuild a configuration or rule-pack error a worker reported, with its own class and code."""
    from yjplan.errors import ConfigError

    def leaves(cls: type[YjplanError]) -> Iterator[type[YjplanError]]:
        yield cls
        for child in cls.__subclasses__():
            yield from leaves(child)

    cls = next((c for c in leaves(ConfigError) if c.code == error.get("code")), ConfigError)
    return cls(str(error.get("message", "")))


def _progress(enabled: bool, err: TextIO):  # type: ignore[no-untyped-def]
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("用时"),
        TimeElapsedColumn(),
        TextColumn("剩余"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        console=Console(file=err, stderr=True),
        transient=True,
    )


def run(settings: BatchSettings, *, executor: Executor | None = None, out: TextIO | None = None,
        err: TextIO | None = None) -> BatchReport:
    """Run a batch; returns what the reports were built from (its ``exit_code`` is the command's)."""
    from yjplan.cache import ResultCache, config_digest, context_digest, default_cache_dir
    from yjplan.config import load_config, options_from
    from yjplan.discover import discover
    from yjplan.gate import gate_levels
    from yjplan.parse import load_bytes
    from yjplan.worker import TEST_HANG_ENV, Task, WorkerSetup, error_row

    out = out or sys.stdout
    err = err or sys.stderr
    t0 = time.monotonic()
    started = datetime.now().isoformat(timespec="seconds")
    for fmt in settings.formats:
        if fmt not in FORMATS:
            raise UsageError(f"不支持的输出格式“{fmt}”（可用：{'、'.join(FORMATS)}）")
    if settings.executor not in EXECUTORS:
        raise UsageError(f"--executor 只能是 {'、'.join(EXECUTORS)}")
    if not settings.inputs:
        raise UsageError("请至少给出一个文件夹")
    if settings.timeout_s is not None and settings.timeout_s <= 0:
        raise UsageError("--timeout 必须大于 0")
    if settings.executor == "dask":
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            raise UsageError("未安装 dask：请先运行 pip install 'yjplan[dask]'，或改用 --executor local")
    if settings.plan_type:
        from yjplan.plantype import normalize_type

        normalize_type(settings.plan_type)
    jobs = _jobs(settings.jobs)
    cfg = load_config(settings.config)
    fail_on, fail_under = gate_levels(cfg, settings.fail_on, settings.fail_under)
    today = settings.today or date.today()
    limits = Limits(
        timeout_s=settings.timeout_s or DEFAULT_LIMITS.timeout_s,
        max_memory_mb=settings.memory_mb or DEFAULT_LIMITS.max_memory_mb,
    )
    outdir = (settings.output or default_output(today)).absolute()
    _check_output(outdir, settings.output is not None, settings.inputs)
    cache_dir = (settings.cache_dir or default_cache_dir()).absolute() if settings.use_cache else None

    def wanted(path: str) -> bool:
        return (not cfg.include or cfg.matches(path, cfg.include)) and not cfg.matches(path, cfg.exclude)

    discovery = discover(settings.inputs, include=settings.include, exclude=settings.exclude,
                         prune=tuple(p for p in (outdir, cache_dir) if p is not None),
                         want=wanted if cfg.include or cfg.exclude else None)
    entries = discovery.entries
    if discovery.to_audit == 0:
        skipped = len(entries)
        detail = f"；{skipped} 个文件被跳过" if skipped else ""
        raise InputError(f"没有找到预案文件（支持 .docx、.pdf、.txt、.md、.doc、.wps 等{detail}）")

    results_path = outdir / RESULTS_NAME
    previous: dict[str, tuple[int, str | None]] = {}  # key → (offset, sha256) of its last row
    if settings.resume:
        from yjplan.report.batch_jsonl import scan

        for offset, row in scan(results_path):
            previous[row["key"]] = (offset, row.get("sha256"))
    try:
        log = RowLog(results_path, append=settings.resume)
    except OSError as exc:
        raise OutputPathError(f"无法写入输出文件夹（{exc.strerror or exc}）", path=outdir) from exc
    cache = ResultCache(cache_dir) if cache_dir is not None else None
    config_key = config_digest(cfg) if cache is not None else ""
    per_path = bool(cfg.waivers or cfg.baseline)
    notes: list[str] = [cache.note] if cache is not None and cache.note else []

    hang_on = tuple(n for n in os.environ.get(TEST_HANG_ENV, "").split(",") if n)
    setup = WorkerSetup(config=cfg, memory_mb=limits.max_memory_mb if settings.executor == "local" else None,
                        hang_on=hang_on)
    latest: dict[str, int] = {}  # key → offset of the row this run reports
    in_flight: dict[int, tuple[Any, str, int, str]] = {}  # task index → (entry, sha256, size, context)
    contexts: dict[Any, str] = {}
    counters = {"cache_hits": 0, "audited_now": 0, "resumed": 0}
    stop = threading.Event()
    progress = _progress(settings.progress if settings.progress is not None
                         else (not settings.quiet and err.isatty()), err)
    bar = progress.add_task("审查", total=len(entries), current="") if progress else None

    def advance(name: str) -> None:
        if progress is not None and bar is not None:
            progress.update(bar, advance=1, current=name[-40:])

    def emit(index: int, entry: Any, row: dict[str, Any], sha256: str | None = None, size: int | None = None, *,
             durable: bool = False) -> None:
        row = {"schema": "yjplan.batch.row/1", "path": entry.display, "key": entry.key, "index": index,
               **({"sha256": sha256, "size": size} if sha256 else {}), **row}
        latest[entry.key] = log.write(row, durable=durable)
        advance(os.path.basename(entry.display))

    def tasks() -> Iterator[Task]:
        for index, entry in enumerate(entries):
            if stop.is_set():
                return
            prev = previous.get(entry.key)
            if entry.skip is not None:
                if prev is not None and prev[1] is None:
                    latest[entry.key] = prev[0]
                    counters["resumed"] += 1
                    advance(entry.display)
                else:
                    emit(index, entry, {"status": "skipped", "reason": entry.skip})
                continue
            try:
                data = load_bytes(Path(entry.path), limits)
            except YjplanError as exc:
                emit(index, entry, error_row(exc.code, exc.message))
                continue
            sha256, size = hashlib.sha256(data).hexdigest(), len(data)
            del data
            if prev is not None and prev[1] == sha256:
                latest[entry.key] = prev[0]
                counters["resumed"] += 1
                advance(entry.display)
                continue
            opts = options_from(cfg, Path(entry.path), plan_type=settings.plan_type, rules=settings.rules,
                                select=settings.select, ignore=settings.ignore)
            opts = replace(opts, limits=limits, today=today)
            context = contexts.get(opts)
            if context is None:
                context = contexts[opts] = context_digest(opts, config_key) if cache is not None else ""
            if per_path:  # waivers and baselines are matched by path: the same bytes elsewhere may differ
                context = hashlib.sha256(f"{context}\0{entry.key}".encode()).hexdigest()[:24]
            if cache is not None:
                hit = cache.get(sha256, context)
                if hit is not None:
                    counters["cache_hits"] += 1
                    emit(index, entry, {**hit, "cached": True}, sha256, size)
                    continue
            in_flight[index] = (entry, sha256, size, context)
            # absolute: workers fork from a server that may have started in another working directory
            yield Task(index=index, path=os.path.abspath(entry.path), sha256=sha256, opts=opts)

    if executor is None:
        from yjplan import executors

        if settings.executor == "dask":
            def executor(tasks, setup, **kw):  # type: ignore[no-untyped-def]
                return executors.run_dask(tasks, setup, scheduler=settings.scheduler, **kw)
        else:
            executor = executors.run_local

    def on_signal(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop waiting for anything
        stop.set()

    handlers: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            handlers[sig] = signal.signal(sig, on_signal)
    results = None
    try:
        if progress is not None:
            progress.start()
        results = executor(tasks(), setup, jobs=jobs, timeout_s=limits.timeout_s, should_stop=stop.is_set)
        for task, row in results:
            entry, sha256, size, context = in_flight.pop(task.index)
            if str((row.get("error") or {}).get("code", "")).startswith("E1"):
                raise _config_error(row["error"])  # a broken pack or config fails every file: stop at once
            if cache is not None:
                cache.put(sha256, context, row)
            emit(task.index, entry, row, sha256, size, durable=True)  # worker time is what resume saves
            counters["audited_now"] += 1
            if settings.max_files is not None and counters["audited_now"] >= settings.max_files:
                stop.set()
                break
    except KeyboardInterrupt:
        stop.set()
    finally:
        if results is not None and hasattr(results, "close"):
            results.close()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        if progress is not None:
            progress.stop()
        log.close()

    try:
        report = _finish(
            entries=entries, latest=latest, results_path=results_path, outdir=outdir, fail_on=fail_on,
            fail_under=fail_under, today=today, t0=t0, started=started, settings=settings,
            ignored=(discovery.ignored, discovery.ignored_kinds), counters=counters,
            remember=(cache.get_pair, cache.put_pair) if cache is not None else None,
        )
    finally:
        if cache is not None:
            if cache.note and cache.note not in notes:
                notes.append(cache.note)
            cache.close()
    _write_reports(report, settings, out)
    for note in notes:
        print(note, file=err)
    return report


def _finish(*, entries, latest, results_path, outdir, fail_on, fail_under, today, t0, started, settings,  # type: ignore[no-untyped-def]
            ignored, counters, remember) -> BatchReport:
    """Rewrite results.jsonl in input order and build the summary, the rule tallies and cross-plan findings.

    One pass over the rows, each parsed, condensed and dropped: what stays per input is a PlanRow and
    the cross-plan checks' compact data (FolderChecks), and the cross-plan findings go to a
    temporary file, so the main process does not grow with the folder.
    """
    from functools import partial

    from yjplan.crossplan import FindingStore, FolderChecks, PlanFeatures
    from yjplan.report.batch_jsonl import read_at, rewrite

    order = [latest[e.key] for e in entries if e.key in latest]
    plans: list[PlanRow] = []  # in input order until the cross-plan checks are done
    checks = FolderChecks(today, store=partial(FindingStore, outdir))
    tallies: dict[str, list[Any]] = {}
    for i, (offset, row) in enumerate(rewrite(results_path, order)):
        plans.append(PlanRow.from_row(row, offset, _gate(row, fail_on, fail_under)))
        if row.get("status") != "audited":
            continue
        checks.add(PlanFeatures.from_row(i, row))
        for f in row.get("findings") or ():
            tally = tallies.setdefault(f["rule_id"], [f.get("title") or "", 0, 0])
            tally[1 if f["outcome"] == "fail" else 2] += 1

    def paragraphs(i: int) -> list[list[str]]:
        return (read_at(results_path, plans[i].offset).get("crossplan") or {}).get("paragraphs") or []

    cross = FindingStore(outdir)
    for finding in checks.findings(paragraphs, remember=remember):
        cross.append(finding)
    del checks
    rank = {"audited": 0, "error": 1, "skipped": 2}
    plans.sort(key=lambda p: (rank.get(p.status, 3), -(p.total or 0.0) if p.status == "audited" else 0, p.path))
    rules = sorted((RuleTally(rid, t[0], t[1], t[2]) for rid, t in tallies.items()),
                   key=lambda r: (-r.gaps, -r.fail, r.rule_id))
    interrupted = len(order) < len(entries)
    if interrupted or any(p.status == "error" for p in plans):
        code = ExitCode.ERROR
    elif any(p.gate for p in plans):
        code = ExitCode.GATE_FAILED
    else:
        code = ExitCode.OK
    return BatchReport(
        outdir=outdir, results_path=results_path, plans=tuple(plans), cross=cross, rules=tuple(rules),
        inputs=len(entries), ignored=ignored[0], ignored_kinds=ignored[1], interrupted=interrupted,
        elapsed_s=round(time.monotonic() - t0, 2), started=started, today=today.isoformat(),
        roots=tuple(str(p) for p in settings.inputs), cache_hits=counters["cache_hits"],
        audited_now=counters["audited_now"], resumed=counters["resumed"], exit_code=int(code),
    )


def _write_reports(report: BatchReport, settings: BatchSettings, out: TextIO) -> None:
    from yjplan.fsutil import atomic_output

    # each report is streamed into its file: a large folder's reports are megabytes of text
    files: list[tuple[str, Callable[[BatchReport, IO[bytes]], None]]] = []
    if "csv" in settings.formats:
        from yjplan.report import batch_csv

        files += [("summary.csv", batch_csv.write_summary_csv), ("findings.csv", batch_csv.write_findings_csv),
                  ("crossplan.csv", batch_csv.write_crossplan_csv)]
    if "xlsx" in settings.formats:
        from yjplan.report.batch_xlsx import write_batch_xlsx

        files.append(("report.xlsx", write_batch_xlsx))
    if "html" in settings.formats:
        from yjplan.report.batch_html import write_batch_html

        files.append(("report.html", write_batch_html))
    for name, write in files:
        target = report.outdir / name
        try:
            with atomic_output(target) as fh:
                write(report, fh)
        except OSError as exc:
            raise OutputPathError(f"无法写入报告（{exc.strerror or exc}）", path=target) from exc
    if "terminal" in settings.formats and not settings.quiet:
        from yjplan.report.batch_terminal import render_batch_terminal

        render_batch_terminal(report, file=out, written=[n for n, _ in files])
