"""Compare yjplan's element findings with hand labels: precision and recall per element and per rule.

Usage::

    python bench/eval.py                 # audit every labelled plan, print the summary, write the report
    python bench/eval.py --no-write      # print only
    python bench/eval.py --cases         # also print every disagreement
    python bench/eval.py --detect-type   # let yjplan guess the plan type instead of using the label's

Labels (``bench/labels/<file>.yaml``, see ``bench/labels/ELEMENTS.md``) are written by reading the
documents, never from yjplan's output. Each plan is looked up in the real corpus
(``../shared/corpus/real`` beside the repository) or in ``samples/``.

How a finding becomes "present" or "absent" (the decision this script documents):

* only rules that declare ``element: <id>`` count;
* pass or partial → present, fail → absent, not_applicable → that rule says nothing;
* several rules for one element: present if any of them says present (an element exists when any
  of its tests finds it; stricter rules then grade its quality, which labels do not record);
* an element labelled ``n/a``, or with no applicable rule for the plan type, is skipped and counted
  as "not assessed".

Positive class = present. Precision = TP / (TP + FP): when yjplan says an element is there, how
often it is; recall = TP / (TP + FN): how many of the elements that are there yjplan finds.
Per-rule figures compare each element rule on its own. Defect labels are checked against the defect
rules: placeholders → YJ606, vague_duties → YJ204, outdated_refs → YJ102 (fail or partial = found).

The plan type defaults to the label's ``plan_type`` (free text such as “村（社区）预案” is mapped to
yjplan's types) so that a wrong type guess does not hide how well the rules work; ``--detect-type``
measures both together.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DEFECT_RULES = {"placeholders": "YJ606", "vague_duties": "YJ204", "outdated_refs": "YJ102"}
EVAL_TODAY = date(2026, 12, 1)  # fixed, so the report does not change with the calendar
TARGET_PRECISION, TARGET_RECALL, KEY_FLOOR = 0.90, 0.85, 0.75

# Free-text plan types in labels → yjplan plan types; checked in this order.
_TYPE_WORDS = (
    ("现场处置", "现场处置方案"), ("处置卡", "应急处置卡"), ("村", "村社区"), ("社区", "村社区"), ("乡镇", "乡镇"),
    ("街道", "乡镇"), ("学校", "学校"), ("医院", "医院"), ("大型活动", "大型活动"), ("部门", "部门"),
    ("总体", "总体"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Case:
    file: str
    element: str
    label: bool
    tool: bool
    outcome: str  # the rule outcomes, e.g. "YJ405:fail"
    evidence: str  # tool evidence (or what it missed)
    quote: str  # label quote or note


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, label: bool, tool: bool) -> None:
        if label and tool:
            self.tp += 1
        elif tool:
            self.fp += 1
        elif label:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def support(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


@dataclass(frozen=True, slots=True)
class PlanRow:
    file: str
    label_type: str
    tool_type: str
    total: float
    grade: str


@dataclass
class Results:
    cases: list[Case] = field(default_factory=list)
    rules: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    skipped: int = 0
    defects: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    defect_cases: list[Case] = field(default_factory=list)
    plans: list[PlanRow] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def normalize_plan_type(value: object) -> str | None:
    """“村（社区）预案” → 村社区, “企业 现场处置方案” → 现场处置方案; None when it cannot be read."""
    from yjplan.rules.schema import PLAN_TYPE_ALIASES, PLAN_TYPES

    text = str(value or "").replace(" ", "")
    if text in PLAN_TYPES:
        return text
    if text in PLAN_TYPE_ALIASES:
        return PLAN_TYPE_ALIASES[text]
    for word, plan_type in _TYPE_WORDS[:2]:
        if word in text:
            return plan_type
    if "企业" in text:
        return "企业专项" if "专项" in text else "企业综合"
    for word, plan_type in _TYPE_WORDS[2:]:
        if word in text:
            return plan_type
    return "专项" if "专项" in text else None


def find_document(name: str, corpus: Path, samples: Path) -> Path | None:
    for folder in (corpus, samples):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _present(value: object) -> bool | None:
    if value is True or value is False:
        return value
    return None  # n/a, or missing


def _short(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _evidence_text(findings: list[Any]) -> str:
    parts = []
    for f in findings:
        if f.evidence:
            parts.append(f"{f.rule_id}「{_short(f.evidence[0].quote, 60)}」")
        else:
            parts.append(f"{f.rule_id}：{_short(f.detail or f.message, 60)}")
    return "；".join(parts)


def _label_text(entry: dict[str, Any]) -> str:
    return _short(str(entry.get("quote") or entry.get("note") or ""), 80)


def elements_of(pack_ref: str) -> dict[str, str]:
    """Rule id → element id for the pack that audited a plan (``government@2026.11`` → its rules)."""
    from yjplan.rules.load import load_pack

    pack = pack_ref.split("+")[0].split("@")[0]
    return {r.id: r.element for r in load_pack(f"builtin:{pack}").rules if r.element}


def key_elements() -> set[str]:
    from yjplan.rules.load import builtin_pack_ids, load_pack

    return {r.element for p in builtin_pack_ids() for r in load_pack(f"builtin:{p}").rules if r.key and r.element}


def key_rules() -> set[str]:
    from yjplan.rules.load import builtin_pack_ids, load_pack

    return {r.id for p in builtin_pack_ids() for r in load_pack(f"builtin:{p}").rules if r.key and r.element}


def evaluate_plan(label: dict[str, Any], path: Path, detect_type: bool, results: Results) -> None:
    from yjplan.model import Outcome
    from yjplan.pipeline import AuditOptions, audit_file

    label_type = normalize_plan_type(label.get("plan_type"))
    opts = AuditOptions(plan_type=None if detect_type else label_type, today=EVAL_TODAY)
    result = audit_file(path, opts)
    name = label["file"]
    results.plans.append(PlanRow(name, str(label_type), result.plan_type.plan_type, result.total, result.grade))
    element_of = elements_of(result.pack)
    by_element: dict[str, list[Any]] = defaultdict(list)
    for f in result.findings:
        element = element_of.get(f.rule_id)
        if element and f.outcome != Outcome.NOT_APPLICABLE:
            by_element[element].append(f)
    present = (Outcome.PASS, Outcome.PARTIAL)
    for element, entry in (label.get("elements") or {}).items():
        entry = entry or {}
        want = _present(entry.get("present"))
        found = by_element.get(element, [])
        if want is None or not found:
            results.skipped += 1
            continue
        tool = any(f.outcome in present for f in found)
        for f in found:
            results.rules[f.rule_id].add(want, f.outcome in present)
        deciding = [f for f in found if (f.outcome in present) == tool]
        results.cases.append(Case(name, element, want, tool, ", ".join(f"{f.rule_id}:{f.outcome.value}" for f in found),
                                  _evidence_text(deciding), _label_text(entry)))
    by_rule = {f.rule_id: f for f in result.findings}
    for defect, entry in (label.get("defects") or {}).items():
        entry = entry or {}
        want = _present(entry.get("present"))
        f = by_rule.get(DEFECT_RULES.get(defect, ""))
        if want is None or f is None or f.outcome == Outcome.NOT_APPLICABLE:
            continue
        tool = f.outcome in (Outcome.FAIL, Outcome.PARTIAL)
        results.defects[defect].add(want, tool)
        if want != tool:
            results.defect_cases.append(Case(name, defect, want, tool, f"{f.rule_id}:{f.outcome.value}",
                                             _evidence_text([f]), _label_text(entry)))


def run(labels_dir: Path, corpus: Path, samples: Path, detect_type: bool) -> Results:
    import yaml

    results = Results()
    for label_file in sorted(labels_dir.glob("*.yaml")):
        label = yaml.safe_load(label_file.read_text(encoding="utf-8"))
        if not isinstance(label, dict) or "file" not in label:
            continue
        path = find_document(label["file"], corpus, samples)
        if path is None:
            results.missing.append(label["file"])
            continue
        evaluate_plan(label, path, detect_type, results)
    return results


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def _row(name: str, star: str, t: Tally) -> str:
    return (f"| {name} | {star} | {t.support} | {t.tp} | {t.fp} | {t.fn} | {t.tn} | "
            f"{_fmt(t.precision)} | {_fmt(t.recall)} |")


def _below(t: Tally) -> bool:
    return any(v is not None and v < KEY_FLOOR for v in (t.precision, t.recall))


def summary_lines(results: Results) -> list[str]:
    keys = key_elements()
    overall = Tally()
    per: dict[str, Tally] = defaultdict(Tally)
    for c in results.cases:
        overall.add(c.label, c.tool)
        per[c.element].add(c.label, c.tool)
    header = ["| {} | ★ | 样本 | TP | FP | FN | TN | 精确率 | 召回率 |", "|---|---|---|---|---|---|---|---|---|"]
    lines = [
        f"标注预案 {len(results.plans)} 份；比较的要素判断 {overall.support} 个；"
        f"未评估（标注为 n/a 或该类型没有适用规则）{results.skipped} 个。",
        "",
        header[0].format("要素"),
        header[1],
    ]
    below = [e for e in sorted(per) if e in keys and _below(per[e])]
    lines += [_row(e, "★" if e in keys else "", per[e]) for e in sorted(per)]
    lines.append(f"| **合计** |  | {overall.support} | {overall.tp} | {overall.fp} | {overall.fn} | {overall.tn} | "
                 f"**{_fmt(overall.precision)}** | **{_fmt(overall.recall)}** |")
    lines += ["", "★ 关键要素规则逐条：", "", header[0].format("规则"), header[1]]
    key_ids = sorted(r for r in results.rules if r in key_rules())
    lines += [_row(r, "★", results.rules[r]) for r in key_ids]
    below += [r for r in key_ids if _below(results.rules[r])]
    p, r = overall.precision or 0.0, overall.recall or 0.0
    met = p >= TARGET_PRECISION and r >= TARGET_RECALL and not below
    lines += ["", f"目标（总体精确率 ≥ {TARGET_PRECISION}、召回率 ≥ {TARGET_RECALL}，★要素和★规则均 ≥ {KEY_FLOOR}）："
              f"{'达到' if met else '未达到'}。" + (f" 低于 {KEY_FLOOR}：{'、'.join(below)}。" if below else "")]
    lines += ["", "缺陷标注（规则结果为不符合或基本符合 = 发现缺陷）：", "",
              "| 缺陷 | 规则 | 样本 | TP | FP | FN | TN | 精确率 | 召回率 |", header[1]]
    lines += [_row(d, DEFECT_RULES[d], results.defects[d]) for d in sorted(results.defects)]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def _case_rows(cases: list[Case]) -> list[str]:
    rows = ["| 文件 | 要素 | 标注 | 工具 | 规则结果 | 工具证据 | 标注引文或说明 |", "|---|---|---|---|---|---|---|"]
    for c in cases:
        rows.append(f"| {c.file} | {c.element} | {'有' if c.label else '无'} | {'有' if c.tool else '无'} | "
                    f"{c.outcome} | {_cell(c.evidence)} | {_cell(c.quote)} |")
    return rows


def report(results: Results, detect_type: bool) -> str:
    out = [
        "# 要素识别评测报告",
        "",
        "本文件由 `python bench/eval.py` 生成，请勿手工编辑。标注见 `bench/labels/`（人工通读原文标注），"
        "判定方法见 `bench/eval.py` 的模块说明：符合/基本符合 = 有，不符合 = 无，"
        "同一要素有几条规则时任一为“有”即为有。",
        f"评测日期固定为 {EVAL_TODAY.isoformat()}；预案类型{'由 yjplan 判断' if detect_type else '取标注中的类型'}。",
        "",
        "**注意：这是样本内结果。** 规则是在阅读这 16 份预案的误判后改进的，没有留出的测试集，"
        "所以下面的精确率和召回率高估了规则在新预案上的表现。每处改动都是通用规则（见提交记录），没有为单个文件调整，"
        "标注也从未按工具输出修改；要得到可信的泛化估计，需要另行标注一批未参与调规则的预案。",
        "",
        *report_sections(results),
    ]
    return "\n".join(out) + "\n"


def report_sections(results: Results) -> list[str]:
    """The tables every evaluation report shares: summary, per plan, and each disagreement."""
    wrong = sorted((c for c in results.cases if c.label != c.tool), key=lambda c: (c.element, c.file))
    out = [
        "## 总表",
        "",
        *summary_lines(results),
        "",
        "## 各预案",
        "",
        "| 文件 | 标注类型 | 审查类型 | 总分 | 等级 |",
        "|---|---|---|---|---|",
        *(f"| {p.file} | {p.label_type} | {p.tool_type} | {p.total} | {p.grade} |" for p in results.plans),
    ]
    if results.missing:
        out += ["", "找不到文件的标注：" + "、".join(results.missing)]
    out += ["", f"## 不一致的要素判断（{len(wrong)} 个）", "", *_case_rows(wrong)]
    out += ["", f"## 不一致的缺陷判断（{len(results.defect_cases)} 个）", "", *_case_rows(results.defect_cases)]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="yjplan 要素识别评测：与人工标注比较")
    ap.add_argument("--labels", type=Path, default=ROOT / "bench" / "labels")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "real")
    ap.add_argument("--samples", type=Path, default=ROOT / "samples")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "eval-report.md")
    ap.add_argument("--no-write", action="store_true", help="只打印，不写报告")
    ap.add_argument("--detect-type", action="store_true", help="由 yjplan 判断预案类型，不用标注的类型")
    ap.add_argument("--cases", action="store_true", help="同时打印不一致的判断")
    args = ap.parse_args(argv)
    results = run(args.labels, args.corpus, args.samples, args.detect_type)
    print("\n".join(summary_lines(results)))
    if args.cases:
        for c in [c for c in results.cases if c.label != c.tool] + results.defect_cases:
            print(f"{c.file}\t{c.element}\tlabel={c.label}\ttool={c.outcome}\t{c.evidence}\t|| {c.quote}")
    if not args.no_write:
        args.out.write_text(report(results, args.detect_type), encoding="utf-8")
        print(f"\n报告已写入 {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
