"""Rule packs on disk → a frozen RulePack (extends, disable, override, data), with located errors.

A pack is a folder: ``pack.yaml`` (id, title, version, extends, plan_types, disable, override,
retired) beside rule files (``YJ*.yaml``, each a list of rules) and ``data/*.yaml`` (tables the
checks read, e.g. superseded documents). Built-in packs ship inside the wheel as
``yjplan/_packs`` and are found next to the source tree in a checkout.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from yjplan.errors import RulePackError
from yjplan.model import Severity
from yjplan.rules.names import CHECK_NAMES, EXTRACTOR_NAMES
from yjplan.rules.schema import PLAN_TYPES, Rule, SchemaError, Spec, expand_plan_types, parse_rule
from yjplan.rules.yamlpos import MDict, YamlError, load_yaml

PACK_KEYS = {"id", "title", "version", "extends", "plan_types", "disable", "override", "retired", "description",
             "type_packs", "families"}
OVERRIDE_KEYS = {"severity", "weight", "status"}


@dataclass(frozen=True, slots=True)
class RulePack:
    id: str
    title: str
    version: str
    rules: tuple[Rule, ...]
    plan_types: tuple[str, ...]
    data: tuple[tuple[str, Any], ...]
    type_packs: tuple[tuple[str, str], ...] = ()
    families: tuple[tuple[str, str], ...] = ()
    retired: tuple[str, ...] = ()
    digest: str = ""  # hash of every file that went into the pack: the cache key for results
    # every rule pattern compiled once per pack (pattern → regex.Pattern), not once per document
    patterns: tuple[tuple[str, Any], ...] = field(default=(), compare=False, repr=False)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def rule(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id or r.name == rule_id:
                return r
        return None

    def data_get(self, key: str, default: Any = None) -> Any:
        for k, v in self.data:
            if k == key:
                return v
        return default


def builtin_root() -> Path:
    """Where the built-in packs are: inside the installed wheel, or rules/ in a checkout."""
    try:
        packaged = resources.files("yjplan").joinpath("_packs")
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover
        pass
    return Path(__file__).resolve().parents[3] / "rules"


def _where(path: Path, pos: tuple[int, int]) -> str:
    return f"{path}:{pos[0]}:{pos[1]}"


def _load(path: Path) -> Any:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except YamlError as exc:
        raise RulePackError(f"{exc.message}（{_where(path, (exc.line, exc.col))}）") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(f"无法读取规则文件（{exc}）", path=path) from exc


def resolve_pack_dir(ref: str, relative_to: Path | None = None) -> Path:
    name = ref.removeprefix("builtin:")
    if ref.startswith("builtin:") or (relative_to is None and not Path(ref).exists()):
        candidate = builtin_root() / name
        if (candidate / "pack.yaml").is_file():
            return candidate
        if ref.startswith("builtin:"):
            raise RulePackError(f"找不到内置规则包“{name}”")
    path = Path(ref)
    if relative_to is not None and not path.is_absolute():
        local = relative_to / path
        path = local if local.exists() else builtin_root() / ref
    if path.is_file() and path.name == "pack.yaml":
        path = path.parent
    if not (path / "pack.yaml").is_file():
        raise RulePackError(f"不是规则包目录（缺少 pack.yaml）：{path}")
    # one spelling per folder: "a/../b/../a" must meet "a" in the cycle check and the cache
    return path.resolve()


def load_pack(ref: str | Path) -> RulePack:
    return _load_pack_cached(str(resolve_pack_dir(str(ref))))


# The packs being loaded right now, outermost first: how an ``extends`` cycle is caught. It is a
# call-stack marker (set and reset around each load), not a cache, so the cache below can be keyed
# by folder alone and a parent such as base is parsed once per process, not once per pack that
# extends it (keyed by folder and chain, base was parsed twice in every audit).
_LOADING: ContextVar[tuple[str, ...]] = ContextVar("yjplan_packs_loading", default=())


@functools.cache
def _load_pack_cached(pack_dir: str) -> RulePack:
    # Parsed afresh in each process (libyaml composes the built-in packs in ~10 ms). A pickled
    # copy under the cache folder would be faster still, but unpickling a file that someone else
    # could write is a way to run code as the user; see tests/reliability/test_safety.py.
    chain = _LOADING.get()
    if pack_dir in chain:
        raise RulePackError(f"规则包循环继承：{' → '.join([*chain, pack_dir])}")
    token = _LOADING.set((*chain, pack_dir))
    try:
        return _parse_pack(pack_dir)
    finally:
        _LOADING.reset(token)


def _parse_pack(pack_dir: str) -> RulePack:
    directory = Path(pack_dir)
    pack_file = directory / "pack.yaml"
    meta = _load(pack_file)
    if not isinstance(meta, MDict):
        raise RulePackError(f"pack.yaml 必须是映射（{_where(pack_file, (1, 1))}）")
    for k in meta:
        if k not in PACK_KEYS:
            raise RulePackError(f"pack.yaml 中未知的键“{k}”（{_where(pack_file, meta.at(k))}）")
    for k in ("id", "title", "version"):
        if k not in meta:
            raise RulePackError(f"pack.yaml 缺少“{k}”（{_where(pack_file, meta.pos)}）")
    pack_id = str(meta["id"])
    digest = hashlib.sha256()

    parents: list[RulePack] = []
    extends = meta.get("extends") or []
    for parent_ref in [extends] if isinstance(extends, str) else list(extends):
        parent_dir = resolve_pack_dir(str(parent_ref), directory)
        parents.append(_load_pack_cached(str(parent_dir)))

    rules: dict[str, Rule] = {}
    data: dict[str, Any] = {}
    type_packs: dict[str, str] = {}
    families: dict[str, str] = {}
    retired: set[str] = set()
    for parent in parents:
        digest.update(parent.digest.encode())
        for r in parent.rules:
            rules[r.id] = r
        data.update(parent.data)
        type_packs.update(parent.type_packs)
        families.update(parent.families)
        retired.update(parent.retired)

    try:
        plan_types = (
            expand_plan_types(tuple(str(v) for v in meta["plan_types"]), meta, "plan_types")
            if meta.get("plan_types") else PLAN_TYPES
        )
    except SchemaError as exc:
        raise RulePackError(f"{exc.message}（{_where(pack_file, exc.pos)}）") from exc
    retired.update(str(x) for x in meta.get("retired") or [])
    type_packs.update({str(k): str(v) for k, v in (meta.get("type_packs") or {}).items()})
    families.update({str(k): str(v) for k, v in (meta.get("families") or {}).items()})
    digest.update(pack_file.read_bytes())

    extractors, checks = EXTRACTOR_NAMES, CHECK_NAMES
    own_ids: dict[str, str] = {}
    names = {r.name: r.id for r in rules.values()}
    for rule_file in sorted(directory.glob("*.yaml")):
        if rule_file.name == "pack.yaml":
            continue
        digest.update(rule_file.name.encode() + rule_file.read_bytes())
        doc = _load(rule_file)
        if doc is None:
            continue
        if not isinstance(doc, list):
            raise RulePackError(f"规则文件必须是规则列表（{_where(rule_file, getattr(doc, 'pos', (1, 1)))}）")
        for node in doc:
            try:
                rule = parse_rule(node, str(rule_file), pack_id, extractors, checks)
            except SchemaError as exc:
                raise RulePackError(f"{exc.message}（{_where(rule_file, exc.pos)}）") from exc
            where = _where(rule_file, node.pos)
            if rule.id in own_ids or rule.id in rules:
                first = own_ids.get(rule.id) or rules[rule.id].source
                raise RulePackError(f"规则编号重复：{rule.id}（{where}，已在 {first} 定义）")
            if rule.id in retired:
                raise RulePackError(f"规则编号 {rule.id} 已退役，不能再用（{where}）")
            if rule.name in names:
                raise RulePackError(f"规则名称重复：{rule.name}（{where}）")
            own_ids[rule.id] = where
            names[rule.name] = rule.id
            rules[rule.id] = rule

    data_dir = directory / "data"
    if data_dir.is_dir():
        for data_file in sorted(data_dir.glob("*.yaml")):
            digest.update(data_file.name.encode() + data_file.read_bytes())
            data[data_file.stem] = _load(data_file)

    for rid in meta.get("disable") or []:
        if str(rid) not in rules:
            raise RulePackError(f"disable 中的规则 {rid} 不存在（{_where(pack_file, meta.at('disable'))}）")
        del rules[str(rid)]
    for rid, changes in (meta.get("override") or {}).items():
        pos = _where(pack_file, meta["override"].at(rid))
        if rid not in rules:
            raise RulePackError(f"override 中的规则 {rid} 不存在（{pos}）")
        if not isinstance(changes, dict) or not set(changes) <= OVERRIDE_KEYS:
            raise RulePackError(f"override 只能修改 {'、'.join(sorted(OVERRIDE_KEYS))}（{pos}）")
        rules[rid] = apply_override(rules[rid], changes, pos)

    return RulePack(
        id=pack_id,
        title=str(meta["title"]),
        version=str(meta["version"]),
        rules=tuple(sorted(rules.values(), key=lambda r: r.id)),
        plan_types=plan_types,
        data=tuple(data.items()),
        type_packs=tuple(type_packs.items()),
        families=tuple(families.items()),
        retired=tuple(sorted(retired)),
        digest=digest.hexdigest()[:16],
        patterns=_compiled_patterns(rules.values()),
    )


def _spec_patterns(spec: Spec | None) -> Iterator[str]:
    if spec is None:
        return
    if spec.kind == "regex":
        yield from spec.arg
    elif spec.kind in ("all", "any"):
        for part in spec.arg:
            yield from _spec_patterns(part)
    elif spec.kind in ("not", "if"):
        yield from _spec_patterns(spec.arg)
        yield from _spec_patterns(spec.then)


def _compiled_patterns(rules: Iterable[Rule]) -> tuple[tuple[str, Any], ...]:
    import regex

    found = {p for r in rules for s in (r.evidence, r.partial, r.forbid, r.when) for p in _spec_patterns(s)}
    return tuple((p, regex.compile(p)) for p in sorted(found))


def apply_override(rule: Rule, changes: dict[str, Any], where: str) -> Rule:
    kwargs: dict[str, Any] = {}
    if "severity" in changes:
        try:
            kwargs["severity"] = Severity(changes["severity"])
        except ValueError as exc:
            raise RulePackError(f"severity 只能是 error、warning 或 info（{where}）") from exc
    if "weight" in changes:
        if not isinstance(changes["weight"], (int, float)) or changes["weight"] <= 0:
            raise RulePackError(f"weight 必须是正数（{where}）")
        kwargs["weight"] = float(changes["weight"])
    if "status" in changes:
        kwargs["status"] = str(changes["status"])
    return replace(rule, **kwargs)


def pack_for_type(plan_type: str, base: RulePack | None = None) -> RulePack:
    """The built-in pack that serves a plan type (``type_packs`` in rules/base/pack.yaml)."""
    base = base or load_pack("builtin:base")
    mapping = dict(base.type_packs)
    target = mapping.get(plan_type)
    return load_pack(f"builtin:{target}") if target else base


def builtin_pack_ids() -> list[str]:
    root = builtin_root()
    return sorted(p.name for p in root.iterdir() if (p / "pack.yaml").is_file())
