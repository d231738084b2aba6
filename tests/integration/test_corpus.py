"""Read every real plan in ../shared/corpus/real: no exception, a plausible outline, and for the
files below the exact top-level headings, checked by hand against each document's own text
(chapter lines found by reading the source, not copied from yjplan's output)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from yjplan.parse import read_document

pytestmark = pytest.mark.corpus

# Top-level headings as printed in each plan (number + title). Release notices and the plan's own
# title sit beside the chapters; annexes are top level.
EXPECTED_TOP: dict[str, list[str]] = {
    "03_guojia_zongti.docx": [
        "中共中央国务院印发《国家突发事件总体应急预案》", "1 总则", "2 组织指挥体系", "3 运行机制", "4 应急保障", "5 预案管理",
    ],
    "04_guojia_gonglu_jiaotong.doc": ["1 总则", "2 应急组织体系", "3 运行机制", "4 应急保障", "5 监督管理", "6 附则"],
    "05_guojia_gonglu_jiaotong.txt": ["1 总则", "2 应急组织体系", "3 运行机制", "4 应急保障", "5 监督管理", "6 附则"],
    "06_xian_gonglu_jiaotong.txt": [
        "1 总则", "2 组织指挥体系及职责", "3 预防与监测预警", "4 应急响应", "5 后期处置", "6 应急保障", "7 预案管理",
        "8 奖励与责任追究", "9 附则",
    ],
    "20_guojia_qixiang_zaihai.md": [
        "国务院办公厅关于印发国家气象灾害应急预案的通知", "国家气象灾害应急预案", "1 总则", "2 组织体系", "3 监测预警",
        "4 应急处置", "5 恢复与重建", "6 应急保障", "7 预案管理", "8 附则",
    ],
    "22_guangdong_ziran_zaihai_jiuzhu.md": [
        "广东省自然灾害救助应急预案", "1 总则", "2 组织指挥体系", "3 灾害救助准备", "4 灾情信息报告和发布", "5 省级应急响应",
        "6 灾后救助", "7 保障措施", "8 附则", "附件 广东省减灾委员会成员单位及有关单位自然灾害救助职责",
    ],
    "23_hubei_ziran_zaihai_jiuzhu.md": [
        "湖北省人民政府办公厅关于印发湖北省自然灾害救助应急预案的通知", "湖北省自然灾害救助应急预案", "1 总则",
        "2 组织指挥体系及工作职责", "3 灾害预警响应", "4 灾情信息管理", "5 应急响应", "6 灾后救助与恢复重建", "7 保障措施",
        "8 责任追究", "9 附则",
    ],
    "24_hengyang_fangxun_kanghan.md": [
        "衡阳市人民政府办公室文件", "衡阳市人民政府办公室关于印发《衡阳市防汛抗旱应急预案》的通知", "衡阳市防汛抗旱应急预案",
        "1.总则", "2.组织指挥体系及职责", "3.应急准备", "4.监测及预警", "5.应急响应", "6.信息报告与发布", "7.应急保障",
        "8.后期工作", "9.预案管理", "10.附则", "衡阳市水旱灾害应急响应分级标准", "附件 1", "附件 2 衡阳市主要河流特征水位统计表",
        "附件 3", "附件 4", "附件 5", "附件 6",
    ],
    "25_jilin_ziran_zaihai_jiuzhu.md": [
        "吉林省自然灾害救助应急预案", "1 总则", "2 组织指挥体系", "3 灾害预警响应", "4 信息报告和发布", "5 省级应急响应",
        "6 灾后救助", "7 保障措施", "8 附则", "附件 吉林省自然灾害救助应急相关单位职责",
    ],
}
EXPECTED_SECOND: dict[str, list[str]] = {
    "20_guojia_qixiang_zaihai.md": ["1.1 编制目的", "1.2 编制依据", "1.3 适用范围", "1.4 工作原则"],
    "25_jilin_ziran_zaihai_jiuzhu.md": ["1.1 编制目的", "1.2 编制依据", "1.3 适用范围", "1.4 工作原则"],
    "06_xian_gonglu_jiaotong.txt": ["1.1 编制目的", "1.2 编制依据", "1.3 适用范围", "1.4 事故分级", "1.5 工作原则"],
}


def _manifest(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _needs_soffice(name: str) -> None:
    if name.endswith((".doc", ".wps")) and not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice 未安装，跳过 .doc 文件")


def test_every_manifest_file_exists(corpus_dir: Path) -> None:
    rows = _manifest(corpus_dir)
    assert rows, "MANIFEST.tsv lists no files"
    for row in rows:
        assert (corpus_dir / row["file"]).is_file(), row["file"]


def test_every_corpus_file_reads_with_a_plausible_outline(corpus_dir: Path) -> None:
    for row in _manifest(corpus_dir):
        name = row["file"]
        if name.endswith((".doc", ".wps")) and not shutil.which("soffice"):
            continue
        doc = read_document(corpus_dir / name)
        headings = doc.headings()
        assert len(headings) >= 8, (name, len(headings))
        assert doc.char_count > 5000, name
        for path, sec in headings:
            assert sec.level == len(path)
            assert all(child.level == sec.level + 1 for child in sec.children)


@pytest.mark.parametrize("name", sorted(EXPECTED_TOP))
def test_top_level_headings_match_hand_checked_list(corpus_dir: Path, name: str) -> None:
    _needs_soffice(name)
    doc = read_document(corpus_dir / name)
    assert [s.heading for s in doc.root.children] == EXPECTED_TOP[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_SECOND))
def test_first_chapter_subsections(corpus_dir: Path, name: str) -> None:
    doc = read_document(corpus_dir / name)
    first = next(s for s in doc.root.children if s.title == "总则")
    assert [c.heading for c in first.children] == EXPECTED_SECOND[name]


# Issue dates read from each plan's own signature line (checked by hand in the source text).
EXPECTED_DATES = {
    "20_guojia_qixiang_zaihai.md": "2009-12-11",  # 国务院办公厅二○○九年十二月十一日
    "21_zhongguo_qixiangju_qixiang_zaihai.md": "2011-06-23",  # not the 2008 trial version it repeals
}


@pytest.mark.parametrize("name", sorted(EXPECTED_DATES))
def test_issue_date_is_the_plans_own(corpus_dir: Path, name: str) -> None:
    doc = read_document(corpus_dir / name)
    assert doc.issue_date is not None and doc.issue_date.isoformat() == EXPECTED_DATES[name]
