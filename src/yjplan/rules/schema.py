"""The closed schema of a rule pack: YAML mappings → frozen Rule objects, or a located error.

An unknown key, a bad regular expression, an unknown extractor or plan type is an error at load
time with file:line:col (Vale's and yamllint's habit), never a silent no-op at audit time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from yjplan.model import Criterion, Severity
from yjplan.rules.yamlpos import MDict, MList

RULE_ID = re.compile(r"^[A-Z]{2,5}\d{3}$")
RULE_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

# Plan types and the groups a rule may name in applies_to.
PLAN_TYPES: tuple[str, ...] = (
    "总体", "专项", "部门", "乡镇", "村社区", "企业综合", "企业专项", "现场处置方案", "应急处置卡",
    "学校", "医院", "大型活动",
)
PLAN_GROUPS: dict[str, tuple[str, ...]] = {
    "政府": ("总体", "专项", "部门"),
    "基层": ("乡镇", "村社区"),
    "企业": ("企业综合", "企业专项", "现场处置方案", "应急处置卡"),
    "单位": ("企业综合", "企业专项", "现场处置方案", "学校", "医院", "大型活动"),
    "全部": PLAN_TYPES,
}
PLAN_TYPE_ALIASES = {"村(社区)": "村社区", "村（社区）": "村社区", "村": "村社区", "社区": "村社区",
                     "乡镇(街道)": "乡镇", "乡镇（街道）": "乡镇", "街道": "乡镇", "综合": "企业综合",
                     "现场处置": "现场处置方案", "处置卡": "应急处置卡"}

SPEC_KINDS = ("keywords", "regex", "extract", "table", "check", "heading", "all", "any", "not", "if")
SPEC_MODIFIERS = {
    "keywords": {"min", "mode", "tokens", "label", "fuzzy"},
    "regex": {"min", "label"},
    "extract": {"min", "flag", "label", "distinct"},
    "table": {"min", "label"},
    "check": {"min", "label", "options"},
    "heading": {"min", "label"},
    "all": {"label", "within"},
    "any": {"label"},
    "not": {"label"},
    "if": {"then", "label"},
}
RULE_KEYS = {
    "id", "name", "title", "status", "applies_to", "criterion", "severity", "weight", "key", "element",
    "why", "scope", "evidence", "partial", "forbid", "when", "message", "suggestion", "references",
    "examples", "pass_message",
}
REQUIRED_RULE_KEYS = ("id", "name", "title", "criterion", "severity", "message", "why", "references", "examples")
SCOPE_KEYS = {"headings", "include_children", "fallback", "threshold", "exclude"}
STATUSES = ("preview", "stable", "deprecated")


class SchemaError(Exception):
    def __init__(self, message: str, pos: tuple[int, int]) -> None:
        super().__init__(message)
        self.message, self.pos = message, pos


@dataclass(frozen=True, slots=True)
class Spec:
    """One node of an evidence expression (see docs/rules.md, "evidence kinds")."""

    kind: str
    arg: Any  # keywords tuple, compiled-pattern source, extractor name, table columns, children…
    min: int = 1
    mode: str = "any"
    tokens: bool = False
    flag: str | None = None
    label: str | None = None
    options: tuple[tuple[str, Any], ...] = ()
    then: Spec | None = None
    min_rows: int = 1
    distinct: bool = True
    fuzzy: int | None = None
    within: str | None = None  # all-of only: "unit" = every part must hold in one paragraph or table row


@dataclass(frozen=True, slots=True)
class Scope:
    headings: tuple[str, ...] = ()
    include_children: bool = True
    fallback: str = "document"  # none | document (hit → partial) | document_full (hit → full credit)
    threshold: int = 85
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Examples:
    passing: tuple[str, ...]
    failing: tuple[str, ...]
    plan_type: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    title: str
    criteria: tuple[tuple[Criterion, float], ...]
    severity: Severity
    weight: float
    why: str
    message: str
    suggestion: str | None
    references: tuple[str, ...]
    examples: Examples
    scope: Scope = Scope()
    evidence: Spec | None = None
    partial: Spec | None = None
    forbid: Spec | None = None
    when: Spec | None = None
    applies_to: tuple[str, ...] = PLAN_TYPES
    status: str = "stable"
    key: bool = False  # ★ 关键要素 in the 评审指南
    element: str | None = None  # hand-label element id used by bench/eval.py
    pass_message: str | None = None
    source: str = ""  # file:line of the definition
    pack: str = ""
    data: tuple[tuple[str, Any], ...] = field(default=())

    @property
    def criterion(self) -> Criterion:
        return max(self.criteria, key=lambda c: c[1])[0]


def _err(msg: str, where: MDict | MList | None, key: str | None = None) -> SchemaError:
    if isinstance(where, MDict) and key is not None:
        return SchemaError(msg, where.at(key))
    return SchemaError(msg, getattr(where, "pos", (0, 0)))


def _str_list(value: Any, where: MDict, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise _err(f"“{key}”必须是字符串列表", where, key)
    return tuple(str(v) for v in value)


def expand_plan_types(values: tuple[str, ...], where: MDict, key: str) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        v = PLAN_TYPE_ALIASES.get(v, v)
        if v in PLAN_GROUPS:
            out.extend(PLAN_GROUPS[v])
        elif v in PLAN_TYPES:
            out.append(v)
        else:
            raise _err(f"未知的预案类型“{v}”（可用：{'、'.join(PLAN_TYPES)}，或分组 {'、'.join(PLAN_GROUPS)}）",
                       where, key)
    return tuple(dict.fromkeys(out))


def parse_spec(node: Any, where: MDict, key: str, extractors: frozenset[str], checks: frozenset[str]) -> Spec:
    if isinstance(node, list):  # shorthand: a bare list is "all of"
        node_list = MList(node)
        node_list.pos = getattr(node, "pos", where.at(key))
        return Spec("all", tuple(parse_spec(n, where, key, extractors, checks) for n in node))
    if not isinstance(node, MDict):
        raise _err(f"“{key}”必须是一个证据表达式（映射）", where, key)
    kinds = [k for k in node if k in SPEC_KINDS]
    if len(kinds) != 1:
        raise _err(f"证据表达式必须恰好包含一种类型（{'/'.join(SPEC_KINDS)}），实际为：{'、'.join(node) or '空'}",
                   node, kinds[1] if len(kinds) > 1 else None)
    kind = kinds[0]
    allowed = SPEC_MODIFIERS[kind] | {kind}
    if kind == "table":
        allowed |= {"columns", "min_rows"}
    for k in node:
        if k not in allowed:
            raise _err(f"“{kind}”证据不支持键“{k}”（可用：{'、'.join(sorted(allowed))}）", node, k)
    arg = node[kind]
    common: dict[str, Any] = {"label": node.get("label")}
    if "min" in node:
        if not isinstance(node["min"], int) or node["min"] < 1:
            raise _err("“min”必须是正整数", node, "min")
        common["min"] = node["min"]
    if kind == "keywords":
        words = _str_list(arg, node, kind)
        if not words:
            raise _err("关键词列表不能为空", node, kind)
        mode = node.get("mode", "any")
        if mode not in ("any", "all"):
            raise _err("“mode”只能是 any 或 all", node, "mode")
        fuzzy = node.get("fuzzy")
        if fuzzy is not None and (not isinstance(fuzzy, int) or not 50 <= fuzzy <= 100):
            raise _err("“fuzzy”必须是 50–100 的整数", node, "fuzzy")
        return Spec("keywords", words, mode=mode, tokens=bool(node.get("tokens", False)), fuzzy=fuzzy, **common)
    if kind == "regex":
        patterns = _str_list(arg, node, kind)
        import regex

        for p in patterns:
            try:
                regex.compile(p)
            except regex.error as exc:
                raise _err(f"正则表达式无效：{exc}", node, kind) from exc
        return Spec("regex", patterns, **common)
    if kind == "extract":
        if arg not in extractors:
            raise _err(f"未知的提取器“{arg}”（可用：{'、'.join(sorted(extractors))}）", node, kind)
        return Spec("extract", arg, flag=node.get("flag"), distinct=bool(node.get("distinct", True)), **common)
    if kind == "table":
        cols = node.get("columns", arg if isinstance(arg, list) else ())
        columns = tuple(_str_list(cols, node, "columns")) if cols else ()
        groups = tuple(tuple(c.split("|")) for c in columns)  # "电话|手机|联系方式" = any of
        min_rows = node.get("min_rows", 1)
        if not isinstance(min_rows, int) or min_rows < 1:
            raise _err("“min_rows”必须是正整数", node, "min_rows")
        return Spec("table", groups, min_rows=min_rows, **common)
    if kind == "check":
        if arg not in checks:
            raise _err(f"未知的检查“{arg}”（可用：{'、'.join(sorted(checks))}）", node, kind)
        opts = node.get("options") or {}
        if not isinstance(opts, dict):
            raise _err("“options”必须是映射", node, "options")
        return Spec("check", arg, options=tuple(sorted((str(k), _freeze(v)) for k, v in opts.items())), **common)
    if kind == "heading":
        return Spec("heading", _str_list(arg, node, kind), **common)
    if kind in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise _err(f"“{kind}”必须是非空列表", node, kind)
        within = node.get("within")
        if within not in (None, "unit"):
            raise _err("“within”只能是 unit（同一段落或表格行）", node, "within")
        return Spec(kind, tuple(parse_spec(n, node, kind, extractors, checks) for n in arg), within=within,
                    **common)
    if kind == "not":
        return Spec("not", parse_spec(arg, node, kind, extractors, checks), **common)
    # if/then
    if "then" not in node:
        raise _err("“if”必须与“then”一起使用", node, kind)
    return Spec(
        "if",
        parse_spec(arg, node, kind, extractors, checks),
        then=parse_spec(node["then"], node, "then", extractors, checks),
        **common,
    )


def _freeze(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((str(k), _freeze(x)) for k, x in v.items()))
    return v


def _criteria(value: Any, where: MDict) -> tuple[tuple[Criterion, float], ...]:
    names = {c.value: c for c in Criterion}
    if isinstance(value, str):
        if value not in names:
            raise _err(f"未知的评价维度“{value}”（可用：针对性、实用性、可操作性）", where, "criterion")
        return ((names[value], 1.0),)
    if isinstance(value, dict) and value:
        out = []
        for k, w in value.items():
            if k not in names:
                raise _err(f"未知的评价维度“{k}”", where, "criterion")
            if not isinstance(w, (int, float)) or w <= 0:
                raise _err("评价维度的权重必须是正数", where, "criterion")
            out.append((names[k], float(w)))
        total = sum(w for _, w in out)
        return tuple((c, w / total) for c, w in out)
    raise _err("“criterion”必须是维度名称或 {维度: 权重} 映射", where, "criterion")


def _examples(node: Any, where: MDict) -> Examples:
    if not isinstance(node, MDict):
        raise _err("“examples”必须包含 pass 与 fail", where, "examples")
    for k in node:
        if k not in ("pass", "fail", "plan_type"):
            raise _err(f"“examples”不支持键“{k}”", node, k)
    def texts(k: str) -> tuple[str, ...]:
        v = node.get(k)
        if isinstance(v, str) and v.strip():
            return (v,)
        if isinstance(v, list) and v and all(isinstance(x, str) and x.strip() for x in v):
            return tuple(v)
        raise _err(f"每条规则都必须有非空的 examples.{k}", node if k in node else where, k if k in node else "examples")
    pt = node.get("plan_type")
    if pt is not None:
        pt = expand_plan_types((pt,), node, "plan_type")[0]
    return Examples(texts("pass"), texts("fail"), pt)


def parse_rule(node: Any, source_file: str, pack: str, extractors: frozenset[str],
               checks: frozenset[str]) -> Rule:
    if not isinstance(node, MDict):
        raise SchemaError("规则必须是映射", getattr(node, "pos", (1, 1)))
    for k in node:
        if k not in RULE_KEYS:
            raise _err(f"未知的规则键“{k}”", node, k)
    for k in REQUIRED_RULE_KEYS:
        if k not in node or node[k] in (None, "", []):
            raise _err(f"规则缺少必填键“{k}”", node)
    rid = str(node["id"])
    if not RULE_ID.match(rid):
        raise _err(f"规则编号“{rid}”格式不对（应为 YJ 加三位数字，如 YJ503）", node, "id")
    if not RULE_NAME.match(str(node["name"])):
        raise _err("“name”必须是小写英文短横线格式，如 response-level-triggers", node, "name")
    try:
        severity = Severity(node["severity"])
    except ValueError as exc:
        raise _err("“severity”只能是 error、warning 或 info", node, "severity") from exc
    weight = node.get("weight", 3)
    if not isinstance(weight, (int, float)) or weight <= 0:
        raise _err("“weight”必须是正数", node, "weight")
    status = node.get("status", "stable")
    if status not in STATUSES:
        raise _err("“status”只能是 preview、stable 或 deprecated", node, "status")
    applies = PLAN_TYPES
    if "applies_to" in node:
        applies = expand_plan_types(_str_list(node["applies_to"], node, "applies_to"), node, "applies_to")
    scope = Scope()
    if "scope" in node:
        sn = node["scope"]
        if not isinstance(sn, MDict):
            raise _err("“scope”必须是映射", node, "scope")
        for k in sn:
            if k not in SCOPE_KEYS:
                raise _err(f"“scope”不支持键“{k}”", sn, k)
        fallback = sn.get("fallback", "document")
        if fallback not in ("none", "document", "document_full"):
            raise _err("“fallback”只能是 none、document 或 document_full", sn, "fallback")
        scope = Scope(
            headings=_str_list(sn.get("headings", []), sn, "headings"),
            include_children=bool(sn.get("include_children", True)),
            fallback=fallback,
            threshold=int(sn.get("threshold", 85)),
            exclude=_str_list(sn.get("exclude", []), sn, "exclude"),
        )
    specs = {
        k: parse_spec(node[k], node, k, extractors, checks) if k in node else None
        for k in ("evidence", "partial", "forbid", "when")
    }
    if specs["evidence"] is None and specs["forbid"] is None:
        raise _err("规则必须有“evidence”或“forbid”之一", node)
    refs = _str_list(node["references"], node, "references")
    return Rule(
        id=rid,
        name=str(node["name"]),
        title=str(node["title"]),
        criteria=_criteria(node["criterion"], node),
        severity=severity,
        weight=float(weight),
        why=str(node["why"]).strip(),
        message=str(node["message"]).strip(),
        suggestion=str(node["suggestion"]).strip() if node.get("suggestion") else None,
        references=refs,
        examples=_examples(node["examples"], node),
        scope=scope,
        evidence=specs["evidence"],
        partial=specs["partial"],
        forbid=specs["forbid"],
        when=specs["when"],
        applies_to=applies,
        status=status,
        key=bool(node.get("key", False)),
        element=node.get("element"),
        pass_message=node.get("pass_message"),
        source=f"{source_file}:{node.pos[0]}",
        pack=pack,
    )
