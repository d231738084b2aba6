"""Run every rule's inline examples: ``pass`` must pass with evidence, ``fail`` must not pass.

Examples are Markdown (so a pipe table is a table) read through the same text reader and
outline detection as real plans; a parser regression therefore shows up as a rule failure.
They are evaluated on a fixed date so date-based rules give the same answer every year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from yjplan.model import Document, Outcome
from yjplan.rules.schema import Rule

EXAMPLE_TODAY = date(2026, 6, 30)


@dataclass(frozen=True, slots=True)
class ExampleResult:
    rule_id: str
    which: str  # pass | fail
    index: int
    ok: bool
    outcome: Outcome
    detail: str


def example_document(text: str) -> Document:
    from yjplan.limits import DEFAULT_LIMITS
    from yjplan.parse import text as text_reader
    from yjplan.parse.meta import detect_metadata
    from yjplan.parse.outline import build_outline

    raw = text_reader.read(Path("example.md"), text.encode("utf-8"), DEFAULT_LIMITS)
    root, notes = build_outline(raw)
    meta = detect_metadata(raw, root)
    return Document(path="example.md", format="md", sha256="", root=root, title=meta.title, issuer=meta.issuer,
                    issue_date=meta.issue_date, char_count=len(text), notes=notes)


def run_examples(rule: Rule, data: tuple = ()) -> list[ExampleResult]:  # type: ignore[type-arg]
    from yjplan.match.engine import evaluate_rule
    from yjplan.match.evidence import Context

    plan_type = rule.examples.plan_type or rule.applies_to[0]
    out: list[ExampleResult] = []
    for which, texts in (("pass", rule.examples.passing), ("fail", rule.examples.failing)):
        for i, text in enumerate(texts):
            doc = example_document(text)
            ctx = Context(doc=doc, data=data, today=EXAMPLE_TODAY, plan_type=plan_type)
            f = evaluate_rule(rule, doc, ctx)
            if which == "pass":
                ok = f.outcome == Outcome.PASS and (bool(f.evidence) or rule.evidence is None)
                detail = f"期望“符合”并有证据，实际：{f.outcome.label}（{f.detail or f.message}）"
            else:
                ok = f.outcome in (Outcome.FAIL, Outcome.PARTIAL)
                detail = f"期望“不符合”或“基本符合”，实际：{f.outcome.label}"
            out.append(ExampleResult(rule.id, which, i, ok, f.outcome, "" if ok else detail))
    return out
