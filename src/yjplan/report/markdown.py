"""A compact Markdown summary for a pull-request comment (GitHub-flavoured).

Per plan: a score table, the top findings (errors first, at most ``TOP``) with their location, and
the full findings with evidence and suggestions folded into ``<details>``. GitHub refuses comments
over 65,536 characters, so the folded part is cut to fit and says how much was left out.
"""

from __future__ import annotations

import re

from yjplan.model import AuditResult, Finding, Outcome, Severity
from yjplan.report.details import detail_lines, where

TOP = 10
MAX_CHARS = 65_536
_MARGIN = 512  # room for the truncation notes themselves
_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")
_SEV_MARK = {Severity.ERROR: "**错误**", Severity.WARNING: "警告", Severity.INFO: "提示"}


def md_text(text: str) -> str:
    """Inline text that Markdown and GitHub's HTML filter show literally, on one line."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _code(text: str) -> str:
    # a code span cannot escape a backtick; a path with one is rare enough to swap it out
    return text.replace("`", "'")


def _ordered_gaps(result: AuditResult) -> list[Finding]:
    gaps = [f for f in result.findings if f.is_gap]
    # open problems first, by severity, then fails before partials; waived/baseline at the end
    return sorted(gaps, key=lambda f: (f.suppressed is not None or f.baseline, -f.severity.rank,
                                       f.outcome != Outcome.FAIL, f.rule_id))  # fmt: skip


def _status(f: Finding) -> str:
    tags = [f.outcome.label]
    if f.suppressed:
        tags.append("已豁免")
    if f.baseline:
        tags.append("基线")
    return "，".join(tags)


def _head(result: AuditResult) -> str:
    doc = result.document
    gaps = [f for f in result.findings if f.is_gap and not f.suppressed]
    count = {s: sum(1 for f in gaps if f.severity == s) for s in Severity}
    waived = sum(1 for f in result.findings if f.is_gap and f.suppressed)
    scores = {s.criterion.value: s for s in result.scores}
    cells = [f"**{result.total:.1f}**", f"**{md_text(result.grade)}**"]
    cells += [f"{scores[k].score:.1f}" if k in scores else "—" for k in ("针对性", "实用性", "可操作性")]
    cells += [str(count[Severity.ERROR]), str(count[Severity.WARNING]), str(count[Severity.INFO])]
    lines = [
        f"### {md_text(doc.title or doc.path)}",
        "",
        f"`{_code(doc.path)}` · {md_text(result.plan_type.plan_type)} · 规则包 {md_text(result.pack)}"
        + (f" · 已豁免 {waived}" if waived else ""),
        "",
        "| 总分 | 等级 | 针对性 | 实用性 | 可操作性 | 错误 | 警告 | 提示 |",
        "|---:|:---:|---:|---:|---:|---:|---:|---:|",
        "| " + " | ".join(cells) + " |",
        "",
    ]
    top = _ordered_gaps(result)[:TOP]
    if top:
        lines += ["| 级别 | 规则 | 问题 | 位置 |", "|---|---|---|---|"]
        for f in top:
            lines.append(f"| {_SEV_MARK[f.severity]} | {f.rule_id} | {md_text(f.message)}（{_status(f)}） "
                         f"| {md_text(where(f))} |")  # fmt: skip
        rest = len(_ordered_gaps(result)) - len(top)
        if rest > 0:
            lines.append(f"\n另有 {rest} 条问题，见下方“全部问题”。")
        lines.append("")
    else:
        lines += ["没有发现问题。", ""]
    return "\n".join(lines)


def _item(f: Finding) -> str:
    lines = [f"- **{f.rule_id} {md_text(f.title)}**（{_SEV_MARK[f.severity]}，{_status(f)}）：{md_text(f.message)}"]
    lines += [f"  - {label}：{md_text(text)}" for label, text, _ in detail_lines(f)]
    return "\n".join(lines)


def _details(result: AuditResult, budget: int) -> str:
    gaps = _ordered_gaps(result)
    if not gaps:
        return ""
    opening = f"<details><summary>全部问题（{len(gaps)}）：证据与建议</summary>\n\n"
    closing = "\n\n</details>\n"
    items: list[str] = []
    used = len(opening) + len(closing)
    for i, f in enumerate(gaps):
        item = _item(f)
        if used + len(item) + 1 > budget:
            left = len(gaps) - i
            items.append(f"\n……其余 {left} 条问题因评论长度上限未列出，请查看完整报告（--format html 或 json）。")
            break
        items.append(item)
        used += len(item) + 1
    return opening + "\n".join(items) + closing


def render_markdown(results: list[AuditResult]) -> str:
    title = "## 应急预案审查结果" + (f"（{len(results)} 份）" if len(results) > 1 else "")
    heads = [_head(r) for r in results]
    fixed = len(title) + 2 + sum(len(h) + 2 for h in heads)
    # whatever the tables leave is shared out among the plans' folded findings
    room = max(0, MAX_CHARS - _MARGIN - fixed)
    share = room // max(len(results), 1)
    parts = [title, ""]
    spare = 0
    for result, head in zip(results, heads, strict=True):
        details = _details(result, share + spare)
        spare = max(0, share + spare - len(details))
        parts += [head, details]
    text = "\n".join(parts).rstrip() + "\n"
    if len(text) > MAX_CHARS:
        # only reachable with hundreds of plans: even the tables do not fit
        cut = text[: MAX_CHARS - 80]
        text = cut[: cut.rfind("\n") + 1] + "\n……报告过长，已截断，请查看完整报告。\n"
    return text
