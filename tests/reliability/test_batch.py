"""``yjplan batch`` over the bad-input corpus: every bad file is an error row, every good file is
audited, a stuck file times out, and an interrupted run leaves valid outputs that ``--resume`` completes.

All through the real CLI (``python -m yjplan batch DIR -o OUT --jobs 2``) in subprocesses.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.bad_inputs import CASES, Case, good_docx, good_pdf, plan_text
from tests.reliability.cli_helpers import cli_env, needs_met, run_cli

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and /proc")

BuildCase = Callable[[Case], Path]
HANG_ENV = "YJPLAN_TEST_HANG"  # worker.TEST_HANG_ENV: a worker given this file name sleeps for an hour


def rows(results: Path) -> list[dict[str, object]]:
    """Every line of results.jsonl, each of which must be complete, valid JSON."""
    data = results.read_bytes()
    assert data.endswith(b"\n"), "the last row was cut off"
    return [json.loads(line) for line in data.splitlines()]


def assert_reports_valid(out: Path) -> None:
    for name in ("summary.csv", "findings.csv", "crossplan.csv"):
        with open(out / name, encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh))
        assert table and table[0], name
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")
    from openpyxl import load_workbook

    load_workbook(io.BytesIO((out / "report.xlsx").read_bytes()), read_only=True).close()
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".")]
    assert leftovers == [], "a half-written report was left behind"


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory, build_case: BuildCase) -> tuple[Path, Path, dict[str, Case]]:
    """One batch over every quick corpus case plus a few good plans."""
    root = tmp_path_factory.mktemp("batch-corpus")
    inputs = root / "in"
    inputs.mkdir()
    expected: dict[str, Case] = {}
    for case in CASES:
        if case.big or not needs_met(case):
            continue
        path = build_case(case)
        target = inputs / f"{case.name}{path.suffix}" if not case.in_dir else inputs / path.name
        shutil.copyfile(path, target)
        expected[os.fsdecode(target.name)] = case
    good_docx(inputs / "good-1.docx")
    good_pdf(inputs / "good-2.pdf")
    (inputs / "good-3.md").write_text(plan_text(), encoding="utf-8")
    out = root / "out"
    run = run_cli("batch", inputs, "-o", out, "--jobs", "2", "--no-cache", "-q", cwd=root, timeout=600)
    assert "Traceback" not in run.err
    assert run.returncode == 2, run.err  # the worst file decides: there are errors
    return inputs, out, expected


def test_every_bad_file_is_an_error_row_and_every_good_file_is_audited(
    corpus_run: tuple[Path, Path, dict[str, Case]],
) -> None:
    inputs, out, expected = corpus_run
    all_rows = rows(out / "results.jsonl")
    assert len(all_rows) == len(list(inputs.iterdir()))
    assert len({r["key"] for r in all_rows}) == len(all_rows)
    odd_name = [c for n, c in expected.items() if not n.isascii() or max(n) >= "\udc80"]
    for row in all_rows:
        name = os.path.basename(str(row["key"]))
        case = expected.get(name)
        if case is None and not name.startswith("good-"):
            assert len(odd_name) == 1, name  # only the non-UTF-8 name is spelt differently in the key
            case = odd_name[0]
        if case is None or case.expect is None:
            assert row["status"] == "audited", (name, row.get("error"))
        elif case.expect == "E201":
            assert row["status"] == "skipped", name  # not a plan format: listed, not audited
        else:
            assert row["status"] == "error", name
            error = row["error"]
            assert isinstance(error, dict) and error["code"] == case.expect, (name, error)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_corpus_run_reports_are_complete(corpus_run: tuple[Path, Path, dict[str, Case]]) -> None:
    _, out, _ = corpus_run
    assert_reports_valid(out)
    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as fh:
        summary = list(csv.DictReader(fh))
    assert len(summary) == len(rows(out / "results.jsonl"))


def test_a_stuck_file_times_out_and_the_run_goes_on(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "stuck.txt").write_text(plan_text(), encoding="utf-8")
    for i in range(3):
        (inputs / f"ok{i}.txt").write_text(plan_text(), encoding="utf-8")
    out = tmp_path / "out"
    t0 = time.monotonic()
    run = run_cli("batch", inputs, "-o", out, "--jobs", "2", "--no-cache", "-q", "--timeout", "3",
                  cwd=tmp_path, env=cli_env(**{HANG_ENV: "stuck.txt"}), timeout=120)  # fmt: skip
    assert time.monotonic() - t0 < 60
    assert run.returncode == 2
    by_name = {os.path.basename(str(r["path"])): r for r in rows(out / "results.jsonl")}
    assert by_name["stuck.txt"]["status"] == "error"
    assert by_name["stuck.txt"]["error"]["code"] == "E211"  # type: ignore[index]
    assert all(by_name[f"ok{i}.txt"]["status"] == "audited" for i in range(3))


def _processes_with(marker: str) -> list[int]:
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
@pytest.mark.parametrize("how", ["SIGINT to the process group (Ctrl-C)", "SIGTERM to the main process"])
def test_interrupted_run_keeps_valid_outputs_and_resume_finishes(how: str, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(6):
        good_docx(inputs / f"a{i:02}.docx")
    for name in ("m_hang1.txt", "m_hang2.txt"):  # both workers get stuck here: the run cannot end by itself
        (inputs / name).write_text(plan_text(), encoding="utf-8")
    for i in range(4):
        (inputs / f"z{i:02}.txt").write_text(plan_text(), encoding="utf-8")
    out = tmp_path / "out"
    marker = f"yjplan-test-{uuid.uuid4().hex}"
    cmd = [sys.executable, "-m", "yjplan", "batch", str(inputs), "-o", str(out), "--jobs", "2", "--no-cache", "-q",
           "--timeout", "600"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=cli_env(**{HANG_ENV: f"m_hang1.txt,m_hang2.txt,{marker}"}),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        results = out / "results.jsonl"
        while time.monotonic() < deadline:
            if results.exists() and results.read_bytes().count(b"\n") >= 6:
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        else:
            pytest.fail("the first six files were not audited within 120 s")
        time.sleep(1.0)  # let both workers pick up a hanging file
        if how.startswith("SIGINT"):
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        _, err_bytes = proc.communicate(timeout=60)
        stopped_in = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    err = err_bytes.decode("utf-8", "replace")
    assert stopped_in < 30
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    assert "--resume" in err
    first = rows(results)
    assert sorted(os.path.basename(str(r["path"])) for r in first) == [f"a{i:02}.docx" for i in range(6)]
    assert all(r["status"] == "audited" for r in first)
    assert_reports_valid(out)
    deadline = time.monotonic() + 15
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(marker) == [], "worker processes outlived the run"

    resumed = run_cli("batch", inputs, "-o", out, "--jobs", "2", "--no-cache", "-q", "--resume", cwd=tmp_path,
                      timeout=300)  # fmt: skip
    assert resumed.returncode in (0, 1), resumed.err
    final = rows(results)
    names = [os.path.basename(str(r["path"])) for r in final]
    assert sorted(names) == sorted(p.name for p in inputs.iterdir())
    assert len(names) == len(set(names)), "a file was reported twice"
    assert all(r["status"] == "audited" for r in final)
    before = {r["key"]: r for r in first}
    for row in final:
        if row["key"] in before:  # done before the interruption: reused, not audited again
            assert row["pid"] == before[row["key"]]["pid"] and row["sha256"] == before[row["key"]]["sha256"]
    assert_reports_valid(out)
