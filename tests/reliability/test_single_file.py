"""``yjplan audit FILE`` on every hostile, broken and odd input of the generated corpus.

A refused file: exit 2, nothing on stdout, exactly one line on stderr, ``错误 E2xx <中文说明>：<路径>``,
no traceback (``--debug`` shows one). A readable oddity: a normal audit (exit 0 or 1). Either way the
run ends well within a generous hang guard.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.bad_inputs import CASES, SECRET, Case, plan_text
from tests.reliability.cli_helpers import (
    CJK,
    ERROR_CASES,
    ERROR_LINE,
    HANG_GUARD_S,
    ODD_CASES,
    case_params,
    cli_env,
    run_cli,
)

BuildCase = Callable[[Case], Path]
BY_NAME = {c.name: c for c in CASES}


def test_corpus_covers_every_input_error_code() -> None:
    """Each E2xx a document can cause has a generated input behind it (E205 and E206 are tested below,
    E211/E214 in the batch tests, E220 needs LibreOffice absent: covered by tests/parse)."""
    covered = {c.expect for c in CASES}
    assert {"E201", "E202", "E203", "E204", "E207", "E208", "E210", "E212", "E213", "E221"} <= covered


@pytest.mark.parametrize("case", case_params(ERROR_CASES))
def test_bad_input_is_refused_with_one_line(case: Case, build_case: BuildCase) -> None:
    path = build_case(case)
    run = run_cli("audit", path)
    assert run.returncode == 2, run.err
    assert run.stdout == b""
    assert "Traceback" not in run.err
    lines = run.err_lines()
    assert len(lines) == 1, lines
    match = ERROR_LINE.match(lines[0])
    assert match, lines[0]
    assert match["code"] == case.expect, lines[0]
    assert CJK.search(match["message"]), "the explanation is for people: in Chinese"
    assert run.seconds < HANG_GUARD_S


@pytest.mark.parametrize("case", case_params([c for c in ODD_CASES if not c.big]))
def test_odd_but_readable_input_audits_normally(case: Case, build_case: BuildCase) -> None:
    path = build_case(case)
    run = run_cli("audit", path)
    assert run.returncode in (0, 1), run.err
    assert "Traceback" not in run.err
    assert not any(ERROR_LINE.match(line) for line in run.err_lines()), run.err
    assert run.stdout.strip()


@pytest.mark.parametrize(
    "name", ["gbk-txt", "utf16-bom-txt", "utf16le-bom-txt", "utf16le-nobom-txt", "utf16be-nobom-txt", "non-utf8-name"]
)
def test_text_encodings_decode_to_the_plan(name: str, build_case: BuildCase) -> None:
    """Not only no crash: the right characters come out, so the outline finds the plan's chapters."""
    run = run_cli("outline", "--json", build_case(BY_NAME[name]))
    assert run.returncode == 0, run.err
    doc = json.loads(run.out)  # surrogate escapes: see the xfail tests on non-UTF-8 names below
    text = json.dumps(doc, ensure_ascii=False)
    for heading in ("总则", "编制目的", "组织指挥体系", "预警与响应", "附则"):
        assert heading in text
    assert "\ufffd" not in text


@pytest.mark.parametrize("name", ["empty", "truncated-docx", "xxe-docx"])
def test_debug_shows_the_traceback(name: str, build_case: BuildCase) -> None:
    run = run_cli("--debug", "audit", build_case(BY_NAME[name]))
    assert run.returncode != 0
    assert "Traceback (most recent call last)" in run.err
    assert "yjplan.errors." in run.err


def test_missing_file_is_e205(tmp_path: Path) -> None:
    run = run_cli("audit", tmp_path / "没有这个文件.docx")
    assert run.returncode == 2
    assert run.err_lines() == [f"错误 E205 文件不存在：{tmp_path / '没有这个文件.docx'}"]


def test_folder_given_to_audit_is_e201(tmp_path: Path) -> None:
    run = run_cli("audit", tmp_path)
    assert run.returncode == 2
    assert run.err_lines()[0].startswith("错误 E201 ")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_e206(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text(plan_text(), encoding="utf-8")
    path.chmod(0)
    try:
        run = run_cli("audit", path)
    finally:
        path.chmod(0o644)
    assert run.returncode == 2
    assert run.err_lines()[0].startswith("错误 E206 ")


_CRASH = """
import sys
import yjplan.parse.outline as outline
def boom(raw):
    raise RuntimeError("simulated bug")
outline.build_outline = boom
sys.argv = ["yjplan", *sys.argv[1:]]
from yjplan.cli import main
main()
"""


@pytest.mark.parametrize("debug", [False, True])
def test_internal_error_is_e999_and_debug_shows_why(debug: bool, tmp_path: Path) -> None:
    """A bug of ours (here simulated) is one line E999 and exit 2; --debug shows the real exception."""
    import subprocess

    plan = tmp_path / "plan.txt"
    plan.write_text(plan_text(), encoding="utf-8")
    args = [sys.executable, "-c", _CRASH, *(["--debug"] if debug else []), "audit", str(plan)]
    proc = subprocess.run(args, capture_output=True, timeout=HANG_GUARD_S, env=cli_env())
    err = proc.stderr.decode("utf-8", "replace")
    if debug:
        assert "Traceback" in err and "RuntimeError: simulated bug" in err
    else:
        assert proc.returncode == 2
        assert [ln for ln in err.splitlines() if ln.strip()] == ["错误 E999 内部错误，请加 --debug 重试并报告"]


# --- what must not leak out of a hostile file ---------------------------------------------------


@pytest.mark.parametrize("name", ["external-dtd", "xxe-md-table"])
def test_external_entities_are_never_resolved(name: str, build_case: BuildCase) -> None:
    """The file is read, but the entity that would copy a local file into the text stays unexpanded."""
    path = build_case(BY_NAME[name])
    assert (path.parent / "secret.txt").read_text(encoding="utf-8") == SECRET  # the bait is there
    run = run_cli("outline", "--json", path)
    assert run.returncode == 0, run.err
    assert SECRET not in run.out
    assert "编制目的" in run.out  # and the rest of the plan was read


def test_xxe_never_reads_etc_passwd(build_case: BuildCase) -> None:
    run = run_cli("audit", "--format", "json", build_case(BY_NAME["xxe-docx"]))
    assert "root:" not in run.out + run.err


def test_non_utf8_name_reports_to_stdout_in_every_format(build_case: BuildCase) -> None:
    path = build_case(BY_NAME["non-utf8-name"])
    for fmt in ("text", "json", "md", "sarif", "junit", "github", "html"):
        run = run_cli("audit", "--format", fmt, path)
        assert run.returncode in (0, 1), (fmt, run.err)
        assert "Traceback" not in run.err and "E999" not in run.err, fmt


def test_non_utf8_name_json_on_stdout_is_valid_utf8(build_case: BuildCase) -> None:
    run = run_cli("audit", "--format", "json", build_case(BY_NAME["non-utf8-name"]))
    assert run.returncode in (0, 1), run.err
    json.loads(run.stdout.decode("utf-8"))


def test_non_utf8_name_report_can_be_written_to_a_file(build_case: BuildCase, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run = run_cli("audit", "--format", "json", "-o", out, build_case(BY_NAME["non-utf8-name"]))
    assert run.returncode in (0, 1), run.err
    json.loads(out.read_bytes())
