"""Scores rank plans the way a reviewer would: complete plans above weak ones, thorough real plans
above thin or copied ones. Orderings and margins only; exact scores are free to move."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pytest

from yjplan.pipeline import AuditOptions, audit_file

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
TODAY = date(2026, 6, 30)

COMPLETE_SAMPLES = (
    "石桥镇突发事件总体应急预案.docx",
    "江北精细化工有限公司储罐区泄漏现场处置方案.pdf",
    "石桥镇防汛抗旱专项应急预案.md",
)
WEAK_SAMPLE = "柳湾村突发事件应急预案.docx"
THOROUGH = "24_hengyang_fangxun_kanghan.md"  # local hydrology, numeric triggers, 叫应, time limits
THIN_OR_COPIED = (
    "20_guojia_qixiang_zaihai.md",  # no response levels of its own, no report time limit
    "21_zhongguo_qixiangju_qixiang_zaihai.md",
    "22_guangdong_ziran_zaihai_jiuzhu.md",
    "23_hubei_ziran_zaihai_jiuzhu.md",
    "25_jilin_ziran_zaihai_jiuzhu.md",
)


@cache
def total(path: Path, plan_type: str | None = None) -> float:
    return audit_file(path, AuditOptions(plan_type=plan_type, today=TODAY)).total


@pytest.mark.parametrize("name", COMPLETE_SAMPLES)
def test_complete_samples_beat_the_weak_village_sample_by_a_clear_margin(name: str) -> None:
    assert total(SAMPLES / name) >= total(SAMPLES / WEAK_SAMPLE) + 30


def test_weak_village_sample_fails_and_complete_samples_grade_well() -> None:
    from yjplan.pipeline import audit_file as run

    weak = run(SAMPLES / WEAK_SAMPLE, AuditOptions(today=TODAY))
    assert weak.grade == "不合格"
    for name in COMPLETE_SAMPLES:
        assert run(SAMPLES / name, AuditOptions(today=TODAY)).grade in ("优秀", "良好"), name


def test_the_medium_county_sample_sits_between_the_weak_and_the_complete_ones() -> None:
    medium = total(SAMPLES / "梧桐县应急管理局部门应急预案.txt")
    assert total(SAMPLES / WEAK_SAMPLE) < medium < min(total(SAMPLES / n) for n in COMPLETE_SAMPLES)


@pytest.mark.corpus
@pytest.mark.parametrize("name", THIN_OR_COPIED)
def test_thorough_real_plan_beats_thin_or_copied_ones(corpus_dir: Path, name: str) -> None:
    assert total(corpus_dir / THOROUGH, "专项") > total(corpus_dir / name, None) + 10
