from __future__ import annotations

import pytest

from yjplan.errors import PlanTypeUnknown
from yjplan.plantype import detect_plan_type
from yjplan.rules.examples import example_document


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("石桥镇突发事件总体应急预案", "乡镇"),
        ("石桥镇柳湾村突发事件应急预案", "村社区"),
        ("幸福社区突发事件应急预案", "村社区"),
        ("梧桐县突发事件总体应急预案", "总体"),
        ("江北精细化工有限公司储罐区泄漏现场处置方案", "现场处置方案"),
        ("江北精细化工有限公司生产安全事故应急预案", "企业综合"),
        ("江北精细化工有限公司火灾事故专项应急预案", "企业专项"),
        ("梧桐县第一中学突发事件应急预案", "学校"),
        ("梧桐县人民医院突发事件应急预案", "医院"),
        ("2026年梧桐县马拉松赛事应急预案", "大型活动"),
        ("梧桐县防汛抗旱应急预案", "专项"),
        ("中控室岗位应急处置卡", "应急处置卡"),
        ("城镇燃气事故应急预案", "专项"),
    ],
)
def test_plan_type_from_title(title: str, expected: str) -> None:
    doc = example_document(f"{title}\n1 总则\n本预案适用于本区域。\n")
    guess = detect_plan_type(doc)
    assert guess.plan_type == expected, guess.reason
    assert guess.reason


def test_override_wins_and_is_explained() -> None:
    doc = example_document("石桥镇突发事件总体应急预案\n1 总则\n")
    guess = detect_plan_type(doc, "村(社区)")
    assert guess.plan_type == "村社区" and guess.overridden and "用户指定" in guess.reason


def test_unknown_override_is_an_error() -> None:
    with pytest.raises(PlanTypeUnknown):
        detect_plan_type(example_document("x\n"), "公司")


def test_body_vocabulary_decides_when_the_title_is_silent() -> None:
    body = "各村民小组要组织村民转移。" + "村民" * 5
    guess = detect_plan_type(example_document(f"防范工作方案\n1 总则\n{body}\n"))
    assert guess.plan_type == "村社区" and "正文" in guess.reason


def test_title_that_decides_spares_joining_the_body(monkeypatch: pytest.MonkeyPatch) -> None:
    """Joining a 60-page body costs more than the rest of the detection: only a silent title needs it."""
    from yjplan.model import Section

    def no_body(self: Section) -> str:
        raise AssertionError("the body was read")

    decided = example_document("石桥镇突发事件总体应急预案\n1 总则\n村民村民村民村民村民\n")
    silent = example_document("防范工作方案\n1 总则\n村民村民村民村民村民\n")
    monkeypatch.setattr(Section, "full_text", no_body)
    assert detect_plan_type(decided).plan_type == "乡镇"
    with pytest.raises(AssertionError, match="body was read"):
        detect_plan_type(silent)
