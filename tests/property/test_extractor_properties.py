"""Every named extractor, on arbitrary text: no exception, and hits that are verbatim, ordered and
disjoint (the contract in match/extract.py's docstring).

Text comes from two sources: any Unicode at all, and plan-flavoured text assembled from the pieces
the extractors look for (digits in both widths, Chinese numerals, phone-like runs, units, dates,
level words, placeholders), so that hits actually happen and their offsets get checked.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.property._settings import budget
from yjplan.match.extract import EXTRACTORS, extract, extract_cached, extractor_triggers

SETTINGS = budget()

PIECES = [
    "0571-86012345", "０５７１－８６０１２３４５", "13800138000", "138 0013 8000", "(0571)86012345", "+86 571 8601 2345",
    "110", "119", "120", "12345", "XXXXXXXX", "×××", "＿＿＿＿", "【单位名称】", "000-0000000", "1380000XXXX",
    "30分钟", "两小时", "1小时内", "24 小时", "不超过2小时", "立即", "第一时间",
    "死亡3人以上", "10人以上", "直接经济损失500万元", "一次转移1000人", "三十人",
    "2024年5月1日", "二〇二四年十月", "2023-05-01", "2024.10.15", "2025年",
    "Ⅰ级", "一级响应", "二级", "IV级", "红色预警", "较大", "特别重大",
    "总指挥", "副总指挥", "办公室主任", "张三", "李四同志", "王主任",
    "负责", "做好", "加强", "配合", "认真落实", "高度重视",
    "1.", "（一）", "①", "立即切断电源", "关闭阀门", "疏散人员",
    "，", "。", "；", "：", "、", "\n", "\t", " ", "\u3000", "电话", "手机", "联系人", "值班室",
]  # fmt: skip
PLAN_TEXT = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=40).map("".join)
ANY_TEXT = st.text(max_size=300)


def _check(name: str, text: str) -> None:
    hits = extract(name, text)
    assert isinstance(hits, tuple)
    end = 0
    for hit in hits:
        assert 0 <= hit.start < hit.end <= len(text), (name, hit)
        assert text[hit.start : hit.end] == hit.quote, (name, hit)
        assert hit.start >= end, (name, "hits overlap or are out of order", hits)
        end = hit.end


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
@SETTINGS
@given(text=PLAN_TEXT | ANY_TEXT)
def test_extractor_hits_are_verbatim_ordered_and_disjoint(name: str, text: str) -> None:
    _check(name, text)


@SETTINGS
@given(prefix=PLAN_TEXT, suffix=PLAN_TEXT, number=st.sampled_from(["0571-86012345", "13800138000", "010-12345678"]))
def test_phone_numbers_are_quoted_verbatim(prefix: str, suffix: str, number: str) -> None:
    text = f"{prefix}值班电话：{number}。{suffix}"
    hits = extract("phone", text)
    assert all(text[h.start : h.end] == h.quote for h in hits)
    # a number standing on its own, introduced as a phone, is found
    assert any(number in h.quote or h.quote in number for h in hits), (text, hits)


# Pieces that trip one trigger but not the rest of an extractor's pattern, and near misses.
TRIGGER_PIECES = [
    "年  月  日", "年（  ）月（  ）日", "____年__月__日", "年_", "XX镇", "xx", "××", "某某", "＊＊", "□□", "〇〇", "__",
    "（请填写单位名称）", "（名称）", "[单位名称]", "【企业名称】", "（姓名）", "（根据实际情况填写）", "（待定）",
    "姓名：　　　", "签字：____", "电话：____", "手机：（  ）", "联系电话：   ", "Tel:", "号码号码：",
    "138****5678", "0571-XXXXXXXX", "8888888", "0０0０0０0", "0000000", "0571-", "（0571）-", "1234567",
    "12", "123", "１２３", "级", "一般", "红色", "重大", "负责职责范围内的相关工作", "配合做好", "开展相应的",
]  # fmt: skip
TRIGGER_TEXT = st.lists(st.sampled_from(TRIGGER_PIECES + PIECES) | st.text(max_size=4), max_size=30).map("".join)


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
@SETTINGS
@given(text=TRIGGER_TEXT | PLAN_TEXT | ANY_TEXT)
def test_the_trigger_check_never_hides_a_hit(name: str, text: str) -> None:
    # extract() returns nothing at once when none of the extractor's triggers matches
    assert extract(name, text) == EXTRACTORS[name](text)
    if not any(t.search(text) for t in extractor_triggers(name)) and extractor_triggers(name):
        assert EXTRACTORS[name](text) == ()


@SETTINGS
@given(texts=st.lists(TRIGGER_TEXT | PLAN_TEXT, max_size=6))
def test_extract_cached_shares_hits_and_gives_the_plain_result(texts: list[str]) -> None:
    memo: dict[object, object] = {}
    for name in ("phone", "person_name", "placeholder"):
        for text in texts + texts:
            assert extract_cached(name, text, memo) == extract(name, text) == extract_cached(name, text, None)
    for name in ("phone", "person_name", "placeholder"):
        assert set(memo.get(("extract", name), {})) == set(texts)  # type: ignore[call-overload]


# Phone-flavoured text: numbers of every kind next to their cues, separators and line breaks that
# window edges fall on, and the cue-after words of service numbers.
PHONE_PIECES = [
    "0571-86012345", "13800138000", "138 0013 8000", "(0571)86012345", "+86 13800138000", "05711234567",
    "88886666", "8888 6666", "110", "119", "120", "12345", "96119", "转8001", "分机12", "10000000000",
    "电话", "电话：", "拨打", "值班", "热线", "报警", "急救", "火警", "Tel:", "“", "”", "（", "）", "-", " ",
    "，", ",", "。", "；", ";", "ꎬ", "\n", "\t", "人", "元", ".5", "张三", "值班室", "联系人",
]  # fmt: skip
PHONE_TEXT = st.lists(st.sampled_from(PHONE_PIECES) | st.text(alphabet="0123456789 -，\n电话", max_size=4),
                      max_size=40).map("".join)


@SETTINGS
@given(text=PHONE_TEXT | PLAN_TEXT)
def test_phone_hits_within_a_window_are_the_windows_own(text: str) -> None:
    # checks read the numbers of a line, sentence or clause off the numbers of the whole paragraph
    from yjplan.match.checks import _WINDOWS
    from yjplan.match.extract import phone_hits_within

    memo: dict[object, object] = {}
    for window in _WINDOWS.values():
        for w in window.finditer(text):
            assert phone_hits_within(text, w.start(), w.end(), memo) == extract("phone", w.group(0)), w
    start = 0
    for line in text.split("\n"):  # lines as duplicate_phones cuts them, empty ones included
        assert phone_hits_within(text, start, start + len(line), memo) == extract("phone", line)
        start += len(line) + 1


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
@SETTINGS
@given(text=TRIGGER_TEXT | PHONE_TEXT | ANY_TEXT)
def test_a_scoped_trigger_matches_only_where_its_scope_does(name: str, text: str) -> None:
    # checks look for such a trigger only in the paragraphs the other extractor's triggers found
    from yjplan.match.extract import extractor_trigger_scopes

    scopes = extractor_trigger_scopes(name)
    assert len(scopes) == len(extractor_triggers(name))
    for trigger, within in zip(extractor_triggers(name), scopes, strict=True):
        if within is not None and trigger.search(text):
            assert any(t.search(text) for t in extractor_triggers(within)), (trigger.pattern, text)
