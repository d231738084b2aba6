"""Rule documentation rendered from loaded rules: the terminal list, ``explain`` and docs/rules.md.

One source (the packs) for the terminal and the Markdown reference, so the docs never drift;
a test regenerates docs/rules.md and compares it with the committed file.
"""

from __future__ import annotations

from yjplan.errors import RuleNotFound, UsageError
from yjplan.match.evidence import describe
from yjplan.rules.load import builtin_pack_ids, load_pack
from yjplan.rules.schema import PLAN_TYPES, Rule


def _all_rules(pack: str | None) -> tuple[list[Rule], dict[str, list[str]]]:
    """Rules of one pack, or of every built-in pack (first definition wins), with the packs
    that include each rule."""
    refs = [pack] if pack else [f"builtin:{p}" for p in builtin_pack_ids()]
    seen: dict[str, Rule] = {}
    packs_of: dict[str, list[str]] = {}
    for ref in refs:
        loaded = load_pack(ref)
        for r in loaded.rules:
            seen.setdefault(r.id, r)
            packs_of.setdefault(r.id, []).append(loaded.id)
    return sorted(seen.values(), key=lambda r: r.id), packs_of


def _criteria(rule: Rule) -> str:
    if len(rule.criteria) == 1:
        return rule.criteria[0][0].value
    return "、".join(f"{c.value}{w:.0%}" for c, w in rule.criteria)


def _applies(rule: Rule) -> str:
    return "全部" if set(rule.applies_to) == set(PLAN_TYPES) else "、".join(rule.applies_to)


def render_rule_list(*, plan_type: str | None = None, pack: str | None = None, fmt: str = "text") -> str:
    if fmt not in ("text", "md"):
        raise UsageError("rules list 的格式只能是 text 或 md")
    if plan_type:
        from yjplan.plantype import normalize_type
        from yjplan.rules.load import pack_for_type

        plan_type = normalize_type(plan_type)
        if pack is None:
            pack = f"builtin:{pack_for_type(plan_type).id}"
    rules, packs_of = _all_rules(pack)
    if plan_type:
        rules = [r for r in rules if plan_type in r.applies_to]
    if fmt == "text":
        lines = [f"{r.id}  {r.title}{'  ★' if r.key else ''}\n      {_criteria(r)} · {r.severity.value} · "
                 f"权重 {r.weight:g} · 适用：{_applies(r)}" for r in rules]
        lines.append(f"共 {len(rules)} 条规则。用 yjplan rules explain 编号 查看详情。")
        return "\n".join(lines)
    return _markdown(rules, packs_of)


def _markdown(rules: list[Rule], packs_of: dict[str, list[str]]) -> str:
    out = [
        "# yjplan 规则参考",
        "",
        "本文件由 `yjplan rules list --format md -o docs/rules.md` 从内置规则包生成，请勿手工编辑。",
        "★ 表示评审指南中的关键要素：关键要素不符合时，等级最高为“合格”。",
        "",
        "| 编号 | 名称 | 标题 | 维度 | 级别 | 权重 | 适用类型 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rules:
        out.append(f"| [{r.id}](#{r.id.lower()}) | `{r.name}` | {r.title}{' ★' if r.key else ''} | {_criteria(r)} | "
                   f"{r.severity.value} | {r.weight:g} | {_applies(r)} |")
    out.append("")
    for r in rules:
        out.append(f"## {r.id}")
        out.append("")
        out.append(explain_text(r, packs_of.get(r.id, [])))
        out.append("")
    return "\n".join(out)


def explain_text(r: Rule, packs: list[str] | None = None) -> str:
    lines = [
        f"**{r.id} {r.name}** — {r.title}{'（★关键要素）' if r.key else ''}",
        "",
        f"- 维度：{_criteria(r)}；级别：{r.severity.value}；权重：{r.weight:g}；状态：{r.status}",
        f"- 适用类型：{_applies(r)}",
    ]
    if packs:
        lines.append(f"- 所在规则包：{'、'.join(packs)}")
    lines.append(f"- 为什么：{r.why}")
    if r.scope.headings:
        lines.append(f"- 查找范围：标题含“{'”“'.join(r.scope.headings)}”的章节"
                     + ("；找不到时在全文查找" if r.scope.fallback != "none" else ""))
    else:
        lines.append("- 查找范围：全文")
    if r.when is not None:
        lines.append(f"- 前提：{describe(r.when)}")
    if r.evidence is not None:
        lines.append(f"- 证据：{describe(r.evidence)}")
    if r.partial is not None:
        lines.append(f"- 部分符合：{describe(r.partial)}")
    if r.forbid is not None:
        lines.append(f"- 不得出现：{describe(r.forbid)}")
    lines.append(f"- 问题说明：{r.message}")
    if r.suggestion:
        lines.append(f"- 修改建议：{r.suggestion}")
    lines.append("- 依据：" + "；".join(r.references))
    lines.append("")
    lines.append("符合示例：")
    lines.append("")
    lines.append("```text\n" + r.examples.passing[0].rstrip() + "\n```")
    lines.append("")
    lines.append("不符合示例：")
    lines.append("")
    lines.append("```text\n" + r.examples.failing[0].rstrip() + "\n```")
    return "\n".join(lines)


def explain_rule(rule_id: str) -> str:
    rules, packs_of = _all_rules(None)
    for r in rules:
        if r.id == rule_id.upper() or r.name == rule_id:
            return explain_text(r, packs_of.get(r.id, []))
    raise RuleNotFound(f"找不到规则“{rule_id}”，用 yjplan rules list 查看全部规则")
