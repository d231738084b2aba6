"""summary.csv, findings.csv and crossplan.csv of a batch run.

UTF-8 with a byte-order mark, because Excel on Chinese Windows opens a BOM-less UTF-8 CSV as GBK and
shows mojibake. Column names are Chinese (people open these in Excel; programs read results.jsonl).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import IO

from yjplan.report.batch_jsonl import STATUS_LABELS, BatchReport

CRITERIA = ("针对性", "实用性", "可操作性")
OUTCOME_LABELS = {"fail": "不符合", "partial": "基本符合"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


def _csv(out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Stream the rows into ``out`` (a folder's findings run to megabytes: never built in memory)."""
    text = io.TextIOWrapper(out, encoding="utf-8", errors="replace", newline="")
    try:
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
        text.flush()
    finally:
        text.detach()  # ``out`` stays open: its owner fsyncs and renames it


def rendered(write: Callable[[BatchReport, IO[bytes]], None], report: BatchReport) -> bytes:
    """What ``write`` would put in a file, as bytes (for tests and small reports)."""
    buf = io.BytesIO()
    write(report, buf)
    return buf.getvalue()


def write_summary_csv(report: BatchReport, out: IO[bytes]) -> None:
    header = ("排名", "文件", "状态", "标题", "预案类型", "格式", "总分", "等级", *CRITERIA, "错误", "警告", "提示",
              "印发日期", "错误代码", "原因", "未通过门槛", "sha256")
    _csv(out, header, _summary_rows(report))


def _summary_rows(report: BatchReport) -> Iterable[tuple[object, ...]]:
    rank = 0
    for p in report.plans:
        scores = dict(p.scores)
        if p.status == "audited":
            rank += 1
        yield (
            rank if p.status == "audited" else "", p.path, STATUS_LABELS.get(p.status, p.status), p.title,
            p.plan_type, p.format, p.total, p.grade, *(scores.get(c) for c in CRITERIA),
            p.count("error") if p.status == "audited" else "", p.count("warning") if p.status == "audited" else "",
            p.count("info") if p.status == "audited" else "", p.issue_date, p.code, p.reason, "；".join(p.gate),
            p.sha256,
        )


def finding_rows(report: BatchReport) -> Iterable[tuple[object, ...]]:
    for plan, row in zip(report.audited, report.rows(report.audited), strict=True):
        for f in row.get("findings") or ():
            yield (
                plan.path, plan.name, plan.plan_type, f["rule_id"], f.get("title"),
                OUTCOME_LABELS.get(f["outcome"], f["outcome"]), SEVERITY_LABELS.get(f["severity"], f["severity"]),
                f.get("message"), f.get("section"), f.get("location"), f.get("evidence"),
                f.get("suppressed") or "",
            )


FINDING_HEADER = ("文件", "预案", "预案类型", "规则", "规则名称", "结论", "级别", "问题", "章节", "位置", "证据",
                  "豁免理由")


def write_findings_csv(report: BatchReport, out: IO[bytes]) -> None:
    _csv(out, FINDING_HEADER, finding_rows(report))


CROSS_HEADER = ("类别", "说明", "相似度", "涉及文件", "详情")


def cross_rows(report: BatchReport) -> Iterable[tuple[object, ...]]:
    for c in report.cross:
        yield (c.label, c.message, c.similarity, "\n".join(c.paths), "\n".join(c.details))


def write_crossplan_csv(report: BatchReport, out: IO[bytes]) -> None:
    _csv(out, CROSS_HEADER, cross_rows(report))


def render_summary_csv(report: BatchReport) -> bytes:
    return rendered(write_summary_csv, report)


def render_findings_csv(report: BatchReport) -> bytes:
    return rendered(write_findings_csv, report)


def render_crossplan_csv(report: BatchReport) -> bytes:
    return rendered(write_crossplan_csv, report)
