"""AuditResults → SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Only gaps (fail/partial) become results; passes and not-applicable rules do not. A waived gap is a
result with an external suppression (its reason as justification), a gap found in the baseline has
baselineState "unchanged". Word and PDF files have no lines, so their results carry no region and
keep page/paragraph in the physical location's properties. Validated against the official schema
in tests/ci/sarif-2.1.0.json.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from yjplan.model import AuditResult, Finding, Location, Severity

if TYPE_CHECKING:
    from yjplan.postprocess import RunNote
    from yjplan.rules.schema import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "yjplanBaselineKey/v1"
LINE_FORMATS = frozenset({"txt", "md"})
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(path: str | Path, base: Path) -> str:
    """A relative URI (percent-encoded, so Chinese file names stay valid URIs) when the file is
    under ``base``; an absolute file URI otherwise."""
    resolved = Path(path).resolve()
    try:
        return quote(resolved.relative_to(base.resolve()).as_posix(), safe="/")
    except ValueError:
        return resolved.as_uri()


def _artifact_location(path: str | Path, base: Path) -> dict[str, Any]:
    uri = artifact_uri(path, base)
    return {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": SRCROOT}


def _rule_lookup(results: Sequence[AuditResult]) -> dict[str, Rule]:
    """Rule metadata (why, suggestion, references) from the packs the results were audited with."""
    from yjplan.errors import YjplanError
    from yjplan.rules.load import pack_for_type

    rules: dict[str, Rule] = {}
    for plan_type in sorted({r.plan_type.plan_type for r in results}):
        try:
            for rule in pack_for_type(plan_type).rules:
                rules.setdefault(rule.id, rule)
        except YjplanError:  # metadata is a nicety; the findings carry what the report needs
            continue
    return rules


def _help_text(finding: Finding, rule: Rule | None) -> str:
    lines = [finding.title]
    why = rule.why if rule else None
    if why:
        lines.append(f"为什么：{why.strip()}")
    suggestion = (rule.suggestion if rule else None) or finding.suggestion
    if suggestion:
        lines.append(f"建议：{suggestion.strip()}")
    refs = (rule.references if rule else ()) or finding.references
    if refs:
        lines.append("依据：" + "；".join(refs))
    return "\n".join(lines)


def _descriptor(finding: Finding, rule: Rule | None) -> dict[str, Any]:
    full = (rule.why.strip() if rule and rule.why else None) or finding.title
    default = rule.severity if rule else finding.severity
    return {
        "id": finding.rule_id,
        "name": finding.name,
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": full},
        "help": {"text": _help_text(finding, rule)},
        "defaultConfiguration": {"level": LEVEL[default]},
        "properties": {
            "criteria": [c.value for c, _ in finding.criteria],
            "tags": ["应急预案", *(c.value for c, _ in finding.criteria)],
        },
    }


def _location_properties(loc: Location | None) -> dict[str, Any]:
    if loc is None:
        return {}
    props: dict[str, Any] = {k: v for k, v in (("page", loc.page), ("paragraph", loc.paragraph),
                                                 ("line", loc.line), ("table", loc.table), ("row", loc.row),
                                                 ("col", loc.col)) if v is not None}
    props["text"] = loc.describe()
    return props


def _message(f: Finding) -> str:
    text = f.message
    if f.detail and f.detail.rstrip("。") not in f.message:
        text += f"（{f.detail}）"
    if f.evidence:
        text += "\n原文：“" + f.evidence[0].quote + "”"
    if f.suggestion:
        text += f"\n建议：{f.suggestion}"
    return text


def _result(f: Finding, doc_format: str, artifact: dict[str, Any], rule_index: int,
            with_baseline_state: bool) -> dict[str, Any]:
    from yjplan.baseline import finding_key

    physical: dict[str, Any] = {"artifactLocation": artifact}
    loc = f.location
    if loc is not None and loc.line is not None and doc_format in LINE_FORMATS:
        physical["region"] = {"startLine": loc.line}
    props = _location_properties(loc)
    if props:
        physical["properties"] = props
    location: dict[str, Any] = {"physicalLocation": physical}
    if f.section_path:
        location["logicalLocations"] = [{
            "name": f.section_path[-1],
            "fullyQualifiedName": " > ".join(f.section_path),
            "kind": "module",
        }]
    out: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": _message(f)},
        "locations": [location],
        # the baseline key without its file part: the result's location already names the file
        "partialFingerprints": {FINGERPRINT_KEY: finding_key(f, "").identity()},
        "properties": {
            "outcome": f.outcome.value,
            "outcomeLabel": f.outcome.label,
            "evidence": [e.quote for e in f.evidence],
        },
    }
    if f.suppressed is not None:
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.suppressed}]
    if with_baseline_state:
        out["baselineState"] = "unchanged" if f.baseline else "new"
    return out


def _notification(note: RunNote, base: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"level": note.level, "message": {"text": note.message}}
    if note.file:
        physical: dict[str, Any] = {"artifactLocation": _artifact_location(note.file, base)}
        if note.line:
            physical["region"] = {"startLine": note.line}
        out["locations"] = [{"physicalLocation": physical}]
    return out


def sarif_log(results: Sequence[AuditResult], *, notes: Sequence[RunNote] = (),
              base: Path | None = None) -> dict[str, Any]:
    from yjplan import __version__

    base = (base or Path.cwd()).resolve()
    lookup = _rule_lookup(results)
    descriptors: list[dict[str, Any]] = []
    index_of: dict[str, int] = {}
    sarif_results: list[dict[str, Any]] = []
    artifacts: list[dict[str, Any]] = []
    with_baseline_state = any(f.baseline for r in results for f in r.findings)
    for result in results:
        doc = result.document
        artifact = _artifact_location(doc.path, base)
        if all(a["location"] != artifact for a in artifacts):
            artifacts.append({"location": artifact, "hashes": {"sha-256": doc.sha256},
                              "properties": {"format": doc.format}})
        for f in result.findings:
            if not f.is_gap:
                continue
            if f.rule_id not in index_of:
                index_of[f.rule_id] = len(descriptors)
                descriptors.append(_descriptor(f, lookup.get(f.rule_id)))
            sarif_results.append(_result(f, doc.format, artifact, index_of[f.rule_id], with_baseline_state))
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "yjplan",
            "fullName": "yjplan 应急预案审查",
            "version": __version__,
            "semanticVersion": __version__,
            "language": "zh-CN",
            "rules": descriptors,
        }},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [_notification(n, base) for n in notes],
        }],
        "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
        "artifacts": artifacts,
        "results": sarif_results,
        "language": "zh-CN",
        "columnKind": "unicodeCodePoints",
        "properties": {"plans": [
            {"path": r.document.path, "planType": r.plan_type.plan_type, "pack": r.pack, "total": r.total,
             "grade": r.grade, "scores": {s.criterion.value: s.score for s in r.scores}}
            for r in results
        ]},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(results: list[AuditResult], *, notes: Sequence[RunNote] = ()) -> str:
    return json.dumps(sarif_log(results, notes=notes), ensure_ascii=False, indent=2)
