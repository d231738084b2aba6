"""Exit codes for audit and batch: 1 when findings reach --fail-on or a score is below --fail-under.

Waived gaps and gaps already in the baseline never fail the gate (``Finding.counts_for_gate``);
command-line values win over ``fail_on``/``fail_under`` in the config. Exit codes: 0 passed,
1 gate failed, 2 usage/input/config error (see docs/ci.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from yjplan.config import FAIL_ON, Config
from yjplan.errors import ExitCode, UsageError
from yjplan.model import AuditResult, Severity

__all__ = ["FAIL_ON", "gate_exit_code", "gate_failures", "gate_levels", "gate_summary"]


def gate_levels(cfg: Config, fail_on: str | None = None, fail_under: float | None = None) -> tuple[str, float | None]:
    level = fail_on or cfg.fail_on
    if level not in FAIL_ON:
        raise UsageError(f"--fail-on 只能是 {'、'.join(FAIL_ON)}")
    under = fail_under if fail_under is not None else cfg.fail_under
    if under is not None and not 0 <= under <= 100:
        raise UsageError("--fail-under 必须在 0–100 之间")
    return level, under


def gate_failures(result: AuditResult, fail_on: str, fail_under: float | None) -> list[str]:
    reasons: list[str] = []
    if fail_on != "none":
        floor = Severity(fail_on).rank
        hits = [f for f in result.findings if f.counts_for_gate and f.severity.rank >= floor]
        if hits:
            reasons.append(f"{len(hits)} 个问题达到{Severity(fail_on).label}级别")
    if fail_under is not None and result.total < fail_under:
        reasons.append(f"总分 {result.total:.1f} 低于 {fail_under:g}")
    return reasons


def gate_summary(results: Iterable[AuditResult], cfg: Config, *, fail_on: str | None = None,
                 fail_under: float | None = None) -> list[str]:
    """One Chinese line per plan that fails the gate (empty when the gate passes)."""
    level, under = gate_levels(cfg, fail_on, fail_under)
    lines = []
    for r in results:
        reasons = gate_failures(r, level, under)
        if reasons:
            lines.append(f"未通过：{r.document.path}：{'；'.join(reasons)}")
    return lines


def gate_exit_code(results: Iterable[AuditResult], cfg: Config, *, fail_on: str | None = None,
                   fail_under: float | None = None) -> ExitCode:
    failed = gate_summary(results, cfg, fail_on=fail_on, fail_under=fail_under)
    return ExitCode.GATE_FAILED if failed else ExitCode.OK
