"""SARIF output, validated against the official SARIF 2.1.0 JSON schema shipped beside this test."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest

jsonschema = pytest.importorskip("jsonschema")

from tests.ci.conftest import PLAN, yj  # noqa: E402
from yjplan.baseline import render_baseline  # noqa: E402
from yjplan.config import parse_config  # noqa: E402
from yjplan.model import AuditResult, Location, Outcome  # noqa: E402
from yjplan.pipeline import audit_file  # noqa: E402
from yjplan.postprocess import RunNote, finalize  # noqa: E402
from yjplan.report.sarif import FINGERPRINT_KEY, render_sarif, sarif_log  # noqa: E402

SCHEMA_PATH = Path(__file__).with_name("sarif-2.1.0.json")


@pytest.fixture(scope="module")
def validator():  # type: ignore[no-untyped-def]
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # the schema declares draft-04
    cls.check_schema(schema)
    return cls(schema)


def errors(validator, log: dict) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sarif") / "乡镇"
    folder.mkdir()
    (folder / "青石镇 预案.txt").write_text(PLAN, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def result(plan_dir: Path) -> AuditResult:
    return audit_file(plan_dir / "青石镇 预案.txt")


def test_shipped_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert len(schema["definitions"]) == 52
    assert schema["definitions"]["result"]["properties"]["baselineState"]["enum"] == ["new", "unchanged", "updated",
                                                                                    "absent"]


def test_sarif_is_valid_and_carries_rules_results_and_locations(validator, result: AuditResult,  # type: ignore[no-untyped-def]
                                                                plan_dir: Path) -> None:
    log = sarif_log([result], base=plan_dir.parent)
    assert errors(validator, log) == []
    run = log["runs"][0]
    gaps = [f for f in result.findings if f.is_gap]
    assert len(run["results"]) == len(gaps)  # passes and n/a never become results
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    yj502 = next(r for r in rules if r["id"] == "YJ502")
    assert yj502["name"] == "response-triggers"
    assert yj502["shortDescription"]["text"] == next(f.title for f in gaps if f.rule_id == "YJ502")
    assert yj502["fullDescription"]["text"] and "建议：" in yj502["help"]["text"] and "依据：" in yj502["help"]["text"]
    assert yj502["defaultConfiguration"]["level"] == "error"
    res = next(r for r in run["results"] if r["ruleId"] == "YJ502")
    assert rules[res["ruleIndex"]]["id"] == "YJ502"
    assert res["level"] == "error"
    physical = res["locations"][0]["physicalLocation"]
    assert unquote(physical["artifactLocation"]["uri"]) == "乡镇/青石镇 预案.txt"
    assert physical["artifactLocation"]["uri"] == "%E4%B9%A1%E9%95%87/%E9%9D%92%E7%9F%B3%E9%95%87%20%E9%A2%84%E6%A1%88.txt"
    assert physical["region"]["startLine"] == next(f.location.line for f in gaps if f.rule_id == "YJ502")
    logical = res["locations"][0]["logicalLocations"][0]
    assert logical["fullyQualifiedName"] == "三、应急响应" and logical["kind"] == "module"
    assert len(res["partialFingerprints"][FINGERPRINT_KEY]) == 32
    assert "suppressions" not in res and "baselineState" not in res
    levels = {r["level"] for r in run["results"]}
    assert levels <= {"error", "warning", "note"} and "note" in levels  # info → note


def test_nested_sections_read_as_a_path(validator, result: AuditResult, plan_dir: Path) -> None:  # type: ignore[no-untyped-def]
    nested = next(f for f in result.findings if f.is_gap and len(f.section_path) >= 1)
    moved = replace(nested, section_path=("一、总则", "（一）编制目的"))
    log = sarif_log([replace(result, findings=(moved,))], base=plan_dir.parent)
    assert errors(validator, log) == []
    logical = log["runs"][0]["results"][0]["locations"][0]["logicalLocations"][0]
    assert logical["fullyQualifiedName"] == "一、总则 > （一）编制目的" and logical["name"] == "（一）编制目的"


def test_word_and_pdf_results_have_no_region_but_keep_page_and_paragraph(validator, result: AuditResult,  # type: ignore[no-untyped-def]
                                                                         plan_dir: Path) -> None:
    gap = next(f for f in result.findings if f.is_gap)
    docx_gap = replace(gap, location=Location(page=3, paragraph=41))
    docx = replace(result, document=replace(result.document, format="docx", path=str(plan_dir / "甲镇.docx")),
                   findings=(docx_gap,))
    log = sarif_log([docx], base=plan_dir.parent)
    assert errors(validator, log) == []
    physical = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "region" not in physical
    assert physical["properties"]["page"] == 3 and physical["properties"]["paragraph"] == 41
    assert physical["properties"]["text"] == "第3页第41段"


def test_waived_and_baseline_results(validator, result: AuditResult, plan_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    known = [f for f in result.findings if f.is_gap and f.rule_id != "YJ501"]
    base = tmp_path / "known.json"
    base.write_text(render_baseline([replace(result, findings=tuple(known))], base), encoding="utf-8")
    cfg = parse_config("waivers:\n  - rule: YJ502\n    reason: 镇级按县级响应分级执行\n", plan_dir / ".yjplan.yaml")
    out = finalize(result, cfg, base, today=date(2026, 6, 1))
    log = sarif_log([out], base=plan_dir.parent)
    assert errors(validator, log) == []
    by_rule = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    assert by_rule["YJ502"]["suppressions"] == [{"kind": "external", "status": "accepted",
                                                "justification": "镇级按县级响应分级执行"}]
    assert by_rule["YJ502"]["baselineState"] == "unchanged"
    assert by_rule["YJ501"]["baselineState"] == "new"
    assert "suppressions" not in by_rule["YJ501"]


def test_unused_waivers_become_tool_notifications(validator, result: AuditResult, plan_dir: Path) -> None:  # type: ignore[no-untyped-def]
    note = RunNote("warning", "豁免 YJ101 没有匹配到任何问题", str(plan_dir / ".yjplan.yaml"), 7)
    log = json.loads(render_sarif([result], notes=[note]))
    assert errors(validator, log) == []
    (notification,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "warning" and "YJ101" in notification["message"]["text"]
    assert notification["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}


def test_schema_validation_can_fail(validator, result: AuditResult, plan_dir: Path) -> None:  # type: ignore[no-untyped-def]
    log = sarif_log([result], base=plan_dir.parent)
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(errors(validator, log)) == 2


def test_audit_format_sarif_end_to_end_with_expired_and_unused_waivers(validator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "青石镇.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / ".yjplan.yaml").write_text("""\
waivers:
  - rule: YJ501
    reason: 已过期
    expires: 2020-01-01
  - rule: YJ101
    reason: 多余
""", encoding="utf-8")
    r = yj("audit", "青石镇.txt", "--format", "sarif", "--output", "out.sarif", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    log = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert errors(validator, log) == []
    run = log["runs"][0]
    assert any(res["ruleId"] == "YJ000" for res in run["results"])
    assert any(rule["id"] == "YJ000" and rule["name"] == "expired-waiver" for rule in run["tool"]["driver"]["rules"])
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and "YJ101" in notes[0]["message"]["text"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".yjplan.yaml"
    (plan,) = run["properties"]["plans"]
    assert 0 < plan["total"] < 100 and plan["grade"] and plan["planType"] == "乡镇"
    assert all(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "%E9%9D%92%E7%9F%B3%E9%95%87.txt"
               for res in run["results"])
    assert not any(res.get("kind") == "pass" for res in run["results"])
    assert {res["properties"]["outcome"] for res in run["results"]} <= {Outcome.FAIL.value, Outcome.PARTIAL.value}
