"""Run the real CLI in a subprocess with a hang guard; pick corpus cases."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.bad_inputs import CASES, Case

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
HANG_GUARD_S = 60.0  # a hang guard, not a performance target
ERROR_LINE = re.compile(r"^错误 (?P<code>E\d{3}) (?P<message>.+)$")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Run:
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "surrogateescape")

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "surrogateescape")

    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("YJPLAN_DEBUG", None)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def run_cli(
    *args: str | bytes | os.PathLike[str],
    timeout: float = HANG_GUARD_S,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """``python -m yjplan ARGS`` with a wall-clock guard; a hang fails the test instead of stalling CI."""
    cmd: list[str | bytes | os.PathLike[str]] = [sys.executable, "-m", "yjplan", *args]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=cwd, env=env or cli_env())
    except subprocess.TimeoutExpired:
        pytest.fail(f"yjplan {' '.join(map(os.fsdecode, args))} did not finish within {timeout:g} s")
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - t0)


def needs_met(case: Case) -> bool:
    return case.needs is None or shutil.which(case.needs) is not None or (
        case.needs == "soffice" and shutil.which("libreoffice") is not None
    )


def case_params(cases: Sequence[Case]) -> list[object]:
    return [pytest.param(c, id=c.name, marks=[pytest.mark.slow] if c.big else []) for c in cases]


ERROR_CASES = [c for c in CASES if c.expect is not None]
ODD_CASES = [c for c in CASES if c.expect is None]
