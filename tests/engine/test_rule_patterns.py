"""Rule patterns rewritten for speed match exactly what their first form matched.

YJ603 and YJ608 had a group of alternatives in front of a shared tail, ``(A|B)T``; they now read
``AT|BT`` so that each alternative starts with its own character run, which the engine skips over
(``evidence._skip_plan``). A backtracking engine tries ``A`` with every way of matching ``T``, then
``B`` with every way: the same order either way, hence the same leftmost match at every position.
"""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from yjplan.match import evidence
from yjplan.rules.load import load_pack

_PLACES = "学校|小学|中学|广场|体育馆|体育场|村委会|文化室|文化中心|礼堂|公园|活动中心|敬老院|高地|操场|停车场"
_POINTS = "安置点|避难场所|避险点|集合点|安置场所|避灾点|集结点"
_YJ603_TAIL = ("|(安置点|避难场所|避险点|集合点|集结点)[^。；\\n]{0,6}(为|设在|位于|：|:)[^。；\\n]{0,4}"
               "[\\u4e00-\\u9fff]{2,12}(学校|小学|中学|广场|体育馆|村委会|文化室|礼堂|公园|活动中心|门口|空地|高地|操场|停车场)")
YJ603_BEFORE = (f"([\\u4e00-\\u9fff]{{2,10}}({_PLACES})|[0-9０-９一二三四五六七八九十]+号)[^。；\\n]{{0,12}}({_POINTS})"
                + _YJ603_TAIL)
YJ603_AFTER = (f"[\\u4e00-\\u9fff]{{2,10}}({_PLACES})[^。；\\n]{{0,12}}({_POINTS})"
               f"|[0-9０-９一二三四五六七八九十]+号[^。；\\n]{{0,12}}({_POINTS})" + _YJ603_TAIL)
_WHO = "班主任|教师|包村干部|包户干部|网格员|责任人|安全员|班长|工作人员"
_TAIL = "[^。；\\n]{0,8}(负责|组织|带领|引导)[^。；\\n]{0,16}(疏散|转移|撤离)"
YJ608_BEFORE = f"({_WHO}|[\\u4e00-\\u9fff]{{1,6}}(组|办|所|队)){_TAIL}"
YJ608_AFTER = f"({_WHO}){_TAIL}|[\\u4e00-\\u9fff]{{1,6}}(组|办|所|队){_TAIL}"

FRAGMENTS = ["学校", "中心小学", "安置点", "集合点", "为", "设在", "：", "3号", "十二号", "１号", "广场", "门口", "镇", "村",
             "班主任", "网格员", "工作组", "办", "负责", "组织", "引导", "疏散", "转移", "撤离", "。", "；", "\n", "，",
             "由", "群众", "a", "7"]
texts = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)


def _matches(pattern: str, text: str) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), m.group()) for m in regex.finditer(pattern, text)]


def test_the_packs_carry_the_rewritten_patterns() -> None:
    patterns = dict(load_pack("builtin:township").patterns)
    assert YJ603_AFTER in patterns and YJ608_AFTER in patterns
    assert YJ603_BEFORE not in patterns and YJ608_BEFORE not in patterns


@pytest.mark.parametrize("pattern", [YJ603_AFTER, YJ608_AFTER])
def test_rewritten_patterns_are_skipped_through(pattern: str) -> None:
    plan = evidence._skip_plan(pattern)
    assert plan is not None and any(back is not None for *_, back in plan)  # an alternative starts with a run


@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_yj603_rewrite_matches_the_same(text: str) -> None:
    assert _matches(YJ603_AFTER, text) == _matches(YJ603_BEFORE, text)


@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_yj608_rewrite_matches_the_same(text: str) -> None:
    assert _matches(YJ608_AFTER, text) == _matches(YJ608_BEFORE, text)


def test_the_rewrites_match_something_here() -> None:
    # the property tests above compare non-empty match lists on such texts
    assert _matches(YJ603_BEFORE, "镇中心小学为集中安置点，3号安置点")
    assert _matches(YJ608_BEFORE, "由村工作组负责组织群众转移；班主任引导学生疏散")
