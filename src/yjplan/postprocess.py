"""After matching: apply the configuration's waivers and the baseline to an AuditResult.

A waived gap keeps its outcome and gains ``suppressed=<reason>`` (reports show it as waived, the
score counts it as met); an expired waiver suppresses nothing and adds a YJ000 finding of its own;
a gap found in the baseline gets ``baseline=True`` and no longer fails the gate. Waivers that
matched nothing in a whole run come back from :func:`run_notes` so the command can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from yjplan.config import Config, Waiver
from yjplan.model import AuditResult, Finding, Outcome, Severity

EXPIRED_RULE_ID = "YJ000"
EXPIRED_RULE_NAME = "expired-waiver"
EXPIRED_TITLE = "豁免已过期"


@dataclass(frozen=True, slots=True)
class RunNote:
    """Something about the run rather than a plan: shown on stderr, and in SARIF as a notification."""

    level: str  # error | warning | note
    message: str
    file: str | None = None  # where to fix it (e.g. the config file)
    line: int | None = None


def finalize(result: AuditResult, cfg: Config, baseline: Path | None = None, *,
             today: date | None = None) -> AuditResult:
    """Waivers first (they change the score), then the baseline (it changes only the gate)."""
    today = today or date.today()
    findings, waived = _apply_waivers(result, cfg, today)
    baseline_path = baseline or cfg.baseline
    if baseline_path is not None:
        from yjplan.baseline import load_baseline

        known = load_baseline(baseline_path)
        findings = tuple(replace(f, baseline=True) if f.is_gap and known.contains(f, result.document.path) else f
                         for f in findings)
    if findings == result.findings:
        return result
    if not waived:
        return replace(result, findings=findings)
    return _rescored(result, findings, cfg)


def _matching(waivers: tuple[Waiver, ...], finding: Finding, cfg: Config, doc_path: str) -> list[Waiver]:
    return [w for w in waivers
            if w.rule == finding.rule_id and (not w.files or cfg.matches(doc_path, w.files))]


def _apply_waivers(result: AuditResult, cfg: Config, today: date) -> tuple[tuple[Finding, ...], bool]:
    if not cfg.waivers:
        return result.findings, False
    doc_path = result.document.path
    out: list[Finding] = []
    expired_notes: list[Finding] = []
    waived = False
    for f in result.findings:
        hits = _matching(cfg.waivers, f, cfg, doc_path) if f.is_gap else []
        active = [w for w in hits if not w.expired(today)]
        if active:
            out.append(replace(f, suppressed=active[0].reason))
            waived = True
            continue
        expired_notes.extend(_expired_finding(w, f) for w in hits)
        out.append(f)
    return (*expired_notes, *out), waived


def _expired_finding(w: Waiver, gap: Finding) -> Finding:
    return Finding(
        rule_id=EXPIRED_RULE_ID,
        name=EXPIRED_RULE_NAME,
        title=EXPIRED_TITLE,
        outcome=Outcome.FAIL,
        severity=Severity.WARNING,
        criteria=(),  # no criteria and no weight: it changes the gate, never the score
        weight=0.0,
        message=f"规则 {w.rule} 的豁免已于 {w.expires} 过期（{w.where}），该问题不再豁免",
        suggestion="处理该问题，或在确有理由时更新豁免的 expires 日期；不再需要的豁免请删除。",
        references=(),
        section_path=gap.section_path,
        location=gap.location,
        detail=f"原豁免理由：{w.reason}",
    )


def _rescored(result: AuditResult, findings: tuple[Finding, ...], cfg: Config) -> AuditResult:
    """Waived gaps count as met, so the scores and the grade (key-element cap) change."""
    from yjplan.pipeline import AuditOptions, rules_for
    from yjplan.score import grade_of, score_findings

    rules, *_ = rules_for(result.plan_type.plan_type, AuditOptions(rule_packs=cfg.rule_packs))
    scores, total = score_findings(findings)
    grade = grade_of(total, findings, frozenset(r.id for r in rules if r.key))
    return replace(result, findings=findings, scores=scores, total=total, grade=grade)


def unused_waivers(results: list[AuditResult], cfg: Config) -> tuple[tuple[Waiver, str], ...]:
    """Waivers that matched nothing, each with the reason in Chinese.

    A run often audits only some plans (pre-commit, --changed-only); a waiver for plans outside
    the run is not "unused" then. So a waiver is reported when it covered an audited plan yet
    waived no gap (stale), or when its ``files`` match no file at all (a typo, or plans removed).
    """
    used: set[int] = set()
    in_scope: set[int] = set()
    for result in results:
        doc_path = result.document.path
        for w in cfg.waivers:
            if not w.files or cfg.matches(doc_path, w.files):
                in_scope.add(id(w))
        for f in result.findings:
            if f.is_gap:
                used.update(id(w) for w in _matching(cfg.waivers, f, cfg, doc_path))
    out: list[tuple[Waiver, str]] = []
    for w in cfg.waivers:
        if id(w) in used:
            continue
        if id(w) in in_scope:
            out.append((w, "没有匹配到任何问题，可以删除"))
        elif not _any_file_matches(cfg, w.files):
            out.append((w, "的 files 没有匹配到任何文件，请修正或删除"))
    return tuple(out)


def _any_file_matches(cfg: Config, patterns: tuple[str, ...]) -> bool:
    import os

    root = cfg.root or Path.cwd()
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # .git, .venv, caches
        for name in names:
            if cfg.matches(Path(folder) / name, patterns):
                return True
    return False


def run_notes(results: list[AuditResult], cfg: Config) -> tuple[RunNote, ...]:
    config_file = str(cfg.path) if cfg.path else None
    return tuple(
        RunNote("warning", f"豁免 {w.describe()}{why}", config_file, w.line or None)
        for w, why in unused_waivers(results, cfg)
    )
