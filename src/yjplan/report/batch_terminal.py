"""The terminal summary of a batch run (rich): ranking, counts, common failures, weakest plans,
cross-plan findings, and where the report files are."""

from __future__ import annotations

from typing import TextIO

from yjplan.report.batch_jsonl import GRADES, BatchReport

GRADE_STYLES = {"优秀": "bold green", "良好": "green", "合格": "yellow", "不合格": "bold red"}
RANKED_SHOWN = 20
CROSS_SHOWN = 15


def render_batch_terminal(report: BatchReport, *, file: TextIO | None = None, width: int | None = None,
                          written: list[str] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=file, width=width, highlight=False, soft_wrap=False)
    audited = report.audited
    head = (f"批量审查：{report.inputs} 个文件，已审查 {len(audited)}，出错 {len(report.errors)}，"
            f"跳过 {len(report.skipped)}；用时 {report.elapsed_s:.1f} 秒")
    extra = []
    if report.cache_hits:
        extra.append(f"缓存命中 {report.cache_hits}")
    if report.resumed:
        extra.append(f"沿用上次结果 {report.resumed}")
    if report.ignored:
        extra.append(f"忽略非文档文件 {report.ignored}")
    console.print(Text(head + ("（" + "，".join(extra) + "）" if extra else ""), style="bold"))
    if report.interrupted:
        console.print(Text(f"已中断：完成 {report.done}/{report.inputs}，可用 --resume 继续", style="bold yellow"))

    def grade_text(grade: str | None) -> Text:
        return Text(grade or "", style=GRADE_STYLES.get(grade or "", ""))

    if audited:
        table = Table(title="按总分排名", title_justify="left")
        for col, just in (("#", "right"), ("预案", "left"), ("类型", "left"), ("总分", "right"), ("等级", "left"),
                          ("错误", "right"), ("警告", "right")):
            table.add_column(col, justify=just, overflow="fold" if col == "预案" else "ellipsis")  # type: ignore[arg-type]
        for rank, p in enumerate(audited[:RANKED_SHOWN], start=1):
            table.add_row(str(rank), p.name, p.plan_type or "", f"{p.total:.1f}" if p.total is not None else "",
                          grade_text(p.grade), str(p.count("error")), str(p.count("warning")))
        console.print(table)
        if len(audited) > RANKED_SHOWN:
            console.print(Text(f"其余 {len(audited) - RANKED_SHOWN} 份见 report.html / summary.csv", style="dim"))

        types = Table(title="预案类型与等级", title_justify="left")
        types.add_column("类型")
        types.add_column("份数", justify="right")
        for g in GRADES:
            types.add_column(g, justify="right", style=GRADE_STYLES[g])
        for plan_type, grades in report.type_counts().items():
            types.add_row(plan_type, str(sum(grades.values())), *(str(grades.get(g, 0)) for g in GRADES))
        console.print(types)

        if report.rules:
            rules = Table(title="未通过最多的规则", title_justify="left")
            for col, just in (("规则", "left"), ("名称", "left"), ("不符合", "right"), ("基本符合", "right")):
                rules.add_column(col, justify=just)  # type: ignore[arg-type]
            for r in report.rules[:10]:
                rules.add_row(r.rule_id, r.title, str(r.fail), str(r.partial))
            console.print(rules)

        weak = Table(title="最弱的 5 份预案", title_justify="left")
        for col in ("预案", "类型", "总分", "等级"):
            weak.add_column(col)
        for p in report.weakest(5):
            total = f"{p.total:.1f}" if p.total is not None else ""
            weak.add_row(p.name, p.plan_type or "", total, grade_text(p.grade))
        console.print(weak)

    if report.cross:
        cross = Table(title="跨预案检查", title_justify="left")
        cross.add_column("类别", no_wrap=True)
        cross.add_column("说明", overflow="fold", ratio=3)
        cross.add_column("涉及文件", overflow="fold", ratio=2)
        for c in report.cross[:CROSS_SHOWN]:
            cross.add_row(c.label, c.message, "\n".join(c.paths))
        console.print(cross)
        if len(report.cross) > CROSS_SHOWN:
            console.print(Text(f"另有 {len(report.cross) - CROSS_SHOWN} 条跨预案问题，见 report.html", style="dim"))
    elif audited:
        console.print(Text("跨预案检查：未发现问题", style="dim"))

    if report.errors:
        errs = Table(title="出错的文件", title_justify="left")
        errs.add_column("文件", overflow="fold")
        errs.add_column("代码", no_wrap=True)
        errs.add_column("原因")
        for p in report.errors[:20]:
            errs.add_row(p.path, p.code or "", p.reason or "")
        console.print(errs)
    if report.skipped:
        console.print(Text(f"跳过 {len(report.skipped)} 个文件：", style="dim"))
        for p in report.skipped[:10]:
            console.print(Text(f"  {p.path}：{p.reason}", style="dim"))
        if len(report.skipped) > 10:
            console.print(Text(f"  ……另有 {len(report.skipped) - 10} 个，见 summary.csv", style="dim"))

    files = [*(written or []), "results.jsonl"]
    console.print(Text(f"报告已写入 {report.outdir}：{'、'.join(files)}", style="bold"))
