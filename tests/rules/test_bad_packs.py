"""Broken user packs fail at load time with file:line:col, and a runaway regex is stopped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from yjplan.errors import RulePackError
from yjplan.rules.load import load_pack

ROOT = Path(__file__).resolve().parents[2]

GOOD_RULE = """\
- id: YJ001
  name: demo-rule
  title: 示例规则
  criterion: 实用性
  severity: warning
  why: 示例。
  message: 示例问题。
  suggestion: 示例建议。
  references: [GB/T 29639-2020 6.1.1]
  evidence:
    regex: '{pattern}'
  examples:
    pass: 本预案适用于全镇。
    fail: 其他内容。
"""


def make_pack(tmp_path: Path, rules: str, meta: str = "") -> Path:
    pack = tmp_path / "pack"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text(meta or "id: demo\ntitle: 示例\nversion: '1'\n", encoding="utf-8")
    (pack / "YJ0xx-demo.yaml").write_text(rules, encoding="utf-8")
    return pack


def located_error(pack: Path) -> str:
    with pytest.raises(RulePackError) as info:
        load_pack(str(pack))
    return info.value.message


def test_yaml_syntax_error_gives_file_line_col(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, GOOD_RULE.format(pattern="适用") + "  examples: [unclosed\n")
    msg = located_error(pack)
    assert "YAML 语法错误" in msg
    assert "YJ0xx-demo.yaml:" in msg and msg.rstrip("）").split(":")[-1].isdigit()


def test_unknown_key_gives_file_line_col(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, GOOD_RULE.format(pattern="适用").replace("  why:", "  whyy: 多余\n  why:"))
    msg = located_error(pack)
    assert "未知的规则键“whyy”" in msg
    assert "YJ0xx-demo.yaml:6:3" in msg


def test_bad_regex_gives_file_line_col(tmp_path: Path) -> None:
    msg = located_error(make_pack(tmp_path, GOOD_RULE.format(pattern="(适用")))
    assert "正则表达式无效" in msg
    assert "YJ0xx-demo.yaml:11:5" in msg


def test_duplicate_id_gives_both_places(tmp_path: Path) -> None:
    rules = GOOD_RULE.format(pattern="适用") + GOOD_RULE.format(pattern="适用").replace("demo-rule", "demo-two")
    msg = located_error(make_pack(tmp_path, rules))
    assert "规则编号重复：YJ001" in msg
    assert "YJ0xx-demo.yaml:15:3" in msg and "YJ0xx-demo.yaml:1:3" in msg


def test_unknown_plan_type_gives_file_line_col(tmp_path: Path) -> None:
    rules = GOOD_RULE.format(pattern="适用").replace("  criterion:", "  applies_to: [火星基地]\n  criterion:")
    msg = located_error(make_pack(tmp_path, rules))
    assert "未知的预案类型“火星基地”" in msg
    assert "YJ0xx-demo.yaml:4:" in msg


def yj(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "yjplan", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_rules_validate_exits_2_with_the_located_message(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, GOOD_RULE.format(pattern="(适用"))
    r = yj("rules", "validate", str(pack))
    assert r.returncode == 2
    assert "E110" in r.stderr and "正则表达式无效" in r.stderr and "YJ0xx-demo.yaml:11:5" in r.stderr
    assert yj("rules", "validate", str(make_pack(tmp_path / "ok", GOOD_RULE.format(pattern="适用")))).returncode == 0


def test_catastrophic_regex_is_stopped_by_the_timeout(tmp_path: Path) -> None:
    # the library call; the command line's one E110 line and (a+)+$ are in tests/reliability/test_safety.py
    from dataclasses import replace

    from yjplan.limits import DEFAULT_LIMITS
    from yjplan.pipeline import AuditOptions, audit_file

    pack = make_pack(tmp_path, GOOD_RULE.format(pattern="(a|aa)+$"))
    plan = tmp_path / "plan.txt"
    plan.write_text("应急预案\n" + "a" * 5000 + "b\n", encoding="utf-8")
    opts = AuditOptions(plan_type="专项", rule_packs=(str(pack),), select=("YJ001",),
                        limits=replace(DEFAULT_LIMITS, regex_timeout_s=0.2))
    with pytest.raises(RulePackError, match="超时"):
        audit_file(plan, opts)


def test_catastrophic_regex_in_a_data_table_is_a_pack_error(tmp_path: Path) -> None:
    from dataclasses import replace

    from yjplan.limits import DEFAULT_LIMITS
    from yjplan.pipeline import AuditOptions, audit_file

    pack = make_pack(tmp_path, GOOD_RULE.format(pattern="适用"))
    (pack / "data").mkdir()
    (pack / "data" / "outdated.yaml").write_text("- pattern: '(a|aa)+$'\n  replaced_by: 无\n", encoding="utf-8")
    plan = tmp_path / "plan.txt"
    plan.write_text("应急预案\n" + "a" * 5000 + "b\n", encoding="utf-8")
    opts = AuditOptions(plan_type="专项", rule_packs=(str(pack),), select=("YJ102",),
                        limits=replace(DEFAULT_LIMITS, regex_timeout_s=0.2))
    with pytest.raises(RulePackError, match=r"数据表 outdated .*超时"):
        audit_file(plan, opts)
    broken = make_pack(tmp_path / "broken", GOOD_RULE.format(pattern="适用"))
    (broken / "data").mkdir()
    (broken / "data" / "outdated.yaml").write_text("- pattern: '(未闭合'\n  replaced_by: 无\n", encoding="utf-8")
    with pytest.raises(RulePackError, match="pattern 无效"):
        audit_file(plan, AuditOptions(plan_type="专项", rule_packs=(str(broken),), select=("YJ102",)))
