"""A Word body rebuilt from the outline, for inputs that have none (PDF, plain text, Markdown).

Headings get Word's built-in heading styles (so the navigation pane shows the plan's structure),
paragraphs and tables follow in order. Each heading and block remembers where it came from in the
original file, so a finding's ``Location`` (page and line, or line) finds its paragraph here and the
annotator can put the same comments on it as on a real .docx.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from yjplan.model import Block, BlockKind, Document, Location, Section
from yjplan.report.annotate import Anchor

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_Key = tuple[int | None, int | None, int | None, int | None]


def _key(loc: Location) -> _Key:
    # a table cell's location is the table's location plus row/col: drop those to find the table
    return (loc.page, loc.paragraph, loc.line, loc.table)


@dataclass(frozen=True, slots=True)
class ReviewDocx:
    data: bytes
    anchors: dict[_Key, int]  # original location → body ordinal in ``data``
    title: Anchor

    def locate(self, loc: Location) -> Anchor | None:
        ordinal = self.anchors.get(_key(loc))
        if ordinal is None:
            return None
        return Anchor(ordinal, loc.row, loc.col) if loc.table is not None else Anchor(ordinal)


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def build_review_docx(doc: Document) -> ReviewDocx:
    """The outline of ``doc`` as a .docx, with a map from original locations to its paragraphs."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    from yjplan.parse.docx import iter_body_elements

    word = docx.Document()
    _use_chinese_fonts(word)
    word.core_properties.title = _clean(doc.title or "")
    word.core_properties.author = "yjplan"
    placed: list[tuple[_Key, Any]] = []  # (original location, lxml element) in body order

    title_text = doc.title or _fallback_title(doc)
    title = word.add_paragraph(_clean(title_text), style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note = word.add_paragraph()
    run = note.add_run(f"审查稿：由 yjplan 根据 {doc.path} 中提取的文字重建，仅用于承载审查批注；"
                       "版式、页码和图片以原文件为准。")  # fmt: skip
    run.italic = True
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    def add_block(block: Block) -> None:
        if block.kind == BlockKind.TABLE and block.table is not None and block.table.rows:
            rows = block.table.rows
            width = max(len(r) for r in rows)
            table = word.add_table(rows=len(rows), cols=width)
            table.style = word.styles["Table Grid"]
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    table.cell(r, c).text = _clean(text)
            placed.append((_key(block.location), table._tbl))
            return
        if is_title_line(block.text):
            placed.append((_key(block.location), title._p))
            return
        style = "List Paragraph" if block.kind == BlockKind.LIST_ITEM else None
        paragraph = word.add_paragraph(_clean(block.text), style=style)
        placed.append((_key(block.location), paragraph._p))

    title_used = [False]

    def is_title_line(text: str) -> bool:
        # the original's title line (a PDF's often comes out as a heading) is the Title paragraph already
        if title_used[0] or not doc.title or text.strip() != doc.title.strip():
            return False
        title_used[0] = True
        return True

    def add_section(sec: Section) -> None:
        if sec.level > 0 and is_title_line(sec.heading):
            placed.append((_key(sec.location), title._p))
        elif sec.level > 0:
            heading = word.add_paragraph(_clean(sec.heading), style=f"Heading {min(sec.level, 9)}")
            placed.append((_key(sec.location), heading._p))
        for block in sec.blocks:
            add_block(block)
        for child in sec.children:
            add_section(child)

    add_section(doc.root)
    buffer = io.BytesIO()
    word.save(buffer)

    ordinals = {id(el): n for n, el in iter_body_elements(word.element.body)}
    anchors: dict[_Key, int] = {}
    for key, el in placed:
        anchors.setdefault(key, ordinals[id(el)])
    return ReviewDocx(buffer.getvalue(), anchors, Anchor(ordinals[id(title._p)]))


def _use_chinese_fonts(word: Any) -> None:
    """Song for body text, Hei for titles.

    python-docx's template leaves East Asian text to the theme (empty ``a:ea``, language en-US), which
    LibreOffice resolves to the Japanese ＭＳ 明朝.
    """
    from docx.oxml.ns import qn

    names = ["Normal", "List Paragraph", "Title", *(f"Heading {n}" for n in range(1, 10))]
    for name in names:
        fonts = word.styles[name].element.get_or_add_rPr().get_or_add_rFonts()
        # a theme attribute overrides the explicit font, so it has to go
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), "宋体" if name in ("Normal", "List Paragraph") else "黑体")


def _fallback_title(doc: Document) -> str:
    from pathlib import PurePath

    return PurePath(doc.path).stem
