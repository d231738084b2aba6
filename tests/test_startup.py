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
from typing import Annotated

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
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


def _python(code: str, args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter running ``code`` with the source tree importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120)


def _run(args: list[str]) -> tuple[dict[str, object], str]:
    proc = _python(PROBE.replace("HEAVY", repr(HEAVY)), args)
    assert "@@" in proc.stdout, proc.stderr
    out, _, tail = proc.stdout.rpartition("@@")
    return json.loads(tail), out


@pytest.mark.parametrize("args", [["--help"], ["audit", "--help"], ["batch", "--help"], ["--version"]])
def test_help_loads_no_heavy_library(args: list[str]) -> None:
    result, out = _run(args)
    assert result["code"] == 0, out
    assert result["heavy"] == [], f"{' '.join(args)} imported {result['heavy']}"
    if args == ["--help"]:
        assert "audit" in out


def test_the_probe_notices_a_heavy_import() -> None:
    """The check above can fail: a command that reads a .docx does load lxml."""
    result, out = _run(["outline", str(ROOT / "samples" / "石桥镇突发事件总体应急预案.docx")])
    assert result["code"] == 0, out
    assert "lxml" in result["heavy"]


# --- argument conversion without pydantic (yjplan.cli_coerce) ---------------------------------------

NO_PYDANTIC_PROBE = """
import json, sys
sys.argv = ["yjplan", *sys.argv[1:]]
from yjplan.cli import main
try:
    main()
except SystemExit:
    pass
print("\\n@@" + json.dumps("pydantic" in sys.modules))
"""


def _loads_pydantic(args: list[str], cwd: Path) -> bool:
    proc = _python(NO_PYDANTIC_PROBE, args, cwd)
    assert "@@" in proc.stdout, proc.stderr
    return bool(json.loads(proc.stdout.rpartition("@@")[2]))


@pytest.mark.parametrize("args", [
    ["audit", "无此文件.docx"],
    ["audit", "a.docx", "b.docx", "-f", "json", "-o", "out.json", "--fail-under", "60.5", "--select", "YJ1",
     "--select", "YJ2", "--ignore", "YJ105", "--config", "none.yaml", "--show-passed"],
    ["outline", "无此文件.docx", "--depth", "3", "--json"],
    ["batch", "无此文件夹", "-j", "2", "--timeout", "30", "-q", "--no-cache"],
    ["rules", "explain", "YJ502"],
    ["rules", "validate", "无此目录"],
    ["init", "-o", "sub/.yjplan.yaml"],
])
def test_commands_convert_their_arguments_without_pydantic(args: list[str], tmp_path: Path) -> None:
    assert not _loads_pydantic(args, tmp_path)


def test_the_pydantic_probe_can_fail(tmp_path: Path) -> None:
    """An unusual spelling goes to typer's own converter, which does import pydantic."""
    pytest.importorskip("typer._coercion", reason="typer < 0.29 has no pydantic to notice")
    assert _loads_pydantic(["outline", "无此文件.docx", "--depth", "007"], tmp_path)


def _all_commands() -> list[object]:
    import typer.main

    from yjplan import cli

    cli._load_cli_extensions()
    out: list[object] = []
    todo = [typer.main.get_command(cli.app)]
    while todo:
        command = todo.pop()
        out.append(command)
        todo.extend(getattr(command, "commands", {}).values())
    return out


def test_every_command_uses_the_lean_classes() -> None:
    pytest.importorskip("typer._coercion", reason="typer < 0.29 converts without pydantic anyway")
    from yjplan.cli_coerce import LeanCommand, LeanGroup

    commands = _all_commands()
    assert len(commands) >= 10
    for command in commands:
        assert isinstance(command, LeanCommand | LeanGroup), command
        for param in command.params:  # a parameter type the lean path cannot convert would need typer's
            from yjplan.cli_coerce import supported

            assert supported(param.type_descriptor), (command, param.name)


# Plain spellings take the lean path; every other string goes to typer, so both must agree on all.
_SPELLINGS = st.one_of(
    st.from_regex(r"-?(0|[1-9][0-9]{0,17})", fullmatch=True),
    st.from_regex(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?", fullmatch=True),
    st.sampled_from(["", " 3", "+2", "007", "1_0", "2.0", "1e3", "nan", "inf", "-0", "٣", "１２", "0x10", "-", ".",
                     "a\udcffb", "~", "no/such/dir/", "sub", "file.txt", "true"]),
    st.text(max_size=12),
)


def _outcome(runtime_param: object, value: object, param: object, ctx: object) -> tuple[str, object]:
    try:
        result = runtime_param.coerce(value, param=param, ctx=ctx)  # type: ignore[attr-defined]
    except Exception as exc:  # typer's BadParameter: compare type and wording
        return ("error", (type(exc).__name__, str(exc)))
    return ("ok", (type(result).__name__, repr(result)))  # repr: nan == nan


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_SPELLINGS, as_list=st.booleans())
def test_lean_conversion_equals_typers(value: str, as_list: bool, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("typer._coercion", reason="typer < 0.29 converts without pydantic anyway")
    from typer._click import Context
    from typer._coercion import build_runtime_param

    from yjplan.cli_coerce import LeanParam

    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir(exist_ok=True)
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    for command in _all_commands():
        ctx = Context(command)  # type: ignore[arg-type]
        for param in command.params:  # type: ignore[attr-defined]
            descriptor = param.type_descriptor
            lean = LeanParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
                             descriptor=descriptor)
            typers = build_runtime_param(descriptor)
            multi = param.multiple or param.nargs == -1
            given_value: object = (value, value) if multi and as_list else value
            if multi and not as_list:
                given_value = (value,)
            assert _outcome(lean, given_value, param, ctx) == _outcome(typers, given_value, param, ctx), (
                command.name, param.name, given_value)  # type: ignore[attr-defined]


def test_lean_path_keeps_typers_path_checks(tmp_path: Path) -> None:
    """Path values still get typer's checks, and a refused value gets typer's own message."""
    pytest.importorskip("typer._coercion", reason="typer < 0.29 converts without pydantic anyway")
    import typer.main
    from typer._click import Context
    from typer._coercion import build_runtime_param

    from yjplan.cli_coerce import LeanCommand, LeanParam

    demo = typer.Typer(add_completion=False)  # the annotation below is resolved in this module's globals (Annotated, typer)

    @demo.command(cls=LeanCommand)
    def only_files(path: Annotated[Path, typer.Option(dir_okay=False)] = Path("x")) -> None:  # pragma: no cover
        del path

    command = typer.main.get_command(demo)
    (param,) = command.params
    assert isinstance(param._runtime_param, LeanParam)
    ctx = Context(command)
    for value in (str(tmp_path), str(tmp_path / "new.txt")):
        lean = _outcome(param._runtime_param, value, param, ctx)
        assert lean == _outcome(build_runtime_param(param.type_descriptor), value, param, ctx)
        assert lean[0] == ("error" if value == str(tmp_path) else "ok")
