"""Held-out evaluation: run bench/eval.py's loop on plans that were never used to tune the rules.

Usage::

    PYTHONPATH=src python bench/heldout.py

Plans live in ``bench/heldout/`` and their hand labels (made before yjplan was run on them) in
``bench/heldout/labels/``. Scoring, tallies and tables are eval.py's own; only the paths, the report
title and the in-sample warning differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval as ev  # bench/eval.py, imported as a sibling module

HELDOUT = ev.ROOT / "bench" / "heldout"
OUT = ev.ROOT / "bench" / "heldout-report.md"


def report(results: ev.Results) -> str:
    out = [
        "# 要素识别留出集评测报告",
        "",
        "本文件由 `PYTHONPATH=src python bench/heldout.py` 生成，请勿手工编辑。预案见 `bench/heldout/`"
        "（来源见 `MANIFEST.tsv`），标注见 `bench/heldout/labels/`：在运行 yjplan 之前通读原文标注，"
        "判定标准与 `bench/labels/` 相同，运行后未作任何修改。计分方法与 `bench/eval.py` 完全相同。",
        f"评测日期固定为 {ev.EVAL_TODAY.isoformat()}；预案类型取标注中的类型。",
        "",
        f"**这是留出集结果**：这些预案从未参与规则调整。样本很小（{len(results.plans)} 份），"
        "数字的置信区间很宽，只能作方向性参考。",
        "",
        *ev.report_sections(results),
    ]
    return "\n".join(out) + "\n"


def main() -> int:
    # The held-out folder plays the corpus role; samples are never searched.
    results = ev.run(HELDOUT / "labels", HELDOUT, HELDOUT, detect_type=False)
    print("\n".join(ev.summary_lines(results)))
    OUT.write_text(report(results), encoding="utf-8")
    print(f"\n报告已写入 {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
