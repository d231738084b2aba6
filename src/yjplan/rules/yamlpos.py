"""Safe YAML loading that remembers where every mapping, key and list came from.

Rule packs and config files are edited by hand; an error has to say file:line:col. PyYAML's safe
loader composes a node tree with marks; we convert it ourselves so no tag can construct
arbitrary objects (only str/int/float/bool/null/date, lists and mappings).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import yaml

MAX_NODES = 200_000  # aliases can expand a small file exponentially (billion laughs)


class MDict(dict):  # type: ignore[type-arg]
    """A mapping that knows its own position and each key's position (1-based)."""

    pos: tuple[int, int] = (0, 0)
    key_pos: dict[str, tuple[int, int]]

    def at(self, key: str) -> tuple[int, int]:
        return self.key_pos.get(key, self.pos)


class MList(list):  # type: ignore[type-arg]
    pos: tuple[int, int] = (0, 0)
    item_pos: list[tuple[int, int]]


class YamlError(Exception):
    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "bool", "null", "int", "float", "timestamp", "map", "seq")
)


# libyaml's composer is about 10× faster than PyYAML's pure-Python one and gives the same nodes and
# marks; both are safe loaders, and we construct values ourselves either way.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(node: yaml.Node, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlError("YAML 内容过大（别名展开过多）", *_pos(node))
    if depth > 60:
        raise YamlError("嵌套层次过深", *_pos(node))
    if node.tag not in _STANDARD_TAGS:
        raise YamlError(f"不支持的 YAML 标签 {node.tag}", *_pos(node))
    if isinstance(node, yaml.MappingNode):
        out = MDict()
        out.pos = _pos(node)
        out.key_pos = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("不支持 YAML 合并键（<<）", *_pos(key_node))
            key = _convert(key_node, depth + 1, budget)
            if not isinstance(key, (str, int)):
                raise YamlError("键必须是字符串", *_pos(key_node))
            key = str(key)
            if key in out:
                raise YamlError(f"重复的键“{key}”", *_pos(key_node))
            out.key_pos[key] = _pos(key_node)
            out[key] = _convert(value_node, depth + 1, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = MList(_convert(v, depth + 1, budget) for v in node.value)
        seq.pos = _pos(node)
        seq.item_pos = [_pos(v) for v in node.value]
        return seq
    if isinstance(node, yaml.ScalarNode):
        value, tag = node.value, node.tag
        if tag == "tag:yaml.org,2002:str":
            return value
        if tag == "tag:yaml.org,2002:bool":
            return value.lower() in ("true", "yes", "on")
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:int":
            try:
                return int(value.replace("_", ""), 0)
            except ValueError:
                return value
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(value)
            except ValueError:
                return value
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                return _dt.date.fromisoformat(value[:10])
            except ValueError as exc:
                raise YamlError(f"无效的日期“{value}”", *_pos(node)) from exc
        # Any other tag (!!python/object, custom !tags) could construct objects: refuse it.
        raise YamlError(f"不支持的 YAML 标签 {tag}", *_pos(node))
    raise YamlError("无法识别的 YAML 结构", *_pos(node))


def load_yaml(text: str) -> Any:
    """Parse one YAML document; raises YamlError with a 1-based position."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(f"YAML 语法错误：{exc.problem or exc}", line, col) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML 语法错误：{exc}", 1, 1) from exc
    if node is None:
        return None
    return _convert(node, 0, [MAX_NODES])


def load_yaml_file(path: Path) -> Any:
    return load_yaml(path.read_text(encoding="utf-8"))
