"""Every rule of every built-in pack passes its own inline examples.

``pass`` examples must pass with quoted evidence (a defect-only rule passes without evidence);
``fail`` examples must come out 不符合 or 基本符合. Each rule is tested once, with the data of the
pack that defines it.
"""

from __future__ import annotations

import pytest

from yjplan.model import Outcome
from yjplan.rules.examples import run_examples
from yjplan.rules.load import builtin_pack_ids, load_pack


def _cases() -> list[pytest.param]:  # type: ignore[valid-type]
    seen: set[str] = set()
    cases = []
    for pack_id in builtin_pack_ids():
        pack = load_pack(f"builtin:{pack_id}")
        for rule in pack.rules:
            if rule.id in seen or rule.pack != pack_id:
                continue
            seen.add(rule.id)
            for which, texts in (("pass", rule.examples.passing), ("fail", rule.examples.failing)):
                for i in range(len(texts)):
                    suffix = f"-{i + 1}" if len(texts) > 1 else ""
                    cases.append(pytest.param(pack_id, rule.id, which, i, id=f"{rule.id}-{which}{suffix}"))
    return cases


CASES = _cases()


def test_every_rule_is_covered() -> None:
    ids = {c.values[1] for c in CASES}
    all_ids = {r.id for p in builtin_pack_ids() for r in load_pack(f"builtin:{p}").rules}
    assert ids == all_ids


@pytest.mark.parametrize(("pack_id", "rule_id", "which", "index"), CASES)
def test_rule_example(pack_id: str, rule_id: str, which: str, index: int) -> None:
    pack = load_pack(f"builtin:{pack_id}")
    rule = pack.rule(rule_id)
    assert rule is not None
    result = [r for r in run_examples(rule, pack.data) if r.which == which][index]
    if which == "pass":
        assert result.outcome == Outcome.PASS, result.detail
    else:
        assert result.outcome in (Outcome.FAIL, Outcome.PARTIAL), result.detail
    assert result.ok, result.detail
