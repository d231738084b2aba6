"""The matcher on small documents: scope by heading synonyms, fallback to the whole document,
partial credit, forbid specs, not-applicable, and evidence that quotes the text verbatim."""

from __future__ import annotations

from datetime import date

from yjplan.match.engine import evaluate_rule
from yjplan.match.evidence import Context
from yjplan.model import Outcome
from yjplan.rules.examples import example_document
from yjplan.rules.schema import parse_rule
from yjplan.rules.yamlpos import load_yaml

EXTRACTORS = frozenset({"phone", "time_limit", "trigger_condition", "placeholder", "placeholder_phone", "quantity",
                        "response_level", "action_step", "role", "vague_duty", "date", "person_name", "slogan"})
CHECKS = frozenset({"vague_duties", "placeholders", "stale_plan", "issue_date"})

BASE = """
id: YJ990
name: test-rule
title: 测试规则
criterion: 可操作性
severity: error
why: 因为。
message: 缺少内容。
references: [测试]
examples: {pass: "a", fail: "b"}
"""


def rule(extra: str):
    return parse_rule(load_yaml(BASE + extra), "test.yaml", "test", EXTRACTORS, CHECKS)


def run(r, text: str, plan_type: str = "乡镇"):
    doc = example_document(text)
    return evaluate_rule(r, doc, Context(doc=doc, today=date(2026, 6, 30), plan_type=plan_type)), doc


TIME_RULE = """
scope: {headings: [信息报告, 报告程序]}
evidence: {extract: time_limit}
"""


def test_evidence_in_the_named_section_passes_with_a_verbatim_quote() -> None:
    f, doc = run(rule(TIME_RULE), "1 总则\n本预案适用于全镇。\n2 信息报告\n事发村应在30分钟内报告镇应急办。\n")
    assert f.outcome == Outcome.PASS
    assert f.evidence and "30分钟内" in f.evidence[0].quote
    assert f.evidence[0].quote in doc.root.full_text()
    assert f.evidence[0].section_path == ("2 信息报告",)
    assert f.evidence[0].location.line == 4


def test_evidence_outside_the_section_is_partial_and_says_so() -> None:
    f, _ = run(rule(TIME_RULE), "1 总则\n事发村应在30分钟内报告。\n2 信息报告\n要及时报告。\n")
    assert f.outcome == Outcome.PARTIAL
    assert "散见" in (f.detail or "")


def test_no_section_and_no_evidence_fails_and_names_where_it_looked() -> None:
    f, _ = run(rule(TIME_RULE), "1 总则\n要及时报告。\n")
    assert f.outcome == Outcome.FAIL
    assert not f.evidence
    assert any("信息报告" in s for s in f.looked_in)


def test_fallback_none_does_not_search_the_document() -> None:
    r = rule("scope: {headings: [信息报告], fallback: none}\nevidence: {extract: time_limit}\n")
    f, _ = run(r, "1 总则\n事发村应在30分钟内报告。\n")
    assert f.outcome == Outcome.FAIL


def test_partial_spec_gives_partial_credit() -> None:
    r = rule("evidence: {extract: trigger_condition, min: 2}\npartial: {keywords: [启动]}\n")
    f, _ = run(r, "6 应急响应\n视情启动响应。\n")
    assert f.outcome == Outcome.PARTIAL


def test_all_combinator_reports_what_is_missing() -> None:
    r = rule("evidence:\n  all:\n    - {keywords: [值班电话], label: 值班电话说明}\n    - {extract: phone, label: 电话号码}\n")
    f, _ = run(r, "5 信息报告\n镇值班电话另行通知。\n")
    assert f.outcome in (Outcome.PARTIAL, Outcome.FAIL)
    assert "电话号码" in (f.detail or "")


def test_forbid_finds_defects_and_quotes_them() -> None:
    r = rule("forbid: {check: placeholders}\n")
    f, _ = run(r, "附件1 联系方式\n总指挥 XXX 电话 1380000xxxx\n")
    assert f.outcome == Outcome.FAIL
    assert any("1380000xxxx" in e.quote or "XXX" in e.quote for e in f.evidence)


def test_forbid_only_rule_passes_when_clean_and_says_where_it_looked() -> None:
    f, _ = run(rule("forbid: {check: placeholders}\n"), "附件1 联系方式\n总指挥 张明 13908391234\n")
    assert f.outcome == Outcome.PASS
    assert f.looked_in == ("全文",)


def test_forbid_turns_a_present_element_into_partial() -> None:
    r = rule("evidence: {extract: phone}\nforbid: {check: placeholders}\n")
    f, _ = run(r, "附件1 联系方式\n总指挥 张明 13908391234\n副总指挥 XXX 1380000xxxx\n")
    assert f.outcome == Outcome.PARTIAL


def test_rule_not_for_this_plan_type_is_not_applicable() -> None:
    r = rule("applies_to: [现场处置方案]\nevidence: {extract: phone}\n")
    f, _ = run(r, "1 总则\n电话 13908391234\n", plan_type="乡镇")
    assert f.outcome == Outcome.NOT_APPLICABLE


def test_when_condition_gates_the_rule() -> None:
    r = rule("when: {heading: [处置卡]}\nevidence: {extract: action_step, min: 3}\n")
    f, _ = run(r, "1 总则\n本预案适用于全镇。\n")
    assert f.outcome == Outcome.NOT_APPLICABLE


def test_stale_plan_uses_the_document_date() -> None:
    r = rule("forbid: {check: stale_plan, options: {years: 3}}\n")
    old, _ = run(r, "柳湾村应急预案\n二〇一九年六月\n1 总则\n")
    new, _ = run(r, "柳湾村应急预案\n二〇二五年三月\n1 总则\n")
    assert old.outcome == Outcome.FAIL and new.outcome == Outcome.PASS


def test_table_spec_needs_columns_and_rows() -> None:
    r = rule("evidence: {table: null, columns: [姓名, 电话|手机], min_rows: 2}\n")
    good, _ = run(r, "附件1\n\n|职务|姓名|手机|\n|---|---|---|\n|总指挥|张明|13908391234|\n|副总指挥|李强|13908395678|\n")
    thin, _ = run(r, "附件1\n\n|职务|姓名|手机|\n|---|---|---|\n|总指挥|张明|13908391234|\n")
    assert good.outcome == Outcome.PASS
    assert good.evidence[0].location.table == 1
    assert thin.outcome in (Outcome.PARTIAL, Outcome.FAIL)


def test_all_within_unit_needs_both_parts_in_one_paragraph_or_row() -> None:
    r = rule("evidence:\n  all:\n    - {regex: 值班电话}\n    - {extract: phone}\n  within: unit\n")
    apart, _ = run(r, "5 信息报告\n值班电话另行公布。\n附件1\n总指挥 张明 13908391234\n")
    together, _ = run(r, "5 信息报告\n镇24小时值班电话：0839-5551234。\n")
    in_row, _ = run(r, "附件1\n\n|项目|号码|\n|---|---|\n|值班电话|0839-5551234|\n")
    assert apart.outcome in (Outcome.PARTIAL, Outcome.FAIL)
    assert together.outcome == Outcome.PASS
    assert in_row.outcome == Outcome.PASS and in_row.evidence[0].location.row == 2


def test_keywords_on_jieba_tokens_respect_word_boundaries() -> None:
    r = rule("evidence: {keywords: [镇长], tokens: true}\n")
    inside_a_word, _ = run(r, "2 组织体系\n各乡镇长期坚持值班制度。\n")
    a_word, _ = run(r, "2 组织体系\n由镇长任总指挥。\n")
    plain = rule("evidence: {keywords: [镇长]}\n")
    substring, _ = run(plain, "2 组织体系\n各乡镇长期坚持值班制度。\n")
    assert inside_a_word.outcome != Outcome.PASS
    assert a_word.outcome == Outcome.PASS
    assert substring.outcome == Outcome.PASS  # without tokens it is a plain substring match
