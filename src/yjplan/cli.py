"""Command line. Parses arguments, calls one function per command, maps errors to exit codes.

Nothing heavy is imported at module level: parsers, jieba, python-docx, openpyxl and the
reporters load inside the command that needs them, so ``yjplan --help`` stays fast.
"""

# No `from __future__ import annotations`: typer reads every command's annotations at each start,
# and evaluating them from strings (typing.get_type_hints) cost about 7 ms a run.
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from yjplan.cli_coerce import LeanCommand, LeanGroup
from yjplan.errors import INTERNAL_MESSAGE, ExitCode, UsageError, YjplanError

# LeanGroup here and cls=LeanCommand on every command: otherwise typer imports pydantic to convert the
# arguments, about 100 ms of every run (see cli_coerce; tests/test_startup.py checks every command).
app = typer.Typer(
    cls=LeanGroup,
    name="yjplan",
    help="审查中文应急预案：读取预案、还原章节结构、按规则包检查要素并评分。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(cls=LeanGroup, help="规则包工具：列出、解释、校验与测试规则。", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

_DEBUG = "YJPLAN_DEBUG"


def _fail(err: YjplanError) -> NoReturn:
    print(err.one_line(), file=sys.stderr)
    raise typer.Exit(int(err.exit_code))


def run_guarded(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run a command body: YjplanError → one line + its exit code; anything else → E999."""
    try:
        return func(*args, **kwargs)
    except YjplanError as err:
        if os.environ.get(_DEBUG):
            raise
        _fail(err)
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception:
        if os.environ.get(_DEBUG):
            raise
        print(f"错误 E999 {INTERNAL_MESSAGE}", file=sys.stderr)
        raise typer.Exit(int(ExitCode.ERROR)) from None


def _version(value: bool) -> None:
    if value:
        from yjplan import __version__

        print(f"yjplan {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示完整的调用栈。")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号。")
    ] = False,
) -> None:
    if debug:
        os.environ[_DEBUG] = "1"


@app.command(cls=LeanCommand)
def outline(
    file: Annotated[Path, typer.Argument(help="预案文件（.docx/.pdf/.txt/.md/.doc/.wps）")],
    json_out: Annotated[bool, typer.Option("--json", help="输出完整的 JSON（含 schema_version）。")] = False,
    depth: Annotated[int, typer.Option("--depth", help="终端中显示的最大标题层级。")] = 9,
) -> None:
    """显示预案的章节结构（标题、层级与位置）。"""

    def body() -> None:
        from yjplan.parse import read_document

        doc = read_document(file)
        if json_out:
            from yjplan.report.json import document_json

            sys.stdout.write(document_json(doc) + "\n")
        else:
            from yjplan.report.outline import render_outline

            render_outline(doc, depth=depth)

    run_guarded(body)


def _load_cli_extensions() -> None:
    """Commands defined in their own modules register themselves on ``app`` when imported."""
    from yjplan import commands, commands_batch, commands_ci  # noqa: F401


def main() -> None:
    _load_cli_extensions()
    try:
        app()
    except UsageError as err:  # pragma: no cover - defensive, commands use run_guarded
        _fail(err)
