"""One self-contained HTML page: scores, an SVG chart, findings, the outline coloured by coverage.

Everything is inline (CSS, SVG, one tiny print helper); nothing is fetched at view time, so the file
can be mailed, archived or opened offline. All document text goes through ``html.escape``. The print
stylesheet never relies on background colours (browsers drop them by default): status is carried by
text marks and borders, and the page breaks before each big section so it prints to a clean PDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from yjplan.model import AuditResult, Finding, Outcome, Section, Severity

_SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_GRADE_CLASS = {"优秀": "g-excellent", "良好": "g-good", "合格": "g-pass", "不合格": "g-fail"}
_MARK = {Outcome.FAIL: "✗", Outcome.PARTIAL: "◐", Outcome.PASS: "✓"}

_CSS = """
:root{--ink:#1f2328;--dim:#59636e;--line:#d1d9e0;--err:#c62828;--warn:#b26a00;--info:#1565c0;--ok:#2e7d32;
--none:#8c959f;--paper:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}
html{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",
"Noto Sans SC",sans-serif;color:var(--ink);background:var(--paper);line-height:1.6;font-size:15px}
body{max-width:1080px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:1.6rem;margin:.2em 0 .1em}h2{font-size:1.35rem;margin:1.4em 0 .3em;padding-bottom:.2em;
border-bottom:2px solid var(--ink)}h3{font-size:1.1rem;margin:1.6em 0 .5em;border-bottom:1px solid var(--line)}
h4{font-size:1rem;margin:1.2em 0 .4em}
.dim,.meta{color:var(--dim)}.meta{font-size:.9rem;margin:.2em 0}
code{font-family:"Noto Sans Mono CJK SC",ui-monospace,Consolas,monospace;font-size:.92em}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft)}td.num{text-align:right;font-variant-numeric:tabular-nums}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:.6em 0}
.facts dt{color:var(--dim)}.facts dd{margin:0}
.scorecard{display:flex;flex-wrap:wrap;gap:24px;align-items:center;margin:1em 0}
.total{border:2px solid var(--ink);border-radius:8px;padding:10px 18px;text-align:center;min-width:150px}
.total .num{font-size:2.4rem;font-weight:700;line-height:1.1}
.grade{display:inline-block;margin-top:4px;padding:0 10px;border:2px solid;border-radius:12px;font-weight:700}
.g-excellent{color:var(--ok)}.g-good{color:#00796b}.g-pass{color:var(--warn)}.g-fail{color:var(--err)}
.chart{max-width:100%;height:auto}
.counts{margin:.3em 0}.counts span{margin-right:1em;white-space:nowrap}
.sev-error{--c:var(--err)}.sev-warning{--c:var(--warn)}.sev-info{--c:var(--info)}
h4.sev{color:var(--c)}
.finding{border:1px solid var(--line);border-left:5px solid var(--c);border-radius:4px;padding:8px 12px;margin:8px 0;
break-inside:avoid}
.finding p{margin:.25em 0}.fhead{font-weight:700}.fhead .mark{color:var(--c)}
.tag{display:inline-block;border:1px solid var(--c);color:var(--c);border-radius:3px;padding:0 5px;font-size:.8rem;
font-weight:400;margin-left:4px}
.waived{opacity:.75}.waived .fhead::after{content:"（已豁免）";font-weight:400;color:var(--dim)}
blockquote{margin:.3em 0;padding:2px 10px;border-left:3px solid var(--line);color:#333}
blockquote cite{color:var(--dim);font-style:normal;font-size:.85rem;margin-left:.5em}
.label{color:var(--dim)}
ul.outline{list-style:none;padding-left:0;margin:.3em 0}ul.outline ul{list-style:none;padding-left:1.4em;margin:0}
ul.outline li{margin:1px 0}
.cov{border-left:4px solid var(--k);padding-left:6px;display:inline-block}
.cov .mark{color:var(--k);font-weight:700;display:inline-block;width:1.2em}
.cov-error{--k:var(--err)}.cov-warning{--k:var(--warn)}.cov-pass{--k:var(--ok)}.cov-none{--k:var(--none)}
.cov-none .title{color:var(--dim)}.cov .rules{font-size:.82rem;color:var(--dim);margin-left:.6em}
.legend span{margin-right:1.2em;white-space:nowrap}
details.passed{margin:1em 0;border:1px solid var(--line);border-radius:4px;padding:6px 12px}
details.passed summary{cursor:pointer;font-weight:700}
details.passed li{margin:.2em 0}
.notes{font-size:.88rem;color:var(--dim)}
footer{margin-top:3em;font-size:.85rem;color:var(--dim);border-top:1px solid var(--line);padding-top:.5em}
@page{size:A4;margin:16mm 14mm}
@media print{
html{font-size:10.5pt}body{max-width:none;padding:0}
a{color:inherit;text-decoration:none}
th{background:none}
.plan+.plan{break-before:page}
section.findings,section.coverage,details.passed{break-before:page}
h2,h3,h4{break-after:avoid}
details.passed{border:none;padding:0}
details.passed summary{list-style:none}details.passed summary::-webkit-details-marker{display:none}
details::details-content{content-visibility:visible;display:contents}
.chart{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
"""

# Chromium ignores CSS for closed <details> in print unless ::details-content is supported; opening them
# on beforeprint covers older browsers. It runs only in the viewer and fetches nothing.
_PRINT_SCRIPT = (
    "addEventListener('beforeprint',function(){"
    "document.querySelectorAll('details').forEach(function(d){d.open=true})})"
)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _grade(grade: str) -> str:
    return f'<span class="grade {_GRADE_CLASS.get(grade, "")}">{_e(grade)}</span>'


# --- chart ---------------------------------------------------------------------------------------


def _bar_colour(score: float) -> str:
    if score >= 90:
        return "#2e7d32"
    if score >= 75:
        return "#00796b"
    if score >= 60:
        return "#b26a00"
    return "#c62828"


def score_chart(result: AuditResult) -> str:
    """A horizontal bar per criterion on a 0–100 axis, with the 60/75/90 grade lines."""
    left, width, bar, gap, top = 92, 360, 26, 16, 24
    rows = list(result.scores)
    height = top + len(rows) * (bar + gap) + 8
    total_w = left + width + 64
    parts = [
        f'<svg class="chart" role="img" width="{total_w}" height="{height}" viewBox="0 0 {total_w} {height}" '
        f'font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif" font-size="13">',
        f"<title>{_e('三项得分：' + '，'.join(f'{s.criterion.value} {s.score:.1f}' for s in rows))}</title>",
    ]
    for mark, label in ((60, "合格"), (75, "良好"), (90, "优秀")):
        x = left + width * mark / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 6}" stroke="#8c959f" '
                     'stroke-dasharray="3 3" stroke-width="1"/>')  # fmt: skip
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" text-anchor="middle" fill="#59636e" font-size="11">'
                     f"{mark} {label}</text>")  # fmt: skip
    for i, s in enumerate(rows):
        y = top + i * (bar + gap)
        filled = width * max(0.0, min(s.score, 100.0)) / 100
        parts.append(f'<text x="{left - 8}" y="{y + bar * 0.68:.1f}" text-anchor="end" fill="#1f2328">'
                     f"{_e(s.criterion.value)}</text>")  # fmt: skip
        parts.append(f'<rect x="{left}" y="{y}" width="{width}" height="{bar}" fill="none" stroke="#d1d9e0"/>')
        parts.append(f'<rect x="{left}" y="{y}" width="{filled:.1f}" height="{bar}" fill="{_bar_colour(s.score)}"/>')
        value = f"{s.score:.1f}" if s.possible else "—"
        parts.append(f'<text x="{left + width + 8}" y="{y + bar * 0.68:.1f}" fill="#1f2328" font-weight="700">'
                     f"{value}</text>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


# --- coverage ------------------------------------------------------------------------------------


@dataclass
class _Cover:
    passed: set[str] = field(default_factory=set)
    errors: set[str] = field(default_factory=set)
    warnings: set[str] = field(default_factory=set)

    @property
    def css(self) -> str:
        if self.errors:
            return "cov-error"
        if self.warnings:
            return "cov-warning"
        return "cov-pass" if self.passed else "cov-none"

    @property
    def mark(self) -> str:
        return {"cov-error": "✗", "cov-warning": "◐", "cov-pass": "✓", "cov-none": "·"}[self.css]


def coverage(result: AuditResult) -> dict[tuple[str, ...], _Cover]:
    """Per section path: the rules whose evidence sits there (passes) and the gaps that name it."""
    out: dict[tuple[str, ...], _Cover] = {}

    def at(path: tuple[str, ...]) -> _Cover:
        return out.setdefault(path, _Cover())

    for f in result.findings:
        if f.outcome == Outcome.PASS:
            for path in {f.section_path, *(ev.section_path for ev in f.evidence)}:
                at(path).passed.add(f.rule_id)
        elif f.is_gap and not f.suppressed:
            bucket = "errors" if f.severity == Severity.ERROR else "warnings"
            getattr(at(f.section_path), bucket).add(f.rule_id)
    return out


def _outline(result: AuditResult) -> str:
    cover = coverage(result)

    def node(path: tuple[str, ...], sec: Section) -> str:
        c = cover.get(path, _Cover())
        rules = []
        if c.errors or c.warnings:
            rules.append("问题 " + "、".join(sorted(c.errors | c.warnings)))
        if c.passed:
            rules.append(f"符合 {len(c.passed)} 条")
        rule_text = f'<span class="rules">{_e("；".join(rules))}</span>' if rules else ""
        label = (f'<span class="cov {c.css}"><span class="mark">{c.mark}</span>'
                 f'<span class="title">{_e(sec.heading)}</span>{rule_text}</span>')  # fmt: skip
        kids = "".join(node((*path, ch.heading), ch) for ch in sec.children)
        return f"<li>{label}" + (f"<ul>{kids}</ul>" if kids else "") + "</li>"

    root = result.document.root
    items = "".join(node((child.heading,), child) for child in root.children)
    if not items:
        return '<p class="dim">未识别出章节标题。</p>'
    legend = ('<p class="legend"><span class="cov cov-pass"><span class="mark">✓</span>有符合项的证据</span>'
              '<span class="cov cov-error"><span class="mark">✗</span>有错误级问题</span>'
              '<span class="cov cov-warning"><span class="mark">◐</span>有警告或提示</span>'
              '<span class="cov cov-none"><span class="mark">·</span>未涉及</span></p>')  # fmt: skip
    loose = cover.get(())
    extra = ""
    if loose is not None and (loose.errors or loose.warnings):
        extra = (f'<p class="dim">未落到具体章节的问题（全文）：{_e("、".join(sorted(loose.errors | loose.warnings)))}'
                 "</p>")  # fmt: skip
    return f'{legend}<ul class="outline">{items}</ul>{extra}'


# --- findings ------------------------------------------------------------------------------------


def where(f: Finding) -> str:
    parts = []
    if f.section_path:
        parts.append(" › ".join(f.section_path))
    if f.location is not None:
        parts.append(f.location.describe())
    return "，".join(parts) or "全文"


def _finding_card(f: Finding, anchor: str) -> str:
    waived = " waived" if f.suppressed else ""
    tags = [f.outcome.label]
    if f.baseline:
        tags.append("基线")
    head = (f'<p class="fhead"><span class="mark">{_MARK.get(f.outcome, "")}</span> <code>{_e(f.rule_id)}</code> '
            f"{_e(f.title)}" + "".join(f'<span class="tag">{_e(t)}</span>' for t in tags) + "</p>")  # fmt: skip
    body = [head, f'<p class="msg">{_e(f.message)}</p>']
    if f.detail:
        body.append(f'<p><span class="label">说明：</span>{_e(f.detail)}</p>')
    for ev in f.evidence[:5]:
        body.append(f"<blockquote>“{_e(ev.quote)}”<cite>{_e(ev.location.describe())}</cite></blockquote>")
    body.append(f'<p><span class="label">位置：</span>{_e(where(f))}</p>')
    if not f.evidence and f.looked_in:
        body.append(f'<p><span class="label">查找范围：</span>{_e("；".join(f.looked_in))}</p>')
    if f.suggestion:
        body.append(f'<p><span class="label">建议：</span>{_e(f.suggestion)}</p>')
    if f.references:
        body.append(f'<p class="dim"><span class="label">依据：</span>{_e("；".join(f.references))}</p>')
    if f.suppressed:
        body.append(f'<p class="dim"><span class="label">豁免理由：</span>{_e(f.suppressed)}</p>')
    card_id = f"{anchor}-{_e(f.rule_id)}"
    return f'<div class="finding sev-{f.severity.value}{waived}" id="{card_id}">{"".join(body)}</div>'


def _findings(result: AuditResult, anchor: str) -> str:
    gaps = [f for f in result.findings if f.is_gap]
    if not gaps:
        return '<section class="findings"><h3>问题</h3><p>没有发现问题。</p></section>'
    parts = [f'<section class="findings" id="{anchor}-findings"><h3>问题（{len(gaps)}）</h3>']
    for severity in _SEVERITIES:
        group = [f for f in gaps if f.severity == severity]
        if not group:
            continue
        # open problems first, waived and baseline ones after them
        group.sort(key=lambda f: (f.suppressed is not None, f.baseline, f.outcome != Outcome.FAIL, f.rule_id))
        parts.append(f'<h4 class="sev sev-{severity.value}">{severity.label}（{len(group)}）</h4>')
        parts.extend(_finding_card(f, anchor) for f in group)
    parts.append("</section>")
    return "".join(parts)


def _passed(result: AuditResult) -> str:
    passed = [f for f in result.findings if f.outcome == Outcome.PASS]
    na = [f for f in result.findings if f.outcome == Outcome.NOT_APPLICABLE]
    items = []
    for f in passed:
        quote = ""
        if f.evidence:
            ev = f.evidence[0]
            quote = f"<blockquote>“{_e(ev.quote)}”<cite>{_e(ev.location.describe())}</cite></blockquote>"
        items.append(f"<li>✓ <code>{_e(f.rule_id)}</code> {_e(f.title)}{quote}</li>")
    na_text = ""
    if na:
        na_text = ("<p class=\"dim\">不适用：" + "、".join(f"{_e(f.rule_id)} {_e(f.title)}" for f in na)
                   + "</p>")  # fmt: skip
    return (f'<details class="passed"><summary>符合的规则（{len(passed)}）</summary>'
            f'<ul>{"".join(items)}</ul>{na_text}</details>')  # fmt: skip


def _counts(result: AuditResult) -> dict[str, int]:
    gaps = [f for f in result.findings if f.is_gap]
    counts = {s.value: sum(1 for f in gaps if f.severity == s and not f.suppressed) for s in Severity}
    counts["waived"] = sum(1 for f in gaps if f.suppressed)
    counts["pass"] = sum(1 for f in result.findings if f.outcome == Outcome.PASS)
    counts["na"] = sum(1 for f in result.findings if f.outcome == Outcome.NOT_APPLICABLE)
    return counts


def _plan(result: AuditResult, index: int) -> str:
    doc = result.document
    anchor = f"plan-{index}"
    title = doc.title or doc.path
    meta = [doc.path, doc.format]
    if doc.page_count:
        meta.append(f"{doc.page_count} 页")
    meta.append(f"{doc.char_count} 字")
    guess = result.plan_type
    why = "由 --type 指定" if guess.overridden else guess.reason
    facts = [("预案类型", f"{_e(guess.plan_type)}<span class=\"dim\">（{_e(why)}）</span>"),
             ("规则包", _e(result.pack))]  # fmt: skip
    if doc.issuer:
        facts.append(("发布单位", _e(doc.issuer)))
    if doc.issue_date:
        facts.append(("发布日期", _e(doc.issue_date.isoformat())))
    c = _counts(result)
    counts = "".join([
        f'<p class="counts"><span>共检查 {len(result.findings)} 条规则</span><span>符合 {c["pass"]}</span>',
        f'<span>错误 {c["error"]}</span><span>警告 {c["warning"]}</span><span>提示 {c["info"]}</span>',
        f'<span>已豁免 {c["waived"]}</span><span>不适用 {c["na"]}</span></p>',
    ])  # fmt: skip
    notes = "".join(f"<li>{_e(n)}</li>" for n in doc.notes)
    return "".join([
        f'<article class="plan" id="{anchor}">',
        f"<h2>{_e(title)}</h2>",
        f'<p class="meta">{_e(" · ".join(meta))}</p>',
        '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>",
        '<div class="scorecard">',
        f'<div class="total"><div class="dim">总分</div><div class="num">{result.total:.1f}</div>'
        f"{_grade(result.grade)}</div>",
        score_chart(result),
        "</div>",
        counts,
        _findings(result, anchor),
        f'<section class="coverage" id="{anchor}-outline"><h3>章节覆盖</h3>{_outline(result)}</section>',
        _passed(result),
        f'<section class="notes"><h4>读取说明</h4><ul>{notes}</ul></section>' if notes else "",
        "</article>",
    ])  # fmt: skip


def _summary_table(results: Iterable[AuditResult]) -> str:
    head = ("<tr><th>预案</th><th>类型</th><th>总分</th><th>等级</th><th>针对性</th><th>实用性</th><th>可操作性</th>"
            "<th>错误</th><th>警告</th><th>提示</th></tr>")  # fmt: skip
    rows = []
    for i, r in enumerate(results, 1):
        scores = {s.criterion.value: s.score for s in r.scores}
        c = _counts(r)
        cells = [f'<td><a href="#plan-{i}">{_e(r.document.title or r.document.path)}</a></td>',
                 f"<td>{_e(r.plan_type.plan_type)}</td>", f'<td class="num">{r.total:.1f}</td>',
                 f"<td>{_grade(r.grade)}</td>"]  # fmt: skip
        cells += [f'<td class="num">{scores.get(k, 0.0):.1f}</td>' for k in ("针对性", "实用性", "可操作性")]
        cells += [f'<td class="num">{c[k]}</td>' for k in ("error", "warning", "info")]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<section class="summary"><h2>汇总</h2><table>{head}{"".join(rows)}</table></section>'


def render_html(results: list[AuditResult]) -> str:
    from yjplan import __version__

    if len(results) == 1:
        page_title = f"应急预案审查报告：{results[0].document.title or results[0].document.path}"
    else:
        page_title = f"应急预案审查报告（{len(results)} 份）"
    body = [f"<header><h1>{_e(page_title)}</h1></header>"]
    if len(results) > 1:
        body.append(_summary_table(results))
    body.extend(_plan(r, i) for i, r in enumerate(results, 1))
    body.append(f"<footer>由 yjplan {_e(__version__)} 生成。得分按规则包的权重计算，仅供审查参考，"
                "不替代专家评审。</footer>")  # fmt: skip
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="yjplan">\n'
        f"<title>{_e(page_title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + f"\n<script>{_PRINT_SCRIPT}</script>\n</body>\n</html>\n"
    )
