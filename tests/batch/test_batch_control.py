"""Interrupt and resume, the per-file time limit, files vanishing mid-run, Ctrl-C, and Dask."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.conftest import ROOT, TOWN_PLAN
from yjplan import executors
from yjplan.batch import BatchSettings, run
from yjplan.worker import TEST_HANG_ENV, audit_task

TOWNS = ("青石镇", "白马镇", "黄坪镇", "金竹镇", "龙潭镇")


def small_folder(root: Path, n: int = 4) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    names = []
    for i, town in enumerate(TOWNS[:n]):
        name = f"{town}防汛应急预案.txt"
        (root / name).write_text(TOWN_PLAN.format(title=f"{town}防汛应急预案", hazard="防汛", phone=f"0839-555{i:04d}",
                                                  date="2024年5月1日"), encoding="utf-8")
        names.append(name)
    return names


def recording(log: list[str], inner=executors.run_local):  # type: ignore[no-untyped-def]
    """An executor that records which files it was asked to audit."""

    def executor(tasks, setup, **kw):  # type: ignore[no-untyped-def]
        def seen():  # type: ignore[no-untyped-def]
            for task in tasks:
                log.append(Path(task.path).name)
                yield task

        yield from inner(seen(), setup, **kw)

    return executor


def _rows(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_interrupted_run_resumes_without_auditing_any_file_twice(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    names = small_folder(folder)
    out = folder / "报告"  # explicitly inside the input folder: allowed, and never audited itself
    settings = BatchSettings(inputs=(folder,), output=out, jobs=1, use_cache=False, formats=("csv", "jsonl"),
                             max_files=2)
    first: list[str] = []
    report = run(settings, executor=recording(first), out=io.StringIO(), err=io.StringIO())
    assert report.interrupted and report.exit_code == 2
    done_first = {Path(r["key"]).name for r in _rows(out / "results.jsonl")}
    assert len(done_first) == 2 and (out / "summary.csv").exists()

    second: list[str] = []
    resumed = run(BatchSettings(inputs=(folder,), output=out, jobs=2, use_cache=False, resume=True,
                                formats=("csv", "jsonl")),
                  executor=recording(second), out=io.StringIO(), err=io.StringIO())
    assert not resumed.interrupted and resumed.resumed == 2
    assert not done_first & set(second), "a file done before the interruption was audited again"
    rows = _rows(out / "results.jsonl")
    assert sorted(Path(r["key"]).name for r in rows) == sorted(names), "every file exactly once"
    assert all(r["status"] == "audited" for r in rows)
    assert [r["index"] for r in rows] == sorted(r["index"] for r in rows), "rewritten in input order"


def test_a_hanging_file_is_killed_at_the_timeout_and_the_run_goes_on(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "plans"
    names = small_folder(folder, 3)
    monkeypatch.setenv(TEST_HANG_ENV, names[0])
    t0 = time.monotonic()
    report = run(BatchSettings(inputs=(folder,), output=tmp_path / "out", jobs=2, use_cache=False, timeout_s=2,
                               formats=("jsonl",)), out=io.StringIO(), err=io.StringIO())
    elapsed = time.monotonic() - t0
    rows = {Path(r["key"]).name: r for r in _rows(tmp_path / "out" / "results.jsonl")}
    assert rows[names[0]]["status"] == "error" and rows[names[0]]["error"]["code"] == "E211"
    assert all(rows[n]["status"] == "audited" for n in names[1:])
    assert elapsed < 30, f"the hung worker stalled the run ({elapsed:.0f} s)"
    assert report.exit_code == 2


def test_a_file_deleted_during_the_run_becomes_an_error_row(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    names = small_folder(folder, 3)

    def inline(tasks, setup, **kw):  # type: ignore[no-untyped-def]
        for task in tasks:
            if Path(task.path).name == names[0]:
                (folder / names[2]).unlink()  # gone before the main process gets to hash it
            yield task, audit_task(task, setup)

    run(BatchSettings(inputs=(folder,), output=tmp_path / "out", use_cache=False, formats=("jsonl",)),
        executor=inline, out=io.StringIO(), err=io.StringIO())
    rows = {Path(r["key"]).name: r for r in _rows(tmp_path / "out" / "results.jsonl")}
    assert rows[names[2]]["status"] == "error" and rows[names[2]]["error"]["code"] == "E205"
    assert rows[names[0]]["status"] == rows[names[1]]["status"] == "audited"


def _batch_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "yjplan", "batch", *args]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), **extra)
    env.pop("YJPLAN_DEBUG", None)
    return env


def test_ctrl_c_stops_cleanly_writes_valid_reports_and_says_how_to_resume(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    names = sorted(small_folder(folder, 3))  # the order files are dispatched in
    out = tmp_path / "out"
    proc = subprocess.Popen(
        _batch_cmd(str(folder), "-o", str(out), "-j", "1", "--no-cache", "-f", "csv", "--timeout", "120"),
        env=_env(**{TEST_HANG_ENV: names[1]}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    results = out / "results.jsonl"
    while time.monotonic() < deadline and not (results.exists() and results.read_text(encoding="utf-8").strip()):
        time.sleep(0.2)
    time.sleep(0.5)  # now the only worker sleeps on names[1]
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert "已中断：完成 1/3，可用 --resume 继续" in stderr
    assert [Path(r["key"]).name for r in _rows(results)] == [names[0]]
    summary = (out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(summary) == 2 and names[0] in summary[1]


def test_empty_folder_and_output_inside_input_are_usage_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.py").write_text("x = 1\n")
    done = subprocess.run(_batch_cmd(str(empty), "-o", str(tmp_path / "o")), env=_env(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "没有找到预案文件" in done.stderr
    folder = tmp_path / "plans"
    small_folder(folder, 1)
    done = subprocess.run(_batch_cmd("."), cwd=folder, env=_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "E011" in done.stderr


def test_dask_executor_on_a_local_cluster(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    folder = tmp_path / "plans"
    names = small_folder(folder, 2)
    (folder / "坏文件.pdf").write_bytes(b"not a pdf at all")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = run(BatchSettings(inputs=(folder,), output=tmp_path / "out", executor="dask",
                                   scheduler=cluster.scheduler_address, use_cache=False, formats=("jsonl",),
                                   timeout_s=60), out=io.StringIO(), err=io.StringIO())
    rows = {Path(r["key"]).name: r for r in _rows(tmp_path / "out" / "results.jsonl")}
    assert all(rows[n]["status"] == "audited" and rows[n]["total"] > 0 for n in names)
    assert rows["坏文件.pdf"]["error"]["code"] == "E210"
    assert report.audited_now == 3
