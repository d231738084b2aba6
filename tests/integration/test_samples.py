"""The bundled samples: each reads into the outline its source text declares (checked by hand
against samples/src/*.txt), and the generator reproduces the committed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from yjplan.parse import read_document

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

EXPECTED_TOP = {
    "石桥镇突发事件总体应急预案.docx": [
        "一、总则", "二、镇情与风险分析", "三、应急组织体系", "四、监测预警", "五、信息报告", "六、应急响应", "七、后期处置",
        "八、应急保障", "九、预案管理", "十、附件", "附件1 镇应急指挥部及村（社区）应急响应责任人联系方式", "附件2 应急物资储备清单",
        "附件3 应急避难场所（安置点）一览表", "附件4 地质灾害隐患点及转移路线表", "附件5 村（社区）应急响应责任人应急处置卡",
    ],
    "柳湾村突发事件应急预案.docx": [
        "一、总则", "二、本村基本情况和主要风险", "三、组织机构与职责", "四、预防与预警", "五、应急响应", "六、后期处置",
        "六、保障措施", "七、附则", "附件 应急领导小组成员通讯录",
    ],
    "江北精细化工有限公司储罐区泄漏现场处置方案.pdf": [
        "储罐区泄漏现场处置方案", "1 事故风险描述", "2 应急工作职责", "3 应急处置", "4 注意事项", "5 应急处置卡",
    ],
    "石桥镇防汛抗旱专项应急预案.md": [
        "石桥镇防汛抗旱专项应急预案", "1 总则", "2 组织体系与职责", "3 风险分析", "4 监测预警", "5 应急响应",
        "6 人员转移与安置", "7 信息报告", "8 应急保障", "9 响应结束", "10 预案管理",
    ],
    "梧桐县应急管理局部门应急预案.txt": [
        "第一章总则", "第二章组织机构与职责", "第三章值班值守与信息报告", "第四章应急响应", "第五章应急保障", "第六章预案管理",
        "第七章附则", "附件 局应急工作领导小组成员联系方式",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TOP))
def test_sample_top_level_headings(name: str) -> None:
    doc = read_document(SAMPLES / name)
    assert [s.heading for s in doc.root.children] == EXPECTED_TOP[name]


def test_township_sample_auto_numbers_come_from_numbering_xml() -> None:
    doc = read_document(SAMPLES / "石桥镇突发事件总体应急预案.docx")
    first = doc.root.children[0]
    assert first.number == "一、"
    assert [c.number for c in first.children][:2] == ["（一）", "（二）"]


def test_gbk_sample_is_decoded() -> None:
    doc = read_document(SAMPLES / "梧桐县应急管理局部门应急预案.txt")
    assert "应急管理局" in (doc.title or "")
    assert any("编码" in n for n in doc.notes)
