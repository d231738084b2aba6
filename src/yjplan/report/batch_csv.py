"""summary.csv, findings.csv and crossplan.csv of a batch run.

UTF-8 with a byte-order mark, because Excel on Chinese Windows opens a BOM-less UTF-8 CSV as GBK and
shows mojibake. Column names are Chinese (people open these in Excel; programs read results.jsonl).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from yjplan.report.batch_jsonl import STATUS_LABELS, BatchReport

CRITERIA = ("针对性", "实用性", "可操作性")
OUTCOME_LABELS = {"fail": "不符合", "partial": "基本符合"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8", "replace")


def render_summary_csv(report: BatchReport) -> bytes:
    header = ("排名", "文件", "状态", "标题", "预案类型", "格式", "总分", "等级", *CRITERIA, "错误", "警告", "提示",
              "印发日期", "错误代码", "原因", "未通过门槛", "sha256")
    rank = 0
    rows = []
    for p in report.plans:
        scores = dict(p.scores)
        if p.status == "audited":
            rank += 1
        rows.append((
            rank if p.status == "audited" else "", p.path, STATUS_LABELS.get(p.status, p.status), p.title,
            p.plan_type, p.format, p.total, p.grade, *(scores.get(c) for c in CRITERIA),
            p.count("error") if p.status == "audited" else "", p.count("warning") if p.status == "audited" else "",
            p.count("info") if p.status == "audited" else "", p.issue_date, p.code, p.reason, "；".join(p.gate),
            p.sha256,
        ))
    return _csv(header, rows)


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


def render_findings_csv(report: BatchReport) -> bytes:
    return _csv(FINDING_HEADER, finding_rows(report))


CROSS_HEADER = ("类别", "说明", "相似度", "涉及文件", "详情")


def cross_rows(report: BatchReport) -> Iterable[tuple[object, ...]]:
    for c in report.cross:
        yield (c.label, c.message, c.similarity, "\n".join(c.paths), "\n".join(c.details))


def render_crossplan_csv(report: BatchReport) -> bytes:
    return _csv(CROSS_HEADER, cross_rows(report))
