"""Lint of the built-in rule packs: ids, texts, references, examples, id allotment, generated docs."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from yjplan.rules.load import builtin_pack_ids, builtin_root, load_pack
from yjplan.rules.schema import Rule

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
# Every reference names one of the sources catalogued in the reference notes (standards.md §1).
KNOWN_SOURCES = (
    "GB/T 29639", "评审指南", "突发事件应急预案管理办法", "生产安全事故应急预案管理办法", "突发事件应对法",
    "国家突发事件总体应急预案", "生产安全事故应急条例", "生产安全事故报告和调查处理条例", "应急厅函〔2023〕231号",
    "GB/T 46793", "机构改革", "standards.md", "安全生产法",
)  # fmt: skip
# Which numbers within a family each pack may use (rules/base/pack.yaml).
ALLOTMENT = {
    "base": range(1, 40), "government": range(40, 50), "township": range(50, 60), "village": range(60, 65),
    "enterprise": range(65, 75), "onsite": range(75, 80), "school": range(80, 85), "hospital": range(85, 90),
    "event": range(90, 95),
}  # fmt: skip
LEGACY_IDS = {"YJ910", "YJ911"}  # township ids from before the allotment


def _own_rules() -> list[Rule]:
    out: list[Rule] = []
    for pack_id in builtin_pack_ids():
        out.extend(r for r in load_pack(f"builtin:{pack_id}").rules if r.pack == pack_id)
    return out


RULES = _own_rules()


def test_every_builtin_pack_loads() -> None:
    ids = builtin_pack_ids()
    assert {"base", "government", "township", "village", "enterprise", "onsite", "school", "hospital",
            "event"} <= set(ids)
    for pack_id in ids:
        assert load_pack(f"builtin:{pack_id}").rules


def test_ids_are_unique_and_well_formed() -> None:
    sources: dict[str, set[str]] = defaultdict(set)
    for r in RULES:
        assert re.fullmatch(r"YJ\d{3}", r.id), r.id
        sources[r.id].add(r.source)
    dupes = {rid: s for rid, s in sources.items() if len(s) > 1}
    assert not dupes
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


def test_ids_follow_the_family_and_pack_allotment() -> None:
    base = load_pack("builtin:base")
    families = dict(base.families)
    for r in RULES:
        assert r.id[2] in families, r.id
        if r.id in LEGACY_IDS:
            continue
        assert int(r.id[3:]) in ALLOTMENT[r.pack], f"{r.id} is outside the numbers of pack {r.pack}"


def test_no_retired_id_is_reused() -> None:
    retired = {rid for p in builtin_pack_ids() for rid in load_pack(f"builtin:{p}").retired}
    assert not retired & {r.id for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_texts_are_chinese_and_complete(rule: Rule) -> None:
    for field in ("message", "why", "title"):
        value = getattr(rule, field)
        assert value and CJK.search(value), f"{rule.id}.{field}"
    assert rule.suggestion and CJK.search(rule.suggestion), f"{rule.id}.suggestion"
    assert rule.examples.passing and rule.examples.failing, rule.id


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_references_name_a_catalogued_source(rule: Rule) -> None:
    assert rule.references, rule.id
    for ref in rule.references:
        assert any(src in ref for src in KNOWN_SOURCES), f"{rule.id}: unknown source in “{ref}”"


def test_examples_name_a_plan_type_the_rule_applies_to() -> None:
    for r in RULES:
        if r.examples.plan_type is not None:
            assert r.examples.plan_type in r.applies_to, r.id


def test_overrides_and_disables_name_existing_rules() -> None:
    # load_pack raises on unknown ids; this also checks each type pack serves its plan types
    base = load_pack("builtin:base")
    for plan_type, pack_id in base.type_packs:
        assert plan_type in load_pack(f"builtin:{pack_id}").plan_types


def test_builtin_root_is_the_rules_folder_in_a_checkout() -> None:
    assert (builtin_root() / "base" / "pack.yaml").is_file()


def test_docs_rules_md_is_up_to_date() -> None:
    from yjplan.rules.docs import render_rule_list

    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    generated = render_rule_list(fmt="md")
    assert committed.rstrip("\n") == generated.rstrip("\n"), (
        "docs/rules.md is stale: run yjplan rules list --format md -o docs/rules.md"
    )
