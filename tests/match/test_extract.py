"""Named evidence extractors: accepted and rejected phrasings, normalised values, invariants.

Cases marked with a corpus file name are verbatim sentences from ../shared/corpus/real.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yjplan.match.extract import (
    EXTRACTORS,
    Hit,
    cn_to_int,
    extract,
    extract_cached,
    extractor_triggers,
    parse_date_value,
)


def found(name: str, text: str) -> list[tuple[str, str | None, str | None]]:
    return [(h.quote, h.value, h.flag) for h in extract(name, text)]


def quotes(name: str, text: str) -> list[str]:
    return [h.quote for h in extract(name, text)]


# --- registry ---------------------------------------------------------------------------------


def test_registry_is_read_only_and_complete() -> None:
    assert isinstance(EXTRACTORS, MappingProxyType)
    assert set(EXTRACTORS) == {
        "phone", "placeholder_phone", "placeholder", "time_limit", "trigger_condition", "quantity",
        "date", "response_level", "role", "person_name", "vague_duty", "slogan", "action_step",
    }  # fmt: skip
    with pytest.raises(TypeError):
        EXTRACTORS["phone"] = EXTRACTORS["date"]  # type: ignore[index]


def test_unknown_extractor_raises_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match="no_such"):
        extract("no_such", "电话：0571-87654321")


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_every_extractor_documents_what_it_accepts_and_rejects(name: str) -> None:
    doc = EXTRACTORS[name].__doc__ or ""
    assert "Accepts" in doc and "Rejects" in doc


@pytest.mark.parametrize(("text", "value"), [("二〇二四", 2024), ("十五", 15), ("二十四", 24), ("一万五千", 15000),
                                             ("一百零五", 105), ("两", 2), ("十", 10), ("三千", 3000)])
def test_cn_to_int_reads_positional_and_unit_numerals(text: str, value: int) -> None:
    assert cn_to_int(text) == value


def test_cn_to_int_rejects_non_numerals() -> None:
    assert cn_to_int("") is None
    assert cn_to_int("二X") is None


# --- phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 02_xian_sheraton_hotel.txt
        ("遇总指挥不在时，由副总指挥接替履行总指挥职责。24小时应急电话：029-84261888。",
         [("029-84261888", "029-84261888", None)]),
        # 21_zhongguo_qixiangju_qixiang_zaihai.md
        ("如有印装差错由本社发行部调换版权专有侵权必究举报电话：（010）68406301",
         [("（010）68406301", "010-68406301", None)]),
        ("发行部：01068409198", [("01068409198", "010-68409198", None)]),
        # 02_xian_sheraton_hotel.txt
        ("必要时拨打110报警电话、120急救电话进行施救。", [("110", "110", None), ("120", "120", None)]),
        ("联系人手机：138 1234 5678，备用138-1234-5679", [("138 1234 5678", "13812345678", None),
                                                     ("138-1234-5679", "13812345679", None)]),
        ("值班室：0571—87654321转8001", [("0571—87654321转8001", "0571-87654321转8001", None)]),
        ("镇值班电话：88886666", [("88886666", "88886666", None)]),
        ("电话：０５７１－８７６５４３２１", [("０５７１－８７６５４３２１", "0571-87654321", None)]),
        ("(0571)87654321", [("(0571)87654321", "0571-87654321", None)]),
        ("市防指 029-8888 6666", [("029-8888 6666", "029-88886666", None)]),
        ("+86 138 1234 5678", [("+86 138 1234 5678", "13812345678", None)]),
        ("群众可拨打12345热线反映", [("12345", "12345", None)]),
    ],
)
def test_phone_accepts(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert found("phone", text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "身份证号610102199001011234",  # inside a longer digit run
        "于20240101起施行",
        "衡政办发〔2023〕26号",
        "紧急转移安置120人",  # a count, not the ambulance number
        "接应“120”后",  # a bare 120 without a phone cue
        "东经108.96021度",
        "资金13812345678元",
        "12345678901",  # 12 is no mobile prefix
        "共87654321册",  # a local number needs a phone cue
    ],
)
def test_phone_rejects(text: str) -> None:
    assert found("phone", text) == []


def test_phone_flags_invalid_and_placeholder_numbers() -> None:
    # Hangzhou numbers have eight digits, so 0571 + seven digits is phone-shaped but invalid
    assert found("phone", "电话：0571 1234567") == [("0571 1234567", "05711234567", "invalid")]
    assert found("phone", "电话：13800000000")[0][2] == "placeholder"
    assert found("phone", "值班电话：88888888")[0][2] == "placeholder"


def test_phone_finds_mobile_after_a_rejected_neighbour() -> None:
    assert quotes("phone", "2023 13812345678") == ["13812345678"]


def _phone_value_reference(digits: str, kind: str) -> tuple[str, str | None]:
    """The phone value the plain libphonenumber calls give (parse, is_valid_number, area code)."""
    import phonenumbers

    national = digits[2:] if kind == "mobile" and len(digits) == 13 and digits.startswith("86") else digits
    subscriber = national[3:] if kind == "mobile" else national[-7:]
    if len(set(national)) == 1 or set(subscriber) == {"0"}:
        return national, "placeholder"
    try:
        num = phonenumbers.parse(national, "CN")
    except phonenumbers.NumberParseException:
        return national, "invalid"
    if not phonenumbers.is_valid_number(num):
        return national, "invalid"
    nsn = phonenumbers.national_significant_number(num)
    if kind == "mobile":
        return nsn, None
    area = phonenumbers.length_of_geographical_area_code(num)
    return (f"0{nsn[:area]}-{nsn[area:]}" if area > 0 else "0" + nsn), None


def _generated_numbers() -> list[tuple[str, str]]:
    """Phone-shaped digit strings of both kinds: every 3-digit mobile prefix (carrier codes 11x,
    12x, 179 and unassigned ranges included) and landlines with every leading digit pair, 2–3
    digit area codes, 7–8 digit subscribers, 00 (an international prefix), 086 and 01x."""
    import random

    rnd = random.Random(20261123)
    out: list[tuple[str, str]] = []
    for prefix in range(100, 200):
        for _ in range(12):
            out.append((f"{prefix}{rnd.randrange(10**8):08d}", "mobile"))
        out.append((f"86{prefix}{rnd.randrange(10**8):08d}", "mobile"))
    for lead in range(100):
        for area_len in (2, 3):
            for sub_len in (7, 8):
                for _ in range(3):
                    area = f"{lead:02d}{rnd.randrange(10):d}"[:area_len]
                    out.append((f"0{area}{rnd.randrange(10**sub_len):0{sub_len}d}", "land"))
    for area in ("10", "20", "21", "571", "745", "898", "086", "001", "00"):
        for sub_len in (7, 8):
            out += [(f"0{area}{rnd.randrange(10**sub_len):0{sub_len}d}", "land") for _ in range(10)]
    return out


def test_phone_value_matches_the_plain_libphonenumber_calls_on_generated_numbers() -> None:
    # _phone_value builds the number directly and decides validity with two of the library's
    # patterns where that is provably the library's own answer; here the plain path decides
    from yjplan.match.extract import _cn_parse, _phone_value

    numbers = _generated_numbers()
    assert len(numbers) > 2000
    fast_paths = 0
    for digits, kind in numbers:
        assert _phone_value.__wrapped__(digits, kind) == _phone_value_reference(digits, kind), (digits, kind)
        fast_paths += _cn_parse(digits[2:] if len(digits) == 13 else digits) is not None
    # the shortcut is taken for most numbers (else this test would prove nothing about it)
    assert fast_paths > len(numbers) // 2


def test_phone_value_without_the_librarys_private_helpers_takes_the_public_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a phonenumbers release that renames them must cost speed, not correctness
    import dataclasses

    from yjplan.match import extract as x

    bare = dataclasses.replace(x._cn_plan(), match_national=None, matching_desc=None)
    monkeypatch.setattr(x, "_cn_plan", lambda: bare)
    for digits, kind in _generated_numbers()[::40]:
        assert x._phone_value.__wrapped__(digits, kind) == _phone_value_reference(digits, kind), (digits, kind)


@pytest.mark.parametrize(
    "national",
    ["13812345678", "17912345678", "11012345678", "12012345678", "057187654321", "01068409198",
     "0086123456789", "00123456789", "0745631291", "08612345678"],
)
def test_direct_cn_number_equals_parse_or_defers(national: str) -> None:
    import phonenumbers

    from yjplan.match.extract import _cn_parse

    num = _cn_parse(national)
    if num is not None:
        assert num == phonenumbers.parse(national, "CN")
    if national.startswith(("179", "11", "12", "00")):
        assert num is None  # carrier codes, international prefixes, 86: parse's own reading


# --- placeholder_phone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("联系电话：1380000xxxx", "1380000xxxx"),
        ("手机：138****5678", "138****5678"),
        ("值班电话：XXXX-XXXXXXX", "XXXX-XXXXXXX"),
        ("电话：********", "********"),
        ("传真：0571-", "0571-"),
        ("联系电话：____", "联系电话：____"),
        ("电话：  （空）", "电话：  （空）"),
        ("000-00000000", "000-00000000"),
        ("88888888", "88888888"),
        ("11111111111", "11111111111"),
    ],
)
def test_placeholder_phone_accepts(text: str, quote: str) -> None:
    hits = extract("placeholder_phone", text)
    assert [h.quote for h in hits] == [quote]
    assert all(h.flag == "placeholder" for h in hits)


@pytest.mark.parametrize(
    "text",
    ["联系电话：无", "电话：0571-87654321", "2020-2024年", "********", "xxx", "BOXXXXXXXX", "投资8888888元"],
)
def test_placeholder_phone_rejects(text: str) -> None:
    assert found("placeholder_phone", text) == []


# --- placeholder ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("XX镇人民政府", "XX"),
        ("本预案由xxx公司编制", "xxx"),
        ("××县应急管理局", "××"),
        ("联系人：某某", "某某"),
        ("＊＊＊单位", "＊＊＊"),
        ("□□街道", "□□"),
        ("〇〇公司", "〇〇"),
        ("（填写单位名称）", "（填写单位名称）"),
        ("（根据实际情况填写）", "（根据实际情况填写）"),
        ("[单位名称]", "[单位名称]"),
        ("【企业名称】", "【企业名称】"),
        ("姓名：\u3000\u3000\u3000\n", "\u3000\u3000\u3000"),
        ("负责人签字：____", "____"),
        # 02_xian_sheraton_hotel.txt
        ("已于（    ）年（    ）月（    ）日整改完毕，请验收。", "（    ）年（    ）月（    ）日"),
        ("日期：     年     月    日", "     年     月    日"),
    ],
)
def test_placeholder_accepts(text: str, quote: str) -> None:
    assert found("placeholder", text) == [(quote, quote, "placeholder")]


@pytest.mark.parametrize(
    "text",
    ["X射线探伤", "XXL号", "Ⅹ", "启动Ⅰ级响应", "I级响应", "二〇二四年", "二〇〇八年", "2024年5月1日", "〔2023〕26号",
     "（一）总则", "姓名：\u3000\u3000\u3000张三\n", "___", "二十一世纪", "XX世纪"],
)
def test_placeholder_rejects(text: str) -> None:
    assert found("placeholder", text) == []


# --- time_limit -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quote", "minutes"),
    [
        ("事发单位应在30分钟内报告", "30分钟内", "30"),
        ("1小时内上报", "1小时内", "60"),
        ("2小时以内", "2小时以内", "120"),
        ("半小时内到达", "半小时内", "30"),
        ("一小时内", "一小时内", "60"),
        ("一个半小时内", "一个半小时内", "90"),
        ("逐级上报时间不得超过2小时。", "不得超过2小时", "120"),  # 06_xian_gonglu_jiaotong.txt
        ("最迟不得超过4小时", "最迟不得超过4小时", "240"),
        ("3日内完成", "3日内", "4320"),
        ("12小时内", "12小时内", "720"),
        ("两小时", "两小时", "120"),
        ("15 分钟", "15 分钟", "15"),
        ("３０分钟内", "３０分钟内", "30"),
        ("值班人员立即报告", "立即", "0"),
        ("第一时间上报", "第一时间", "0"),
        ("5个工作日内", "5个工作日内", "7200"),
    ],
)
def test_time_limit_accepts(text: str, quote: str, minutes: str) -> None:
    assert found("time_limit", text) == [(quote, minutes, None)]


def test_time_limit_real_sentences() -> None:
    # 02_xian_sheraton_hotel.txt
    hotel = "主要负责人接到报告后，在1小时内向莲湖区应急管理局和负有安全监督管理职责的部门报告。"
    assert found("time_limit", hotel) == [("1小时内", "60", None)]
    # 22_guangdong_ziran_zaihai_jiuzhu.md (OCR: ꎬ for ，)
    gd = (
        "县级应急管理部门在灾害发生后 1 小时内向地市级应急管理部门报告ꎬ "
        "地市级应急管理部门接报后 30 分钟内向省应急管理厅报告"
    )
    assert [v for _, v, _ in found("time_limit", gd)] == ["60", "30"]
    # 24_hengyang_fangxun_kanghan.md
    hy = "防汛抗旱指挥部应迅速核实并在 20 分钟内先电话后书面向上级防指、政府报告"
    assert found("time_limit", hy) == [("20 分钟内", "20", None)]


@pytest.mark.parametrize(
    "text",
    [
        "实行24小时值班制度",
        "24小时应急电话：029-84261888",
        "24小时开通",
        "未来 6 小时内降雨量将达到50 毫米以上",  # 24_hengyang_fangxun_kanghan.md
        "24小时降雨量达100毫米",
        "持续2小时以上",
        "每2小时续报一次",
        "2024年5月1日",
        "第一天",
        "执行灾情24小时零报告制度",
    ],
)
def test_time_limit_rejects(text: str) -> None:
    assert found("time_limit", text) == []


# --- trigger_condition ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("造成3人以上死亡", [("3人以上死亡", "3人")]),
        ("死亡（含失踪）10人以上、30人以下", [("10人以上", "10人"), ("30人以下", "30人")]),
        ("紧急转移安置10万人以上", [("10万人以上", "10万人")]),
        ("直接经济损失1亿元以上", [("1亿元以上", "1亿元")]),
        ("24小时降雨量达100毫米以上", [("24小时降雨量达100毫米以上", "24小时100毫米")]),
        ("超过警戒水位0.5米", [("0.5米", "0.5米")]),
        ("风力8级以上", [("8级以上", "8级")]),
        ("倒塌房屋三千间", [("三千间", "3000间")]),
        ("交通中断超过24小时", [("超过24小时", "24小时")]),
        # 06_xian_gonglu_jiaotong.txt
        ("发生爆炸、泄漏，造成10人以上30人以下死亡，或者50人以上100人以下中毒（重伤）",
         [("10人以上", "10人"), ("30人以下死亡", "30人"), ("50人以上", "50人"), ("100人以下中毒", "100人")]),
        # 23_hubei_ziran_zaihai_jiuzhu.md
        ("紧急转移安置或需紧急生活救助50万人以上、100万人以下；",
         [("50万人以上", "50万人"), ("100万人以下", "100万人")]),
        # 21_zhongguo_qixiangju_qixiang_zaihai.md
        ("超强台风（中心附近最大平均风力16级以上）登陆", [("16级以上", "16级")]),
    ],
)
def test_trigger_condition_accepts(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(q, v) for q, v, _ in found("trigger_condition", text)] == expected


def test_trigger_condition_real_rainfall_rule() -> None:
    # 24_hengyang_fangxun_kanghan.md
    text = "（1）24 小时降雨量 100 毫米以上或 6 小时降雨量 50 毫米以上并预报降雨持续"
    assert [v for _, v, _ in found("trigger_condition", text)] == ["24小时100毫米", "6小时50毫米"]


@pytest.mark.parametrize(
    "text",
    [
        "抢险队配备3人",
        "启动一级响应",
        "车辆达到二级以上技术标准",
        "应在1小时内报告",
        "2023年印发",
        "伤口小的止血法：先用生理盐水（0.9%NaCl溶液）冲洗",  # 02_xian_sheraton_hotel.txt
        "4间风格迥异的餐厅",  # 02_xian_sheraton_hotel.txt: 风格 is no wind
        "死亡 5 0 人以上",  # 25_jilin_ziran_zaihai_jiuzhu.md: OCR split, the 0 alone is not 50
    ],
)
def test_trigger_condition_rejects(text: str) -> None:
    assert found("trigger_condition", text) == []


# --- quantity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("发电机3台", "3台"),
        ("冲锋舟2艘", "2艘"),
        ("帐篷50顶", "50顶"),
        ("沙袋1.5吨", "1.5吨"),
        ("抢险队30人", "30人"),
        ("救灾资金50万元", "50万元"),
        ("两台抽水机", "2台"),
        ("１０辆", "10辆"),
        ("3台风机", "3台"),
        ("干粉20kg", "20kg"),
        ("避难场所3处", "3处"),
        ("对讲机10部", "10部"),
    ],
)
def test_quantity_accepts(text: str, value: str) -> None:
    assert [v for _, v, _ in found("quantity", text)] == [value]


@pytest.mark.parametrize(
    "text",
    ["3个月内", "一部分", "2部门", "第3个", "3人死亡", "一把手", "分为三个级别", "上臂1/2处", "8.2 名词术语",
     "3台风过境"],
)
def test_quantity_rejects(text: str) -> None:
    assert found("quantity", text) == []


# --- date -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2023年5月1日", "2023-05-01"),
        ("2023年05月", "2023-05"),
        ("自2023年起", "2023"),
        ("二〇二三年五月一日", "2023-05-01"),
        ("二○二四年六月", "2024-06"),
        ("国务院办公厅二○○九年十二月十一日", "2009-12-11"),  # 20_guojia_qixiang_zaihai.md
        ("二O一八年十二月", "2018-12"),  # 24_hengyang_fangxun_kanghan.md (Latin O)
        ("2023-05-01", "2023-05-01"),
        ("2023.5.1", "2023-05-01"),
        ("2023/5/1", "2023-05-01"),
        ("2008 年 10 月 30日印发", "2008-10-30"),  # 21_zhongguo_qixiangju_qixiang_zaihai.md
        ("二〇二四年十二月三十一日", "2024-12-31"),
        ("２０２４年６月", "2024-06"),
    ],
)
def test_date_accepts(text: str, value: str) -> None:
    assert [v for _, v, _ in found("date", text)] == [value]


@pytest.mark.parametrize(
    "text", ["2023年2月30日", "2023-13-01", "20230501", "年  月  日", "2023-5/1", "2023.5.1.2", "二0二四年"]
)
def test_date_rejects(text: str) -> None:
    assert found("date", text) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2023-05-01", date(2023, 5, 1)), ("2023-05", date(2023, 5, 1)), ("2023", date(2023, 1, 1)),
     ("2023-02-30", None), ("", None), (None, None), ("2023-5-x", None), ("2023-01-01-01", None)],
)
def test_parse_date_value(value: str | None, expected: date | None) -> None:
    assert parse_date_value(value) == expected


def test_date_values_round_trip_through_parse_date_value() -> None:
    for h in extract("date", "二〇二三年五月一日；2024年6月；2025年"):
        assert parse_date_value(h.value) is not None


# --- response_level ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("启动一级响应", [("一级响应", "1", None)]),
        ("Ⅰ级响应", [("Ⅰ级响应", "1", None)]),
        ("I级应急响应", [("I级应急响应", "1", None)]),
        ("一级应急响应", [("一级应急响应", "1", None)]),
        ("Ⅳ级", [("Ⅳ级", "4", None)]),
        ("四级响应", [("四级响应", "4", None)]),
        ("发布Ⅲ级预警", [("Ⅲ级预警", "3", "warning_level")]),
        ("特别重大突发事件", [("特别重大", "1", "event_grade")]),
        ("较大事故", [("较大", "3", "event_grade")]),
        ("红色预警", [("红色预警", "1", "warning_level")]),
        ("公司级、车间级、班组级", [("公司级", "公司级", "unit_level"), ("车间级", "车间级", "unit_level"),
                             ("班组级", "班组级", "unit_level")]),
        ("一般（Ⅳ级）", [("一般", "4", "event_grade"), ("Ⅳ级", "4", None)]),
    ],
)
def test_response_level_accepts(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert found("response_level", text) == expected


def test_response_level_reads_a_grade_list() -> None:
    # 03_guojia_zongti.docx
    text = "自然灾害、事故灾难、公共卫生事件分为特别重大、重大、较大、一般4级。"
    assert [v for _, v, _ in found("response_level", text)] == ["1", "2", "3", "4"]
    colours = found("response_level", "依次用红色、橙色、黄色和蓝色预警表示")
    assert [(v, f) for _, v, f in colours] == [("1", "warning_level"), ("2", "warning_level"),
                                               ("3", "warning_level"), ("4", "warning_level")]


@pytest.mark.parametrize(
    "text",
    ["一级公路", "车辆达到二级以上技术标准", "重大危险源", "重大决策", "一般情况下", "红色警戒线", "Windows XP级",
     "化解重大安全风险、应对突发事件", "与一般火灾扑救相同"],
)
def test_response_level_rejects(text: str) -> None:
    assert found("response_level", text) == []


# --- role -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("由镇长任总指挥", ["镇长", "总指挥"]),
        ("总指挥：张三（镇长）", ["总指挥"]),
        ("办公室主任负责日常工作", ["主任"]),
        ("副总指挥：贺从胜", ["副总指挥"]),  # 02_xian_sheraton_hotel.txt
        ("总 指 挥：陈  凯", ["总指挥"]),  # 02_xian_sheraton_hotel.txt, spread out for alignment
        ("村主任担任网格员", ["村主任", "网格员"]),
    ],
)
def test_role_accepts(text: str, roles: list[str]) -> None:
    assert [v for _, v, _ in found("role", text)] == roles


@pytest.mark.parametrize("text", ["指挥部成员单位", "主任务是救人", "请示总指挥后", "书记员", "经理层"])
def test_role_rejects(text: str) -> None:
    assert found("role", text) == []


# --- person_name ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("总指挥：张三 13812345678", ["张三"]),
        ("姓名：李四", ["李四"]),
        ("联系人：欧阳明", ["欧阳明"]),
        ("王五（0571-87654321）", ["王五"]),
        ("联系人张三13812345678", ["张三"]),
        ("值班员赵六\t13912345678", ["赵六"]),
        # 02_xian_sheraton_hotel.txt
        ("成    员：张  静、王  玺、白  清、梁  倩、惠  静、郑  娟、王雪莱",
         ["张静", "王玺", "白清", "梁倩", "惠静", "郑娟", "王雪莱"]),
    ],
)
def test_person_name_accepts(text: str, names: list[str]) -> None:
    assert [v for _, v, _ in found("person_name", text)] == names


@pytest.mark.parametrize(
    "text",
    ["总指挥：由镇长担任", "总指挥：酒店总经理", "联系人：办公室", "应急管理局 0571-87654321", "应拨打120",
     "张三在会议上发言，会后联系 13812345678"],
)
def test_person_name_rejects(text: str) -> None:
    assert found("person_name", text) == []


# --- vague_duty -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "负责职责范围内的相关工作",
        "负责本部门职责范围内的",
        "做好相关工作",
        "完成领导交办的其他任务",
        "按照职责分工做好相关工作",
        "配合做好",
        "协助做好相关工作",
        "其他相关单位按照各自职责",
        "做好应急保障工作",
    ],
)
def test_vague_duty_accepts(text: str) -> None:
    assert quotes("vague_duty", text) == [text]


def test_vague_duty_real_sentence() -> None:
    # 23_hubei_ziran_zaihai_jiuzhu.md
    text = "省减灾委其他成员单位按照职责分工，做好有关工作。"
    assert quotes("vague_duty", text) == ["按照职责分工，做好有关工作"]


@pytest.mark.parametrize(
    "text", ["做好人员疏散工作", "负责现场警戒", "按照职责分工负责交通管制", "做好伤员救治工作", "完成交通管制"]
)
def test_vague_duty_rejects(text: str) -> None:
    assert found("vague_duty", text) == []


# --- slogan -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("迅速、科学、有序", "迅速科学有序"), ("迅速科学有序", "迅速科学有序"), ("全力以赴", "全力以赴"),
     ("最大限度减少损失", "最大限度"), ("高度重视", "高度重视"), ("切实加强领导", "切实加强")],
)
def test_slogan_accepts(text: str, value: str) -> None:
    assert [v for _, v, _ in found("slogan", text)] == [value]


@pytest.mark.parametrize("text", ["迅速撤离", "科学救援", "有效期", "积极参加演练", "最大风速"])
def test_slogan_rejects(text: str) -> None:
    assert found("slogan", text) == []


# --- action_step ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("1. 发现火情后立即报告值班室", "发现"),
        ("（2）切断电源", "切断"),
        ("①关闭阀门", "关闭"),
        ("第一步：拨打119", "拨打"),
        ("三、组织人员疏散", "组织"),
        ("处置措施：（3）立即启动应急预案", "启动"),
        ("（9）保护好事故现场，等待相关部门进行调查处理", "保护"),  # 02_xian_sheraton_hotel.txt
    ],
)
def test_action_step_accepts(text: str, verb: str) -> None:
    assert [v for _, v, _ in found("action_step", text)] == [verb]


def test_action_step_finds_each_step_of_a_list() -> None:
    text = "（1）切断电源；（2）关闭阀门；（3）疏散人员。"
    assert [v for _, v, _ in found("action_step", text)] == ["切断", "关闭", "疏散"]


@pytest.mark.parametrize(
    "text",
    ["1. 值班室接到报告后", "4.1 启动条件", "（一）组织指挥体系", "3. 处置程序", "共3、组织", "4.监测及预警",
     "（7）恢复重建小组：由综合规划司司长任组长"],
)
def test_action_step_rejects(text: str) -> None:
    assert found("action_step", text) == []


# --- invariants, for every extractor ----------------------------------------------------------

_FRAGMENTS = [
    "13812345678", "138 1234 5678", "0571-87654321", "（010）68406301", "转8001", "电话：", "拨打", "120", "12350",
    "88888888", "1380000xxxx", "XXXX-XXXXXXX", "****", "0571-", "____", "　　　", "XX", "某某", "〇〇", "二〇二四年",
    "（填写单位名称）", "年  月  日", "30分钟内", "半小时", "不超过", "24小时", "值班", "立即", "第一时间", "3日内",
    "造成", "3人以上", "死亡", "万人", "降雨量达", "100毫米", "水位", "风力", "8级", "台", "辆", "顶", "一", "两",
    "2023年5月1日", "2023-05-01", "2023.5.1", "Ⅰ级响应", "一级", "响应", "重大", "较大", "一般", "事件", "红色",
    "预警", "、", "公司级", "总指挥", "总 指 挥", "：", "张三", "陈  凯", "成员", "负责职责范围内的相关工作", "做好",
    "相关", "工作", "迅速、科学、有序", "\n", "（1）", "①", "1. ", "切断", "报告", "。", "；", " ", "０５７１", "－",
    "１２０", "（", "）", "-", ".", "/", "×", "Ⅹ", "I", "V", "m", "%", "发电机3台", "总指挥：张三 13812345678",
    "\n（2）切断电源", "造成3人以上死亡",
]  # fmt: skip
_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_PLAN_TEXT = st.lists(
    st.one_of(st.sampled_from(_FRAGMENTS), st.text(alphabet=st.one_of(_CJK, st.characters()), max_size=4)),
    max_size=40,
).map("".join)


def _check_invariants(hits: tuple[Hit, ...], text: str) -> None:
    assert isinstance(hits, tuple)
    last_end = 0
    for h in hits:
        assert isinstance(h, Hit)
        assert 0 <= h.start < h.end <= len(text)
        assert text[h.start : h.end] == h.quote
        assert h.start >= last_end, "hits must be sorted and must not overlap"
        last_end = h.end


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
@settings(max_examples=150, deadline=None)
@given(text=_PLAN_TEXT)
def test_invariants_on_plan_like_text(name: str, text: str) -> None:
    _check_invariants(extract(name, text), text)


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.one_of(_CJK, st.characters())))
def test_invariants_on_arbitrary_text(name: str, text: str) -> None:
    _check_invariants(extract(name, text), text)


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_plan_like_strategy_can_trigger_every_extractor(name: str) -> None:
    # guards the property tests above against fragments that never produce a hit to check
    assert any(extract(name, fragment) for fragment in _FRAGMENTS)


# --- sharing within an audit ---------------------------------------------------------------------


def test_extract_cached_keeps_hits_where_extract_rules_keep_them() -> None:
    # evidence._extract reads and writes memo[("extract", name)] = {text: hits}: the same table
    memo: dict[object, object] = {}
    text = "值班电话：0571-86012345，联系人：张三 13912345678"
    hits = extract_cached("phone", text, memo)
    assert [h.value for h in hits] == ["0571-86012345", "13912345678"]
    assert memo[("extract", "phone")] == {text: hits}
    assert extract_cached("phone", text, memo) is hits
    # person_name builds on the phone hits of the same text and shares them
    assert [h.value for h in extract_cached("person_name", text, memo)] == ["张三"]
    assert memo[("extract", "phone")] == {text: hits}
    assert extract_cached("phone", text, None) == hits


def test_triggers_never_match_across_a_line_break() -> None:
    # the joined-paragraph scans in checks.py rely on it (see also the property test there)
    samples = {"phone": "05\n71", "placeholder": "X\nX", "placeholder_phone": "电话\n：", "response_level": "较\n大"}
    for name, text in samples.items():
        assert extractor_triggers(name) and not any(t.search(text) for t in extractor_triggers(name))
    assert extractor_triggers("no_such_extractor") == ()
    assert extract("phone", "无号码") == ()  # the trigger (three digits) is not met
