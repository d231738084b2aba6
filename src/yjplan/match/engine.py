"""Rule × Document → Finding. No I/O.

Outcome, in order: not applicable (plan type, or the ``when`` condition fails); the scope is
found (or the whole document when no heading matches); ``evidence`` decides pass / partial /
fail (a hit that was only found by searching the whole document is partial); ``forbid`` finds
defects, which turn a pass into partial (the element is there but flawed) or, for a rule with
no ``evidence``, into fail. Every pass and partial carries quoted evidence; every fail says
where it looked and what it did not find.
"""

from __future__ import annotations

from yjplan.match.evidence import Context, SpecResult, describe, evaluate, register_view
from yjplan.match.scope import ScopeMatch, SectionIndex, find_scope
from yjplan.match.units import (
    DocUnits,
    Found,
    Unit,
    UnitCache,
    document_units,
    location_of,
    quote_of,
    units_of,
)
from yjplan.model import Document, Evidence, Finding, Location, Outcome, Section
from yjplan.rules.schema import Rule, Scope

MAX_EVIDENCE = 5  # quotes per finding; evidence specs are searched only until they are known (``evaluate``)


def _memo(doc: Document, ctx: Context) -> dict[object, object] | None:
    """The audit's memo when ``ctx`` belongs to ``doc`` (None: the reference path, no reuse)."""
    return ctx.memo if ctx.memo is not None and ctx.doc is doc else None


def _scoped(doc: Document, scope: Scope, ctx: Context) -> tuple[ScopeMatch, list[Unit]]:
    """Where a rule looks and the units there. Rules share scopes and fall back to the whole
    document, so within one audit each scope is resolved once, and its units are slices of the
    document's units (``DocUnits``), one list per set of slices."""
    memo = _memo(doc, ctx)
    if memo is None:
        found = find_scope(doc, scope)
        return found, units_of(list(found.sections), scope.include_children)
    key = ("scope", scope)
    hit = memo.get(key)
    if hit is None:
        dunits = _doc_units(memo, doc)
        found, indices = _section_index(memo, doc).find_indexed(scope)
        if not found.sections:
            runs: tuple[tuple[int, int], ...] | None = ()
        elif indices:
            runs = dunits.runs(indices, scope.include_children) if dunits.regular else None
        else:  # the whole document
            runs = dunits.root_runs(scope.include_children)
        if runs is None:  # not slices of the document's units (never for scopes found in ``doc``)
            units = units_of(list(found.sections), scope.include_children, _unit_cache(memo))
        else:
            units = _units_in(memo, dunits, runs)
        hit = memo[key] = (found, units)
    return hit  # type: ignore[no-any-return]


def _doc_units(memo: dict[object, object], doc: Document) -> DocUnits:
    dunits = memo.get("doc_units")
    if dunits is None:
        dunits = memo["doc_units"] = DocUnits(doc)
        register_view(memo, dunits.units, dunits.view(((0, len(dunits.units)),)))
    return dunits  # type: ignore[return-value]


def _section_index(memo: dict[object, object], doc: Document) -> SectionIndex:
    index = memo.get("sections")
    if index is None:
        dunits = _doc_units(memo, doc)
        index = memo["sections"] = SectionIndex(doc, dunits.headed if dunits.regular else None)
    return index  # type: ignore[return-value]


def _units_in(memo: dict[object, object], dunits: DocUnits, runs: tuple[tuple[int, int], ...]) -> list[Unit]:
    """The units of these runs, one list per runs per audit (which checks key their results by)."""
    key = ("runs", runs)
    units = memo.get(key)
    if units is None:
        units = memo[key] = dunits.units_in(runs)
        register_view(memo, units, dunits.view(runs))  # type: ignore[arg-type]
    return units  # type: ignore[return-value]


def _unit_cache(memo: dict[object, object]) -> UnitCache:
    cache = memo.get("units")
    if cache is None:
        cache = memo["units"] = UnitCache()
    return cache  # type: ignore[return-value]


def _all_units(doc: Document, ctx: Context) -> list[Unit]:
    memo = _memo(doc, ctx)
    if memo is None:
        return document_units(doc)
    return _doc_units(memo, doc).units


def _evidence(found: tuple[Found, ...], units: list[Unit], limit: int = MAX_EVIDENCE,
              defect: bool = False) -> tuple[Evidence, ...]:
    out: list[Evidence] = []
    seen: set[tuple[int, str]] = set()
    for f in found:
        unit = units[f.unit]
        quote = quote_of(unit, f.start, f.end)
        key = (f.unit, quote)
        if key in seen:
            continue
        seen.add(key)
        kind = f.kind if not f.note else f"{f.kind}:{f.note}"
        out.append(Evidence(quote, location_of(unit, f.start), unit.section_path, kind, defect))
        if len(out) >= limit:
            break
    return tuple(out)


def _finding(rule: Rule, outcome: Outcome, **kw: object) -> Finding:
    return Finding(
        rule_id=rule.id,
        name=rule.name,
        title=rule.title,
        outcome=outcome,
        severity=rule.severity,
        criteria=rule.criteria,
        weight=rule.weight,
        message=kw.pop("message", rule.message),  # type: ignore[arg-type]
        suggestion=rule.suggestion,
        references=rule.references,
        **kw,  # type: ignore[arg-type]
    )


def _best_home(doc: Document, rule: Rule, ctx: Context) -> tuple[tuple[str, ...], Location | None]:
    """For a missing element: the heading of the closest section, else the document title."""
    from yjplan.match.scope import heading_matches

    words = rule.scope.headings
    memo = _memo(doc, ctx)
    if words and memo is not None:
        key = ("home", words)
        home = memo.get(key)
        if home is None:
            home = memo[key] = _section_index(memo, doc).first_match(words, 70)
        return home  # type: ignore[no-any-return]
    if words:
        for path, sec in doc.sections():
            if sec.level and heading_matches(sec.title, words, 70):
                return path, sec.location
    return (), None


def evaluate_rule(rule: Rule, doc: Document, ctx: Context) -> Finding:
    if ctx.plan_type and ctx.plan_type not in rule.applies_to:
        return _finding(rule, Outcome.NOT_APPLICABLE, section_path=(), location=None,
                        detail=f"不适用于{ctx.plan_type}预案")
    all_units: list[Unit] | None = None
    if rule.when is not None:
        all_units = _all_units(doc, ctx)
        if not evaluate(rule.when, all_units, ctx, 0).ok:
            return _finding(rule, Outcome.NOT_APPLICABLE, section_path=(), location=None,
                            detail=f"前提不成立：未见{describe(rule.when)}")

    scope, units = _scoped(doc, rule.scope, ctx)
    first_path, first_sec = scope.sections[0] if scope.sections else ((), None)
    home_path, home_loc = (first_path, _loc(first_sec)) if not scope.fallback else _best_home(doc, rule, ctx)

    result: SpecResult | None = None
    outcome = Outcome.PASS
    detail: str | None = None
    searched_units = units
    if rule.evidence is not None:
        result = (evaluate(rule.evidence, units, ctx, MAX_EVIDENCE) if units
                  else SpecResult(False, 0.0, (), (describe(rule.evidence),)))
        if not result.ok and not scope.fallback and rule.scope.fallback != "none":
            # the section exists but lacks the content: maybe it sits elsewhere in the plan
            all_units = all_units or _all_units(doc, ctx)
            elsewhere = evaluate(rule.evidence, all_units, ctx, MAX_EVIDENCE)
            if elsewhere.ok:
                result, searched_units = elsewhere, all_units
                outcome = Outcome.PARTIAL
                detail = "相关内容不在“" + scope.looked_in[0] + "”中，而是散见于其他章节"
        if result.ok:
            if scope.fallback and rule.scope.fallback == "document":
                outcome = Outcome.PARTIAL
                detail = "未设专门章节，相关内容散见于全文"
        else:
            partial = evaluate(rule.partial, units, ctx, MAX_EVIDENCE) if (rule.partial is not None and units) else None
            if partial is not None and partial.ok:
                outcome, result = Outcome.PARTIAL, SpecResult(False, 0.5, partial.found, result.wanted)
                detail = "只找到部分内容：缺少" + "；".join(result.wanted)
            elif result.fraction >= 0.5 and result.found:
                outcome = Outcome.PARTIAL
                detail = "只找到部分内容：缺少" + "；".join(result.wanted)
            else:
                outcome = Outcome.FAIL
                detail = "未找到" + "；".join(result.wanted or (describe(rule.evidence),))

    defects: tuple[Found, ...] = ()
    if rule.forbid is not None:
        forbid_units = units if units else (all_units or _all_units(doc, ctx))
        bad = evaluate(rule.forbid, forbid_units, ctx)
        if bad.ok and bad.found:
            defect_ev = _evidence(bad.found, forbid_units, defect=True)
            positive = _evidence(result.found, searched_units) if result and result.ok else ()
            # a present-but-flawed element is partial; a defect-only rule simply fails
            outcome = Outcome.FAIL if rule.evidence is None or outcome == Outcome.FAIL else Outcome.PARTIAL
            detail = f"发现 {len(bad.found)} 处问题：{describe(rule.forbid)}"
            first = defect_ev[0]
            return _finding(rule, outcome, section_path=first.section_path, location=first.location,
                            evidence=defect_ev + positive[:2], looked_in=scope.looked_in, detail=detail)
        defects = ()

    if outcome == Outcome.FAIL:
        return _finding(rule, outcome, section_path=home_path, location=home_loc, looked_in=scope.looked_in,
                        detail=detail)
    evidence = _evidence(result.found, searched_units) if result is not None else ()
    if rule.evidence is None:
        # a defect-only rule that found nothing: report where it looked
        return _finding(rule, Outcome.PASS, message=rule.pass_message or f"未发现问题：{rule.title}",
                        section_path=home_path, location=home_loc, looked_in=scope.looked_in, detail=None)
    if not evidence:
        # vacuous success (e.g. an if/then whose condition did not hold) is not a pass
        return _finding(rule, Outcome.NOT_APPLICABLE, section_path=home_path, location=home_loc,
                        looked_in=scope.looked_in, detail="前提条件不成立，未作判断")
    del defects
    first = evidence[0]
    message = rule.pass_message or f"已具备：{rule.title}" if outcome == Outcome.PASS else rule.message
    return _finding(rule, outcome, message=message, section_path=first.section_path, location=first.location,
                    evidence=evidence, looked_in=scope.looked_in, detail=detail)


def _loc(sec: Section | None) -> Location | None:
    return sec.location if sec is not None and sec.level > 0 else None
