from __future__ import annotations

from yjplan.model import Criterion, Finding, Outcome, Severity
from yjplan.score import grade_of, score_findings


def finding(rule_id: str, outcome: Outcome, *, severity: Severity = Severity.ERROR, weight: float = 4,
            criteria: tuple = ((Criterion.OPERABILITY, 1.0),), suppressed: str | None = None) -> Finding:
    return Finding(rule_id=rule_id, name=rule_id.lower(), title="t", outcome=outcome, severity=severity,
                   criteria=criteria, weight=weight, message="m", suggestion=None, references=(),
                   section_path=(), location=None, suppressed=suppressed)


def test_partial_earns_half_and_not_applicable_counts_nowhere() -> None:
    fs = (finding("YJ001", Outcome.PASS), finding("YJ002", Outcome.PARTIAL), finding("YJ003", Outcome.FAIL),
          finding("YJ004", Outcome.NOT_APPLICABLE, weight=100))
    scores, total = score_findings(fs)
    op = next(s for s in scores if s.criterion == Criterion.OPERABILITY)
    assert (op.earned, op.possible) == (6.0, 12.0)
    assert op.score == 50.0
    assert total == 50.0  # criteria without rules do not dilute the mean


def test_severity_scales_points() -> None:
    fs = (finding("YJ001", Outcome.PASS, severity=Severity.ERROR, weight=10),
          finding("YJ002", Outcome.FAIL, severity=Severity.INFO, weight=10))
    scores, _ = score_findings(fs)
    op = next(s for s in scores if s.criterion == Criterion.OPERABILITY)
    assert op.possible == 13.0  # 10 × 1.0 + 10 × 0.3
    assert op.score == round(100 * 10 / 13, 1)


def test_rule_weight_is_split_across_its_criteria() -> None:
    fs = (finding("YJ001", Outcome.FAIL, weight=6,
                  criteria=((Criterion.SPECIFICITY, 2 / 3), (Criterion.PRACTICALITY, 1 / 3))),
          finding("YJ002", Outcome.PASS, weight=6, criteria=((Criterion.PRACTICALITY, 1.0),)))
    scores, total = score_findings(fs)
    by = {s.criterion: s for s in scores}
    assert by[Criterion.SPECIFICITY].possible == 4.0 and by[Criterion.SPECIFICITY].score == 0.0
    assert by[Criterion.PRACTICALITY].possible == 8.0 and by[Criterion.PRACTICALITY].score == 75.0
    assert total == 37.5


def test_waived_gap_counts_as_passed() -> None:
    _, total = score_findings((finding("YJ001", Outcome.FAIL, suppressed="县级统一编制"),))
    assert total == 100.0


def test_grade_bands_and_key_element_caps() -> None:
    assert grade_of(95, (), frozenset()) == "优秀"
    assert grade_of(80, (), frozenset()) == "良好"
    assert grade_of(60, (), frozenset()) == "合格"
    assert grade_of(59.9, (), frozenset()) == "不合格"
    one_key = (finding("YJ502", Outcome.FAIL),)
    assert grade_of(95, one_key, frozenset({"YJ502"})) == "合格"
    three = tuple(finding(f"YJ50{i}", Outcome.FAIL) for i in range(3))
    assert grade_of(95, three, frozenset({"YJ500", "YJ501", "YJ502"})) == "不合格"
    # a waived key failure does not cap the grade
    waived = (finding("YJ502", Outcome.FAIL, suppressed="理由"),)
    assert grade_of(95, waived, frozenset({"YJ502"})) == "优秀"
