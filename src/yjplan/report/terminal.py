"""The Chinese terminal report: header, criterion bars, findings grouped by severity with evidence,
location and suggestion. ``--explain`` adds how each number was computed."""

from __future__ import annotations

from typing import TextIO

from yjplan.model import AuditResult, Outcome, Severity
from yjplan.report.details import detail_lines

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_GRADE_STYLE = {"优秀": "bold green", "良好": "green", "合格": "yellow", "不合格": "bold red"}


def _bar(score: float, width: int = 24) -> str:
    filled = round(score / 100 * width)
    return "█" * filled + "░" * (width - filled)


def render_terminal(result: AuditResult, *, explain: bool = False, show_passed: bool = False,
                    file: TextIO | None = None, width: int | None = None) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=file, highlight=False, width=width, soft_wrap=False)
    doc = result.document
    grade_style = _GRADE_STYLE.get(result.grade, "bold")
    console.print(f"[bold]{escape(doc.title or doc.path)}[/]")
    console.print(f"[dim]{escape(doc.path)} · {doc.format} · {doc.char_count} 字"
                  + (f" · {doc.issue_date.isoformat()}" if doc.issue_date else "") + "[/]")
    console.print(f"预案类型：[bold]{result.plan_type.plan_type}[/]（{escape(result.plan_type.reason)}）")
    console.print(f"规则包：{escape(result.pack)}")
    console.print()
    console.print(f"总分 [bold]{result.total:.1f}[/]  等级 [{grade_style}]{result.grade}[/]")
    for s in result.scores:
        pad = " " * (4 - len(s.criterion.value)) * 2  # CJK characters are two columns wide
        console.print(f"  {s.criterion.value}{pad} {_bar(s.score)} {s.score:5.1f}")
    console.print()

    gaps = [f for f in result.findings if f.is_gap]
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        group = [f for f in gaps if f.severity == severity]
        if not group:
            continue
        style = _STYLE[severity]
        console.print(f"[{style}]{severity.label}（{len(group)}）[/]")
        for f in group:
            tag = "已豁免 " if f.suppressed else ("基线 " if f.baseline else "")
            mark = "◐" if f.outcome == Outcome.PARTIAL else "✗"
            console.print(f" [{style}]{mark} {f.rule_id}[/] {tag}{escape(f.message)}  [dim]{f.outcome.label}[/]")
            for label, text, secondary in detail_lines(f):
                body = f"{label}：{escape(text)}"
                console.print(f"     [dim]{body}[/]" if secondary else f"     {body}")
        console.print()

    passed = [f for f in result.findings if f.outcome == Outcome.PASS]
    if show_passed:
        console.print(f"[green]符合（{len(passed)}）[/]")
        for f in passed:
            ev = f.evidence[0] if f.evidence else None
            quote = f"“{escape(ev.quote)}”（{ev.location.describe()}）" if ev else ""
            console.print(f" [green]✓ {f.rule_id}[/] {escape(f.title)} [dim]{quote}[/]")
        console.print()
    na = sum(1 for f in result.findings if f.outcome == Outcome.NOT_APPLICABLE)
    counts = {s: sum(1 for f in gaps if f.severity == s and not f.suppressed) for s in Severity}
    console.print(
        f"共检查 {len(result.findings)} 条规则：符合 {len(passed)}，"
        f"问题 {len(gaps)}（错误 {counts[Severity.ERROR]}、警告 {counts[Severity.WARNING]}、"
        f"提示 {counts[Severity.INFO]}），"
        f"不适用 {na}。" + ("" if show_passed else "加 --show-passed 查看符合项及其证据。")
    )
    for note in doc.notes:
        console.print(f"[dim]读取说明：{escape(note)}[/]")
    if explain:
        render_explain(result, console)


def render_explain(result: AuditResult, console) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    from yjplan.score import SEVERITY_FACTOR, score_lines

    console.print()
    console.print("[bold]评分说明[/]")
    console.print("每条规则的分值 = 权重 × 严重程度系数（错误 1.0、警告 0.6、提示 0.3），按所属维度分摊；"
                  "符合得全部分值，基本符合得一半，不符合得 0，已豁免按符合计，不适用不计入。"
                  "维度得分 = 100 × 得分 ÷ 满分；总分 = 三个维度得分的平均值。")
    del SEVERITY_FACTOR
    lines = score_lines(result.findings)
    for s in result.scores:
        table = Table(title=f"{s.criterion.value}：{s.earned:g} / {s.possible:g} = {s.score:.1f}", show_lines=False)
        table.add_column("规则")
        table.add_column("分值", justify="right")
        table.add_column("结果")
        table.add_column("得分", justify="right")
        for ln in lines:
            if ln.criterion == s.criterion:
                table.add_row(ln.rule_id, f"{ln.points:.2f}", ln.reason, f"{ln.points * ln.credit:.2f}")
        console.print(table)
    console.print(f"总分 = ({' + '.join(f'{s.score:.1f}' for s in result.scores if s.possible)}) ÷ "
                  f"{sum(1 for s in result.scores if s.possible)} = {result.total:.1f}；等级 {result.grade}"
                  "（≥90 优秀，≥75 良好，≥60 合格；关键要素不符合时等级最高为合格，三项以上为不合格）。")
