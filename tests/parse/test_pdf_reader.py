"""The PDF reader on PDFs built by code: paragraphs, headings, headers, tables, scans and damage."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest

from tests.fixtures.pdf_builder import (
    BODY_SIZE,
    BOLD,
    LEADING,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    PAGE_H,
    REGULAR,
    TITLE_SIZE,
    build_encrypted_pdf,
    build_pdf,
    build_scanned_pdf,
    wrap,
)
from yjplan.errors import EncryptedDocument, FileTooLarge, ParseFailed, ScannedPdf
from yjplan.limits import DEFAULT_LIMITS, Limits
from yjplan.parse import read_raw
from yjplan.parse.pdf import PAGE_NUMBER, read
from yjplan.parse.raw import RawDocument

# No sentence-final punctuation before the end, so only layout can tell where the paragraph stops.
LONG = (
    "公司应急领导小组接到事故报告后应当立即核实情况并按照事故的性质、严重程度、影响范围和可控性"
    "确定响应级别，同时通知各应急工作组赶赴现场开展先期处置，组织疏散周边人员并封锁危险区域，"
    "向属地应急管理部门和行业主管部门如实报告事故发生的时间、地点、伤亡人数和已经采取的措施。"
)
# Each filler differs: pdfium drops a text line identical to one of the five before it when it has no
# glyph boxes for the font (a machine without CJK fonts reading our non-embedded STSong).
FILLERS = [
    f"第{n:02d}段用于占满页面，共两行文字，以便让后面的段落正好跨过分页位置继续排到下一页去，检验续接。"
    for n in range(1, 40)
]
LINES_PER_PAGE = int((PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) // (BODY_SIZE * LEADING))


def _read(path: Path) -> RawDocument:
    return read(path, path.read_bytes(), DEFAULT_LIMITS)


def _texts(raw: RawDocument) -> list[str]:
    return [b.text for b in raw.blocks]


def test_wrapped_paragraph_comes_back_as_one_block_with_its_exact_text(tmp_path: Path) -> None:
    assert len(wrap(LONG, REGULAR, BODY_SIZE, 2 * BODY_SIZE)) >= 3
    pdf = build_pdf(tmp_path / "p.pdf", [("heading", 1, "一、总则"), ("para", LONG), ("para", "下一段。")])

    raw = _read(pdf)

    assert _texts(raw) == ["一、总则", LONG, "下一段。"]
    assert raw.blocks[1].location.page == 1
    assert raw.blocks[1].location.line == 2  # line 1 is the heading
    assert raw.blocks[1].style_level is None
    assert raw.blocks[1].font_size == BODY_SIZE


def test_latin_words_broken_across_lines_get_their_space_back(tmp_path: Path) -> None:
    text = (
        "通信保障：the duty officer keeps the satellite phone and the backup radio network "
        "available around the clock, tests the emergency power supply every month and records "
        "every failure in the maintenance log before the end of the shift。"
    )
    lines = wrap(text, REGULAR, BODY_SIZE, 2 * BODY_SIZE)
    assert any(a[-1].isalpha() and b[0].isalpha() for a, b in itertools.pairwise(lines))
    pdf = build_pdf(tmp_path / "latin.pdf", [("para", text)])

    assert _texts(_read(pdf)) == [text]


def test_headings_stand_alone_with_larger_font_and_rank(tmp_path: Path) -> None:
    pdf = build_pdf(
        tmp_path / "h.pdf",
        [
            ("title", "某某化工有限公司生产安全事故应急预案"),
            ("heading", 1, "一、总则"),
            ("heading", 2, "（一）编制目的"),
            ("para", "为规范应急管理工作，制定本预案。"),
            ("heading", 3, "1.适用范围"),
            ("para", "本预案适用于公司厂区内发生的生产安全事故。"),
        ],
    )

    blocks = _read(pdf).blocks

    assert [b.text for b in blocks] == [
        "某某化工有限公司生产安全事故应急预案",
        "一、总则",
        "（一）编制目的",
        "为规范应急管理工作，制定本预案。",
        "1.适用范围",
        "本预案适用于公司厂区内发生的生产安全事故。",
    ]
    title, h1, h2, body, h3, _ = blocks
    assert title.centered and not h1.centered and not body.centered
    assert (title.font_size, h1.font_size, h2.font_size) == (22.0, 16.0, 14.0)
    assert (title.style_level, h1.style_level, h2.style_level) == (1, 2, 3)
    assert h1.bold and h2.bold and not body.bold
    # bold at body size is only marked bold: the outline decides whether it is a heading
    assert h3.bold and h3.style_level is None and h3.font_size == BODY_SIZE
    assert body.style_level is None


def test_title_wrapped_over_two_centred_lines_is_one_block(tmp_path: Path) -> None:
    title = "某某市人民政府办公室关于印发某某市突发地质灾害应急预案的通知"
    assert len(wrap(title, BOLD, TITLE_SIZE, 0.0)) == 2
    pdf = build_pdf(tmp_path / "title.pdf", [("title", title), ("heading", 1, "一、总则"), ("para", LONG)])

    first = _read(pdf).blocks[0]

    assert first.text == title
    assert first.centered and first.style_level == 1


def test_paragraph_broken_across_a_page_boundary_is_rejoined(tmp_path: Path) -> None:
    fillers = FILLERS[: (LINES_PER_PAGE - 2) // 2]  # leaves two lines on page 1 for LONG
    assert all(len(wrap(f, REGULAR, BODY_SIZE, 2 * BODY_SIZE)) == 2 for f in fillers)
    blocks = [("para", f) for f in fillers] + [("para", LONG), ("para", "结束。")]
    blocks += [("pagebreak",), ("para", "第三页。")]
    pdf = build_pdf(tmp_path / "cross.pdf", blocks, header="某某公司应急预案")

    raw = _read(pdf)

    assert raw.page_count == 3
    assert _texts(raw) == [*fillers, LONG, "结束。", "第三页。"]
    long_block = raw.blocks[len(fillers)]
    assert long_block.location.page == 1
    assert long_block.location.line == LINES_PER_PAGE - 1
    assert raw.blocks[-2].location.page == 2


def test_running_header_and_page_numbers_are_dropped(tmp_path: Path) -> None:
    topics = ["组织机构", "监测预警", "应急响应", "后期处置"]
    expected = [x for n, t in enumerate(topics, 1) for x in (f"（{n}）{t}", f"做好{t}工作的具体要求。")]
    blocks: list[tuple] = []
    for heading, para in zip(expected[::2], expected[1::2], strict=True):
        blocks += [("heading", 2, heading), ("para", para), ("pagebreak",)]
    pdf = build_pdf(tmp_path / "hdr.pdf", blocks[:-1], header="某某公司生产安全事故应急预案")

    raw = _read(pdf)

    assert raw.page_count == 4
    texts = _texts(raw)
    assert not any("某某公司生产安全事故应急预案" in t for t in texts)
    assert not any(re.search(r"-\s*\d+\s*-", t) for t in texts)
    assert texts == expected
    assert [b.location.page for b in raw.blocks] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert raw.blocks[2].location.line == 1  # the header is not counted as a line


def test_header_on_too_few_pages_is_kept(tmp_path: Path) -> None:
    pdf = build_pdf(
        tmp_path / "two.pdf",
        [("para", "第一页正文。"), ("pagebreak",), ("para", "第二页正文。")],
        header="页眉文字",
    )

    assert "页眉文字" in _texts(_read(pdf))  # with two pages a repeat proves nothing


@pytest.mark.parametrize("text", ["3", "- 3 -", "—3—", "第3页", "第 3 页 共 10 页", "3/10", "Page 3 of 10"])
def test_page_number_lines_are_recognised(text: str) -> None:
    assert PAGE_NUMBER.match(text)


@pytest.mark.parametrize("text", ["3.应急保障", "第三章 总则", "2024年3月", "表3 通讯录", "3、组织机构"])
def test_numbered_text_is_not_a_page_number(text: str) -> None:
    assert not PAGE_NUMBER.match(text)


def test_gridded_table_becomes_a_table_block_and_is_not_repeated_as_text(tmp_path: Path) -> None:
    rows = [
        ["职务", "姓名", "联系电话"],
        ["总指挥", "王建国", "13800001111"],
        ["副总指挥", "李卫东", "13900002222"],
        ["安全员", "赵晓明", ""],
    ]
    pdf = build_pdf(
        tmp_path / "t.pdf",
        [
            ("heading", 2, "（二）应急组织"),
            ("para", "应急指挥部成员如下表。"),
            ("table", rows),
            ("para", "表后文字。"),
        ],
    )

    raw = _read(pdf)

    assert _texts(raw)[:2] == ["（二）应急组织", "应急指挥部成员如下表。"]
    assert _texts(raw)[3] == "表后文字。"
    table_block = raw.blocks[2]
    assert table_block.table is not None
    assert table_block.table.rows == tuple(tuple(r) for r in rows)
    assert table_block.location.page == 1 and table_block.location.table == 1
    assert table_block.location.line == 3
    paragraph_text = "".join(b.text for b in raw.blocks if b.table is None)
    for cell in ("王建国", "13800001111", "副总指挥", "联系电话"):
        assert cell not in paragraph_text


def test_tables_are_numbered_in_document_order(tmp_path: Path) -> None:
    first = [["物资", "数量"], ["沙袋", "500"]]
    second = [["车辆", "车牌"], ["消防车", "陕A12345"]]
    pdf = build_pdf(
        tmp_path / "tt.pdf", [("table", first), ("para", "中间。"), ("pagebreak",), ("table", second)]
    )

    tables = [b for b in _read(pdf).blocks if b.table is not None]

    assert [t.location.table for t in tables] == [1, 2]
    assert [t.location.page for t in tables] == [1, 2]
    assert tables[1].table is not None and tables[1].table.rows[1] == ("消防车", "陕A12345")


def test_table_running_on_to_the_next_page_is_one_table(tmp_path: Path) -> None:
    rows = [["序号", "物资名称", "存放地点"]] + [[str(n), f"应急物资{n}", f"{n}号仓库"] for n in range(1, 61)]
    pdf = build_pdf(tmp_path / "long_table.pdf", [("para", LONG), ("table", rows), ("para", "表后。")])

    raw = _read(pdf)

    assert raw.page_count == 2
    tables = [b for b in raw.blocks if b.table is not None]
    assert len(tables) == 1  # one table, the header row repeated on page 2 read once
    assert tables[0].table is not None and tables[0].table.rows == tuple(tuple(r) for r in rows)
    assert tables[0].location.page == 1 and tables[0].location.table == 1
    assert _texts(raw)[-1] == "表后。"


def test_row_broken_across_pages_is_mended() -> None:
    from yjplan.model import Table
    from yjplan.parse.pdf import _continue_table

    head = Table((("级别", "情形"), ("I级", "造成高速公路交通中断，")))
    tail = Table((("级别", "情形"), ("", "出现大量车辆积压"), ("II级", "造成国道中断")))

    merged = _continue_table(head, tail)

    assert merged.rows == (
        ("级别", "情形"),
        ("I级", "造成高速公路交通中断，出现大量车辆积压"),
        ("II级", "造成国道中断"),
    )


def test_scanned_pdf_is_refused_with_ocr_advice(tmp_path: Path) -> None:
    pdf = build_scanned_pdf(tmp_path / "scan.pdf")

    with pytest.raises(ScannedPdf) as info:
        _read(pdf)

    assert info.value.code == "E212"
    assert "OCR" in info.value.message


def test_image_only_pages_among_text_pages_are_reported(tmp_path: Path) -> None:
    pdf = build_pdf(
        tmp_path / "mixed.pdf",
        [
            ("para", "第一页正文内容，说明本预案的编制目的和适用范围。" * 3),
            ("image_page",),
            ("para", "第三页正文。"),
        ],
    )

    raw = _read(pdf)

    assert raw.notes == ("第2页没有文字层（可能是扫描页），未读取",)
    assert raw.blocks[-1].text == "第三页正文。" and raw.blocks[-1].location.page == 3


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    pdf = build_encrypted_pdf(tmp_path / "enc.pdf")

    with pytest.raises(EncryptedDocument) as info:
        _read(pdf)

    assert info.value.code == "E207"
    assert "加密" in info.value.message


def test_garbage_behind_a_pdf_header_is_a_parse_failure(tmp_path: Path) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"%PDF-1.7\n" + random.Random(7).randbytes(4000))

    with pytest.raises(ParseFailed) as info:
        _read(path)

    assert info.value.code == "E210"


def test_truncated_pdf_is_a_parse_failure(tmp_path: Path) -> None:
    pdf = build_pdf(tmp_path / "whole.pdf", [("para", "完整的文件。")])
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(pdf.read_bytes()[:300])

    with pytest.raises(ParseFailed):
        _read(cut)


def test_too_many_pages_is_refused(tmp_path: Path) -> None:
    pdf = build_pdf(tmp_path / "long.pdf", [("para", "一。"), ("pagebreak",), ("para", "二。")])

    with pytest.raises(FileTooLarge):
        read(pdf, pdf.read_bytes(), Limits(max_pdf_pages=1))


def test_metadata_title_date_and_page_count(tmp_path: Path) -> None:
    pdf = build_pdf(tmp_path / "m.pdf", [("para", "正文。"), ("pagebreak",), ("para", "第二页。")])

    raw = _read(pdf)

    assert raw.format == "pdf"
    assert raw.page_count == 2
    assert raw.meta_title == "测试预案"
    assert raw.meta_date is not None and raw.meta_date.year >= 2024


def test_dispatch_sends_pdf_bytes_to_this_reader(tmp_path: Path) -> None:
    pdf = build_pdf(tmp_path / "renamed.txt", [("para", "扩展名不对，但内容是 PDF。")])

    raw = read_raw(pdf, pdf.read_bytes())

    assert raw.format == "pdf"
    assert _texts(raw) == ["扩展名不对，但内容是 PDF。"]


def test_kangxi_radicals_are_read_as_ordinary_characters() -> None:
    from yjplan.parse.pdf import _char_table

    assert "⼀⼆⼈⼯作\uf06c".translate(_char_table()) == "一二人工作•"


def test_characters_drawn_after_their_line_are_read_in_place(tmp_path: Path) -> None:
    # LibreOffice draws characters it sets in a fallback font (curly quotes, "Ⅲ") after the rest of
    # the line; pdfium keeps that content-stream order, which read "通过“ ” 村村响 应急广播"
    text = "收到预警后，镇应急指挥部办公室通过“村村响”应急广播传达到各村，县级启动Ⅲ级应急响应时镇级同步启动。"
    pdf = build_pdf(tmp_path / "late.pdf", [("late", text, "“”Ⅲ"), ("para", "下一段。")])

    raw = _read(pdf)

    assert _texts(raw) == [text, "下一段。"]
    assert raw.blocks[0].font_size == BODY_SIZE


def test_merged_cells_repeat_their_text_in_every_slot(tmp_path: Path) -> None:
    rows = [
        ["级别", "情形", "", "响应"],
        ["Ⅰ级", "造成10人以上死亡", "或50人以上重伤", "县政府"],
        ["", "需转移1万人以上", "", ""],
    ]
    spans = [((1, 0), (2, 0)), ((0, 1), (0, 2)), ((1, 2), (3, 2))]
    pdf = build_pdf(tmp_path / "merged.pdf", [("para", "分级如下。"), ("table", rows, {"spans": spans})])

    tables = [b.table for b in _read(pdf).blocks if b.table is not None]

    assert len(tables) == 1 and tables[0] is not None
    assert tables[0].rows == (
        ("级别", "情形", "情形", "响应"),
        ("Ⅰ级", "造成10人以上死亡", "或50人以上重伤", "县政府"),
        ("Ⅰ级", "需转移1万人以上", "需转移1万人以上", "需转移1万人以上"),
    )
