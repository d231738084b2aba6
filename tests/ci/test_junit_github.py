"""JUnit XML (parsed back with xml.etree) and GitHub workflow commands (escaping per the toolkit)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.ci.conftest import PLAN, yj
from yjplan.config import parse_config
from yjplan.model import AuditResult, Outcome
from yjplan.pipeline import audit_file
from yjplan.postprocess import finalize
from yjplan.report.github import command, escape_data, escape_property, render_github
from yjplan.report.junit import render_junit


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    folder = tmp_path_factory.mktemp("junit")
    (folder / "青石镇.txt").write_text(PLAN, encoding="utf-8")
    cfg = parse_config("waivers:\n  - rule: YJ502\n    reason: 镇级按县级响应分级执行 <县里定>\n", folder / ".yjplan.yaml")
    return finalize(audit_file(folder / "青石镇.txt"), cfg, today=date(2026, 6, 1))


def test_junit_has_one_suite_per_plan_and_one_case_per_rule(result: AuditResult) -> None:
    other = replace(result, document=replace(result.document, path="乙镇.txt"))
    root = ET.fromstring(render_junit([result, other]))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [result.document.path, "乙镇.txt"]
    suite = suites[0]
    cases = suite.findall("testcase")
    assert len(cases) == len(result.findings) == int(suite.get("tests"))
    by_rule = {c.get("name").split()[0]: c for c in cases}

    open_gaps = [f for f in result.findings if f.is_gap and f.suppressed is None and not f.baseline]
    assert int(suite.get("failures")) == len(open_gaps) == len(suite.findall("testcase/failure"))
    na = [f for f in result.findings if f.outcome == Outcome.NOT_APPLICABLE]
    assert int(suite.get("skipped")) == len(na) + 1  # + the waived YJ502
    assert int(root.get("tests")) == 2 * len(result.findings)

    failure = by_rule["YJ501"].find("failure")
    assert failure is not None and failure.get("message").startswith("[错误]")
    assert "建议：" in failure.text and "位置：" in failure.text
    partial = next(f for f in open_gaps if f.evidence)
    assert f"原文：“{partial.evidence[0].quote}”" in by_rule[partial.rule_id].find("failure").text

    waived = by_rule["YJ502"].find("skipped")
    assert waived is not None and waived.get("message") == "已豁免：镇级按县级响应分级执行 <县里定>"
    assert by_rule[na[0].rule_id].find("skipped").get("message").startswith("不适用")
    passed = next(f for f in result.findings if f.outcome == Outcome.PASS)
    assert list(by_rule[passed.rule_id]) == []
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["plan_type"] == "乡镇" and float(props["total"]) == result.total


def test_junit_survives_control_characters_from_word(result: AuditResult) -> None:
    gap = next(f for f in result.findings if f.is_gap and f.suppressed is None)
    dirty = replace(gap, message="第一行\x0b第二行\x07")
    xml = render_junit([replace(result, findings=(dirty,))])
    root = ET.fromstring(xml)
    assert root.find("testsuite/testcase/failure").text.startswith("第一行 第二行")


def test_github_escaping_follows_the_toolkit() -> None:
    assert escape_data("100% 完成\r\n下一行") == "100%25 完成%0D%0A下一行"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert (command("error", "消息: 含冒号, 逗号", file="乡镇/甲,镇.txt", line=3, title="YJ502")
            == "::error file=乡镇/甲%2C镇.txt,line=3,title=YJ502::消息: 含冒号, 逗号")
    assert command("notice", "x", file="a.txt", line=None) == "::notice file=a.txt::x"


def test_github_annotations_for_open_gaps_errors_first(result: AuditResult, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(result.document.path).parent)
    out = render_github([result]).splitlines()
    gaps = [f for f in result.findings if f.counts_for_gate]
    annotations, summary = out[:-1], out[-1]  # one summary notice per plan, last
    assert len(annotations) == len(gaps)
    assert not any("title=YJ502" in ln for ln in out)  # waived: summarised, not annotated
    kinds = [ln.split(" ", 1)[0] for ln in annotations]
    assert kinds == sorted(kinds, key=["::error", "::warning", "::notice"].index)
    yj501 = next(ln for ln in out if "title=YJ501" in ln)
    line = next(f.location.line for f in result.findings if f.rule_id == "YJ501")
    assert yj501.startswith(f"::error file=青石镇.txt,line={line},title=YJ501::")
    assert "\n" not in yj501 and "%0A建议：" in yj501
    info = next(f for f in gaps if f.severity.value == "info")
    assert any(ln.startswith("::notice ") and f"title={info.rule_id}::" in ln for ln in out)
    assert summary.startswith("::notice file=青石镇.txt,title=yjplan 乡镇预案审查::总分") and "已豁免 1 个" in summary


def test_github_and_junit_formats_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "青石镇.txt").write_text(PLAN, encoding="utf-8")
    gh = yj("audit", "青石镇.txt", "--format", "github", cwd=tmp_path)
    assert gh.returncode == 1
    assert gh.stdout.startswith("::error file=青石镇.txt,")
    junit = yj("audit", "青石镇.txt", "--format", "junit", "-o", "report.xml", "--fail-on", "none", cwd=tmp_path)
    assert junit.returncode == 0, junit.stderr
    root = ET.parse(tmp_path / "report.xml").getroot()
    assert int(root.get("failures")) > 0  # failures are reported even when the gate passes
