"""The named checks behind the deep rules, on small Markdown plans built in the test."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yjplan.match.checks import CHECKS, admin_level, level_segments, required_literals
from yjplan.match.evidence import Context
from yjplan.match.units import Found, Unit, document_units
from yjplan.model import Location
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


# --- the shared fast path agrees with the reference path ------------------------------------------
# Context(memo={}) is how audits run: checks share work through the memo and skip paragraphs that
# cannot match. Context(memo=None) computes everything the plain way. Both must say the same.


def both(check: str, text: str, data: tuple[tuple[str, object], ...] = DATA, **opts: object) -> list[Found]:
    doc = example_document(text)
    units = document_units(doc)
    fast = CHECKS[check](units, Context(doc=doc, data=data, today=date(2026, 6, 30)), dict(opts))
    reference = CHECKS[check](units, Context(doc=doc, data=data, today=date(2026, 6, 30), memo=None), dict(opts))
    assert fast == reference, check
    return list(fast)


MIXED = """# 梧桐县突发事件应急预案
## 1.3 编制依据
《中华人民共和国突发事件应对法》（主席令第69号）；《生产经营单位生产安全事故应急预案编制导则》（GB/T 29639-2013）。
国办发〔2013〕101号同时废止。《国家突发公共事件总体应急预案》。
2024年5月1日印发。
## 2 组织机构
县安监局负责协调；原安监局职责划入应急管理局。民政局负责受灾群众生活救助。县卫计委负责医疗救治。
办公室设在县应急管理局，值班电话：0745-6352806。
|职务|姓名|电话|
|---|---|---|
|总指挥|张三|13812345678|
|副总指挥|李四|13812345678|
|成员|王五|13812345678|
|办公室主任|赵六|（请填写）|
## 4 信息报告
事发后30分钟内电话报告县应急管理局，1小时内书面报告。
## 5 应急响应
### 5.1 Ⅰ级响应
造成3人以上死亡，或县级启动Ⅲ级应急响应。
### 5.2 Ⅱ级响应
发生较大突发事件时启动Ⅱ级响应。组织转移受威胁群众，派出工作组赶赴现场。
## 6 保障
全县共有避难场所12处，储备帐篷300顶，区域面积120平方公里，户籍人口3.2万人。
其他成员单位按照各自职责做好相关工作。县公安局：负责现场警戒、交通管制和群众疏散。
联系人：XXX，电话：138XXXX5678，日期：年  月  日。
"""


@pytest.mark.parametrize("check", sorted(set(CHECKS) - {"near", "boilerplate", "drill_too_rare", "plan_level"}))
def test_every_check_gives_the_reference_result_on_the_fast_path(check: str) -> None:
    both(check, MIXED)


def test_outdated_and_obsolete_entries_are_found_in_the_paragraphs_holding_their_literals() -> None:
    assert both("outdated_refs", MIXED)
    assert {f.value for f in both("obsolete_orgs", MIXED)} >= {"安监局", "民政局", "卫计委"}


def test_a_data_entry_whose_literals_cannot_be_derived_is_scanned_everywhere() -> None:
    # (?i) changes which characters match, a back-reference and \d give no literal: every
    # paragraph is searched, and the entries still fire
    data = (("outdated", [{"pattern": "(?i)gb/t 29639", "replaced_by": "x"},
                          {"pattern": r"(\d)\1号", "replaced_by": "y"},
                          {"pattern": r"\d+号", "replaced_by": "z"}]),)
    text = "## 依据\n引用 GB/T 29639 与 55号、7号文件。\n"
    assert {f.note for f in both("outdated_refs", text, data)} == {"应改为：x", "应改为：y", "应改为：z"}


@pytest.mark.parametrize(
    "opts",
    [
        {"pattern": "办公室|值班室", "extract": "phone"},
        {"pattern": "(值班|值守)[^。\n]{0,8}(电话|号码)", "extract": "phone", "window": "sentence"},
        {"pattern": "报告|上报", "extract": "time_limit", "window": "clause"},
        {"pattern": "(?<!原)应急管理局", "pattern2": "电话"},
        {"pattern": "(?i)TEL|电话", "extract": "phone"},  # no literal set: every window is searched
        {"pattern": "总指挥|主任", "extract": "person_name"},
    ],
)
def test_near_gives_the_reference_result_on_the_fast_path(opts: dict[str, object]) -> None:
    both("near", MIXED, **opts)


REF = "为有效防范化解重大安全风险、应对突发事件，保护人民群众生命财产安全，维护国家安全和社会稳定，制定本预案。"


@pytest.mark.parametrize("similarity", [0, 50, 80, 85, 90, 95, 100])
def test_boilerplate_gives_the_reference_result_at_any_threshold(similarity: int) -> None:
    variants = [REF, REF.replace("重大", "").replace("维护", "保障"), REF[:30] + "。", "前言：" + REF + "此外还有更多的内容一并写在这里。",
                REF[5:], REF.replace("，", "\n"), "本预案适用于本镇行政区域内各类突发事件的应对工作，以及上级交办的事项。"]
    text = "## 总则\n" + "\n".join(variants) + "\n"
    data = (("boilerplate", [{"text": REF, "source": "《国家突发事件总体应急预案》"},
                             {"text": REF[10:50], "source": ""}, "为了应对突发事件，制定本预案。"]),)
    both("boilerplate", text, data, similarity=similarity)


@settings(max_examples=60, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 60), st.sampled_from(["", "的", "和", "，", "应急"])), max_size=8),
       similarity=st.integers(60, 100))
def test_boilerplate_agrees_with_the_reference_on_edited_copies(edits: list[tuple[int, str]], similarity: int) -> None:
    s = REF
    for pos, ins in edits:
        s = s[:pos] + ins + s[pos + 1 :]
    data = (("boilerplate", [{"text": REF, "source": "国家"}]),)
    both("boilerplate", f"## 总则\n{s}\n{REF[:20]}，{s[::-1]}\n", data, similarity=similarity)


def test_duplicate_paragraphs_with_a_nul_character_fall_back_to_one_substitution_each() -> None:
    # NUL separates paragraphs in the one-substitution path; a paragraph holding one (it is no
    # punctuation, so it stays in the key) must not be split into two keys
    para = "各成员负责职责范围内的相关工作，按照领导小组的安排做好相关工作，确保工作落实到位。"
    found = both("duplicate_paragraphs", f"## 三\n{para}\n## 四\n{para[:20]}\0{para[20:]}\n## 六\n{para}\n")
    assert [f.unit for f in found] == [5]


# --- literals every match of a pattern contains ---------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        ("国家突发公共事件总体应急预案", {"国家突发公共事件总体应急预案"}),
        ("(?<![原前])(安全生产监督管理局|安监局)", {"安全生产监督管理局", "安监局"}),
        ("GB/?T\\s*29639[-—－]\\s*2013", {"29639-", "29639—", "29639－"}),
        ("主席令第?\\s*69\\s*号|突发事件应对法", {"主席令", "突发事件应对法"}),  # 主席令第 holds 主席令
        ("报告|报送|电话报", {"报告", "报送", "电话报"}),
        ("(?:ab){2,}", {"ab"}),
    ],
)
def test_required_literals(pattern: str, literals: set[str]) -> None:
    assert required_literals(pattern) == literals


@pytest.mark.parametrize(
    "pattern",
    ["(?i)abc", "(?x)a b c", "a|\\d", "[[:alpha:]]+号", "(?:号码){e<=1}", "\\p{Han}+", "\\w+\\d", "a?", "", "[^a]",
     "(?|(a)|(b))", "a\nb"],
)
def test_required_literals_give_up_on_what_they_cannot_read(pattern: str) -> None:
    assert required_literals(pattern) is None


_PIECES = ["a", "b", "甲", "乙", "ab", "[ab]", "[^a]", ".", "\\s", "(?<!a)", "(?=b)", "^", "$", "\\b", "(?:a|b甲)",
           "乙?", "甲*", "(?:ab)+", "a{2}", "b{1,3}", "(?>a|乙)"]
_PATTERNS = st.lists(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=5).map("".join), min_size=1,
                     max_size=3).map("|".join)


@settings(max_examples=300, deadline=None)
@given(pattern=_PATTERNS, text=st.text(alphabet="ab甲乙 \n", max_size=30))
def test_every_match_holds_one_of_the_required_literals(pattern: str, text: str) -> None:
    import regex

    literals = required_literals(pattern)
    if literals is None:
        return
    for m in regex.finditer(pattern, text, overlapped=True):
        assert any(lit in m.group() for lit in literals), (pattern, text, m, literals)


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(st.text(alphabet="0１2３年 　_：:XX某（(请填写姓名)\n", max_size=12), max_size=12))
def test_a_scan_of_the_joined_units_finds_the_units_a_trigger_matches(texts: list[str]) -> None:
    from yjplan.match.checks import _units_matching
    from yjplan.match.extract import extractor_triggers

    doc = example_document("正文\n")
    units = [Unit(t, Location(), (), "paragraph") for t in texts]
    for name in ("phone", "placeholder", "placeholder_phone", "response_level", "vague_duty"):
        for trigger in extractor_triggers(name):
            expected = [i for i, t in enumerate(texts) if trigger.search(t)]
            assert _units_matching(trigger, units, Context(doc=doc)) == expected, (name, trigger.pattern)


# Phone numbers of windows and table rows are read off their paragraph's numbers on the fast path
# (extract.phone_hits_within); cues at a line's or a clause's start, service and local numbers,
# flagged numbers and extensions are where the two could part.
_PHONE_BITS = [
    "值班室", "办公室", "总指挥", "电话：", "拨打", "报警", "急救", "13812345678", "0571-87654321", "05711234567",
    "13800000000", "88886666", "120", "12345", "转8001", "，", "。", "；", "\n", "\t", "张三", "李四", " ",
]  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(bits=st.lists(st.sampled_from(_PHONE_BITS), min_size=1, max_size=30),
       window=st.sampled_from(["line", "sentence", "clause"]))
def test_near_phone_windows_give_the_reference_result(bits: list[str], window: str) -> None:
    text = "## 联系方式\n" + "".join(bits).replace("#", "") + "\n"
    both("near", text, pattern="值班室|办公室|总指挥|报警", extract="phone", window=window)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(st.sampled_from([*_PHONE_BITS[:16], "张三", "李四", "王五"]), min_size=1, max_size=4),
                     min_size=1, max_size=8))
def test_duplicate_phones_gives_the_reference_result(rows: list[list[str]]) -> None:
    cells = ["|".join(c.replace("\n", "").replace("\t", "").replace("|", "") or "-" for c in row) for row in rows]
    text = "## 通讯录\n|职务|姓名|电话|\n|---|---|---|\n" + "\n".join(f"|{c}|" for c in cells) + "\n"
    both("duplicate_phones", text, max_rows=2)


def _concrete_reference(entry: str, spans: list[tuple[int, int]]) -> int:
    """The plain count: every role word replaced in turn, CJK characters counted one by one."""
    import re

    from yjplan.match import checks as c
    from yjplan.match.extract import ROLE_WORDS

    kept, last = [], 0
    for s, e in sorted(spans):
        kept.append(entry[last:s])
        last = max(last, e)
    kept.append(entry[last:])
    text = c._OWNER_PREFIX.sub("", "".join(kept).lstrip(" \t　0123456789.．、)）(（一二三四五六七八九十"))
    text = c._OWNER_SUBJECT.sub("", text)
    for role in ROLE_WORDS:
        text = text.replace(role, "")
    text = re.sub(c._DUTY_FILLER, "", text)
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


@settings(max_examples=150, deadline=None)
@given(bits=st.lists(st.sampled_from(["总", "副总指挥", "指挥", "长", "组长", "主任", "负责", "疏散", "群众", "县公安局：",
                                      "，", "。", "相关工作", "副", "镇长", "经理", "a", "1"]), max_size=20))
def test_concrete_chars_counts_as_the_plain_replacements_do(bits: list[str]) -> None:
    from yjplan.match.checks import _concrete_chars

    entry = "".join(bits)
    for spans in ([], [(0, min(3, len(entry)))]):
        assert _concrete_chars(entry, spans) == _concrete_reference(entry, spans), entry
