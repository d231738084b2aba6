"""Commands beyond ``outline``; registered on the shared Typer app when imported."""

# Annotations are real objects, not strings: see the note in cli.py.
import sys
from pathlib import Path
from typing import Annotated

import typer

from yjplan.cli import app, rules_app, run_guarded
from yjplan.cli_coerce import LeanCommand
from yjplan.errors import ExitCode, UsageError

AUDIT_FORMATS = ("text", "json", "md", "html", "sarif", "junit", "github")


def _write_output(text: str, output: Path | None) -> None:
    from yjplan.fsutil import atomic_write_text, printable

    if output is None:
        sys.stdout.write(printable(text if text.endswith("\n") else text + "\n"))
        return

    from yjplan.errors import OutputPathError

    if output.is_dir():
        raise OutputPathError("输出路径是一个文件夹，请给出文件名（如 report.html）", path=output)
    try:
        atomic_write_text(output, text)
    except OSError as exc:  # unwritable folder, a file where a folder should be, disk full
        raise OutputPathError(f"无法写入输出文件（{exc.strerror or type(exc).__name__}）", path=output) from exc


@app.command(cls=LeanCommand)
def audit(
    files: Annotated[list[Path], typer.Argument(help="一个或多个预案文件。")],
    plan_type: Annotated[str | None, typer.Option("--type", "-t", help="指定预案类型，不自动判断。")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"输出格式：{'|'.join(AUDIT_FORMATS)}。")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="把报告写到文件。")] = None,
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help="有此级别及以上的问题时退出码为 1：error|warning|info|none。")
    ] = None,
    fail_under: Annotated[float | None, typer.Option("--fail-under", help="总分低于此值时退出码为 1。")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="说明每个分数的计算过程。")] = False,
    show_passed: Annotated[bool, typer.Option("--show-passed", help="同时列出符合项及其证据。")] = False,
    rules: Annotated[
        list[str] | None, typer.Option("--rules", help="追加规则包（目录或 builtin:ID），可重复。")
    ] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help="只检查这些规则（编号前缀或名称）。")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="不检查这些规则。")] = None,
    annotate: Annotated[bool, typer.Option("--annotate", help="另存带批注的 Word 审查稿：<原名>.审查.docx。")] = False,
    annotate_out: Annotated[Path | None, typer.Option("--annotate-out", help="审查稿的保存路径或文件夹。")] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="配置文件路径（默认向上查找 .yjplan.yaml）。")
    ] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="基线文件：只有新增问题才算失败。")] = None,
    changed_only: Annotated[bool, typer.Option(
        "--changed-only", help="只审查与 git 提交相比改动过或未跟踪的文件（文件夹则取其中的预案）。")] = False,
    changed_since: Annotated[str | None, typer.Option(
        "--changed-since", help="--changed-only 比较的分支或提交（默认 HEAD），给出即隐含 --changed-only。")] = None,
) -> None:
    """审查预案，给出三项得分和每一处问题。"""

    def body() -> int:
        from yjplan.config import load_config, options_from
        from yjplan.gate import gate_exit_code
        from yjplan.pipeline import audit_file
        from yjplan.postprocess import finalize

        if fmt not in AUDIT_FORMATS:
            raise UsageError(f"不支持的输出格式“{fmt}”（可用：{'、'.join(AUDIT_FORMATS)}）")
        cfg = load_config(config)
        from yjplan.gate import gate_levels

        gate_levels(cfg, fail_on, fail_under)  # a bad --fail-on is a usage error before any work
        targets = list(files)
        if changed_only or changed_since:
            from yjplan.changed import select_changed

            targets = select_changed(targets, changed_since or "HEAD", cfg)
            if not targets:
                print("没有改动过的预案文件，跳过审查。", file=sys.stderr)
                return 0
        results = []
        for file in targets:
            opts = options_from(cfg, file, plan_type=plan_type, rules=tuple(rules or ()),
                                select=tuple(select or ()), ignore=tuple(ignore or ()))
            result = audit_file(file, opts)
            results.append(finalize(result, cfg, baseline))
        from yjplan.postprocess import run_notes

        notes = run_notes(results, cfg)
        for note in notes:
            print(f"警告：{note.message}", file=sys.stderr)
        _emit(results, fmt, output, explain=explain, show_passed=show_passed, notes=notes)
        if annotate or annotate_out is not None:
            from yjplan.report.annotate import annotate_result, rebuilt_note

            if annotate_out is not None and len(results) > 1 and not annotate_out.is_dir():
                raise UsageError("审查多个文件时，--annotate-out 只能给出一个已存在的文件夹")
            for result in results:
                out_path = annotate_result(result, annotate_out, near=output.parent if output else None)
                note = rebuilt_note(result)
                print(f"已生成审查稿：{out_path}" + (f"（{note}）" if note else ""), file=sys.stderr)
        from yjplan.gate import gate_summary

        for line in gate_summary(results, cfg, fail_on=fail_on, fail_under=fail_under):
            print(line, file=sys.stderr)
        return gate_exit_code(results, cfg, fail_on=fail_on, fail_under=fail_under)

    code = run_guarded(body)
    raise typer.Exit(int(code))


def _emit(results, fmt: str, output: Path | None, *, explain: bool, show_passed: bool, notes=()) -> None:  # type: ignore[no-untyped-def]
    if fmt == "sarif":  # run-level notes (unused waivers) become SARIF tool notifications
        from yjplan.report.sarif import render_sarif

        _write_output(render_sarif(results, notes=notes), output)
        return
    if fmt == "text":
        if output is None:
            from yjplan.report.terminal import render_terminal

            for i, result in enumerate(results):
                if i:
                    print()
                render_terminal(result, explain=explain, show_passed=show_passed)
            return
        import io

        from yjplan.report.terminal import render_terminal

        buf = io.StringIO()
        for result in results:
            render_terminal(result, explain=explain, show_passed=show_passed, file=buf, width=100)
        _write_output(buf.getvalue(), output)
        return
    from yjplan.report import render

    _write_output(render(results, fmt), output)


@rules_app.command("list", cls=LeanCommand)
def rules_list(
    plan_type: Annotated[str | None, typer.Option("--type", "-t", help="只列出适用于该预案类型的规则。")] = None,
    pack: Annotated[str | None, typer.Option("--pack", help="规则包（builtin:ID 或目录），默认全部内置规则。")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text|md")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """列出规则（--format md 生成 docs/rules.md）。"""

    def body() -> None:
        from yjplan.rules.docs import render_rule_list

        _write_output(render_rule_list(plan_type=plan_type, pack=pack, fmt=fmt), output)

    run_guarded(body)


@rules_app.command("explain", cls=LeanCommand)
def rules_explain(
    rule_id: Annotated[str, typer.Argument(help="规则编号或名称，如 YJ502 或 response-triggers。")],
) -> None:
    """解释一条规则：为什么重要、什么算证据、示例与依据。"""

    def body() -> None:
        from yjplan.rules.docs import explain_rule

        print(explain_rule(rule_id))

    run_guarded(body)


@app.command("explain", cls=LeanCommand, hidden=False)
def explain_cmd(rule_id: Annotated[str, typer.Argument(help="规则编号或名称。")]) -> None:
    """同 yjplan rules explain。"""
    rules_explain(rule_id)


@rules_app.command("validate", cls=LeanCommand)
def rules_validate(path: Annotated[Path, typer.Argument(help="规则包目录。")]) -> None:
    """校验规则包：语法、字段、正则、编号。"""

    def body() -> None:
        from yjplan.rules.load import load_pack

        pack = load_pack(str(path))
        print(f"规则包 {pack.ref} 有效：{len(pack.rules)} 条规则。")

    run_guarded(body)


@rules_app.command("test", cls=LeanCommand)
def rules_test(path: Annotated[str, typer.Argument(help="规则包目录或 builtin:ID。")] = "builtin:base") -> None:
    """运行规则包中每条规则的正反示例。"""

    def body() -> int:
        from yjplan.rules.examples import run_examples
        from yjplan.rules.load import load_pack

        pack = load_pack(path)
        failed = 0
        total = 0
        for rule in pack.rules:
            for res in run_examples(rule, pack.data):
                total += 1
                if not res.ok:
                    failed += 1
                    print(f"✗ {res.rule_id} {res.which}[{res.index}]：{res.detail}")
        print(f"{total - failed} passed, {failed} failed")
        return int(ExitCode.GATE_FAILED) if failed else 0

    raise typer.Exit(int(run_guarded(body)))
