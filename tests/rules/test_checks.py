"""The named checks behind the deep rules, on small Markdown plans built in the test."""

from __future__ import annotations

from datetime import date

import pytest

from yjplan.match.checks import CHECKS, admin_level, level_segments
from yjplan.match.evidence import Context
from yjplan.match.units import document_units
from yjplan.rules.examples import example_document
from yjplan.rules.load import load_pack

DATA = load_pack("builtin:base").data


def run(check: str, text: str, plan_type: str = "", today: date = date(2026, 6, 30), **opts: object) -> list[str]:
    doc = example_document(text)
    units = document_units(doc)
    found = CHECKS[check](units, Context(doc=doc, data=DATA, today=today, plan_type=plan_type), dict(opts))
    return [f.value or units[f.unit].text[f.start:f.end] for f in found]


# --- response levels ----------------------------------------------------------------------------

LEVELS = """# 5 应急响应
## 5.1 Ⅰ级响应
### 5.1.1 启动条件
造成3人以上死亡，或县级启动Ⅲ级应急响应。
### 5.1.2 响应行动
市防指启动Ⅰ级应急响应，总指挥坐镇指挥，派出工作组赶赴现场。
## 5.2 Ⅱ级响应
### 5.2.1 启动条件
发生较大洪涝灾害时启动。
### 5.2.2 响应行动
市防指启动Ⅱ级应急响应，组织转移受威胁群众。
"""


def test_levels_are_segmented_by_their_headings() -> None:
    doc = example_document(LEVELS)
    segments = level_segments(document_units(doc))
    assert set(segments) == {"1", "2"}
    assert any("3人以上死亡" in p.text for p in segments["1"])
    assert not any("3人以上死亡" in p.text for p in segments["2"])


def test_triggers_are_taken_from_conditions_not_from_actions() -> None:
    # level 2 only says "when a large flood happens"; "启动Ⅱ级应急响应" under 响应行动 is no trigger
    assert run("level_triggers", LEVELS) == ["1"]
    assert sorted(run("level_actions", LEVELS)) == ["1", "2"]


def test_a_level_mentioned_in_passing_opens_no_segment() -> None:
    text = "## 响应分级\n县级启动Ⅲ级及以上应急响应时，镇级同步启动一级响应。\n"
    assert run("response_levels", text) == []


def test_table_rows_open_levels_but_rows_of_ticks_do_not() -> None:
    table = ("## 5.1 响应分级\n|级别|启动条件|\n|---|---|\n|Ⅳ级|24小时降雨量达50毫米以上|\n|Ⅲ级|24小时降雨量达100毫米以上|\n\n"
             "## 4.3 分部门响应\n|级别|交通|水利|\n|---|---|---|\n|Ⅰ级|√|√|\n")
    assert sorted(run("level_triggers", table)) == ["3", "4"]
    assert sorted(run("response_levels", table)) == ["3", "4"]


def test_restated_grades_are_flagged_and_quoted_thresholds_are_not() -> None:
    assert run("restated_grades", "Ⅰ级响应：发生特别重大突发事件时启动。\n")
    assert not run("restated_grades", "Ⅰ级响应：发生特别重大突发事件，造成30人以上死亡时启动。\n")


# --- duties -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("其他成员单位：负责职责范围内的相关工作。", True),
        ("其他成员单位按照各自职责做好相关工作。", True),  # a catch-all group given only a formula
        ("县公安局：负责现场警戒、交通管制和群众疏散，完成指挥部交办的其他任务。", False),
        ("县人社局：配合做好抗洪抢险表彰奖励等工作。", False),
        ("7. 完成领导小组交办的其他事项。", False),  # the tail of an owner's numbered list
        ("应急队伍：完成领导小组交办的其他任务。", True),  # an owner whose only duty is the tail
    ],
)
def test_vague_duties(text: str, flagged: bool) -> None:
    assert bool(run("vague_duties", "## 成员单位职责\n" + text + "\n")) is flagged


def test_copied_duties_need_most_of_a_units_duties_repeated() -> None:
    copied = ("## 成员单位职责\n甲电站：负责水库的防洪安全和调度命令的实施；及时提供水库运行的即时信息。\n"
              "乙电站：负责水库的防洪安全和调度命令的实施；及时提供水库运行的即时信息。\n")
    shared_tail = ("## 成员单位职责\n县公安局：负责现场警戒和交通管制；完成指挥部交办的其他任务。\n"
                   "县卫健局：负责伤员救治和卫生防疫；完成指挥部交办的其他任务。\n")
    assert len(run("copied_duties", copied)) == 1
    assert run("copied_duties", shared_tail) == []


def test_duty_entries_count_concrete_tasks_only() -> None:
    text = ("## 工作组职责\n抢险救援组：负责人员搜救和工程抢险。\n转移安置组：负责组织群众转移和安置。\n"
            "各成员：负责职责范围内的相关工作。\n")
    assert len(run("duty_entries", text)) == 2


# --- facts, dates, references -------------------------------------------------------------------


def test_local_facts_exclude_response_thresholds() -> None:
    facts = run("local_facts", "## 风险分析\n全镇有小型水库2座，地质灾害隐患点7处，威胁135户412人。\n")
    assert set(facts) >= {"2座", "7处", "135户", "412人"}
    assert run("local_facts", "## 响应分级\n造成10人以上死亡，或紧急转移安置50万人以上时启动。\n") == []


def test_outdated_reference_fires_by_plan_date_and_skips_repeal_notices() -> None:
    cite = "二〇二五年三月\n依据《突发事件应急预案管理办法》（国办发〔2013〕101号）制定。\n"
    assert run("outdated_refs", cite)
    assert run("outdated_refs", cite.replace("二〇二五", "二〇二〇")) == []  # older than the replacement
    repeal = "二〇二五年三月\n《国务院关于实施国家突发公共事件总体应急预案的决定》同时废止。\n"
    assert run("outdated_refs", repeal) == []
    # undated: the newest year the plan mentions is a lower bound of its date
    assert run("outdated_refs", "依据国办发〔2013〕101号和2025年《××通知》制定。\n")
    assert run("outdated_refs", "依据国办发〔2013〕101号制定。\n") == []


def test_stale_plan_uses_the_issue_date() -> None:
    assert run("stale_plan", "预案\n二〇一九年六月\n", years=3)
    assert run("stale_plan", "预案\n二〇二五年六月\n", years=3) == []


def test_duplicate_phones_count_people_not_rows() -> None:
    same_keeper = ("|物资|管理人|电话|\n|---|---|---|\n|冲锋舟|唐文斌|13272865599|\n|救生衣|唐文斌|13272865599|\n"
                   "|帐篷|唐文斌|13272865599|\n")
    shared = ("|职务|姓名|电话|\n|---|---|---|\n|组长|李明|15767882378|\n|副组长|王强|15767882378|\n"
              "|成员|张华|15767882378|\n")
    assert run("duplicate_phones", same_keeper) == []
    assert run("duplicate_phones", shared) == ["15767882378"]


def test_near_keeps_the_label_and_the_number_together() -> None:
    assert run("near", "值班电话：0745-6317021\n", pattern="值班", extract="phone")
    assert run("near", "值班电话见附件。\n联系人 0745-6317021\n", pattern="值班", extract="phone") == []


# --- drills -------------------------------------------------------------------------------------


def test_drill_frequency_ignores_budget_sentences() -> None:
    assert run("drill_frequency", "每年至少组织一次综合应急演练。\n")
    assert run("drill_frequency", "每年开展宣传、培训、演练等工作所需经费列入预算。\n") == []


@pytest.mark.parametrize(
    ("text", "plan_type", "too_rare"),
    [
        ("本方案每年演练一次。", "现场处置方案", True),
        ("本方案每半年至少演练一次。", "现场处置方案", False),
        ("每年至少组织一次综合演练。", "企业综合", False),
        ("每两年组织一次演练。", "企业综合", True),
        ("每三年至少演练一次。", "部门", False),
        ("每年至少演练一次。", "乡镇", False),  # no national minimum for townships
    ],
)
def test_drill_too_rare_by_plan_type(text: str, plan_type: str, too_rare: bool) -> None:
    months = (("企业综合", 12), ("企业专项", 12), ("现场处置方案", 6), ("专项", 36), ("部门", 36))
    assert bool(run("drill_too_rare", text + "\n", plan_type=plan_type, months=months)) is too_rare


# --- cards, paragraphs, plan level, boilerplate -------------------------------------------------------


def test_a_card_with_sub_sections_is_one_card() -> None:
    card = ("# 外操岗位应急处置卡\n岗位：外操\n## 处置步骤\n1. 确认泄漏点。2. 关闭阀门。3. 疏散人员。\n"
            "## 联系电话\n中控室 0745-6352806\n## 注意事项\n佩戴空气呼吸器。\n")
    assert run("card_gaps", card) == []
    no_phone = card.replace("中控室 0745-6352806", "见通讯录")
    assert len(run("card_gaps", no_phone)) == 1


def test_duplicate_paragraphs() -> None:
    para = "各成员负责职责范围内的相关工作，按照领导小组的安排做好相关工作，确保工作落实到位。"
    assert len(run("duplicate_paragraphs", f"## 三\n{para}\n## 六\n{para}\n")) == 1


@pytest.mark.parametrize(
    ("title", "level"),
    [("国家气象灾害应急预案", "国家"), ("中国气象局气象灾害应急预案", "国家"), ("湖北省自然灾害救助应急预案", "省"),
     ("衡阳市防汛抗旱应急预案", "市"), ("梧桐县应急管理局部门应急预案", "县"), ("湖北省武汉市江岸区防汛预案", "县"),
     ("石桥镇突发事件总体应急预案", None)],
)
def test_admin_level(title: str, level: str | None) -> None:
    assert admin_level(title) == level


def test_boilerplate_is_found_without_punctuation_and_never_in_its_own_source() -> None:
    copied = "## 工作原则\n以人为本、减少危害；居安思危、预防为主；统一领导、分级负责；依法规范、加强管理；快速反应、协同应对；依靠科技、提高素质。\n"
    assert run("boilerplate", copied)
    own = "国家气象灾害应急预案\n## 1.1 编制目的\n建立健全气象灾害应急响应机制，提高气象灾害防范、处置能力，最大限度地减轻或者避免气象灾害造成人员伤亡、财产损失，为经济和社会发展提供保障。\n"
    assert run("boilerplate", own) == []
    assert run("boilerplate", own.replace("国家气象灾害应急预案", "梧桐县气象灾害应急预案"))
