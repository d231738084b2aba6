"""audit_file(path, options) → AuditResult: parse → detect type → choose packs → match → score.

A pure function of (file bytes, packs, options): no printing, no global state, picklable inputs
and outputs, so batch runs can fan it out to processes or a Dask cluster and cache its result
by (file hash, pack digest, options).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from yjplan.limits import DEFAULT_LIMITS, Limits
from yjplan.model import AuditResult, Document, Finding, Severity


@dataclass(frozen=True, slots=True)
class AuditOptions:
    plan_type: str | None = None  # override detection
    rule_packs: tuple[str, ...] = ()  # extra packs (paths or builtin:ID) merged over the type pack
    select: tuple[str, ...] = ()  # rule id prefixes or names to keep (empty = all)
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # rule id → severity override
    include_preview: bool = True
    today: date = field(default_factory=date.today)
    limits: Limits = DEFAULT_LIMITS

    def cache_key(self) -> str:
        return repr((self.plan_type, self.rule_packs, self.select, self.ignore, self.severity,
                     self.include_preview, self.today.isoformat()))


def _selected(rule_id: str, name: str, opts: AuditOptions) -> bool:
    def hit(patterns: tuple[str, ...]) -> bool:
        return any(rule_id.startswith(p) or name == p for p in patterns)

    if opts.select and not hit(opts.select):
        return False
    return not hit(opts.ignore)


def _packs_for(plan_type: str, opts: AuditOptions):  # type: ignore[no-untyped-def]
    from yjplan.rules.load import load_pack, pack_for_type

    return (pack_for_type(plan_type), *(load_pack(ref) for ref in opts.rule_packs))


def patterns_for(plan_type: str, opts: AuditOptions) -> dict[str, object]:
    """Every rule pattern of the packs in play, compiled (see ``RulePack.patterns``)."""
    out: dict[str, object] = {}
    for pack in _packs_for(plan_type, opts):
        out.update(pack.patterns)
    return out


def rules_for(plan_type: str, opts: AuditOptions):  # type: ignore[no-untyped-def]
    """The effective rule list and pack label for a plan type under these options."""
    from yjplan.rules.load import load_pack, pack_for_type

    pack = pack_for_type(plan_type)
    rules = {r.id: r for r in pack.rules}
    data = dict(pack.data)
    label = pack.ref
    digests = [pack.digest]
    for ref in opts.rule_packs:
        extra = load_pack(ref)
        for r in extra.rules:
            rules[r.id] = r
        data.update(extra.data)
        label += f"+{extra.ref}"
        digests.append(extra.digest)
    overrides = dict(opts.severity)
    chosen = []
    for r in sorted(rules.values(), key=lambda r: r.id):
        if not _selected(r.id, r.name, opts):
            continue
        if r.status == "deprecated" or (r.status == "preview" and not opts.include_preview):
            continue
        if r.id in overrides:
            r = replace(r, severity=Severity(overrides[r.id]))
        chosen.append(r)
    return tuple(chosen), tuple(data.items()), label, "-".join(digests)


def audit_document(doc: Document, opts: AuditOptions = AuditOptions()) -> AuditResult:
    from yjplan.match.engine import evaluate_rule
    from yjplan.match.evidence import Context
    from yjplan.plantype import detect_plan_type
    from yjplan.score import grade_of, score_findings

    t0 = time.perf_counter()
    guess = detect_plan_type(doc, opts.plan_type)
    rules, data, label, _ = rules_for(guess.plan_type, opts)
    ctx = Context(doc=doc, data=data, today=opts.today, regex_timeout=opts.limits.regex_timeout_s,
                  plan_type=guess.plan_type, patterns=patterns_for(guess.plan_type, opts))
    findings: tuple[Finding, ...] = tuple(evaluate_rule(r, doc, ctx) for r in rules)
    t1 = time.perf_counter()
    scores, total = score_findings(findings)
    grade = grade_of(total, findings, frozenset(r.id for r in rules if r.key))
    return AuditResult(
        document=doc,
        plan_type=guess,
        pack=label,
        findings=findings,
        scores=scores,
        total=total,
        grade=grade,
        timings_ms=(("match", round((t1 - t0) * 1000, 1)),),
    )


def audit_file(path: Path | str, opts: AuditOptions = AuditOptions()) -> AuditResult:
    from yjplan.parse import read_document

    t0 = time.perf_counter()
    doc = read_document(Path(path), opts.limits)
    t1 = time.perf_counter()
    result = audit_document(doc, opts)
    return replace(result, timings_ms=(("parse", round((t1 - t0) * 1000, 1)), *result.timings_ms))
