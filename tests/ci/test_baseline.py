"""Baselines: known gaps stop failing the gate, survive edits that move lines, and new gaps still fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ci.conftest import PLAN, yj
from yjplan.baseline import BASELINE_VERSION, load_baseline, render_baseline, section_key, strip_number
from yjplan.config import Config
from yjplan.errors import BaselineError
from yjplan.gate import gate_exit_code
from yjplan.pipeline import audit_file
from yjplan.postprocess import finalize

# Lines move (blank lines after the title), a chapter is renumbered and a phone number changes.
SHIFTED = (PLAN.replace("青石镇突发事件总体应急预案\n", "青石镇突发事件总体应急预案\n\n\n\n", 1)
           .replace("6317021", "6317099").replace("三、应急响应", "四、应急响应"))
# The organisation chapter is gone: YJ201 (command structure, error) newly fails.
REGRESSED = PLAN.replace("二、组织机构\n镇应急指挥部由镇长任指挥长，分管副镇长任副指挥长，值班电话0745-6317021。\n", "")


@pytest.mark.parametrize(
    ("heading", "stripped"),
    [("第三章 应急响应", "应急响应"), ("三、应急响应", "应急响应"), ("（二）编制依据", "编制依据"),
     ("4.2 分级响应", "分级响应"), ("4.2. 分级响应", "分级响应"), ("第12条 附则", "附则"), ("① 先期处置", "先期处置"),
     ("一般事件（Ⅳ级）处置", "一般事件(IV级)处置")],
)
def test_section_numbers_are_stripped_but_words_are_kept(heading: str, stripped: str) -> None:
    assert strip_number(heading) == stripped


def test_section_key_joins_the_stripped_path() -> None:
    assert section_key(("一、总则", "（二）编制依据")) == section_key(("第一章 总则", "2.编制依据")) == "总则>编制依据"


def record(tmp_path: Path, text: str) -> tuple[Path, Path]:
    plan = tmp_path / "青石镇.txt"
    plan.write_text(text, encoding="utf-8")
    base = tmp_path / ".yjplan-baseline.json"
    base.write_text(render_baseline([audit_file(plan)], base), encoding="utf-8")
    return plan, base


def test_baseline_file_is_versioned_sorted_json_with_relative_paths(tmp_path: Path) -> None:
    plan, base = record(tmp_path, PLAN)
    data = json.loads(base.read_text(encoding="utf-8"))
    assert data["version"] == BASELINE_VERSION
    entries = data["entries"]
    gaps = [f for f in audit_file(plan).findings if f.is_gap]
    assert len(entries) == len(gaps) > 5
    assert {e["file"] for e in entries} == {"青石镇.txt"}
    assert entries == sorted(entries, key=lambda e: (e["file"], e["rule_id"], e["section"], e["fingerprint"]))
    assert not any("line" in e for e in entries)


def test_known_gaps_do_not_fail_the_gate(tmp_path: Path) -> None:
    plan, base = record(tmp_path, PLAN)
    raw = audit_file(plan)
    assert gate_exit_code([raw], Config()) == 1
    known = finalize(raw, Config(), base)
    assert all(f.baseline for f in known.findings if f.is_gap)
    assert not any(f.baseline for f in known.findings if not f.is_gap)
    assert known.total == raw.total  # the baseline changes the gate, not the score
    assert gate_exit_code([known], Config()) == 0


def test_edits_that_shift_lines_still_match(tmp_path: Path) -> None:
    plan, base = record(tmp_path, PLAN)
    before = {f.rule_id: f.location.line for f in audit_file(plan).findings if f.rule_id == "YJ502"}
    plan.write_text(SHIFTED, encoding="utf-8")
    shifted = finalize(audit_file(plan), Config(), base)
    after = {f.rule_id: f.location.line for f in shifted.findings if f.rule_id == "YJ502"}
    assert after["YJ502"] == before["YJ502"] + 3  # the lines really moved
    assert [f.rule_id for f in shifted.findings if f.is_gap and not f.baseline] == []
    assert gate_exit_code([shifted], Config()) == 0


def test_a_new_gap_fails_the_gate(tmp_path: Path) -> None:
    plan, base = record(tmp_path, PLAN)
    plan.write_text(REGRESSED, encoding="utf-8")
    out = finalize(audit_file(plan), Config(), base)
    new = {f.rule_id for f in out.findings if f.is_gap and not f.baseline}
    assert REGRESSED != PLAN and "YJ201" in new
    assert gate_exit_code([out], Config()) == 1


def test_same_gap_in_another_file_is_new(tmp_path: Path) -> None:
    _, base = record(tmp_path, PLAN)
    other = tmp_path / "乙镇" / "青石镇.txt"  # same name, other folder: never inherits the baseline
    other.parent.mkdir()
    other.write_text(PLAN, encoding="utf-8")
    out = finalize(audit_file(other), Config(), base)
    assert not any(f.baseline for f in out.findings)


def test_config_baseline_is_used_when_no_option_is_given(tmp_path: Path) -> None:
    plan, base = record(tmp_path, PLAN)
    from yjplan.config import parse_config

    cfg = parse_config(f"baseline: {base.name}\n", tmp_path / ".yjplan.yaml")
    assert gate_exit_code([finalize(audit_file(plan), cfg)], cfg) == 0


@pytest.mark.parametrize(
    ("text", "words"),
    [("{not json", "JSON"), ('{"version": 99, "entries": []}', "版本"), ('{"version": 1}', "entries"),
     ('{"version": 1, "entries": [{"file": "a"}]}', "第 1 条")],
)
def test_broken_baseline_files_are_baseline_errors(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError) as info:
        load_baseline(path)
    assert info.value.code == "E102" and words in info.value.message


def test_missing_baseline_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BaselineError):
        load_baseline(tmp_path / "nope.json")


def test_baseline_command_then_audit_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    plan = tmp_path / "plans" / "青石镇.txt"
    plan.write_text(PLAN, encoding="utf-8")
    (tmp_path / "plans" / "README.md").write_text("# 说明\n", encoding="utf-8")
    (tmp_path / ".yjplan.yaml").write_text("exclude: ['README*']\nbaseline: known.json\n", encoding="utf-8")
    r = yj("baseline", "plans", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "1 个文件" in r.stderr
    entries = json.loads((tmp_path / "known.json").read_text(encoding="utf-8"))["entries"]
    assert {e["file"] for e in entries} == {"plans/青石镇.txt"}  # README excluded, path relative to the baseline

    assert yj("audit", "plans/青石镇.txt", cwd=tmp_path).returncode == 0
    plan.write_text(SHIFTED, encoding="utf-8")
    assert yj("audit", "plans/青石镇.txt", cwd=tmp_path).returncode == 0
    plan.write_text(REGRESSED, encoding="utf-8")
    failed = yj("audit", "plans/青石镇.txt", "--format", "github", cwd=tmp_path)
    assert failed.returncode == 1
    assert "title=YJ201" in failed.stdout and "title=YJ502" not in failed.stdout  # only the new gap is annotated
    # an explicit --baseline that does not exist is an input error
    missing = yj("audit", "plans/青石镇.txt", "--baseline", "nope.json", cwd=tmp_path)
    assert missing.returncode == 2 and "E102" in missing.stderr
