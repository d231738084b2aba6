"""Where the per-file function runs: a pool of local worker processes, or a Dask cluster.

Both executors are generators ``(tasks, ...) -> Iterator[(Task, row)]`` that pull tasks lazily (so
the main process hashes and looks up the cache while workers are busy), yield rows as they finish,
and check ``should_stop`` at least every TICK seconds. Closing the generator (end of run, Ctrl-C,
SIGTERM) terminates the workers in its ``finally``.

The local pool is built from bare ``multiprocessing`` processes, one pipe each, rather than
``concurrent.futures.ProcessPoolExecutor``: a pool executor cannot kill one running task, and a
parser stuck in a loop must not stall the run. A worker that overruns its deadline is killed and
replaced; one that dies is replaced too. Workers are started only when there is work, so a run
answered entirely from the cache starts no process at all.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from yjplan.errors import UsageError
from yjplan.worker import Task, WorkerSetup, crashed_row, error_row, timeout_row

TICK = 0.25  # seconds between checks of the stop flag and the deadlines
Row = dict[str, Any]


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where available: workers fork from a clean single-threaded server, never from the
    main process, which runs the progress bar's thread."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # The server imports these once and every worker forks with them loaded. Naming them also
    # replaces the default preload of ``__main__``, which would re-run an unguarded launcher script.
    ctx.set_forkserver_preload(["yjplan.worker", "yjplan.pipeline", "yjplan.crossplan"])
    return ctx


def run_local(
    tasks: Iterable[Task],
    setup: WorkerSetup,
    *,
    jobs: int,
    timeout_s: float | None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[Task, Row]]:
    from multiprocessing.connection import wait

    from yjplan.worker import worker_main

    ctx = _context()
    jobs = max(1, jobs)
    idle: list[tuple[Any, Any]] = []  # (process, connection)
    busy: dict[Any, tuple[Any, Task, float]] = {}  # connection → (process, task, deadline)
    pending = iter(tasks)
    exhausted = False

    def start() -> tuple[Any, Any]:
        parent, child = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=worker_main, args=(child, setup), daemon=True, name="yjplan-worker")
        proc.start()
        child.close()  # only the worker holds its end, so its death reads as EOF here
        return proc, parent

    def stop(proc: Any, conn: Any, *, graceful: bool) -> None:
        if graceful:
            with contextlib.suppress(OSError):
                conn.send(None)
            proc.join(1.0)
        if proc.is_alive():
            proc.kill()
            proc.join(5.0)
        conn.close()

    try:
        while True:
            if should_stop():
                return
            while not exhausted and (idle or len(busy) < jobs):
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                if should_stop():
                    return
                proc, conn = idle.pop() if idle else start()
                try:
                    conn.send(task)
                except OSError:  # the idle worker died meanwhile: replace it once
                    stop(proc, conn, graceful=False)
                    proc, conn = start()
                    conn.send(task)
                deadline = time.monotonic() + timeout_s if timeout_s else float("inf")
                busy[conn] = (proc, task, deadline)
            if not busy:
                if exhausted:
                    return
                continue
            nearest = min(d for _, _, d in busy.values()) - time.monotonic()
            for conn in wait(list(busy), timeout=max(0.0, min(TICK, nearest))):
                proc, task, _ = busy.pop(conn)
                try:
                    row = conn.recv()
                except (EOFError, OSError):
                    proc.join(1.0)
                    row = crashed_row(proc.exitcode)
                    stop(proc, conn, graceful=False)
                except Exception as exc:  # an unpicklable answer: the worker is still usable
                    row = error_row("E999", "工作进程返回的结果无法读取", f"{type(exc).__name__}: {exc}"[:300])
                    idle.append((proc, conn))
                else:
                    idle.append((proc, conn))
                yield task, row
            now = time.monotonic()
            for conn, (proc, task, deadline) in list(busy.items()):
                if now >= deadline:
                    del busy[conn]
                    stop(proc, conn, graceful=False)
                    yield task, timeout_row(timeout_s or 0)
    finally:
        for conn, (proc, _, _) in busy.items():
            stop(proc, conn, graceful=False)
        for proc, conn in idle:
            stop(proc, conn, graceful=True)


def run_dask(
    tasks: Iterable[Task],
    setup: WorkerSetup,
    *,
    jobs: int,
    timeout_s: float | None,
    scheduler: str | None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[Task, Row]]:
    """Submit the same per-file function to a Dask cluster (``--scheduler ADDR``, or a local one).

    Dask cannot kill a running task: the time limit is applied inside the task
    (``audit_task_with_deadline``) and the memory cap is left to the cluster's own worker limits.
    """
    try:
        import distributed
    except ImportError as exc:
        raise UsageError("未安装 dask：请先运行 pip install 'yjplan[dask]'，或改用 --executor local") from exc
    from yjplan.worker import audit_task_with_deadline

    cluster = None
    try:
        if scheduler:
            client = distributed.Client(scheduler, timeout="20s")
        else:
            cluster = distributed.LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                               dashboard_address=None)
            client = distributed.Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise UsageError(f"无法连接 Dask 调度器“{scheduler}”（{exc}）") from exc
    window = max(2, 2 * sum(client.nthreads().values()) or 2 * jobs)
    futures: dict[Any, Task] = {}
    pending = iter(tasks)
    exhausted = False
    try:
        while True:
            if should_stop():
                return
            while not exhausted and len(futures) < window:
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                fut = client.submit(audit_task_with_deadline, task, setup, timeout_s, pure=False)
                futures[fut] = task
            if not futures:
                return
            try:
                done, _ = distributed.wait(list(futures), timeout=TICK, return_when="FIRST_COMPLETED")
            except TimeoutError:
                continue
            for fut in done:
                task = futures.pop(fut)
                try:
                    row = fut.result()
                except Exception as exc:  # a task lost with its worker, or a pickling failure
                    row = error_row("E999", "Dask 任务失败", f"{type(exc).__name__}: {exc}"[:300])
                yield task, row
    finally:
        if futures:
            client.cancel(list(futures))
        client.close()
        if cluster is not None:
            cluster.close()
