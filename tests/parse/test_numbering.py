from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from yjplan.parse import numbering
from yjplan.parse.numbering import _match_label, _repair, cn_to_int, normalize_line, parse_label


@pytest.mark.parametrize(
    ("text", "scheme", "number", "value", "title"),
    [
        ("第一章 总则", "chapter", "第一章", 1, "总则"),
        ("第十二章附则", "chapter", "第十二章", 12, "附则"),
        ("第三节 预警", "jie", "第三节", 3, "预警"),
        ("第二十一条 本预案自印发之日起施行。", "tiao", "第二十一条", 21, "本预案自印发之日起施行。"),
        ("第一部分 总体要求", "part", "第一部分", 1, "总体要求"),
        ("一、总则", "cn", "一、", 1, "总则"),
        ("十一、附则", "cn", "十一、", 11, "附则"),
        ("（三）工作原则", "cn_paren", "（三）", 3, "工作原则"),
        ("(四) 适用范围", "cn_paren", "(四)", 4, "适用范围"),
        ("1.1 编制目的", "dec2", "1.1", 1, "编制目的"),
        ("4.2.3 响应启动", "dec3", "4.2.3", 3, "响应启动"),
        ("１．２ 编制依据", "dec2", "1.2", 2, "编制依据"),
        ("1.2编制依据", "dec2", "1.2", 2, "编制依据"),
        ("1 总则", "ar", "1", 1, "总则"),
        ("3. 监测预警", "ar", "3.", 3, "监测预警"),
        ("2、应急响应", "ar", "2、", 2, "应急响应"),
        ("（1）培训计划", "ar_paren", "（1）", 1, "培训计划"),
        ("2）关闭阀门", "ar_half", "2）", 2, "关闭阀门"),
        ("③讲清报警人的姓名", "circled", "③", 3, "讲清报警人的姓名"),
        ("附件1 企业概况", "annex", "附件1", 1, "企业概况"),
        ("附件：联系方式", "annex", "附件", 1, "联系方式"),
        ("1总则", "ar_bare", "1", 1, "总则"),
    ],
)
def test_parse_label_grammars(text: str, scheme: str, number: str, value: int, title: str) -> None:
    label = parse_label(text)
    assert label is not None
    assert (label.scheme, label.number, label.value, label.title) == (scheme, number, value, title)


@pytest.mark.parametrize(
    "text",
    [
        "24小时值班电话",
        "12 月底前完成",
        "3人以上死亡",
        "2024年6月",
        "附件2所列物资",
        "本预案适用于全镇。",
        "0.5米以上",
        "",
    ],
)
def test_parse_label_rejects_body_text(text: str) -> None:
    assert parse_label(text) is None


@pytest.mark.parametrize(("text", "value"), [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("九十九", 99),
                                               ("一百零五", 105), ("12", 12)])
def test_cn_to_int(text: str, value: int) -> None:
    assert cn_to_int(text) == value


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("1?? 1 编制目的", "1.1 编制目的"),
        ("5 \ue010 1 \ue010 2 启动程序", "5.1.2 启动程序"),
        ("1  2 编制依据", "1.2 编制依据"),
        ("建立健全体系ꎬ提升能力ꎮ", "建立健全体系，提升能力。"),
        ("  工作　原则  ", "工作 原则"),
        ("3.l 监测预报", "3.1 监测预报"),
        ("12.I 附则", "12.1 附则"),
    ],
)
def test_normalize_line_repairs_converter_damage(raw: str, clean: str) -> None:
    assert normalize_line(raw) == clean


# --- the quick paths agree with the long ones ---------------------------------------------------

# what the line repairs and the label grammars act on, plus plain text around it
_LINE_PIECES = st.sampled_from(
    [
        *"0123456789１２．.、（）()一二三四五六七八九十百〇零两第章节条部分附件 \t\u3000\xa0\r\n?lI①⑳ꎬꎮꎻꎯꎳꎼꎽ",
        *("\ue010", "\u2003", "  ", "??", "1.", "第一章", "附件2", "应急", "预案", "小时", "人员", "%", "：", "。", "A"),
        *("3.l", "12.I", "1 2 ", "5 \ue010 1"),
        *("١", "²", "\u2028", "\x1c"),  # a decimal digit and spaces outside ASCII; a digit that is not decimal
    ]
)
_LINES = st.lists(_LINE_PIECES, max_size=14).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_LINES)
@example("3.l 监测预报")  # only the leading digit calls for repair in these two
@example(" 1 2 编制依据")
def test_normalize_line_shortcut_matches_the_full_repair(text: str) -> None:
    assert normalize_line(text) == _repair(text)


@settings(max_examples=2000, deadline=None)
@given(_LINES)
def test_parse_label_first_character_check_matches_trying_every_grammar(text: str) -> None:
    assert parse_label(text) == _match_label(text.lstrip())


def _repair_every_step(text: str) -> str:
    """``_repair`` as first written: every step on every line, none skipped."""
    text = text.translate(numbering._OCR_PUNCT).replace("\r", "").replace("\n", " ")
    text = numbering._OCR_DOT.sub(".", text)
    text = numbering._OCR_ONE.sub("1", text)
    text = numbering._WS.sub(" ", text).strip()
    return numbering._LOST_DOT.sub(r"\1.\2 ", text)


@settings(max_examples=2000, deadline=None)
@given(_LINES)
@example("1ꎮ2 总则")  # OCR full stop between digits: translated first, so no longer a dot to repair
@example("5 \ue010 1 \ue010 2 启动程序")
@example("1．2．3 范围")
def test_repair_skips_only_steps_that_cannot_change_the_line(text: str) -> None:
    assert _repair(text) == _repair_every_step(text)
