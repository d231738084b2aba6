"""Measure what ``yjplan audit`` does with each bad input, for the table in docs/errors.md.

    PYTHONPATH=src python -m tests.reliability.measure [--runs 3] [--big]

Builds the corpus in a temporary folder, runs the CLI ``--runs`` times per case and prints one
Markdown row per case: the outcome (error code or exit code) and the median wall-clock time of a
whole ``python -m yjplan audit FILE`` (interpreter start-up included).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fixtures.bad_inputs import CASES
from tests.reliability.cli_helpers import ERROR_LINE, cli_env, needs_met


def measure(runs: int, big: bool) -> list[str]:
    rows = [
        "| 输入 | 文件 | 期望 | 实际 | 退出码 | 用时（中位数） |",
        "|---|---|---|---|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="yjplan-measure-") as tmp:
        for case in CASES:
            if (case.big and not big) or not needs_met(case):
                continue
            path = case.make(Path(tmp) / case.name)
            times, outcome, code = [], "", -1
            for _ in range(runs):
                t0 = time.monotonic()
                proc = subprocess.run([sys.executable, "-m", "yjplan", "audit", path], capture_output=True,
                                      env=cli_env(), timeout=1800)  # fmt: skip
                times.append(time.monotonic() - t0)
                code = proc.returncode
                err = [ln for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
                match = ERROR_LINE.match(err[0]) if err else None
                outcome = match["code"] if match and code == 2 else "审查完成"
            expect = case.expect or "审查完成"
            name = path.name if path.name.isascii() else "（GBK 字节的文件名）.txt"
            rows.append(f"| {case.what} | `{name}` | {expect} | {outcome} | {code} "
                        f"| {statistics.median(times):.2f} s |")  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big", action="store_true", help="include the 50 MB .docx (minutes)")
    args = parser.parse_args()
    print(f"<!-- {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"median of {args.runs} -->")  # fmt: skip
    print("\n".join(measure(args.runs, args.big)))


if __name__ == "__main__":
    main()
