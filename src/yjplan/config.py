"""`.yjplan.yaml` → a frozen Config, and the per-file AuditOptions it implies.

The file is found by walking up from the working directory (or named with --config). Its schema
is closed: an unknown key, a bad level or a waiver without a reason is a ConfigError that says
file:line:col, never a silently ignored setting. The keys are documented in docs/config.md.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from yjplan.errors import ConfigError, RulePackError, WaiverError
from yjplan.pipeline import AuditOptions

if TYPE_CHECKING:
    from yjplan.rules.schema import Rule
    from yjplan.rules.yamlpos import MDict

CONFIG_NAMES = (".yjplan.yaml", ".yjplan.yml", "yjplan.yaml")
CONFIG_KEYS = ("rules", "select", "ignore", "severity", "fail_on", "fail_under", "include", "exclude",
               "plan_types", "waivers", "baseline")
WAIVER_KEYS = ("rule", "files", "reason", "expires")
LEVELS = ("error", "warning", "info")
FAIL_ON = ("error", "warning", "info", "none")
DEFAULT_BASELINE = ".yjplan-baseline.json"


@dataclass(frozen=True, slots=True)
class Waiver:
    """An exception with a reason: gaps of ``rule`` in ``files`` are reported as waived."""

    rule: str
    files: tuple[str, ...]  # globs relative to the config file's folder; empty = every file
    reason: str
    expires: date | None
    where: str  # "path:line:col" of the entry, for messages
    line: int = 0  # line of the entry in the config file, for SARIF notifications

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def describe(self) -> str:
        scope = "、".join(self.files) if self.files else "全部文件"
        return f"{self.rule}（{scope}，{self.where}）"


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    root: Path | None = None  # the config file's folder: globs and relative paths start here
    rule_packs: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    fail_on: str = "error"
    fail_under: float | None = None
    plan_types: tuple[tuple[str, str], ...] = ()  # glob → plan type, first match wins
    include: tuple[str, ...] = ()  # empty = every supported plan file
    exclude: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    baseline: Path | None = None

    def relative(self, file: Path | str) -> str:
        """The file's path relative to the config folder (or cwd without a config), in posix form."""
        return relative_posix(Path(file), self.root or Path.cwd())

    def matches(self, file: Path | str, patterns: tuple[str, ...]) -> bool:
        rel = self.relative(file)
        return any(glob_match(p, rel) for p in patterns)

    def wants(self, file: Path | str) -> bool:
        """Whether a file found under a folder is a plan to audit (include/exclude globs)."""
        from yjplan.parse import SUPPORTED_SUFFIXES

        if self.include:
            if not self.matches(file, self.include):
                return False
        elif Path(file).suffix.lower() not in SUPPORTED_SUFFIXES:
            return False
        return not self.matches(file, self.exclude)

    def plan_type_for(self, file: Path | str) -> str | None:
        for pattern, plan_type in self.plan_types:
            if self.matches(file, (pattern,)):
                return plan_type
        return None


# --- globs -----------------------------------------------------------------------------------


def relative_posix(file: Path, root: Path) -> str:
    resolved = file.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


@functools.cache
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """gitignore-like globs: ``*`` and ``?`` stay inside one folder, ``**`` crosses folders, and a
    pattern without a slash matches the file name in any folder."""
    pattern = pattern.strip().removeprefix("./")
    if "/" not in pattern.rstrip("/"):
        pattern = "**/" + pattern
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2:]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    if pattern.endswith("/"):  # "docs/" means everything under docs
        out.append(".*")
    return re.compile("".join(out) + r"\Z")


def glob_match(pattern: str, rel_path: str) -> bool:
    return _glob_regex(pattern).match(PurePosixPath(rel_path).as_posix()) is not None


# --- the rule catalogue waivers and severity overrides are checked against -------------------


@functools.cache
def rule_catalog(extra_packs: tuple[str, ...] = ()) -> dict[str, Rule]:
    """Every rule of the built-in packs and of ``extra_packs``, by id (first definition wins)."""
    from yjplan.rules.load import builtin_pack_ids, load_pack

    rules: dict[str, Rule] = {}
    for ref in (*(f"builtin:{p}" for p in builtin_pack_ids()), *extra_packs):
        for r in load_pack(ref).rules:
            rules.setdefault(r.id, r)
    return rules


def _rule_id(value: str, catalog: dict[str, Rule]) -> str | None:
    if value in catalog:
        return value
    return next((r.id for r in catalog.values() if r.name == value), None)


# --- loading ---------------------------------------------------------------------------------


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def load_config(path: Path | None = None) -> Config:
    if path is None:
        found = find_config(Path.cwd().resolve())
        if found is None:
            return Config()
        path = Path(os.path.relpath(found))  # messages read ".yjplan.yaml:12:5", not a long absolute path
    if not path.is_file():
        raise ConfigError("找不到配置文件", path=path)
    return parse_config(path.read_text(encoding="utf-8-sig"), path)


def _fail(cls: type[ConfigError], message: str, path: Path, pos: tuple[int, int]) -> ConfigError:
    return cls(f"{message}（{path}:{pos[0]}:{pos[1]}）")


class _Reader:
    """Typed access to one mapping of the config file; every error carries file:line:col."""

    def __init__(self, path: Path, node: MDict) -> None:
        self.path, self.node = path, node

    def err(self, message: str, key: str | None = None, *, cls: type[ConfigError] = ConfigError) -> ConfigError:
        return _fail(cls, message, self.path, self.node.at(key) if key else self.node.pos)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.node.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                  for v in value):
            raise self.err(f"“{key}”必须是字符串列表", key)
        return tuple(str(v) for v in value)

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.node.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.err(f"“{key}”必须是映射（键: 值）", key)
        return value


def parse_config(text: str, path: Path) -> Config:
    from yjplan.rules.yamlpos import MDict, YamlError, load_yaml

    try:
        data = load_yaml(text)
    except YamlError as exc:
        # Only `expires:` holds a date, so an impossible date is always a waiver's.
        cls = WaiverError if exc.message.startswith("无效的日期") else ConfigError
        raise _fail(cls, exc.message, path, (exc.line, exc.col)) from exc
    if data is None:
        data = MDict()
        data.pos, data.key_pos = (1, 1), {}
    if not isinstance(data, MDict):
        raise _fail(ConfigError, "配置文件的顶层必须是映射（键: 值）", path, getattr(data, "pos", (1, 1)))
    top = _Reader(path, data)
    for key in data:
        if key not in CONFIG_KEYS:
            raise top.err(f"未知的配置项“{key}”（可用：{'、'.join(CONFIG_KEYS)}）", key)
    root = path.resolve().parent

    packs = tuple(_pack_ref(ref, top, root) for ref in top.strings("rules"))

    fail_on = data.get("fail_on", "error")
    if fail_on not in FAIL_ON:
        raise top.err(f"“fail_on”只能是 {'、'.join(FAIL_ON)}", "fail_on")
    fail_under = data.get("fail_under")
    if fail_under is not None and (isinstance(fail_under, bool) or not isinstance(fail_under, (int, float))
                                   or not 0 <= fail_under <= 100):
        raise top.err("“fail_under”必须是 0–100 之间的数", "fail_under")

    catalog: dict[str, Rule] | None = None

    def known(rule: str) -> str | None:
        nonlocal catalog
        if catalog is None:
            catalog = rule_catalog(packs)
        return _rule_id(rule, catalog)

    severity: list[tuple[str, str]] = []
    sev_node = top.mapping("severity")
    for rule, level in sev_node.items():
        where = _Reader(path, sev_node)  # type: ignore[arg-type]
        if level not in LEVELS:
            raise where.err(f"规则 {rule} 的级别只能是 {'、'.join(LEVELS)}", rule)
        rid = known(rule)
        if rid is None:
            raise where.err(f"severity 中的规则 {rule} 不存在", rule)
        severity.append((rid, str(level)))

    from yjplan.rules.schema import PLAN_TYPE_ALIASES, PLAN_TYPES

    plan_types: list[tuple[str, str]] = []
    pt_node = top.mapping("plan_types")
    for pattern, plan_type in pt_node.items():
        normalized = PLAN_TYPE_ALIASES.get(str(plan_type), str(plan_type))
        if normalized not in PLAN_TYPES:
            raise _Reader(path, pt_node).err(  # type: ignore[arg-type]
                f"未知的预案类型“{plan_type}”（可用：{'、'.join(PLAN_TYPES)}）", pattern)
        plan_types.append((pattern, normalized))

    baseline = data.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise top.err("“baseline”必须是文件路径", "baseline")

    return Config(
        path=path,
        root=root,
        rule_packs=packs,
        select=top.strings("select"),
        ignore=top.strings("ignore"),
        severity=tuple(severity),
        fail_on=str(fail_on),
        fail_under=float(fail_under) if fail_under is not None else None,
        plan_types=tuple(plan_types),
        include=top.strings("include"),
        exclude=top.strings("exclude"),
        waivers=_waivers(top, known),
        baseline=(root / baseline) if baseline else None,
    )


def _pack_ref(ref: str, top: _Reader, root: Path) -> str:
    """Pack paths in the config are relative to the config file, whatever the working directory."""
    if ref.startswith("builtin:"):
        return ref
    from yjplan.rules.load import resolve_pack_dir

    try:
        return str(resolve_pack_dir(ref, root))
    except RulePackError as exc:
        raise top.err(f"rules 中的规则包无法使用：{exc.message}", "rules") from exc


def _waivers(top: _Reader, known: Any) -> tuple[Waiver, ...]:
    from yjplan.rules.yamlpos import MDict, MList

    node = top.node.get("waivers")
    if node is None:
        return ()
    if not isinstance(node, MList):
        raise top.err("“waivers”必须是列表", "waivers", cls=WaiverError)
    out: list[Waiver] = []
    for item, pos in zip(node, node.item_pos, strict=True):
        if not isinstance(item, MDict):
            raise _fail(WaiverError, "每条豁免必须是映射（rule、files、reason、expires）", top.path, pos)
        w = _Reader(top.path, item)
        for key in item:
            if key not in WAIVER_KEYS:
                raise w.err(f"豁免中未知的键“{key}”（可用：{'、'.join(WAIVER_KEYS)}）", key, cls=WaiverError)
        rule = item.get("rule")
        if not isinstance(rule, str) or not rule.strip():
            raise w.err("豁免缺少“rule”（规则编号）", "rule", cls=WaiverError)
        rid = known(rule.strip())
        if rid is None:
            raise w.err(f"豁免中的规则 {rule} 不存在", "rule", cls=WaiverError)
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise w.err(f"规则 {rid} 的豁免缺少理由（reason）", "reason" if "reason" in item else None,
                        cls=WaiverError)
        expires = item.get("expires")
        bad_date = w.err(f"豁免的到期日“{expires}”格式不对，应写成 2026-12-31", "expires", cls=WaiverError)
        if isinstance(expires, str):  # a quoted date is still a date
            try:
                expires = date.fromisoformat(expires.strip())
            except ValueError:
                raise bad_date from None
        elif expires is not None and not isinstance(expires, date):
            raise bad_date
        files = w.strings("files")
        out.append(Waiver(rule=rid, files=files, reason=reason.strip(), expires=expires,
                          where=f"{top.path}:{pos[0]}:{pos[1]}", line=pos[0]))
    return tuple(out)


def options_from(cfg: Config, file: Path, *, plan_type: str | None = None, rules: tuple[str, ...] = (),
                 select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> AuditOptions:
    """Command-line values win over the config; --ignore adds to the config's ignore list."""
    return AuditOptions(
        plan_type=plan_type or cfg.plan_type_for(file),
        rule_packs=cfg.rule_packs + rules,
        select=select or cfg.select,
        ignore=cfg.ignore + ignore,
        severity=cfg.severity,
    )
