"""Pack loading: a parent pack is parsed once per process, and an extends cycle is still an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from yjplan.errors import RulePackError
from yjplan.rules import load


def test_a_parent_pack_is_parsed_once_for_all_packs_that_extend_it(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    real = load._parse_pack

    def counting(pack_dir: str) -> load.RulePack:
        parsed.append(Path(pack_dir).name)
        return real(pack_dir)

    monkeypatch.setattr(load, "_parse_pack", counting)
    load._load_pack_cached.cache_clear()
    try:
        township = load.pack_for_type("乡镇")  # loads base (for type_packs), then township (extends base)
        village = load.load_pack("builtin:village")
    finally:
        load._load_pack_cached.cache_clear()  # the next test parses afresh, without the counter
    assert sorted(parsed) == ["base", "township", "village"]
    assert township.id == "township" and village.id == "village"


def _pack(folder: Path, pack_id: str, extends: str) -> None:
    folder.mkdir()
    (folder / "pack.yaml").write_text(f"id: {pack_id}\ntitle: 示例\nversion: '1'\nextends: {extends}\n", encoding="utf-8")


def test_an_extends_cycle_names_every_pack_in_it(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    _pack(a, "a", str(b))
    _pack(b, "b", f"[builtin:base, {c}]")
    _pack(c, "c", str(a))
    with pytest.raises(RulePackError) as err:
        load.load_pack(str(b))
    assert f"规则包循环继承：{b} → {c} → {a} → {b}" in str(err.value)
    # a failed load caches nothing: the same error again, and an unrelated pack still loads
    with pytest.raises(RulePackError, match="循环继承"):
        load.load_pack(str(a))
    assert load.load_pack("builtin:base").id == "base"


def test_a_cycle_through_relative_paths_is_caught(tmp_path: Path) -> None:
    # "../b" from a and "../a" from b: spelled differently each time round, the same two folders
    a, b = tmp_path / "a", tmp_path / "b"
    _pack(a, "a", "../b")
    _pack(b, "b", "../a")
    with pytest.raises(RulePackError, match="循环继承") as err:
        load.load_pack(str(a))
    resolved = tmp_path.resolve()
    assert f"{resolved / 'a'} → {resolved / 'b'} → {resolved / 'a'}" in str(err.value)
