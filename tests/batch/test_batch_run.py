"""End-to-end batch runs over a folder built from the corpus, the samples and broken files."""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from tests.batch.conftest import CORPUS, CORPUS_FILES, build_plan_folder, rel_name
from yjplan.batch import BatchSettings, run
from yjplan.errors import OutputPathError


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("batch")
    folder = base / "预案"
    expect = build_plan_folder(folder)
    settings = BatchSettings(inputs=(folder,), output=base / "out", jobs=2, cache_dir=base / "cache",
                             timeout_s=60, today=__import__("datetime").date(2025, 6, 1))
    out = io.StringIO()
    report = run(settings, out=out, err=io.StringIO())
    return folder, expect, settings, report, out.getvalue()


def _rows(report) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(line) for line in report.results_path.read_text(encoding="utf-8").splitlines()]


def test_every_input_appears_exactly_once_with_its_outcome(first_run) -> None:  # type: ignore[no-untyped-def]
    folder, expect, _, report, _ = first_run
    rows = _rows(report)
    names = Counter(rel_name(r["path"], folder) for r in rows)
    assert names == Counter(expect.keys()), "each input exactly once, nothing else (no hidden, .py or .git files)"
    for row in rows:
        want = expect[rel_name(row["path"], folder)]
        assert row["status"] == want.status, row["path"]
        if want.code:
            assert row["error"]["code"] == want.code, row
        if row["status"] == "error":
            assert row["error"]["message"] and "\n" not in row["error"]["message"]
        if row["status"] == "skipped":
            assert row["reason"]
    assert report.inputs == len(expect) == len(report.plans)
    assert report.ignored >= 3  # 说明.py, .隐藏预案.txt, the .git folder


def test_undecodable_file_name_is_audited_and_shown_with_replacement_characters(first_run) -> None:  # type: ignore[no-untyped-def]
    _, _, _, report, _ = first_run
    row = next(r for r in _rows(report) if "\ufffd" in r["path"])
    assert row["status"] == "audited"
    assert "\\xff\\xfe" in row["key"]  # the identity keeps the exact bytes


def test_every_format_is_written(first_run) -> None:  # type: ignore[no-untyped-def]
    _, expect, settings, _, terminal = first_run
    out = settings.output
    assert {p.name for p in out.iterdir()} >= {"summary.csv", "findings.csv", "crossplan.csv", "report.xlsx",
                                                "report.html", "results.jsonl"}
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    summary = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(summary) == len(expect)
    totals = [float(r["总分"]) for r in summary if r["状态"] == "已审查"]
    assert totals == sorted(totals, reverse=True), "ranked by total"
    findings = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8-sig"))))
    assert findings and all(r["规则"].startswith("YJ") for r in findings)

    from openpyxl import load_workbook

    wb = load_workbook(out / "report.xlsx")
    assert wb.sheetnames == ["汇总", "全部预案", "全部问题", "跨预案"]
    plans = wb["全部预案"]
    assert plans.freeze_panes == "A2" and plans.auto_filter.ref.startswith("A1:")
    assert plans.max_row == len(expect) + 1
    grade_cells = [row[6] for row in plans.iter_rows(min_row=2) if row[6].value]
    assert grade_cells and all(c.fill.fgColor.rgb.endswith(("63BE7B", "C6EFCE", "FFEB84", "F8696B"))
                               for c in grade_cells)
    assert wb["全部问题"].max_row == len(findings) + 1

    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 3 and "<script" not in html
    assert "src=" not in html and "<link" not in html, "self-contained: nothing to fetch"
    assert "按预案类型" in html and "跨预案检查" in html
    assert "按总分排名" in terminal and "报告已写入" in terminal


def test_planted_copy_is_flagged_with_copied_paragraphs(first_run) -> None:  # type: ignore[no-untyped-def]
    if not (CORPUS / CORPUS_FILES[0]).exists():
        pytest.skip("corpus not available")
    folder, _, _, report, _ = first_run
    dups = [c for c in report.cross if c.kind == "near_duplicate"]
    pairs = [{rel_name(p, folder) for p in c.paths} for c in dups]
    assert {CORPUS_FILES[0], "乡镇/宝鸡市公路交通突发事件应急预案.txt"} in pairs
    planted = dups[pairs.index({CORPUS_FILES[0], "乡镇/宝鸡市公路交通突发事件应急预案.txt"})]
    assert planted.similarity and planted.similarity >= 0.6
    assert planted.details and "≈" in planted.details[0]
    # the two different corpus plans are not reported as copies of each other
    assert {CORPUS_FILES[0], CORPUS_FILES[1]} not in pairs


def test_conflicting_phone_missing_superior_plan_and_overdue_are_flagged(first_run) -> None:  # type: ignore[no-untyped-def]
    folder, _, _, report, _ = first_run
    phones = [c for c in report.cross if c.kind == "phone_conflict"]
    conflict = next(c for c in phones if "青石镇应急办" in c.message)
    assert "0839-5551234" in conflict.message and "0839-5559999" in conflict.message
    assert {rel_name(p, folder) for p in conflict.paths} == {"乡镇/青石镇防汛抗旱应急预案.txt",
                                                              "乡镇/青石镇地质灾害应急预案.txt"}
    # the samples share one set of numbers: consistent plans are not reported
    assert not any("石桥镇应急管理办公室" in c.message for c in phones)
    no_superior = {rel_name(c.paths[0], folder) for c in report.cross if c.kind == "no_superior_plan"}
    assert {"乡镇/青石镇防汛抗旱应急预案.txt", "乡镇/青石镇地质灾害应急预案.txt"} <= no_superior
    assert "乡镇/石桥镇突发事件总体应急预案.docx" not in no_superior  # it cites 《梧桐县突发事件总体应急预案》
    overdue = {rel_name(c.paths[0], folder) for c in report.cross if c.kind == "overdue"}
    assert "乡镇/青石镇防汛抗旱应急预案.txt" in overdue
    assert "乡镇/青石镇地质灾害应急预案.txt" not in overdue


def test_exit_code_is_2_when_a_file_fails(first_run) -> None:  # type: ignore[no-untyped-def]
    _, _, _, report, _ = first_run
    assert report.errors and report.exit_code == 2


def test_rerun_answers_from_cache_without_parsing(first_run) -> None:  # type: ignore[no-untyped-def]
    _, expect, settings, report, _ = first_run

    def no_work(tasks, setup, **kw):  # type: ignore[no-untyped-def]
        for task in tasks:
            raise AssertionError(f"a cached file reached the parser: {task.path}")
        yield from ()

    again = run(settings, executor=no_work, out=io.StringIO(), err=io.StringIO())
    audited = sum(1 for e in expect.values() if e.status == "audited")
    assert again.cache_hits >= audited and again.audited_now == 0
    assert [(p.path, p.total, p.status) for p in again.plans] == [(p.path, p.total, p.status) for p in report.plans]
    assert all(r.get("cached") for r in _rows(again) if r["status"] == "audited")


def test_default_output_inside_the_input_folder_is_refused(first_run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder, _, _, _, _ = first_run
    monkeypatch.chdir(folder)
    with pytest.raises(OutputPathError) as info:
        run(BatchSettings(inputs=(Path("."),), jobs=1, use_cache=False), out=io.StringIO(), err=io.StringIO())
    assert info.value.code == "E011"
    assert not any(p.name.startswith("yjplan-batch-") for p in folder.iterdir())
    with pytest.raises(OutputPathError):  # not even explicitly: the reports would become inputs
        run(BatchSettings(inputs=(folder,), output=folder, jobs=1, use_cache=False), out=io.StringIO(),
            err=io.StringIO())


def test_reports_are_readable_by_others(first_run) -> None:  # type: ignore[no-untyped-def]
    _, _, settings, _, _ = first_run
    mask = os.umask(0o22)
    os.umask(mask)
    for name in ("report.html", "results.jsonl", "summary.csv"):
        assert (settings.output / name).stat().st_mode & 0o777 == 0o666 & ~mask
