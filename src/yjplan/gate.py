"""Exit codes for audit and batch: 1 when findings reach --fail-on or a score is below --fail-under."""

from __future__ import annotations

from collections.abc import Iterable

from yjplan.config import Config
from yjplan.errors import ExitCode, UsageError
from yjplan.model import AuditResult, Severity

FAIL_ON = ("error", "warning", "info", "none")


def gate_failures(result: AuditResult, fail_on: str, fail_under: float | None) -> list[str]:
    reasons: list[str] = []
    if fail_on != "none":
        floor = Severity(fail_on).rank
        hits = [f for f in result.findings if f.counts_for_gate and f.severity.rank >= floor]
        if hits:
            reasons.append(f"{len(hits)} 个问题达到 {Severity(fail_on).label} 级别")
    if fail_under is not None and result.total < fail_under:
        reasons.append(f"总分 {result.total:.1f} 低于 {fail_under:g}")
    return reasons


def gate_exit_code(results: Iterable[AuditResult], cfg: Config, *, fail_on: str | None = None,
                   fail_under: float | None = None) -> ExitCode:
    level = fail_on or cfg.fail_on
    if level not in FAIL_ON:
        raise UsageError(f"--fail-on 只能是 {'、'.join(FAIL_ON)}")
    under = fail_under if fail_under is not None else cfg.fail_under
    failed = any(gate_failures(r, level, under) for r in results)
    return ExitCode.GATE_FAILED if failed else ExitCode.OK
