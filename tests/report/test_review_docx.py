from __future__ import annotations

import hashlib
from pathlib import Path

import docx
import pytest

from tests.report.conftest import PLACEHOLDER, REPORT_HEADING, TITLE, audit
from yjplan.model import AuditResult
from yjplan.report.annotate import W_RANGE_START, W_T, W_TC, annotate_result, rebuilt_note
from yjplan.report.review_docx import build_review_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_ID, W_VAL = f"{W}id", f"{W}val"

TEXT_PLAN = f"""{TITLE}
青石村村民委员会
一、总则
（一）编制目的
为提高本村应对突发事件的能力，保障村民生命财产安全，制定本预案。
二、组织机构与职责
村应急工作领导小组由村党支部书记任组长，村委会主任任副组长。
各成员负责职责范围内的相关工作，按照领导小组的安排做好相关工作。
三、应急响应
{REPORT_HEADING}
发生突发事件后，村委会向镇政府报告事件情况。
（二）应急处置
组织群众转移到村小学操场，设置警戒线，关闭危险区域电源。
附件 应急联系人
副组长李四，电话{PLACEHOLDER}。
"""


def _anchored(path: Path) -> dict[str, tuple[str, str | None, bool]]:
    """First comment line → (anchor paragraph text, its style id, whether it sits in a table cell)."""
    word = docx.Document(str(path))
    first = {c.comment_id: c.paragraphs[0].text for c in word.comments}
    out = {}
    for start in word.element.body.iter(W_RANGE_START):
        p = start.getparent()
        style = p.find(f"{W}pPr/{W}pStyle")
        out[first[int(start.get(W_ID))]] = (
            "".join(t.text or "" for t in p.iter(W_T)),
            None if style is None else style.get(W_VAL),
            p.getparent().tag == W_TC,
        )
    return out


@pytest.fixture(scope="module")
def pdf_review(gap_pdf: tuple[Path, AuditResult], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return annotate_result(gap_pdf[1], tmp_path_factory.mktemp("out") / "pdf.审查.docx")


def test_pdf_review_copy_rebuilds_headings_with_word_heading_styles(gap_pdf: tuple[Path, AuditResult]) -> None:
    _source, result = gap_pdf
    review = build_review_docx(result.document)
    import io

    word = docx.Document(io.BytesIO(review.data))
    styled = {p.text: p.style.name for p in word.paragraphs}
    assert styled[TITLE] == "Title"
    assert list(styled).count(TITLE) == 1  # the PDF's title line is not repeated as a heading
    assert styled["三、应急响应"] == "Heading 1"
    assert styled[REPORT_HEADING] == "Heading 2"
    assert any(PLACEHOLDER in cell.text for table in word.tables for row in table.rows for cell in row.cells)


def test_pdf_review_copy_carries_every_gap_on_the_right_paragraph(
    gap_pdf: tuple[Path, AuditResult], pdf_review: Path
) -> None:
    _source, result = gap_pdf
    anchored = _anchored(pdf_review)
    for f in result.gaps():
        assert f"{f.rule_id} {f.title}" in anchored, f.rule_id
    time_limit = next(f for f in result.gaps() if not f.evidence and f.section_path[-1:] == (REPORT_HEADING,)
                      and "时限" in f.message)  # fmt: skip
    assert anchored[f"{time_limit.rule_id} {time_limit.title}"][:2] == (REPORT_HEADING, "Heading2")
    placeholder = next(f for f in result.gaps() if any(PLACEHOLDER in ev.quote for ev in f.evidence))
    assert anchored[f"{placeholder.rule_id} {placeholder.title}"] == (PLACEHOLDER, None, True)
    assert anchored["yjplan 审查结果"][0] == TITLE


def test_pdf_review_comments_give_the_original_page_and_line(
    gap_pdf: tuple[Path, AuditResult], pdf_review: Path
) -> None:
    _source, result = gap_pdf
    comments = {c.paragraphs[0].text: c.text for c in docx.Document(str(pdf_review)).comments}
    time_limit = next(f for f in result.gaps() if f.section_path[-1:] == (REPORT_HEADING,) and "时限" in f.message)
    assert f"原文位置：{time_limit.location.describe()}" in comments[f"{time_limit.rule_id} {time_limit.title}"]
    assert "第1页" in time_limit.location.describe()
    assert "由 PDF 文件提取的文字重建" in comments["yjplan 审查结果"]


def test_pdf_input_is_left_alone_and_the_copy_is_a_docx(gap_pdf: tuple[Path, AuditResult], pdf_review: Path) -> None:
    source, result = gap_pdf
    assert hashlib.sha256(source.read_bytes()).hexdigest() == result.document.sha256
    assert pdf_review.suffix == ".docx"
    assert "PDF" in (rebuilt_note(result) or "")


def test_text_input_gets_a_review_copy_with_comments_on_its_lines(tmp_path: Path) -> None:
    source = tmp_path / "青石村突发事件应急预案.txt"
    source.write_bytes(TEXT_PLAN.encode("gbk"))
    result = audit(source)
    out = annotate_result(result)
    assert out == tmp_path / "青石村突发事件应急预案.审查.docx"
    anchored = _anchored(out)
    for f in result.gaps():
        assert f"{f.rule_id} {f.title}" in anchored, f.rule_id
    placeholder = next(f for f in result.gaps() if any(PLACEHOLDER in ev.quote for ev in f.evidence))
    text, _style, _in_cell = anchored[f"{placeholder.rule_id} {placeholder.title}"]
    assert PLACEHOLDER in text
    assert "纯文本" in (rebuilt_note(result) or "")
