from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from tests.fixtures.docx_builder import build_docx
from yjplan.errors import ArchiveTooLarge, ParseFailed, UnsafeXml
from yjplan.limits import DEFAULT_LIMITS, Limits
from yjplan.model import Location, Table
from yjplan.parse import docx as docx_reader
from yjplan.parse import safezip
from yjplan.parse.docx import W_BODY, iter_body_elements, read, render_number
from yjplan.parse.raw import RawBlock, RawDocument

NORMAL_PT = 11.0  # python-docx template: docDefaults w:sz=22
H1_PT, H2_PT = 14.0, 13.0  # template Heading 1 / Heading 2 sizes; Heading 3 inherits the default


def _read(path: Path, limits: Limits = DEFAULT_LIMITS) -> RawDocument:
    return read(path, path.read_bytes(), limits)


def _para(text: str, ordinal: int, **hints: object) -> RawBlock:
    hints.setdefault("font_size", NORMAL_PT)
    return RawBlock(text=text, location=Location(paragraph=ordinal), **hints)  # type: ignore[arg-type]


def _rezip(source: Path, target: Path, replace: dict[str, bytes | None]) -> Path:
    """Copy a package, replacing (bytes) or dropping (None) members."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            if name in replace:
                if replace[name] is not None:
                    zout.writestr(name, replace[name])
            else:
                zout.writestr(name, zin.read(name))
    return target


# --- render_number -------------------------------------------------------------------------------


def _chinese_oracle(n: int) -> str:
    digits = "〇一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")


@pytest.mark.parametrize("fmt", ["chineseCounting", "chineseCountingThousand"])
def test_render_number_chinese_counting_1_to_99(fmt: str) -> None:
    assert [render_number(fmt, n) for n in range(1, 100)] == [_chinese_oracle(n) for n in range(1, 100)]


@pytest.mark.parametrize(
    ("fmt", "value", "expected"),
    [
        ("chineseCounting", 10, "十"),
        ("chineseCounting", 11, "十一"),
        ("chineseCounting", 20, "二十"),
        ("chineseCountingThousand", 101, "一百零一"),
        ("chineseCountingThousand", 110, "一百一十"),
        ("chineseCountingThousand", 1000, "一千"),
        ("chineseLegalSimplified", 12, "壹拾贰"),
        ("japaneseCounting", 11, "十一"),
        ("japaneseCounting", 111, "百十一"),
        ("ideographTraditional", 3, "丙"),
        ("ideographDigital", 105, "一〇五"),
        ("decimalFullWidth", 12, "１２"),
        ("decimalZero", 7, "07"),
        ("upperLetter", 1, "A"),
        ("upperLetter", 27, "AA"),
        ("lowerLetter", 28, "bb"),
        ("decimalEnclosedParen", 3, "⑶"),
        ("ideographEnclosedCircle", 2, "㊁"),
        ("bullet", 5, ""),
        ("none", 5, ""),
        ("someFutureFormat", 5, "5"),
    ],
)
def test_render_number_formats(fmt: str, value: int, expected: str) -> None:
    assert render_number(fmt, value) == expected


def test_render_number_circled_1_to_20_then_plain_digits() -> None:
    assert "".join(render_number("decimalEnclosedCircle", n) for n in range(1, 21)) == "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
    assert render_number("decimalEnclosedCircleChinese", 4) == "④"
    assert render_number("decimalEnclosedCircle", 21) == "21"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (90, "XC"), (400, "CD"), (1994, "MCMXCIV")],
)
def test_render_number_roman(value: int, expected: str) -> None:
    assert render_number("upperRoman", value) == expected
    assert render_number("lowerRoman", value) == expected.lower()


# --- structure and hints ------------------------------------------------------------------------


def test_headings_outline_level_bold_and_centering(tmp_path: Path) -> None:
    path = build_docx(
        tmp_path / "a.docx",
        [
            ("heading", 1, "总则"),
            ("heading", 2, "编制目的"),
            ("heading", 3, "细则"),
            ("para", "为规范突发事件应对工作，制定本预案。"),
            ("empty",),
            ("outline", 2, "适用范围"),
            ("bold", "（一）工作原则"),
            ("para", "居中的说明", {"size": 16, "center": True}),
        ],
    )
    assert _read(path).blocks == (
        _para("总则", 1, style_level=1, bold=True, font_size=H1_PT),
        _para("编制目的", 2, style_level=2, bold=True, font_size=H2_PT),
        _para("细则", 3, style_level=3, bold=True),
        _para("为规范突发事件应对工作，制定本预案。", 4),
        # ordinal 5 is the empty paragraph: skipped, but it still counts
        _para("适用范围", 6, style_level=2),
        _para("（一）工作原则", 7, bold=True),
        _para("居中的说明", 8, font_size=16.0, centered=True),
    )


def test_style_names_chains_and_chinese_names(tmp_path: Path) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    styles = document.styles
    styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)  # no outlineLvl: only the name says heading
    derived = styles.add_style("预案章标题", WD_STYLE_TYPE.PARAGRAPH)
    derived.base_style = styles["Heading 1"]  # inherits outline level 0 through basedOn
    styles.add_style("目录 1", WD_STYLE_TYPE.PARAGRAPH)
    paragraphs = [("标题 2", "编制目的"), ("预案章标题", "总则"), ("目录 1", "总则……1"), ("Title", "预案")]
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    path = tmp_path / "styles.docx"
    document.save(str(path))
    got = [(b.text, b.style_level, b.in_toc) for b in _read(path).blocks]
    assert got == [("编制目的", 2, False), ("总则", 1, False), ("总则……1", None, True), ("预案", None, False)]


def test_gongwen_automatic_numbering_counts_and_restarts(tmp_path: Path) -> None:
    path = build_docx(
        tmp_path / "n.docx",
        [
            ("numbered", 0, "总则"),
            ("numbered", 1, "编制目的"),
            ("numbered", 1, "编制依据"),
            ("numbered", 2, "法律"),
            ("numbered", 2, "法规"),
            ("numbered", 0, "组织机构"),
            ("numbered", 1, "指挥部"),  # a lower level restarts when a higher one moves on
            ("numbered", 2, "办公室"),
            ("numbered", 0, "另一份清单", {"list": "second"}),  # new instance with startOverride
            ("bullet", "要点"),
        ],
    )
    got = [(b.text, b.auto_number, b.is_list, b.style_level) for b in _read(path).blocks]
    assert got == [
        ("总则", "一、", True, None),
        ("编制目的", "（一）", True, None),
        ("编制依据", "（二）", True, None),
        ("法律", "1.", True, None),
        ("法规", "2.", True, None),
        ("组织机构", "二、", True, None),
        ("指挥部", "（一）", True, None),
        ("办公室", "1.", True, None),
        ("另一份清单", "一、", True, None),
        ("要点", None, True, None),
    ]


def test_numbered_headings_keep_style_level_and_get_labels(tmp_path: Path) -> None:
    path = build_docx(
        tmp_path / "h.docx",
        [
            ("heading", 1, "总则", {"numbered": True}),
            ("heading", 2, "编制目的", {"numbered": True}),
            ("para", "正文"),
            ("heading", 1, "组织机构", {"numbered": True}),
            # a Normal paragraph on a list level whose pStyle is a heading style reads as that level
            ("numbered", 1, "应急指挥部", {"list": "headings"}),
        ],
    )
    got = [(b.text, b.auto_number, b.is_list, b.style_level) for b in _read(path).blocks]
    assert got == [
        ("总则", "一、", False, 1),
        ("编制目的", "（一）", False, 2),
        ("正文", None, False, None),
        ("组织机构", "二、", False, 1),
        ("应急指挥部", "（一）", False, 2),
    ]


def test_table_with_merged_cells_repeats_text(tmp_path: Path) -> None:
    rows = [["姓名", "联系方式", ""], ["张三", "组长", "13800000000"], ["", "副组长", "13900000000"]]
    path = build_docx(
        tmp_path / "t.docx",
        [("para", "应急通讯录"), ("table", rows, [((0, 1), (0, 2)), ((1, 0), (2, 0))]), ("para", "完")],
    )
    table = Table(
        rows=(
            ("姓名", "联系方式", "联系方式"),
            ("张三", "组长", "13800000000"),
            ("张三", "副组长", "13900000000"),
        )
    )
    assert _read(path).blocks == (
        _para("应急通讯录", 1),
        RawBlock(text=table.text(), location=Location(paragraph=2, table=1), table=table),
        _para("完", 3),
    )


def test_nested_table_is_flattened_into_its_cell(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "物资"
    cell = outer.cell(0, 1)
    cell.text = "清单"
    inner = cell.add_table(rows=2, cols=2)
    for r, row in enumerate((("帐篷", "20顶"), ("棉被", "100床"))):
        for c, text in enumerate(row):
            inner.cell(r, c).text = text
    document.add_table(rows=1, cols=1).cell(0, 0).text = "第二张表"
    path = tmp_path / "nested.docx"
    document.save(str(path))

    blocks = _read(path).blocks
    assert [b.location for b in blocks] == [Location(paragraph=1, table=1), Location(paragraph=2, table=2)]
    assert blocks[0].table == Table(rows=(("物资", "清单\n帐篷\t20顶\n棉被\t100床"),))


def test_vertically_merged_text_cannot_expand_past_the_char_limit(tmp_path: Path) -> None:
    rows = [["应急物资" * 100]] + [[""] for _ in range(30)]
    path = build_docx(tmp_path / "vm.docx", [("table", rows, [((0, 0), (30, 0))])])
    raw = _read(path, Limits(max_chars=2_000))
    assert len(raw.blocks[0].table.rows) == 4  # 400 chars a row: the fifth would pass 2,000
    assert any("表格" in note for note in raw.notes)
    assert len(_read(path).blocks[0].table.rows) == 31


def test_text_box_follows_its_anchor_once_with_the_same_ordinal(tmp_path: Path) -> None:
    path = build_docx(
        tmp_path / "box.docx",
        [("para", "前文"), ("textbox", "见右侧说明", "24小时值班电话：0571-12345678"), ("para", "后文")],
    )
    assert [(b.text, b.location.paragraph) for b in _read(path).blocks] == [
        ("前文", 1),
        ("见右侧说明", 2),
        ("24小时值班电话：0571-12345678", 2),
        ("后文", 3),
    ]


@pytest.mark.parametrize(
    "marks",
    [{}, {"styled": False, "field": False}],  # as Word writes it, and with the content control alone
)
def test_toc_content_control_marks_entries(tmp_path: Path, marks: dict[str, bool]) -> None:
    entries = ["一、总则\t1", "二、组织机构\t3"]
    path = build_docx(
        tmp_path / "toc.docx", [("title", "某县应急预案"), ("toc", entries, marks), ("heading", 1, "总则")]
    )
    got = [(b.text, b.location.paragraph, b.in_toc) for b in _read(path).blocks]
    assert got == [
        ("某县应急预案", 1, False),
        ("目录", 2, True),
        ("一、总则\t1", 3, True),
        ("二、组织机构\t3", 4, True),
        ("总则", 5, False),
    ]


def test_toc_style_alone_marks_entries(tmp_path: Path) -> None:
    path = build_docx(tmp_path / "tocstyle.docx", [("toc", ["一、总则"], {"sdt": False, "field": False})])
    assert [(b.text, b.in_toc) for b in _read(path).blocks] == [("目录", True), ("一、总则", True)]


def test_toc_field_alone_marks_entries_until_the_field_ends(tmp_path: Path) -> None:
    path = build_docx(
        tmp_path / "tocfield.docx",
        [("toc", ["一、总则", "二、组织机构"], {"sdt": False, "styled": False}), ("para", "一、总则")],
    )
    got = [(b.text, b.in_toc) for b in _read(path).blocks]
    assert got == [("目录", True), ("一、总则", True), ("二、组织机构", True), ("一、总则", False)]


def test_tracked_deletion_is_skipped_and_insertion_kept(tmp_path: Path) -> None:
    path = build_docx(tmp_path / "rev.docx", [("tracked", "事发单位应在", "2小时", "1小时内报告")])
    raw = _read(path)
    assert [b.text for b in raw.blocks] == ["事发单位应在1小时内报告"]
    assert any("修订" in note for note in raw.notes)


def test_moved_text_is_read_once_at_its_new_place(tmp_path: Path) -> None:
    stamp = 'w:id="1" w:author="审阅人"'
    body = (
        f'<w:p><w:moveFrom {stamp}><w:r><w:t>立即</w:t></w:r></w:moveFrom><w:r><w:t>报告，</w:t></w:r>'
        f'<w:moveTo {stamp}><w:r><w:t>立即</w:t></w:r></w:moveTo><w:r><w:t>处置</w:t></w:r></w:p>'
    )
    source = build_docx(tmp_path / "src.docx", [("para", "x")])
    path = _rezip(source, tmp_path / "moved.docx", {"word/document.xml": _document_xml(body)})
    assert [b.text for b in _read(path).blocks] == ["报告，立即处置"]


def test_bold_needs_every_visible_run_and_explicit_off_wins_over_the_style(tmp_path: Path) -> None:
    bold, plain = "<w:rPr><w:b/></w:rPr>", "<w:rPr><w:b w:val=\"0\"/></w:rPr>"
    heading = '<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
    body = (
        f"<w:p><w:r>{bold}<w:t>一、</w:t></w:r><w:r><w:t>总则</w:t></w:r></w:p>"
        f"<w:p><w:r><w:t>总则</w:t></w:r><w:r>{bold}<w:t>一、</w:t></w:r></w:p>"
        f"<w:p><w:r>{bold}<w:t>一、</w:t></w:r><w:r><w:t xml:space=\"preserve\"> </w:t></w:r>"
        f"<w:r>{bold}<w:t>总则</w:t></w:r></w:p>"
        f"<w:p>{heading}<w:r>{plain}<w:t>不加粗的标题</w:t></w:r></w:p>"
        f"<w:p>{heading}<w:r><w:t>标题</w:t></w:r></w:p>"
    )
    source = build_docx(tmp_path / "src.docx", [("para", "x")])
    path = _rezip(source, tmp_path / "bold.docx", {"word/document.xml": _document_xml(body)})
    assert [b.bold for b in _read(path).blocks] == [False, False, True, False, True]


def test_core_and_app_properties(tmp_path: Path) -> None:
    title = "某县防汛应急预案"
    path = build_docx(tmp_path / "m.docx", [("para", "正文")], title=title, created=date(2023, 4, 5))
    raw = _read(path)
    assert (raw.format, raw.meta_title, raw.meta_date, raw.page_count) == ("docx", title, date(2023, 4, 5), 1)


def test_breaks_tabs_and_field_instructions(tmp_path: Path) -> None:
    body = (
        '<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t><w:tab/><w:t>列</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r></w:p>'
    )
    source = build_docx(tmp_path / "src.docx", [("para", "x")])
    path = _rezip(source, tmp_path / "fields.docx", {"word/document.xml": _document_xml(body)})
    assert [b.text for b in _read(path).blocks] == ["第一行\n第二行\t列7"]


def test_ordinals_match_iter_body_elements(tmp_path: Path) -> None:
    path = build_docx(
        tmp_path / "o.docx",
        [
            ("para", "甲"),
            ("toc", ["一、总则"]),
            ("empty",),
            ("table", [["表", "格"]]),
            ("textbox", "乙", "框"),
            ("para", "丙"),
        ],
    )
    with zipfile.ZipFile(path) as package:
        body = etree.fromstring(package.read("word/document.xml")).find(W_BODY)
    elements = dict(iter_body_elements(body))
    assert list(elements) == list(range(1, len(elements) + 1))
    for block in _read(path).blocks:
        element = elements[block.location.paragraph]
        expected = block.text.split("\t")[0] if block.table else block.text
        if block.text != "框":  # text-box text lives inside its anchor's element
            assert expected in "".join(element.itertext())
    assert etree.QName(elements[5]).localname == "tbl"


# --- how the body is walked ---------------------------------------------------------------------
# Small main parts are parsed whole, large ones fed to the parser in chunks and read as they complete,
# and a part with more than one w:body is read block by block as each one ends. All three must read the
# same document the same way.


def _rich_docx(tmp_path: Path) -> Path:
    return build_docx(
        tmp_path / "rich.docx",
        [
            ("title", "某县突发事件总体应急预案"),
            ("toc", ["一、总则\t1", "二、组织机构\t3"]),
            ("heading", 1, "总则", {"numbered": True}),
            ("numbered", 1, "编制目的"),
            ("para", "为规范突发事件应对工作，制定本预案。" * 3),
            ("table", [["姓名", "职务", ""], ["张三", "组长", "13800000000"], ["", "副组长", "13900000000"]],
             [((0, 1), (0, 2)), ((1, 0), (2, 0))]),
            ("textbox", "见右侧说明", "24小时值班电话：0571-12345678"),
            ("tracked", "事发单位应在", "2小时", "1小时内报告"),
            ("bullet", "要点"),
            ("heading", 1, "组织机构", {"numbered": True}),
        ],
    )  # fmt: skip


@pytest.mark.parametrize("max_chars", [DEFAULT_LIMITS.max_chars, 60])
def test_streamed_read_matches_the_whole_tree_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_chars: int
) -> None:
    path = _rich_docx(tmp_path)
    limits = Limits(max_chars=max_chars)
    whole = _read(path, limits)
    assert len(whole.blocks) >= (10 if max_chars > 1000 else 2)
    monkeypatch.setattr(docx_reader, "_WHOLE_TREE_BYTES", 0)
    monkeypatch.setattr(docx_reader, "_FEED_BYTES", 97)  # chunk ends fall inside tags, text and tables
    assert _read(path, limits) == whole


@pytest.mark.parametrize("whole_tree_bytes", [0, 1 << 20])
def test_several_bodies_are_read_block_by_block_as_each_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole_tree_bytes: int
) -> None:
    monkeypatch.setattr(docx_reader, "_WHOLE_TREE_BYTES", whole_tree_bytes)
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    xml = (
        f"<w:document {ns}><w:body><w:p><w:r><w:t>外层</w:t></w:r>"
        "<w:body><w:p><w:r><w:t>内层</w:t></w:r></w:p></w:body></w:p></w:body>"
        "<w:body><w:p><w:r><w:t>第二个</w:t></w:r></w:p></w:body></w:document>"
    )
    source = build_docx(tmp_path / "src.docx", [("para", "x")])
    path = _rezip(source, tmp_path / "bodies.docx", {"word/document.xml": xml.encode()})
    assert [(b.text, b.location.paragraph) for b in _read(path).blocks] == [("内层", 1), ("外层", 2), ("第二个", 3)]


@pytest.mark.parametrize("whole_tree_bytes", [0, 1 << 20])
def test_damage_past_the_text_limit_is_never_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole_tree_bytes: int
) -> None:
    monkeypatch.setattr(docx_reader, "_WHOLE_TREE_BYTES", whole_tree_bytes)
    body = f"<w:p><w:r><w:t>{'应急' * 100}</w:t></w:r></w:p><w:p><w:r><w:t>断了</w:p>"
    source = build_docx(tmp_path / "src.docx", [("para", "x")])
    path = _rezip(source, tmp_path / "cut.docx", {"word/document.xml": _document_xml(body)})
    raw = _read(path, Limits(max_chars=50))
    assert [len(b.text) for b in raw.blocks] == [200]
    assert any("上限" in note for note in raw.notes)
    with pytest.raises(ParseFailed):
        _read(path)


def test_styles_in_a_basedon_cycle_resolve_in_the_order_they_are_defined(tmp_path: Path) -> None:
    # A is basedOn B and B basedOn A. Resolving A first (it comes first) reaches B, whose basedOn
    # then points back into the chain and is cut: B gets nothing from A. A reader that resolved
    # styles as paragraphs name them would start from B and give it A's heading level.
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    styles = (
        f'<w:styles {ns}><w:style w:type="paragraph" w:styleId="A"><w:name w:val="a"/><w:basedOn w:val="B"/>'
        '<w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="B"><w:name w:val="b"/><w:basedOn w:val="A"/></w:style></w:styles>'
    )
    body = (
        '<w:p><w:pPr><w:pStyle w:val="B"/></w:pPr><w:r><w:t>乙</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:pStyle w:val="A"/></w:pPr><w:r><w:t>甲</w:t></w:r></w:p>'
    )
    source = build_docx(tmp_path / "src.docx", [("para", "x")])
    replace = {"word/document.xml": _document_xml(body), "word/styles.xml": styles.encode()}
    path = _rezip(source, tmp_path / "cycle.docx", replace)
    assert [(b.text, b.style_level) for b in _read(path).blocks] == [("乙", None), ("甲", 1)]


# --- safety and damage ----------------------------------------------------------------------------


def _document_xml(body: str, prolog: str = "") -> bytes:
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    xml = f"<w:document {ns}><w:body>{body}</w:body></w:document>"
    return f'<?xml version="1.0" encoding="UTF-8"?>{prolog}{xml}'.encode()


BILLION_LAUGHS = """<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def test_billion_laughs_is_refused_without_expanding(tmp_path: Path) -> None:
    source = build_docx(tmp_path / "src.docx", [("para", "x")])
    bomb = _document_xml("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", BILLION_LAUGHS)
    path = _rezip(source, tmp_path / "lol.docx", {"word/document.xml": bomb})
    with pytest.raises(UnsafeXml) as info:
        _read(path)
    assert info.value.code == "E208"
    assert info.value.message == "文件包含不安全的 XML 实体声明，已拒绝读取"


def test_external_entity_in_styles_is_refused(tmp_path: Path) -> None:
    source = build_docx(tmp_path / "src.docx", [("para", "x")])
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&x;</w:styles>'
    )
    path = _rezip(source, tmp_path / "xxe.docx", {"word/styles.xml": xxe})
    with pytest.raises(UnsafeXml):
        _read(path)


def test_parser_options_alone_never_expand_entities() -> None:
    # defence in depth behind the byte check: small entities stay unexpanded references and are then
    # refused by name; a real bomb is stopped by libxml2's amplification guard before it grows
    small = '<!DOCTYPE d [<!ENTITY a "expanded">]>'
    document = _document_xml("<w:p><w:r><w:t>&a;</w:t></w:r></w:p>", small)
    root = etree.fromstring(document, safezip.xml_parser())
    assert "expanded" not in "".join(root.itertext())
    with pytest.raises(UnsafeXml):
        safezip.refuse_declared_entities(root, "word/document.xml")
    bomb = _document_xml("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", BILLION_LAUGHS)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(bomb, safezip.xml_parser())


def test_zip_bomb_member_is_refused_before_inflating(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = bytes(1 << 20)
            for _ in range(200):
                member.write(zeros)
    assert path.stat().st_size < 1_000_000  # 200 MB of zeros, about 1000:1
    with pytest.raises(ArchiveTooLarge) as info:
        _read(path)
    assert info.value.code == "E203"
    assert "压缩比" in info.value.message


def test_package_limits_members_and_total_size(tmp_path: Path) -> None:
    path = build_docx(tmp_path / "ok.docx", [("para", "正文")])
    with pytest.raises(ArchiveTooLarge):
        _read(path, Limits(max_zip_members=3))
    with pytest.raises(ArchiveTooLarge):
        _read(path, Limits(max_unzipped_bytes=10_000))


def test_read_member_counts_inflated_bytes_not_header_sizes() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("big.xml", b"a" * 50_000)
    archive = safezip.open_package(buffer.getvalue(), DEFAULT_LIMITS)
    assert len(safezip.read_member(archive, "big.xml", 50_000)) == 50_000
    with pytest.raises(ArchiveTooLarge):
        safezip.read_member(archive, "big.xml", 49_999)


def test_truncated_docx_fails_to_parse(tmp_path: Path) -> None:
    source = build_docx(tmp_path / "src.docx", [("para", "正文" * 500)])
    data = source.read_bytes()
    with pytest.raises(ParseFailed) as info:
        read(source, data[: len(data) // 2], DEFAULT_LIMITS)
    assert info.value.code == "E210"
    assert info.value.message.startswith("文件已损坏：")


def test_docx_without_main_document_fails_to_parse(tmp_path: Path) -> None:
    source = build_docx(tmp_path / "src.docx", [("para", "正文")])
    path = _rezip(source, tmp_path / "nodoc.docx", {"word/document.xml": None})
    with pytest.raises(ParseFailed, match="文件已损坏"):
        _read(path)


def test_malformed_document_xml_fails_to_parse(tmp_path: Path) -> None:
    source = build_docx(tmp_path / "src.docx", [("para", "正文")])
    path = _rezip(source, tmp_path / "bad.docx", {"word/document.xml": b"<w:document><w:body><w:p>"})
    with pytest.raises(ParseFailed, match="文件已损坏"):
        _read(path)


def test_package_without_relationship_parts_still_reads_styles(tmp_path: Path) -> None:
    source = build_docx(tmp_path / "src.docx", [("heading", 1, "总则"), ("numbered", 0, "职责")])
    drop: dict[str, bytes | None] = {"_rels/.rels": None, "word/_rels/document.xml.rels": None}
    raw = _read(_rezip(source, tmp_path / "norels.docx", drop))
    got = [(b.text, b.style_level, b.auto_number) for b in raw.blocks]
    assert got == [("总则", 1, None), ("职责", None, "一、")]


def test_damaged_styles_part_is_noted_not_fatal(tmp_path: Path) -> None:
    source = build_docx(tmp_path / "src.docx", [("heading", 1, "总则")])
    path = _rezip(source, tmp_path / "s.docx", {"word/styles.xml": b"<w:styles"})
    raw = _read(path)
    assert [(b.text, b.style_level) for b in raw.blocks] == [("总则", None)]
    assert any("样式表" in note for note in raw.notes)


def test_refuse_entities_finds_each_encoding_of_a_declaration() -> None:
    declaration = '<!DOCTYPE d [<!ENTITY a "b">]><d/>'
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        with pytest.raises(UnsafeXml):
            safezip.refuse_entities(declaration.encode(encoding), "part")
    # "!" alone (comments, CDATA, text) is no declaration
    safezip.refuse_entities("<d><!-- 注意！ --><![CDATA[!]]>!</d>".encode(), "part")
    safezip.refuse_entities("<d>！</d>".encode("utf-16-le"), "part")


# --- styles and numbering shared between documents -------------------------------------------------


def test_documents_sharing_a_styles_part_read_as_if_each_were_read_alone(tmp_path: Path) -> None:
    # one template, two documents: the second is read with the first's resolved styles and numbering
    first = build_docx(tmp_path / "a.docx", [("heading", 1, "总则"), ("numbered", 0, "职责"), ("bold", "粗体")])
    second = build_docx(
        tmp_path / "b.docx",
        [("heading", 2, "适用范围"), ("numbered", 1, "分工"), ("para", "正文", {"size": 16, "center": True})],
    )
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert a.read("word/styles.xml") == b.read("word/styles.xml")
    docx_reader._styles_cached.cache_clear()
    docx_reader._numbering_cached.cache_clear()
    alone = _read(second)
    _read(first)
    shared = _read(second)
    assert docx_reader._styles_cached.cache_info().hits == 2  # the read after the first one of each
    assert shared == alone
    assert [(b.text, b.style_level, b.auto_number) for b in shared.blocks][:2] == [("适用范围", 2, None),
                                                                                  ("分工", None, "（一）")]


def test_unsafe_styles_part_is_refused_each_time_with_the_files_path(tmp_path: Path) -> None:
    # nothing about a refused part may be kept: the same bytes in another file are refused again
    source = build_docx(tmp_path / "src.docx", [("para", "x")])
    declared = (
        b'<?xml version="1.0" encoding="UTF-16"?>'.decode().encode("utf-16")
        + '<!DOCTYPE s [<!ENTITY x "y">]><w:styles xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"/>'.encode("utf-16-le")
    )
    for name in ("one.docx", "two.docx"):
        path = _rezip(source, tmp_path / name, {"word/styles.xml": declared})
        with pytest.raises(UnsafeXml) as info:
            _read(path)
        assert info.value.path == path


def test_damaged_styles_part_is_noted_in_every_document_that_has_it(tmp_path: Path) -> None:
    source = build_docx(tmp_path / "src.docx", [("heading", 1, "总则")])
    for name in ("one.docx", "two.docx"):
        raw = _read(_rezip(source, tmp_path / name, {"word/styles.xml": b"<w:styles"}))
        assert any("样式表" in note for note in raw.notes)


# --- real corpus ---------------------------------------------------------------------------------


@pytest.mark.corpus
def test_real_national_master_plan(corpus_dir: Path) -> None:
    raw = _read(corpus_dir / "03_guojia_zongti.docx")
    texts = [b.text for b in raw.blocks]
    assert texts[:2] == ["中共中央国务院印发《国家突发事件总体应急预案》", "|"]
    assert texts[5:7] == ["1\u3000总则", "1.1\u3000总体要求"]
    assert texts[-1].startswith("突发事件应急处置与救援工作按规定实行地方党政领导负责制")
    assert len(raw.blocks) == 116  # 117 body paragraphs, the last one empty
    assert not any(b.table for b in raw.blocks)
    title_block = raw.blocks[0]
    assert (title_block.style_level, title_block.centered, title_block.font_size) == (1, True, 28.5)
    # chapter headings are set in the "Strong" character style; section headings are not bold
    assert (raw.blocks[5].bold, raw.blocks[6].bold) == (True, False)
    assert (raw.page_count, raw.meta_date) == (13, date(2026, 7, 15))


@pytest.mark.corpus
def test_real_plan_paragraph_text_agrees_with_python_docx(corpus_dir: Path) -> None:
    import docx

    path = corpus_dir / "03_guojia_zongti.docx"
    expected = [p.text.strip() for p in docx.Document(str(path)).paragraphs if p.text.strip()]
    assert [b.text for b in _read(path).blocks] == expected
