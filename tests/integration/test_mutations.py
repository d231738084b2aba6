"""Mutation tests: damage a good real plan in one way and the matching finding must appear and the
matching criterion score must drop.

The plans are text files (the Markdown sample, corpus Markdown and text plans); each mutation edits
the text, writes it back into tmp_path with the same extension and encoding, and audits both
versions on a fixed date.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from yjplan.model import AuditResult, Criterion, Outcome
from yjplan.pipeline import AuditOptions, audit_file

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
FLOOD_MD = SAMPLES / "石桥镇防汛抗旱专项应急预案.md"
COUNTY_TXT = SAMPLES / "梧桐县应急管理局部门应急预案.txt"  # GBK, CRLF
HENGYANG = CORPUS / "24_hengyang_fangxun_kanghan.md"
XIAN = CORPUS / "06_xian_gonglu_jiaotong.txt"
TODAY = date(2026, 6, 30)

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")


def audit(path: Path, plan_type: str | None = None) -> AuditResult:
    return audit_file(path, AuditOptions(plan_type=plan_type, today=TODAY))


def outcome(result: AuditResult, rule_id: str) -> Outcome:
    return next(f.outcome for f in result.findings if f.rule_id == rule_id)


def score(result: AuditResult, criterion: Criterion) -> float:
    return next(s.score for s in result.scores if s.criterion == criterion)


def rewrite(src: Path, tmp_path: Path, change, encoding: str = "utf-8") -> Path:  # type: ignore[no-untyped-def]
    text = src.read_bytes().decode(encoding)
    changed = change(text)
    assert changed != text, "the mutation did not change the text"
    out = tmp_path / src.name
    out.write_bytes(changed.encode(encoding))
    return out


def drop_md_section(heading: str):  # type: ignore[no-untyped-def]
    """Remove a Markdown section: its heading line and everything up to the next heading of the same
    or a higher level."""

    def change(text: str) -> str:
        m = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, flags=re.M)
        assert m, heading
        level = len(m.group(1))
        nxt = re.compile(rf"^#{{1,{level}}} ", flags=re.M).search(text, m.end())
        return text[: m.start()] + (text[nxt.start():] if nxt else "")

    return change


def drop_numbered_section(number: str):  # type: ignore[no-untyped-def]
    """Remove a plain-text section "4.3 标题" up to the next heading numbered at its depth or above."""

    def change(text: str) -> str:
        m = re.search(rf"^{re.escape(number)}\s+\S.*$", text, flags=re.M)
        assert m, number
        depth = number.count(".")
        nxt = re.compile(rf"^\d+(?:\.\d+){{0,{depth}}}\s+\S", flags=re.M).search(text, m.end())
        return text[: m.start()] + (text[nxt.start():] if nxt else "")

    return change


def mask_phones(text: str) -> str:
    text = MOBILE.sub(lambda m: m.group(0)[:7] + "XXXX", text)
    return LANDLINE.sub(lambda m: m.group(0).split("-")[0] + "-XXXXXXX", text)


def check(before: AuditResult, after: AuditResult, rule_ids: tuple[str, ...], criterion: Criterion) -> None:
    for rule_id in rule_ids:
        assert outcome(before, rule_id) == Outcome.PASS, (rule_id, "the unmutated plan should pass")
        assert outcome(after, rule_id) in (Outcome.FAIL, Outcome.PARTIAL), (rule_id, "the mutation went unnoticed")
    assert score(after, criterion) < score(before, criterion)
    assert after.total < before.total


# --- deleting a section ---------------------------------------------------------------------------


def test_deleting_the_information_report_section(tmp_path: Path) -> None:
    before = audit(FLOOD_MD)
    after = audit(rewrite(FLOOD_MD, tmp_path, drop_md_section("7 信息报告")))
    check(before, after, ("YJ406", "YJ407"), Criterion.OPERABILITY)


def test_deleting_the_transfer_routes_section(tmp_path: Path) -> None:
    before = audit(FLOOD_MD)
    after = audit(rewrite(FLOOD_MD, tmp_path, drop_md_section("6.2 转移路线和安置点")))
    check(before, after, ("YJ603", "YJ612"), Criterion.PRACTICALITY)


@pytest.mark.corpus
def test_deleting_early_disposal_from_a_real_plan(corpus_dir: Path, tmp_path: Path) -> None:
    before = audit(XIAN, "专项")
    after = audit(rewrite(XIAN, tmp_path, drop_numbered_section("4.3")), "专项")
    check(before, after, ("YJ506",), Criterion.OPERABILITY)


@pytest.mark.corpus
def test_deleting_the_drill_section_from_a_real_plan(corpus_dir: Path, tmp_path: Path) -> None:
    before = audit(HENGYANG, "专项")
    after = audit(rewrite(HENGYANG, tmp_path, drop_md_section("（二）演练")), "专项")
    check(before, after, ("YJ801",), Criterion.PRACTICALITY)


# --- replacing phone numbers with XXXX ----------------------------------------------------------------


def test_masked_phone_numbers_in_the_markdown_sample(tmp_path: Path) -> None:
    before = audit(FLOOD_MD)
    after = audit(rewrite(FLOOD_MD, tmp_path, mask_phones))
    check(before, after, ("YJ606", "YJ405"), Criterion.PRACTICALITY)
    placeholder = next(f for f in after.findings if f.rule_id == "YJ606")
    assert any("XXXX" in e.quote for e in placeholder.evidence)


def test_masked_phone_numbers_in_a_gbk_text_plan(tmp_path: Path) -> None:
    before = audit(COUNTY_TXT)
    after = audit(rewrite(COUNTY_TXT, tmp_path, mask_phones, encoding="gbk"))
    check(before, after, ("YJ606", "YJ405"), Criterion.PRACTICALITY)


# --- stripping trigger conditions ---------------------------------------------------------------------


def restate_grades(text: str) -> str:
    """Replace the trigger table of 5.1 by levels that only restate the event grades."""
    start = text.index("| 级别 | 启动条件")
    end = text.index("### 5.2")
    restated = (
        "Ⅳ级响应：发生一般突发事件时启动。\n\nⅢ级响应：发生较大突发事件时启动。\n\n"
        "Ⅱ级响应：发生重大突发事件时启动。\n\nⅠ级响应：发生特别重大突发事件时启动。\n\n"
    )
    return text[:start] + restated + text[end:]


def test_stripping_trigger_conditions(tmp_path: Path) -> None:
    before = audit(FLOOD_MD)
    after = audit(rewrite(FLOOD_MD, tmp_path, restate_grades))
    check(before, after, ("YJ502", "YJ504"), Criterion.OPERABILITY)
    restated = next(f for f in after.findings if f.rule_id == "YJ504")
    assert "特别重大突发事件时启动" in " ".join(e.quote for e in restated.evidence)


@pytest.mark.corpus
def test_stripping_numbers_from_the_triggers_of_a_real_plan(corpus_dir: Path, tmp_path: Path) -> None:
    def no_thresholds(text: str) -> str:
        # each "5.x.1 启动条件" keeps its heading; its conditions become a restatement of the grade
        def blank(m: re.Match[str]) -> str:
            return m.group(1) + "\n\n发生相应级别的洪涝灾害时，启动本级应急响应。\n\n"

        return re.sub(r"(^# 5\.\d\.1 启动条件\s*$)(.*?)(?=^# )", blank, text, flags=re.M | re.S)

    before = audit(HENGYANG, "专项")
    after = audit(rewrite(HENGYANG, tmp_path, no_thresholds), "专项")
    check(before, after, ("YJ502",), Criterion.OPERABILITY)


# --- back-dating the plan -----------------------------------------------------------------------------


def test_back_dating_the_markdown_sample(tmp_path: Path) -> None:
    before = audit(FLOOD_MD)
    after = audit(rewrite(FLOOD_MD, tmp_path, lambda t: t.replace("2025年4月", "2019年4月", 1)))
    assert after.document.issue_date is not None and after.document.issue_date.year == 2019
    check(before, after, ("YJ106",), Criterion.PRACTICALITY)
    assert score(after, Criterion.SPECIFICITY) < score(before, Criterion.SPECIFICITY)


@pytest.mark.corpus
def test_back_dating_a_real_plan(corpus_dir: Path, tmp_path: Path) -> None:
    before = audit(HENGYANG, "专项")
    after = audit(rewrite(HENGYANG, tmp_path, lambda t: t.replace("2023", "2019")), "专项")
    check(before, after, ("YJ106",), Criterion.PRACTICALITY)
