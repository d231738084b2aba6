"""A small village plan with known gaps, built by code and audited once per session.

Planted gaps: the 信息报告 section gives no time limit, a duty sentence is vague ("负责职责范围内的
相关工作"), and the contact table holds a placeholder phone "1380000xxxx" in row 3, column 3. The
table of contents sits in a content control, so body ordinals only line up if the annotator walks
into it the way the reader does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.docx_builder import build_docx
from tests.fixtures.pdf_builder import build_pdf
from yjplan.model import AuditResult

PLACEHOLDER = "1380000xxxx"
REPORT_HEADING = "（一）信息报告"
VAGUE = "各成员负责职责范围内的相关工作，按照领导小组的安排做好相关工作。"

_BODY = [
    ("heading", 1, "一、总则"),
    ("heading", 2, "（一）编制目的"),
    ("para", "为提高本村应对突发事件的能力，保障村民生命财产安全，制定本预案。"),
    ("heading", 1, "二、组织机构与职责"),
    ("para", "村应急工作领导小组由村党支部书记任组长，村委会主任任副组长。"),
    ("para", VAGUE),
    ("heading", 1, "三、应急响应"),
    ("heading", 2, REPORT_HEADING),
    ("para", "发生突发事件后，村委会向镇政府报告事件情况。"),
    ("heading", 2, "（二）应急处置"),
    ("para", "组织群众转移到村小学操场，设置警戒线，关闭危险区域电源。"),
    ("heading", 1, "附件 应急联系人"),
    ("table", [["职务", "姓名", "电话"], ["组长", "张三", "13912345678"], ["副组长", "李四", PLACEHOLDER]]),
]
TITLE = "青石村突发事件应急预案"
DOCX_BLOCKS = [
    ("title", TITLE),
    ("para", "青石村村民委员会"),
    ("toc", ["一、总则", "二、组织机构与职责", "三、应急响应", "附件 应急联系人"]),
    *_BODY,
]
PDF_BLOCKS = [("title", TITLE), ("para", "青石村村民委员会"), *_BODY]


def audit(path: Path) -> AuditResult:
    from yjplan.pipeline import AuditOptions, audit_file

    return audit_file(path, AuditOptions())


@pytest.fixture(scope="session")
def gap_docx(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AuditResult]:
    path = build_docx(tmp_path_factory.mktemp("plan") / "青石村突发事件应急预案.docx", DOCX_BLOCKS)
    return path, audit(path)


@pytest.fixture(scope="session")
def gap_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AuditResult]:
    path = build_pdf(tmp_path_factory.mktemp("plan") / "青石村突发事件应急预案.pdf", PDF_BLOCKS)
    return path, audit(path)
