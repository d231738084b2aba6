from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from tests.fixtures.docx_builder import build_docx
from tests.report.conftest import PLACEHOLDER, REPORT_HEADING, TITLE, VAGUE, audit
from yjplan.errors import InputError, OutputPathError
from yjplan.model import AuditResult, Finding, Location, Outcome
from yjplan.report.annotate import (
    AUTHOR,
    COMMENT_MARKUP,
    INITIALS,
    W_COMMENT_REF,
    W_P,
    W_RANGE_START,
    W_T,
    W_TBL,
    W_TC,
    _table_paragraph,
    annotate_result,
    rebuilt_note,
    review_path,
)

W_ID = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}id"
CHANGED_PARTS = {"word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"}


# --- helpers -------------------------------------------------------------------------------------


def _text(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(W_T))


def _comments(path: Path) -> dict[int, list[str]]:
    """comment id → its paragraphs' text, read back with python-docx."""
    word = docx.Document(str(path))
    out = {}
    for c in word.comments:
        assert c.author == AUTHOR
        assert c.initials == INITIALS
        out[c.comment_id] = [p.text for p in c.paragraphs]
    return out


def _anchors(path: Path) -> dict[int, etree._Element]:
    """comment id → the w:p whose range holds it."""
    word = docx.Document(str(path))
    return {int(start.get(W_ID)): start.getparent() for start in word.element.body.iter(W_RANGE_START)}


def _primary(comments: dict[int, list[str]], f: Finding) -> list[int]:
    return [cid for cid, lines in comments.items() if lines[0] == f"{f.rule_id} {f.title}"]


def _expected_text(result: AuditResult, f: Finding) -> set[str]:
    """What the paragraph under a finding's comment says, from the reader's Document (an independent oracle).

    A heading's paragraph holds its title, plus the number when the number is typed rather than automatic.
    """
    loc = f.location
    if loc is None:
        for _path, sec in result.document.sections():
            if sec.level and f.section_path and sec.heading == f.section_path[-1]:
                return {sec.title, sec.heading}
        return {TITLE}
    for _path, sec in result.document.sections():
        if sec.level and sec.location == loc:
            return {sec.title, sec.heading}
        for block in sec.blocks:
            if block.location.paragraph != loc.paragraph:
                continue
            if block.table is not None and loc.row is not None:
                return {block.table.rows[loc.row - 1][(loc.col or 1) - 1]}
            return {block.text}
    raise AssertionError(f"no block at {loc}")


def _strip_markup(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    for el in [e for e in root.iter() if e.tag in COMMENT_MARKUP]:
        parent = el.getparent()
        if el.tag == W_COMMENT_REF:
            parent.getparent().remove(parent)  # the run that only carries the reference mark
        else:
            parent.remove(el)
    return etree.tostring(root, method="c14n")


@pytest.fixture(scope="module")
def annotated(gap_docx: tuple[Path, AuditResult], tmp_path_factory: pytest.TempPathFactory) -> Path:
    _source, result = gap_docx
    return annotate_result(result, tmp_path_factory.mktemp("out") / "审查稿.docx")


def _gap(result: AuditResult, predicate) -> Finding:  # type: ignore[no-untyped-def]
    hits = [f for f in result.findings if f.is_gap and predicate(f)]
    assert hits, "the fixture plan no longer produces the planted gap"
    return hits[0]


# --- anchoring -----------------------------------------------------------------------------------


def test_every_gap_has_exactly_one_full_comment_and_passes_have_none(
    gap_docx: tuple[Path, AuditResult], annotated: Path
) -> None:
    _source, result = gap_docx
    comments = _comments(annotated)
    gaps = [f for f in result.findings if f.is_gap]
    assert len(gaps) >= 3
    for f in gaps:
        assert len(_primary(comments, f)) == 1, f.rule_id
    commented = {lines[0].split()[0] for lines in comments.values()}
    for f in result.findings:
        if f.outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE):
            assert f.rule_id not in commented


def test_each_comment_sits_on_the_paragraph_its_finding_points_at(
    gap_docx: tuple[Path, AuditResult], annotated: Path
) -> None:
    _source, result = gap_docx
    comments, anchors = _comments(annotated), _anchors(annotated)
    for f in result.gaps():
        (cid,) = _primary(comments, f)
        assert _text(anchors[cid]) in _expected_text(result, f), f.rule_id


def test_placeholder_comment_sits_in_the_table_cell_holding_the_number(
    gap_docx: tuple[Path, AuditResult], annotated: Path
) -> None:
    _source, result = gap_docx
    finding = _gap(result, lambda f: any(PLACEHOLDER in ev.quote for ev in f.evidence))
    (cid,) = _primary(_comments(annotated), finding)
    paragraph = _anchors(annotated)[cid]
    assert _text(paragraph) == PLACEHOLDER
    assert paragraph.getparent().tag == W_TC
    lines = _comments(annotated)[cid]
    assert any(PLACEHOLDER in line and line.startswith("问题原文") for line in lines)
    assert any(line.startswith("建议：") for line in lines)


def test_missing_time_limit_comment_sits_on_the_report_heading(
    gap_docx: tuple[Path, AuditResult], annotated: Path
) -> None:
    _source, result = gap_docx
    finding = _gap(result, lambda f: not f.evidence and f.section_path[-1:] == (REPORT_HEADING,) and "时限" in f.message)
    (cid,) = _primary(_comments(annotated), finding)
    paragraph = _anchors(annotated)[cid]
    assert _text(paragraph) == REPORT_HEADING
    lines = _comments(annotated)[cid]
    assert lines[1] == f"【{finding.outcome.label}·{finding.severity.label}】{finding.message}"
    assert any(line.startswith("查找范围：") for line in lines)
    assert any(line.startswith("依据：") for line in lines) == bool(finding.references)


def test_vague_duty_comment_sits_on_the_vague_sentence(gap_docx: tuple[Path, AuditResult], annotated: Path) -> None:
    _source, result = gap_docx
    finding = _gap(result, lambda f: any("职责范围内的相关工作" in ev.quote for ev in f.evidence))
    (cid,) = _primary(_comments(annotated), finding)
    assert _text(_anchors(annotated)[cid]) == VAGUE


def test_summary_comment_on_the_title_gives_total_grade_and_criteria(
    gap_docx: tuple[Path, AuditResult], annotated: Path
) -> None:
    _source, result = gap_docx
    comments, anchors = _comments(annotated), _anchors(annotated)
    (cid,) = [cid for cid, lines in comments.items() if lines[0] == "yjplan 审查结果"]
    assert _text(anchors[cid]) == TITLE
    text = "\n".join(comments[cid])
    assert f"总分 {result.total:.1f}，等级：{result.grade}" in text
    for score in result.scores:
        assert f"{score.criterion.value} {score.score:.1f}" in text
    assert f"本稿共 {len(result.gaps())} 条问题批注" in text


# --- the rest of the package is untouched ---------------------------------------------------------


def test_body_is_unchanged_apart_from_comment_markup(gap_docx: tuple[Path, AuditResult], annotated: Path) -> None:
    source, _result = gap_docx
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(annotated) as zout:
        original = _strip_markup(zin.read("word/document.xml"))
        copy = zout.read("word/document.xml")
        assert copy.count(b"commentRangeStart") > 3
        assert _strip_markup(copy) == original


def test_every_other_part_is_byte_identical(gap_docx: tuple[Path, AuditResult], annotated: Path) -> None:
    source, _result = gap_docx
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(annotated) as zout:
        before = {i.filename: zin.read(i) for i in zin.infolist()}
        after = {i.filename: zout.read(i) for i in zout.infolist()}
        assert [i.filename for i in zout.infolist()][: len(before)] == [i.filename for i in zin.infolist()]
        assert set(after) - set(before) == {"word/comments.xml"}
        for name, data in before.items():
            if name not in CHANGED_PARTS:
                assert after[name] == data, name
            assert zout.getinfo(name).date_time == zin.getinfo(name).date_time


def test_package_parts_gain_only_the_comments_declarations(
    gap_docx: tuple[Path, AuditResult], annotated: Path
) -> None:
    source, _result = gap_docx
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(annotated) as zout:
        for name in ("[Content_Types].xml", "word/_rels/document.xml.rels"):
            old, new = etree.fromstring(zin.read(name)), etree.fromstring(zout.read(name))
            added = [el for el in new if "comments" in (el.get("Type", "") + el.get("PartName", ""))]
            assert len(added) == 1, name
            new.remove(added[0])
            assert etree.tostring(new, method="c14n") == etree.tostring(old, method="c14n")


def test_annotating_twice_gives_the_same_bytes(gap_docx: tuple[Path, AuditResult], tmp_path: Path) -> None:
    _source, result = gap_docx
    first = annotate_result(result, tmp_path / "a.docx").read_bytes()
    second = annotate_result(result, tmp_path / "b.docx").read_bytes()
    assert first == second


# --- paths -----------------------------------------------------------------------------------------


def test_default_copy_goes_next_to_the_source_and_leaves_it_alone(tmp_path: Path) -> None:
    from tests.report.conftest import DOCX_BLOCKS

    source = build_docx(tmp_path / "村预案.docx", DOCX_BLOCKS)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    result = audit(source)
    out = annotate_result(result)
    assert out == tmp_path / "村预案.审查.docx"
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest
    reports = tmp_path / "reports"
    reports.mkdir()
    assert annotate_result(result, near=reports) == reports / "村预案.审查.docx"
    assert annotate_result(result, reports) == reports / "村预案.审查.docx"


def test_refuses_to_overwrite_the_input(gap_docx: tuple[Path, AuditResult]) -> None:
    source, result = gap_docx
    with pytest.raises(OutputPathError):
        annotate_result(result, source)
    with pytest.raises(OutputPathError):
        review_path(result, source.parent / "x" / ".." / source.name)


def test_refuses_a_non_word_output_name(gap_docx: tuple[Path, AuditResult], tmp_path: Path) -> None:
    _source, result = gap_docx
    with pytest.raises(OutputPathError):
        annotate_result(result, tmp_path / "审查稿.pdf")


def test_refuses_a_file_changed_since_the_audit(tmp_path: Path) -> None:
    from tests.report.conftest import DOCX_BLOCKS

    source = build_docx(tmp_path / "plan.docx", DOCX_BLOCKS)
    result = audit(source)
    build_docx(source, [("title", TITLE), ("para", "完全不同的内容。")])
    with pytest.raises(InputError, match="修改"):
        annotate_result(result, tmp_path / "out.docx")


def test_native_docx_needs_no_rebuild_note(gap_docx: tuple[Path, AuditResult]) -> None:
    assert rebuilt_note(gap_docx[1]) is None


# --- packages with comments already, merged cells ---------------------------------------------------


def test_existing_comments_are_kept_and_ids_stay_unique(tmp_path: Path) -> None:
    from tests.report.conftest import DOCX_BLOCKS

    source = build_docx(tmp_path / "plan.docx", DOCX_BLOCKS)
    word = docx.Document(str(source))
    word.add_comment(word.paragraphs[0].runs, text="领导意见：请补充风险分析。", author="张科长", initials="ZK")
    word.save(str(source))
    result = audit(source)
    out = annotate_result(result, tmp_path / "out.docx")
    comments = docx.Document(str(out)).comments
    authors = [c.author for c in comments]
    assert authors.count("张科长") == 1
    assert authors.count(AUTHOR) >= len(result.gaps()) + 1
    ids = [c.comment_id for c in comments]
    assert len(ids) == len(set(ids))
    kept = next(c for c in comments if c.author == "张科长")
    assert kept.text == "领导意见：请补充风险分析。"
    with zipfile.ZipFile(out) as z:
        references = [int(el.get(W_ID)) for el in etree.fromstring(z.read("word/document.xml")).iter(W_COMMENT_REF)]
    assert sorted(references) == sorted(ids)


def test_a_vertically_merged_cell_resolves_to_the_cell_that_starts_the_merge(tmp_path: Path) -> None:
    rows = [["职务", "电话"], ["抢险组", "13912345678"], ["", "13812345678"]]
    source = build_docx(tmp_path / "merged.docx", [("table", rows, [((1, 0), (2, 0))])])
    with zipfile.ZipFile(source) as z:
        tbl = next(etree.fromstring(z.read("word/document.xml")).iter(W_TBL))
    assert _text(_table_paragraph(tbl, 3, 1)) == "抢险组"
    assert _text(_table_paragraph(tbl, 3, 2)) == "13812345678"
    assert _text(_table_paragraph(tbl, 2, 2)) == "13912345678"
    assert _text(_table_paragraph(tbl, None, None)) == "职务"


def test_an_unplaceable_location_falls_back_to_the_section_heading_then_the_title(
    gap_docx: tuple[Path, AuditResult], tmp_path: Path
) -> None:
    from dataclasses import replace

    _source, result = gap_docx
    target = result.gaps()[0]
    lost_in_section = replace(target, location=Location(paragraph=9999), section_path=("三、应急响应", REPORT_HEADING))
    lost = replace(target, rule_id="YJ998", location=Location(paragraph=9999), section_path=())
    out = annotate_result(replace(result, findings=(lost_in_section, lost)), tmp_path / "out.docx")
    comments, anchors = _comments(out), _anchors(out)
    by_rule = {lines[0].split()[0]: cid for cid, lines in comments.items()}
    assert _text(anchors[by_rule[target.rule_id]]) == REPORT_HEADING
    assert _text(anchors[by_rule["YJ998"]]) == TITLE


def test_paragraph_with_several_comments_closes_ranges_before_reference_marks(annotated: Path) -> None:
    word = docx.Document(str(annotated))
    crowded = [p for p in word.element.body.iter(W_P) if len(p.findall(W_RANGE_START)) > 1]
    assert crowded, "the fixture should put several comments on one heading"
    for p in crowded:
        tags = [etree.QName(el).localname for el in p if etree.QName(el).localname != "pPr"]
        n = len(p.findall(W_RANGE_START))
        assert tags[:n] == ["commentRangeStart"] * n
        assert tags[-2 * n : -n] == ["commentRangeEnd"] * n
        assert tags[-n:] == ["r"] * n


# --- command line ----------------------------------------------------------------------------------


def test_audit_command_writes_the_copy_next_to_the_report(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import yjplan.commands  # noqa: F401  (registers audit on the app)
    from tests.report.conftest import DOCX_BLOCKS
    from yjplan.cli import app

    source = build_docx(tmp_path / "plan.docx", DOCX_BLOCKS)
    (tmp_path / "out").mkdir()
    runner = CliRunner()
    result = runner.invoke(app, ["audit", str(source), "--annotate", "--format", "json",
                                 "-o", str(tmp_path / "out" / "r.json")])  # fmt: skip
    assert (tmp_path / "out" / "plan.审查.docx").is_file(), result.output
    assert "已生成审查稿" in result.output
    result = runner.invoke(app, ["audit", str(source), "--annotate-out", str(source)])
    assert result.exit_code == 2
    assert "E011" in result.output
