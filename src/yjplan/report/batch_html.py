"""report.html of a batch run: one self-contained file (inline CSS, inline SVG charts, no script, no
network), readable offline and printable. Every string from a document is escaped."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from html import escape
from itertools import chain
from typing import IO

from yjplan.report.batch_csv import CRITERIA, OUTCOME_LABELS, SEVERITY_LABELS, rendered
from yjplan.report.batch_jsonl import GRADES, BatchReport, PlanRow

GRADE_COLOURS = {"优秀": "#2e9d5b", "良好": "#8cc97a", "合格": "#f2c94c", "不合格": "#e05252"}
HIST_COLOURS = ((90, "#2e9d5b"), (80, "#8cc97a"), (60, "#f2c94c"), (0, "#e05252"))
MAX_FINDINGS_SHOWN = 60

CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0;
 color:#1f2933;background:#f5f7fa;line-height:1.5}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 12px;border-left:4px solid #3b6fb6;padding-left:8px}
.meta{color:#52606d;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0}
.card{background:#fff;border-radius:8px;padding:12px 16px;min-width:130px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card b{display:block;font-size:24px}.card span{color:#52606d;font-size:13px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px}
.chart{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.chart h3{font-size:15px;margin:0 0 6px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
th,td{border-bottom:1px solid #e4e7eb;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#e8eef7;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.grade{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;white-space:nowrap}
.g-优秀{background:#2e9d5b}.g-良好{background:#8cc97a;color:#1f2933}.g-合格{background:#f2c94c;color:#1f2933}
.g-不合格{background:#e05252}
.sev-error{color:#c0392b;font-weight:600}.sev-warning{color:#b7791f}.sev-info{color:#3b6fb6}
details summary{cursor:pointer;color:#3b6fb6}
.path{color:#52606d;font-size:12px;word-break:break-all}
.quote{color:#52606d;font-size:12px}
.note{background:#fff4e5;border-left:4px solid #f0a020;padding:8px 12px;margin:12px 0}
ul.details{margin:4px 0 0 18px;padding:0;font-size:12px;color:#3e4c59}
@media print{th{position:static}details{display:block}}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value))


def _bar_chart(items: Sequence[tuple[str, int, str]], *, width: int = 360, height: int = 200) -> str:
    """Vertical bars with labels under them and counts above them."""
    if not items:
        return "<p class='meta'>无数据</p>"
    top = max((n for _, n, _ in items), default=0) or 1
    slot = (width - 20) / len(items)
    bar_w = min(48.0, slot * 0.7)
    parts = [f"<svg viewBox='0 0 {width} {height}' width='100%' role='img' xmlns='http://www.w3.org/2000/svg'>"]
    base = height - 28
    for i, (label, n, colour) in enumerate(items):
        h = (base - 20) * n / top
        x = 10 + i * slot + (slot - bar_w) / 2
        mid = x + bar_w / 2
        parts.append(f"<rect x='{x:.1f}' y='{base - h:.1f}' width='{bar_w:.1f}' height='{h:.1f}' fill='{colour}' "
                     f"rx='2'><title>{_e(label)}：{n}</title></rect>")
        parts.append(f"<text x='{mid:.1f}' y='{base - h - 4:.1f}' font-size='12' text-anchor='middle'>{n}</text>")
        parts.append(f"<text x='{mid:.1f}' y='{height - 10}' font-size='11' text-anchor='middle'>{_e(label)}</text>")
    parts.append(f"<line x1='6' y1='{base}' x2='{width - 6}' y2='{base}' stroke='#9aa5b1'/></svg>")
    return "".join(parts)


def _hbar_chart(items: Sequence[tuple[str, int]], *, width: int = 360) -> str:
    if not items:
        return "<p class='meta'>没有未通过的规则</p>"
    row_h = 22
    height = row_h * len(items) + 8
    top = max(n for _, n in items) or 1
    label_w = 150
    parts = [f"<svg viewBox='0 0 {width} {height}' width='100%' role='img' xmlns='http://www.w3.org/2000/svg'>"]
    for i, (label, n) in enumerate(items):
        y = 4 + i * row_h
        w = (width - label_w - 40) * n / top
        short = label if len(label) <= 12 else label[:11] + "…"
        parts.append(f"<text x='{label_w - 6}' y='{y + 15}' font-size='12' text-anchor='end'>{_e(short)}"
                     f"<title>{_e(label)}</title></text>")
        parts.append(f"<rect x='{label_w}' y='{y + 3}' width='{w:.1f}' height='{row_h - 8}' fill='#e07b52' rx='2'/>")
        parts.append(f"<text x='{label_w + w + 4:.1f}' y='{y + 15}' font-size='12'>{n}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _histogram(report: BatchReport) -> str:
    bins = [0] * 10
    for p in report.audited:
        bins[min(9, int((p.total or 0) // 10))] += 1
    items = []
    for i, n in enumerate(bins):
        mid = i * 10 + 5
        colour = next(c for floor, c in HIST_COLOURS if mid >= floor)
        items.append((f"{i * 10}–" if i < 9 else "90–100", n, colour))
    return _bar_chart(items, width=420)


def _grade(grade: str | None) -> str:
    return f"<span class='grade g-{_e(grade)}'>{_e(grade)}</span>" if grade else ""


def _findings_html(row: dict) -> str:  # type: ignore[type-arg]
    findings = row.get("findings") or []
    if not findings:
        return "<span class='meta'>无问题</span>"
    items = []
    for f in findings[:MAX_FINDINGS_SHOWN]:
        quote = f"<div class='quote'>证据：{_e(f['evidence'])}</div>" if f.get("evidence") else ""
        where = " · ".join(x for x in (f.get("section"), f.get("location")) if x)
        items.append(
            f"<li><span class='sev-{_e(f['severity'])}'>{_e(SEVERITY_LABELS.get(f['severity'], f['severity']))}</span> "
            f"<b>{_e(f['rule_id'])}</b> {_e(OUTCOME_LABELS.get(f['outcome'], f['outcome']))}：{_e(f.get('message'))}"
            f"{f' <span class=meta>（{_e(where)}）</span>' if where else ''}{quote}</li>"
        )
    rest = len(findings) - MAX_FINDINGS_SHOWN
    more = f"<li class='meta'>另有 {rest} 条</li>" if rest > 0 else ""
    return (f"<details><summary>{len(findings)} 个问题</summary>"
            f"<ul class='details'>{''.join(items)}{more}</ul></details>")


def _plan_table(report: BatchReport) -> Iterator[str]:
    """Row by row: with every plan's findings this is most of the file."""
    head = "".join(f"<th>{h}</th>" for h in ("排名", "预案", "类型", "总分", "等级", *CRITERIA, "错误", "警告", "问题"))
    yield f"<table><thead><tr>{head}</tr></thead><tbody>"
    for rank, (p, row) in enumerate(zip(report.audited, report.rows(report.audited), strict=True), start=1):
        scores = dict(p.scores)
        yield (
            f"<tr><td class='num'>{rank}</td><td>{_e(p.name)}<div class='path'>{_e(p.path)}</div></td>"
            f"<td>{_e(p.plan_type)}</td><td class='num'>{_e(p.total)}</td><td>{_grade(p.grade)}</td>"
            + "".join(f"<td class='num'>{_e(scores.get(c))}</td>" for c in CRITERIA)
            + f"<td class='num'>{p.count('error')}</td><td class='num'>{p.count('warning')}</td>"
            f"<td>{_findings_html(row)}</td></tr>"
        )
    yield "</tbody></table>"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    yield f"<table><thead><tr>{head}</tr></thead><tbody>"
    for r in rows:
        yield "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>"
    yield "</tbody></table>"


def _simple_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    return "".join(_table(header, rows))


def _weakest(plans: Sequence[PlanRow]) -> str:
    return _simple_table(("预案", "类型", "总分", "等级"), [
        (f"{_e(p.name)}<div class='path'>{_e(p.path)}</div>", _e(p.plan_type), _e(p.total), _grade(p.grade))
        for p in plans
    ])


def _parts(report: BatchReport) -> Iterator[str | Iterable[str]]:
    """The page's parts in order (joined by newlines); a long part comes as an iterable of pieces."""
    audited = report.audited
    mean = sum(p.total or 0 for p in audited) / len(audited) if audited else 0.0
    cards = [
        (report.inputs, "输入文件"), (len(audited), "已审查"), (len(report.errors), "出错"),
        (len(report.skipped), "跳过"), (f"{mean:.1f}", "平均分"), (len(report.cross), "跨预案问题"),
    ]
    grade_counts = report.grade_counts()
    yield "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
    yield "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    yield f"<title>预案批量审查报告</title><style>{CSS}</style></head><body><main>"
    yield "<h1>预案批量审查报告</h1>"
    yield (f"<div class='meta'>输入：{_e('；'.join(report.roots))} · 开始于 {_e(report.started)}"
           f" · 用时 {report.elapsed_s:.1f} 秒 · 缓存命中 {report.cache_hits}"
           f" · 忽略的非文档文件 {report.ignored}</div>")
    if report.interrupted:
        yield (f"<div class='note'>本次运行被中断：完成 {report.done}/{report.inputs}，"
               "可用 --resume 继续。</div>")
    yield ("<div class='cards'>" + "".join(f"<div class='card'><b>{_e(v)}</b><span>{_e(k)}</span></div>"
                                           for v, k in cards) + "</div>")
    yield "<div class='charts'>"
    yield ("<div class='chart'><h3>等级分布</h3>"
           + _bar_chart([(g, grade_counts.get(g, 0), GRADE_COLOURS[g]) for g in GRADES]) + "</div>")
    yield "<div class='chart'><h3>总分分布</h3>" + _histogram(report) + "</div>"
    yield ("<div class='chart'><h3>未通过最多的规则</h3>"
           + _hbar_chart([(f"{r.rule_id} {r.title}", r.gaps) for r in report.rules[:10]]) + "</div>")
    yield "</div>"
    types = report.type_counts()
    if types:
        yield "<h2>按预案类型</h2>"
        yield _simple_table(("预案类型", "份数", *GRADES), [
            (_e(t), str(sum(g.values())), *(str(g.get(x, 0)) for x in GRADES)) for t, g in types.items()
        ])
    if audited:
        yield "<h2>最弱的 5 份预案</h2>" + _weakest(report.weakest(5))
    yield "<h2>跨预案检查</h2>"
    if report.cross:
        yield _table(("类别", "说明", "涉及文件"), (
            (_e(c.label), _e(c.message) + (f"<ul class='details'>{''.join(f'<li>{_e(d)}</li>' for d in c.details)}</ul>"
                                           if c.details else ""),
             "<br>".join(f"<span class='path'>{_e(p)}</span>" for p in c.paths))
            for c in report.cross
        ))
    else:
        yield "<p class='meta'>未发现跨预案问题。</p>"
    if report.rules:
        yield "<h2>未通过最多的规则</h2>"
        yield _simple_table(("规则", "名称", "不符合", "基本符合"), [
            (_e(r.rule_id), _e(r.title), str(r.fail), str(r.partial)) for r in report.rules[:20]
        ])
    yield "<h2>全部预案（按总分排序）</h2>"
    yield _plan_table(report) if audited else "<p class='meta'>没有审查完成的预案。</p>"
    if report.errors:
        yield "<h2>出错的文件</h2>"
        yield _table(("文件", "错误代码", "原因"), (
            (f"<span class='path'>{_e(p.path)}</span>", _e(p.code), _e(p.reason)) for p in report.errors
        ))
    if report.skipped:
        yield "<h2>跳过的文件</h2>"
        yield _table(("文件", "原因"), (
            (f"<span class='path'>{_e(p.path)}</span>", _e(p.reason)) for p in report.skipped
        ))
    yield "<p class='meta'>由 yjplan batch 生成。得分与等级的计算方法见 yjplan rules list。</p>"
    yield "</main></body></html>"


def write_batch_html(report: BatchReport, out: IO[bytes]) -> None:
    """Stream the page into ``out``: the plan table carries every plan's findings, megabytes for a
    large folder, and is never held in memory whole."""
    text = io.TextIOWrapper(out, encoding="utf-8", errors="replace", newline="")
    try:
        for k, part in enumerate(_parts(report)):
            pieces = (part,) if isinstance(part, str) else part
            for piece in chain(("\n",) if k else (), pieces):
                text.write(piece)
        text.flush()
    finally:
        text.detach()  # ``out`` stays open: its owner fsyncs and renames it


def render_batch_html(report: BatchReport) -> bytes:
    return rendered(write_batch_html, report)
