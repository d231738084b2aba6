from __future__ import annotations

from yjplan.model import Location, Section
from yjplan.parse.outline import build_outline
from yjplan.parse.raw import RawBlock, RawDocument


def doc(text: str, fmt: str = "txt", **hints: dict[int, dict]) -> Section:
    blocks = []
    for i, line in enumerate(x for x in text.strip().splitlines() if x.strip()):
        extra = hints.get("at", {}).get(i, {})
        blocks.append(RawBlock(line.strip(), Location(line=i + 1), **extra))
    root, _ = build_outline(RawDocument(fmt, tuple(blocks)))
    return root


def tree(root: Section) -> list[tuple[int, str]]:
    return [(s.level, s.heading) for _, s in root.walk() if s.level > 0]


def test_gongwen_levels_nest() -> None:
    root = doc("""
一、总则
（一）编制目的
为了提高应对能力，制定本预案。
1.适用范围说明
本预案适用于全镇。
（二）工作原则
坚持人民至上。
二、组织体系
""")
    assert tree(root) == [(1, "一、总则"), (2, "（一）编制目的"), (3, "1.适用范围说明"), (2, "（二）工作原则"),
                          (1, "二、组织体系")]


def test_skipped_level_then_missing_level_appears() -> None:
    root = doc("""
一、总则
1.编制目的
为了……制定本预案。
（一）工作原则
坚持人民至上。
""")
    # "（一）" ranks above "1." in 公文, so it closes "1." and sits under "一、"
    assert tree(root) == [(1, "一、总则"), (2, "1.编制目的"), (2, "（一）工作原则")]


def test_decimal_levels_and_lists_inside_them() -> None:
    root = doc("""
1 总则
1.1 编制目的
为了……制定本预案。
2 应急响应
2.1 分级响应
（一）一级响应
发生特别重大事件时启动。
（二）二级响应
发生重大事件时启动。
2.2 响应结束
""")
    assert tree(root) == [(1, "1 总则"), (2, "1.1 编制目的"), (1, "2 应急响应"), (2, "2.1 分级响应"),
                          (3, "（一）一级响应"), (3, "（二）二级响应"), (2, "2.2 响应结束")]


def test_step_list_under_a_heading_is_not_a_chapter() -> None:
    root = doc("""
一、应急处置
（一）处置程序
1.发现火情
2.立即报警
3.切断电源
4.组织疏散
（二）注意事项
佩戴防护用品。
""")
    assert tree(root) == [(1, "一、应急处置"), (2, "（一）处置程序"), (2, "（二）注意事项")]
    steps = [b.text for b in root.children[0].children[0].blocks]
    assert steps == ["1.发现火情", "2.立即报警", "3.切断电源", "4.组织疏散"]


def test_sentences_with_numbers_stay_body_text() -> None:
    root = doc("""
一、信息报告
1.事发单位应在30分钟内向镇应急办报告，并在1小时内书面报告。
2.镇应急办接报后立即核实情况。
""")
    assert tree(root) == [(1, "一、信息报告")]
    assert len(root.children[0].blocks) == 2


def test_toc_with_heading_word_is_skipped() -> None:
    root = doc("""
石桥镇突发事件总体应急预案
目 录
一、总则……………………1
二、组织体系………………3
三、应急响应………………5
一、总则
本预案适用于石桥镇。
二、组织体系
镇政府成立应急指挥部。
三、应急响应
分三级响应。
""")
    assert [h for _, h in tree(root)] == ["一、总则", "二、组织体系", "三、应急响应"]


def test_toc_without_heading_word_is_skipped() -> None:
    root = doc("""
1 总则
1.1 编制目的
1.2 编制依据
2 组织体系
2.1 指挥部
1 总则
1.1 编制目的
为了……制定本预案。
1.2 编制依据
依据有关法律。
2 组织体系
2.1 指挥部
镇长任总指挥。
""")
    assert tree(root) == [(1, "1 总则"), (2, "1.1 编制目的"), (2, "1.2 编制依据"), (1, "2 组织体系"),
                          (2, "2.1 指挥部")]
    assert root.children[0].children[0].blocks[0].location.line == 8


def test_run_in_headings_split_title_from_body() -> None:
    root = doc("""
一、总则
（一）编制目的。为了提高全镇应对突发事件的能力，制定本预案。
（二）编制依据。依据《中华人民共和国突发事件应对法》等制定。
（三）适用范围。本预案适用于石桥镇行政区域内的突发事件。
""")
    assert tree(root) == [(1, "一、总则"), (2, "（一）编制目的"), (2, "（二）编制依据"), (2, "（三）适用范围")]
    assert root.children[0].children[0].blocks[0].text.startswith("为了提高")


def test_style_levels_without_numbers() -> None:
    root = doc(
        """
总则
编制目的
为了……制定本预案。
组织体系
""",
        fmt="docx",
        at={0: {"style_level": 1}, 1: {"style_level": 2}, 3: {"style_level": 1}},
    )
    assert tree(root) == [(1, "总则"), (2, "编制目的"), (1, "组织体系")]


def test_word_auto_numbers_count_as_typed_numbers() -> None:
    root = doc(
        """
总则
编制目的
为了……制定本预案。
组织体系
""",
        fmt="docx",
        at={0: {"auto_number": "一、", "style_level": 1}, 1: {"auto_number": "（一）", "style_level": 2},
            3: {"auto_number": "二、", "style_level": 1}},
    )
    assert tree(root) == [(1, "一、总则"), (2, "（一）编制目的"), (1, "二、组织体系")]


def test_annexes_are_top_level() -> None:
    root = doc("""
一、总则
（一）适用范围
本预案适用于全镇。
附件1 应急联系方式
附件2：物资清单
""")
    assert tree(root)[-2:] == [(1, "附件1 应急联系方式"), (1, "附件2 物资清单")]


def test_every_block_belongs_to_exactly_one_section() -> None:
    text = """
封面 石桥镇人民政府
一、总则
（一）编制目的
内容一。
1.发现
2.报告
3.处置
二、保障
内容二。
"""
    root = doc(text)
    lines = [b.location.line for _, s in root.walk() for b in s.blocks]
    heads = [s.location.line for _, s in root.walk() if s.level > 0]
    assert sorted(lines + heads) == list(range(1, 10))
