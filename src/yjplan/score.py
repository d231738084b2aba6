"""Findings → a score per criterion and overall, and a grade. Pure; documented in docs/scoring.md.

Formula (a design choice, not an official one: the 2009 评审指南 has no numeric score):

* each applicable rule carries points = ``weight × severity factor`` (error 1.0, warning 0.6,
  info 0.3), split across the criteria it serves by its shares;
* credit: pass 1, partial 0.5, fail 0; waived findings count as passed; not-applicable rules
  count nowhere;
* criterion score = 100 × earned / possible; total = mean of the criterion scores that have
  any possible points (each of 针对性、实用性、可操作性 counts the same);
* grade: ≥ 90 优秀, ≥ 75 良好, ≥ 60 合格, else 不合格 — capped at 合格 when a key element (★)
  fails, and at 不合格 when three or more key elements fail (评审指南: a 不符合 关键要素
  means the plan must be revised).
"""

from __future__ import annotations

from dataclasses import dataclass

from yjplan.model import Criterion, CriterionScore, Finding, Outcome, Severity

SEVERITY_FACTOR = {Severity.ERROR: 1.0, Severity.WARNING: 0.6, Severity.INFO: 0.3}
CREDIT = {Outcome.PASS: 1.0, Outcome.PARTIAL: 0.5, Outcome.FAIL: 0.0}
GRADES = ((90.0, "优秀"), (75.0, "良好"), (60.0, "合格"), (0.0, "不合格"))


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One rule's contribution to one criterion, for --explain."""

    rule_id: str
    criterion: Criterion
    points: float
    credit: float
    reason: str


def points_of(f: Finding) -> float:
    return f.weight * SEVERITY_FACTOR[f.severity]


def credit_of(f: Finding) -> float:
    if f.suppressed:
        return 1.0
    return CREDIT.get(f.outcome, 0.0)


def score_lines(findings: tuple[Finding, ...]) -> list[ScoreLine]:
    lines: list[ScoreLine] = []
    for f in findings:
        if f.outcome == Outcome.NOT_APPLICABLE:
            continue
        pts = points_of(f)
        reason = "已豁免，按符合计" if f.suppressed else f.outcome.label
        for crit, share in f.criteria:
            lines.append(ScoreLine(f.rule_id, crit, pts * share, credit_of(f), reason))
    return lines


def score_findings(findings: tuple[Finding, ...]) -> tuple[tuple[CriterionScore, ...], float]:
    lines = score_lines(findings)
    scores: list[CriterionScore] = []
    for crit in Criterion:
        mine = [ln for ln in lines if ln.criterion == crit]
        possible = sum(ln.points for ln in mine)
        earned = sum(ln.points * ln.credit for ln in mine)
        score = round(100.0 * earned / possible, 1) if possible else 100.0
        scores.append(CriterionScore(crit, score, round(earned, 2), round(possible, 2)))
    counted = [s.score for s in scores if s.possible > 0]
    total = round(sum(counted) / len(counted), 1) if counted else 0.0
    return tuple(scores), total


def grade_of(total: float, findings: tuple[Finding, ...], key_rules: frozenset[str]) -> str:
    grade = next(name for floor, name in GRADES if total >= floor)
    failed_keys = sum(
        1 for f in findings if f.rule_id in key_rules and f.outcome == Outcome.FAIL and not f.suppressed
    )
    order = [name for _, name in GRADES]
    if failed_keys >= 3:
        return "不合格"
    if failed_keys >= 1 and order.index(grade) < order.index("合格"):
        return "合格"
    return grade
