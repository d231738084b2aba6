"""The command line end to end, in a subprocess: exit codes, one-line errors, output formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
TOWNSHIP = SAMPLES / "石桥镇突发事件总体应急预案.docx"
VILLAGE = SAMPLES / "柳湾村突发事件应急预案.docx"


def yj(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "yjplan", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=180)


def test_help_lists_the_commands() -> None:
    r = yj("--help")
    assert r.returncode == 0
    for cmd in ("audit", "outline", "rules"):
        assert cmd in r.stdout


def test_audit_weak_plan_fails_the_default_gate_and_reports_in_chinese() -> None:
    r = yj("audit", str(VILLAGE))
    assert r.returncode == 1, r.stderr
    assert "总分" in r.stdout and "村社区" in r.stdout
    assert "YJ606" in r.stdout  # placeholders planted in the sample


def test_fail_on_none_and_fail_under_control_the_exit_code() -> None:
    assert yj("audit", str(VILLAGE), "--fail-on", "none").returncode == 0
    assert yj("audit", str(VILLAGE), "--fail-on", "none", "--fail-under", "99").returncode == 1
    assert yj("audit", str(TOWNSHIP), "--fail-on", "none", "--fail-under", "1").returncode == 0


def test_json_output_has_schema_version_scores_and_evidence() -> None:
    r = yj("audit", str(TOWNSHIP), "--format", "json", "--fail-on", "none")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["schema_version"] == "1.0"
    assert data["plan_type"]["type"] == "乡镇"
    assert {c["criterion"] for c in data["scores"]["criteria"]} == {"针对性", "实用性", "可操作性"}
    from yjplan.rules.load import load_pack

    defect_only = {r.id for r in load_pack("builtin:township").rules if r.evidence is None}
    passed = [f for f in data["findings"] if f["outcome"] == "pass"]
    assert len(passed) >= 20
    # a pass carries quoted evidence, except defect-only rules, which say where they looked
    for f in passed:
        if f["rule_id"] in defect_only:
            assert f["looked_in"], f["rule_id"]
        else:
            assert f["evidence"], f["rule_id"]
    for f in data["findings"]:
        for ev in f["evidence"]:
            assert ev["quote"] and ev["location"]["text"] != "位置未知"


def test_weak_sample_scores_clearly_lower_than_complete_one() -> None:
    weak = json.loads(yj("audit", str(VILLAGE), "-f", "json", "--fail-on", "none").stdout)
    good = json.loads(yj("audit", str(TOWNSHIP), "-f", "json", "--fail-on", "none").stdout)
    assert good["scores"]["total"] - weak["scores"]["total"] >= 25


def test_missing_file_is_one_line_error_exit_2(tmp_path: Path) -> None:
    r = yj("audit", str(tmp_path / "无此文件.docx"))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误 E205")
    assert "Traceback" not in r.stderr


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    r = yj("audit", str(TOWNSHIP), "--format", "pdf")
    assert r.returncode == 2 and r.stderr.startswith("错误 E010")


def test_unknown_plan_type_is_refused() -> None:
    r = yj("audit", str(TOWNSHIP), "--type", "公司")
    assert r.returncode == 2 and "E112" in r.stderr


def test_corrupt_docx_one_line_and_debug_shows_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "坏文件.docx"
    bad.write_bytes(b"PK\x03\x04" + os.urandom(200))
    r = yj("audit", str(bad))
    assert r.returncode == 2 and r.stderr.startswith("错误 E210") and "Traceback" not in r.stderr
    r = yj("--debug", "audit", str(bad))
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_outline_json_has_the_tree() -> None:
    r = yj("outline", str(TOWNSHIP), "--json")
    data = json.loads(r.stdout)
    assert data["schema_version"] == "1.0"
    tops = [c["number"] + c["title"] for c in data["document"]["outline"]["children"]][:2]
    assert tops == ["一、总则", "二、镇情与风险分析"]


def test_rules_test_passes_for_the_builtin_pack() -> None:
    r = yj("rules", "test", "builtin:township")
    assert r.returncode == 0, r.stdout
    assert " 0 failed" in r.stdout


def test_rules_validate_reports_file_line_col(tmp_path: Path) -> None:
    pack = tmp_path / "mine"
    pack.mkdir()
    (pack / "pack.yaml").write_text("id: mine\ntitle: 我的\nversion: '1'\nextends: builtin:base\n", encoding="utf-8")
    (pack / "YJ99x.yaml").write_text("- id: YJ991\n  nmae: typo\n", encoding="utf-8")
    r = yj("rules", "validate", str(pack))
    assert r.returncode == 2
    assert "YJ99x.yaml:2:3" in r.stderr and "nmae" in r.stderr


def test_explain_shows_why_and_examples() -> None:
    r = yj("rules", "explain", "YJ502")
    assert r.returncode == 0
    assert "为什么" in r.stdout and "符合示例" in r.stdout and "GB/T 29639-2020" in r.stdout


def test_unusual_or_bad_option_values_are_typers_to_judge() -> None:
    """Plain values are converted without pydantic (yjplan.cli_coerce); anything else still gets typer's
    own conversion and wording: "1e1" is a number, "abc" is refused with exit code 2."""
    assert yj("audit", str(VILLAGE), "--fail-on", "none", "--fail-under", "1e1", "-f", "json").returncode == 0
    r = yj("outline", str(TOWNSHIP), "--depth", "abc")
    assert r.returncode == 2 and "Invalid value for '--depth'" in r.stderr
    r = yj("batch", str(SAMPLES), "--jobs", "两")
    assert r.returncode == 2 and "Invalid value for '--jobs'" in r.stderr
