"""Waivers: a waived gap is shown as waived (not hidden), an expired waiver adds YJ000, an unused
waiver is reported, a bad waiver stops the run with file:line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.ci.conftest import PLAN, yj
from yjplan.config import parse_config
from yjplan.gate import gate_exit_code
from yjplan.model import AuditResult, Outcome
from yjplan.pipeline import audit_file
from yjplan.postprocess import EXPIRED_RULE_ID, finalize, run_notes, unused_waivers

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def plan_result(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    folder = tmp_path_factory.mktemp("waivers")
    plan = folder / "青石镇.txt"
    plan.write_text(PLAN, encoding="utf-8")
    return audit_file(plan)


def config(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    return parse_config(body, tmp_path / ".yjplan.yaml")


def finding(result: AuditResult, rule_id: str):  # type: ignore[no-untyped-def]
    return next(f for f in result.findings if f.rule_id == rule_id)


def test_the_plan_has_the_gaps_the_tests_rely_on(plan_result: AuditResult) -> None:
    assert finding(plan_result, "YJ502").outcome == Outcome.FAIL
    assert finding(plan_result, "YJ502").severity.value == "error"
    assert finding(plan_result, "YJ101").outcome == Outcome.PASS


def test_active_waiver_marks_the_gap_waived_and_keeps_its_outcome(plan_result: AuditResult) -> None:
    cfg = config(Path(plan_result.document.path).parent,
                 "waivers:\n  - rule: YJ502\n    files: ['*.txt']\n    reason: 镇级按县级响应分级执行\n"
                 "    expires: 2026-12-31\n")
    out = finalize(plan_result, cfg, today=TODAY)
    waived = finding(out, "YJ502")
    assert waived.outcome == Outcome.FAIL  # shown, not hidden
    assert waived.suppressed == "镇级按县级响应分级执行"
    assert not waived.counts_for_gate
    assert finding(out, "YJ501").suppressed is None  # only the named rule
    assert out.total > plan_result.total  # a waived gap scores as met
    assert not any(f.rule_id == EXPIRED_RULE_ID for f in out.findings)
    assert plan_result.findings != out.findings  # the input is untouched (frozen, replaced)
    assert finding(plan_result, "YJ502").suppressed is None


def test_waiver_for_other_files_does_not_apply(plan_result: AuditResult) -> None:
    cfg = config(Path(plan_result.document.path).parent,
                 "waivers:\n  - rule: YJ502\n    files: ['乡镇/*.txt']\n    reason: 只管乡镇文件夹\n")
    out = finalize(plan_result, cfg, today=TODAY)
    assert finding(out, "YJ502").suppressed is None


def test_expired_waiver_suppresses_nothing_and_adds_a_finding(plan_result: AuditResult) -> None:
    cfg = config(Path(plan_result.document.path).parent,
                 "waivers:\n  - rule: YJ502\n    reason: 旧理由\n    expires: 2026-01-31\n")
    out = finalize(plan_result, cfg, today=TODAY)
    assert finding(out, "YJ502").suppressed is None
    expired = [f for f in out.findings if f.rule_id == EXPIRED_RULE_ID]
    assert len(expired) == 1
    (f,) = expired
    assert f.name == "expired-waiver" and f.severity.value == "warning" and f.counts_for_gate
    assert "YJ502" in f.message and "2026-01-31" in f.message and ".yjplan.yaml:2:5" in f.message
    assert out.total == plan_result.total  # YJ000 carries no weight


def test_expired_waiver_alone_fails_a_warning_gate(plan_result: AuditResult, tmp_path: Path) -> None:
    # Isolate YJ000: the gap itself is in the baseline, so only the expired waiver can fail the gate.
    from dataclasses import replace

    from yjplan.baseline import render_baseline

    only = replace(plan_result, findings=(finding(plan_result, "YJ502"),))
    base = tmp_path / "known.json"
    base.write_text(render_baseline([only], base), encoding="utf-8")
    cfg = config(Path(plan_result.document.path).parent,
                 "waivers:\n  - rule: YJ502\n    reason: 旧理由\n    expires: 2026-01-31\n")
    out = finalize(only, cfg, base, today=TODAY)
    assert [f.rule_id for f in out.findings if f.counts_for_gate] == [EXPIRED_RULE_ID]
    assert gate_exit_code([out], config(tmp_path, "fail_on: warning\n")) == 1
    assert gate_exit_code([out], config(tmp_path, "fail_on: error\n")) == 0


def test_waiver_expiring_today_is_still_active(plan_result: AuditResult) -> None:
    cfg = config(Path(plan_result.document.path).parent,
                 "waivers:\n  - rule: YJ502\n    reason: 今天到期\n    expires: 2026-06-01\n")
    assert finding(finalize(plan_result, cfg, today=TODAY), "YJ502").suppressed == "今天到期"


def test_unused_waivers_are_reported_but_out_of_run_waivers_are_not(plan_result: AuditResult,
                                                                    tmp_path: Path) -> None:
    folder = Path(plan_result.document.path).parent
    (folder / "乡镇").mkdir(exist_ok=True)
    (folder / "乡镇" / "甲镇.txt").write_text(PLAN, encoding="utf-8")
    cfg = config(folder, """\
waivers:
  - rule: YJ502
    reason: 用到了
  - rule: YJ101
    reason: 该规则在本预案中符合，豁免没用上
  - rule: YJ501
    files: ['不存在的文件夹/*.docx']
    reason: 路径写错
  - rule: YJ501
    files: ['乡镇/*.txt']
    reason: 覆盖的预案这次没有审查
""")
    out = finalize(plan_result, cfg, today=TODAY)
    unused = {w.reason: why for w, why in unused_waivers([out], cfg)}
    assert set(unused) == {"该规则在本预案中符合，豁免没用上", "路径写错"}
    notes = run_notes([out], cfg)
    assert len(notes) == 2 and all(n.level == "warning" for n in notes)
    assert {n.line for n in notes} == {4, 6}


def test_bad_waiver_stops_the_audit_with_exit_2_and_file_line(tmp_path: Path) -> None:
    (tmp_path / "青石镇.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / ".yjplan.yaml").write_text("fail_on: error\nwaivers:\n  - rule: YJ502\n    files: ['*.txt']\n",
                                           encoding="utf-8")
    r = yj("audit", "青石镇.txt", cwd=tmp_path)
    assert r.returncode == 2
    assert "E101" in r.stderr and ".yjplan.yaml:3:5" in r.stderr and "理由" in r.stderr
    assert r.stdout == ""


def test_waivers_end_to_end_waived_expired_and_unused(tmp_path: Path) -> None:
    (tmp_path / "青石镇.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / ".yjplan.yaml").write_text("""\
select: [YJ502, YJ501, YJ101]
waivers:
  - rule: YJ502
    reason: 镇级按县级响应分级执行
  - rule: YJ501
    reason: 已过期
    expires: 2020-01-01
  - rule: YJ101
    reason: 多余的豁免
""", encoding="utf-8")
    r = yj("audit", "青石镇.txt", "--format", "json", cwd=tmp_path)
    assert r.returncode == 1, r.stderr  # YJ501 (error) is no longer waived
    import json

    data = json.loads(r.stdout)
    by_id = {f["rule_id"]: f for f in data["findings"]}
    assert by_id["YJ502"]["suppressed"] == "镇级按县级响应分级执行" and by_id["YJ502"]["outcome"] == "fail"
    assert by_id["YJ501"]["suppressed"] is None
    assert by_id["YJ000"]["severity"] == "warning" and "2020-01-01" in by_id["YJ000"]["message"]
    assert "警告：豁免 YJ101" in r.stderr and ".yjplan.yaml:8:5" in r.stderr
    assert "未通过" in r.stderr
