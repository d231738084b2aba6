"""report.xlsx of a batch run: sheets 汇总 / 全部预案 / 全部问题 / 跨预案.

Written with openpyxl in write-only mode, which streams rows to temporary files instead of building
every cell in memory, and saved straight into the report file, so a folder of thousands of plans
with tens of thousands of findings stays cheap. Each sheet has a frozen, bold header row, an
autofilter and set column widths; grades are coloured (优秀 green, 良好 light green, 合格 yellow,
不合格 red).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

from yjplan.report.batch_csv import CRITERIA, CROSS_HEADER, FINDING_HEADER, cross_rows, finding_rows, rendered
from yjplan.report.batch_jsonl import GRADES, STATUS_LABELS, BatchReport

GRADE_COLOURS = {"优秀": "63BE7B", "良好": "C6EFCE", "合格": "FFEB84", "不合格": "F8696B"}
SEVERITY_COLOURS = {"错误": "F8CBAD", "警告": "FFE699", "提示": "DDEBF7"}


def _sheet(wb: Any, title: str, header: Sequence[str], widths: Sequence[float],
           rows: Iterable[Sequence[Any]], colour_cols: dict[int, dict[str, str]] | None = None) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    head = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        cell.fill = head_fill
        head.append(cell)
    ws.append(head)
    fills: dict[str, Any] = {}
    wrap = Alignment(wrap_text=True, vertical="top")
    count = 0
    for row in rows:
        count += 1
        cells = []
        for col, value in enumerate(row):
            if isinstance(value, str) and len(value) > 32000:
                value = value[:32000] + "…"  # Excel's cell limit is 32,767 characters
            colours = (colour_cols or {}).get(col)
            if colours and value in colours:
                cell = WriteOnlyCell(ws, value=value)
                cell.fill = fills.setdefault(colours[value], PatternFill("solid", fgColor=colours[value]))
                cells.append(cell)
            elif isinstance(value, str) and "\n" in value:
                cell = WriteOnlyCell(ws, value=value)
                cell.alignment = wrap
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"


def _summary_rows(report: BatchReport) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [
        ("输入文件夹", "；".join(report.roots)),
        ("开始时间", report.started),
        ("用时（秒）", report.elapsed_s),
        ("输入文件", report.inputs),
        ("已审查", len(report.audited)),
        ("出错", len(report.errors)),
        ("跳过", len(report.skipped)),
        ("忽略的非文档文件", report.ignored),
        ("缓存命中", report.cache_hits),
        ("状态", "已中断，未全部完成" if report.interrupted else "已完成"),
        ("", ""),
        ("等级", "份数"),
    ]
    rows += [(g, n) for g, n in report.grade_counts().items()]
    rows += [("", ""), ("预案类型", "份数（优秀/良好/合格/不合格）")]
    for plan_type, grades in report.type_counts().items():
        rows.append((plan_type, f"{sum(grades.values())}（{'/'.join(str(grades.get(g, 0)) for g in GRADES)}）"))
    rows += [("", ""), ("未通过最多的规则", "份数（不符合/基本符合）")]
    for r in report.rules[:15]:
        rows.append((f"{r.rule_id} {r.title}", f"{r.gaps}（{r.fail}/{r.partial}）"))
    return rows


def _plan_rows(report: BatchReport) -> Iterable[tuple[Any, ...]]:
    rank = 0
    for p in report.plans:
        scores = dict(p.scores)
        if p.status == "audited":
            rank += 1
        yield (
            rank if p.status == "audited" else None, p.path, STATUS_LABELS.get(p.status, p.status), p.title,
            p.plan_type, p.total, p.grade, *(scores.get(c) for c in CRITERIA),
            p.count("error") if p.status == "audited" else None, p.count("warning") if p.status == "audited" else None,
            p.issue_date, p.code, p.reason,
        )


def write_batch_xlsx(report: BatchReport, out: IO[bytes]) -> None:
    """Write the workbook straight into ``out``: the sheets wait in openpyxl's temporary files, and
    the zip is built in the file rather than in memory."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    _sheet(wb, "汇总", ("项目", "数值"), (28, 60), _summary_rows(report), {1: GRADE_COLOURS, 0: GRADE_COLOURS})
    _sheet(wb, "全部预案",
           ("排名", "文件", "状态", "标题", "预案类型", "总分", "等级", *CRITERIA, "错误", "警告", "印发日期",
            "错误代码", "原因"),
           (6, 48, 8, 40, 10, 8, 8, 8, 8, 9, 6, 6, 12, 9, 40), _plan_rows(report), {6: GRADE_COLOURS})
    _sheet(wb, "全部问题", FINDING_HEADER, (40, 32, 10, 8, 30, 10, 6, 50, 30, 14, 50, 20), finding_rows(report),
           {6: SEVERITY_COLOURS})
    _sheet(wb, "跨预案", CROSS_HEADER, (14, 60, 8, 50, 80), cross_rows(report))
    wb.save(out)


def render_batch_xlsx(report: BatchReport) -> bytes:
    return rendered(write_batch_xlsx, report)
