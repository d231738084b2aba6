"""The batch main process does not grow with the folder.

Rows come from a stand-in executor: each is as large as a real one (about 50 KB of paragraphs, 20
findings, 12 phone numbers), the plans are near copies of each other (every pair is a near-duplicate
candidate) and all give one unit different numbers (one phone conflict naming every plan). What the
main process keeps per input is measured with tracemalloc, which counts Python's allocations
exactly, unlike the resident size.
"""

from __future__ import annotations

import io
import random
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

from yjplan.batch import BatchSettings, run
from yjplan.crossplan import MIN_SHINGLES

BASE_SIGNATURE = random.Random(1).randbytes(512)
PARAGRAPH = "镇人民政府成立防汛应急指挥部，镇长任总指挥，分管副镇长任副总指挥，指挥部办公室设在镇应急办，负责日常工作。" * 4


def _row(index: int) -> dict[str, Any]:
    rng = random.Random(index)
    sig = bytearray(BASE_SIGNATURE)
    for pos in rng.sample(range(128), 20):
        sig[pos * 4 : pos * 4 + 4] = rng.randbytes(4)
    finding = {"rule_id": "YJ502", "title": "须明确分级响应", "outcome": "fail", "severity": "error",
               "message": "未写明各级响应的启动条件" * 3, "location": "第12段", "section": "4 应急响应 / 4.2 分级响应",
               "evidence": PARAGRAPH[:120], "suppressed": None, "baseline": False}
    town = f"第{index}镇"
    phones = [["青石镇应急办", "", f"0839-55{index:05d}", "land", "第3段"]]
    phones += [[f"{town}单位{k}", "", f"0839-6{index:03d}{k:03d}", "land", f"第{k}段"] for k in range(8)]
    phones += [[f"{town}应急办", name, f"139{index:04d}{k:04d}", "mobile", f"表1第{k}行第2列"]
               for k, name in enumerate(("王强", "李明", "张伟"))]
    return {
        "status": "audited", "format": "txt", "title": f"{town}防汛应急预案", "issuer": f"{town}人民政府",
        "issue_date": "2020-05-01", "page_count": None, "char_count": 20000, "notes": [], "plan_type": "乡镇",
        "plan_type_reason": "标题含“镇”", "pack": "township@1", "total": 60 + index % 40, "grade": "合格",
        "scores": {"针对性": 80.0, "实用性": 70.0, "可操作性": 60.0},
        "counts": {"pass": 40, "partial": 3, "fail": 17, "not_applicable": 4, "error": 9, "warning": 8, "info": 3,
                   "suppressed": 0},
        "rules_checked": 64, "findings": [dict(finding, rule_id=f"YJ{500 + k}") for k in range(20)],
        "crossplan": {"minhash": bytes(sig).hex(), "shingles": MIN_SHINGLES * 10,
                      "paragraphs": [[f"第{k}段", f"{town}{PARAGRAPH}"[:400]] for k in range(120)],
                      "phones": phones, "cited": ["梧桐县突发事件总体应急预案"]},
        "timings_ms": {"parse": 1.0, "match": 2.0},
    }


def _stand_in(tasks, setup, **kw):  # type: ignore[no-untyped-def]
    for task in tasks:
        yield task, {**_row(task.index), "ms": 1.0, "pid": 1}


def _peak_growth(tmp_path: Path, files: int) -> int:
    """Peak of Python allocations during a whole run (all report formats) over ``files`` inputs."""
    folder = tmp_path / f"in-{files}"
    folder.mkdir()
    for i in range(files):
        (folder / f"{i:04d}.txt").write_text(f"预案 {i}\n", encoding="utf-8")
    settings = BatchSettings(inputs=(folder,), output=tmp_path / f"out-{files}", jobs=1, use_cache=False,
                             today=date(2025, 6, 1))
    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    report = run(settings, executor=_stand_in, out=io.StringIO(), err=io.StringIO())
    peak = tracemalloc.get_traced_memory()[1] - start
    assert len(report.audited) == files
    kinds = [c.kind for c in report.cross]
    assert kinds.count("near_duplicate") == min(200, files * (files - 1) // 2) and "phone_conflict" in kinds
    return peak


def test_main_process_memory_per_input_is_a_few_kilobytes(tmp_path: Path) -> None:
    tracemalloc.start()
    try:
        _peak_growth(tmp_path, 5)  # imports and caches, once
        small = _peak_growth(tmp_path, 30)
        large = _peak_growth(tmp_path, 150)
    finally:
        tracemalloc.stop()
    per_input = (large - small) / 120
    # Each row is ~60 KB: holding rows, rendering a report in memory or keeping every candidate pair
    # of near-duplicates (quadratic here) shows up as tens of kilobytes per input (48 KB before the
    # reports and checks were streamed); what is kept now is ~5 KB, most of it strings that differ
    # from plan to plan (path, title, units and numbers).
    assert per_input < 10 * 1024, f"{per_input / 1024:.1f} KiB more per input (peak {small} → {large} bytes)"
