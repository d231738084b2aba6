"""Start-up stays light: the command line imports no parser, tokenizer or spreadsheet library until a
command needs one, so ``yjplan --help`` costs an interpreter plus typer, not half a second of
python-docx, pdfplumber and jieba (bench/run.py measures the time; this test guards the cause).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
HEAVY = ("docx", "pdfplumber", "pypdfium2", "jieba", "openpyxl", "lxml", "rapidfuzz")

PROBE = """
import json, sys
sys.argv = ["yjplan", *sys.argv[1:]]
from yjplan.cli import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
print("\\n@@" + json.dumps({"code": code, "heavy": heavy}))
"""


def _run(args: list[str]) -> tuple[dict[str, object], str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    code = PROBE.replace("HEAVY", repr(HEAVY))
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120)
    assert "@@" in proc.stdout, proc.stderr
    out, _, tail = proc.stdout.rpartition("@@")
    return json.loads(tail), out


def test_importing_the_cli_loads_no_heavy_library() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    probe = (
        "import sys, json, yjplan.cli; yjplan.cli._load_cli_extensions(); "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


@pytest.mark.parametrize("args", [["--help"], ["audit", "--help"], ["batch", "--help"], ["--version"]])
def test_help_loads_no_heavy_library(args: list[str]) -> None:
    result, out = _run(args)
    assert result["code"] == 0, out
    assert result["heavy"] == [], f"{' '.join(args)} imported {result['heavy']}"
    if args == ["--help"]:
        assert "audit" in out


def test_the_probe_notices_a_heavy_import() -> None:
    """The check above can fail: a command that reads a .docx does load lxml."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    probe = (
        "import sys, json, yjplan.cli; import yjplan.parse.docx; "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert "lxml" in json.loads(proc.stdout)
