"""JSON for documents and audit results. Keys are English, values keep the user's Chinese.

The shape is documented in docs/json.md and versioned by ``schema_version``; enums
serialise as their values and dates as ISO strings.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date
from enum import Enum
from typing import Any

from yjplan.model import SCHEMA_VERSION, AuditResult, Document, Finding, Location, Section


def to_plain(value: Any) -> Any:
    """Dataclasses, enums, dates and tuples → JSON-ready values; None fields are dropped."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in fields(value):
            v = getattr(value, f.name)
            if v is None or v == ():
                continue
            out[f.name] = to_plain(v)
        return out
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def location_plain(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    data = to_plain(loc)
    data["text"] = loc.describe()
    return data


def section_plain(sec: Section) -> dict[str, Any]:
    return {
        "title": sec.title,
        "number": sec.number,
        "level": sec.level,
        "location": location_plain(sec.location),
        "blocks": [
            {"kind": b.kind.value, "text": b.text, "location": location_plain(b.location)}
            | ({"rows": [list(r) for r in b.table.rows]} if b.table else {})
            for b in sec.blocks
        ],
        "children": [section_plain(c) for c in sec.children],
    }


def document_plain(doc: Document, *, with_tree: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": doc.path,
        "format": doc.format,
        "sha256": doc.sha256,
        "title": doc.title,
        "issuer": doc.issuer,
        "issue_date": doc.issue_date.isoformat() if doc.issue_date else None,
        "page_count": doc.page_count,
        "char_count": doc.char_count,
        "notes": list(doc.notes),
    }
    if with_tree:
        data["outline"] = section_plain(doc.root)
    return data


def document_json(doc: Document) -> str:
    return json.dumps(
        {"schema_version": SCHEMA_VERSION, "document": document_plain(doc)}, ensure_ascii=False, indent=2
    )


def finding_plain(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "name": f.name,
        "title": f.title,
        "outcome": f.outcome.value,
        "severity": f.severity.value,
        "criteria": {c.value: w for c, w in f.criteria},
        "weight": f.weight,
        "message": f.message,
        "suggestion": f.suggestion,
        "references": list(f.references),
        "section_path": list(f.section_path),
        "location": location_plain(f.location),
        "evidence": [
            {
                "quote": e.quote,
                "kind": e.kind,
                "defect": e.defect,
                "section_path": list(e.section_path),
                "location": location_plain(e.location),
            }
            for e in f.evidence
        ],
        "looked_in": list(f.looked_in),
        "detail": f.detail,
        "suppressed": f.suppressed,
        "baseline": f.baseline,
    }


def result_plain(result: AuditResult) -> dict[str, Any]:
    return {
        "schema_version": result.schema_version,
        "document": document_plain(result.document, with_tree=False),
        "plan_type": {
            "type": result.plan_type.plan_type,
            "reason": result.plan_type.reason,
            "overridden": result.plan_type.overridden,
            "candidates": [{"type": t, "score": s} for t, s in result.plan_type.candidates],
        },
        "pack": result.pack,
        "scores": {
            "total": result.total,
            "grade": result.grade,
            "criteria": [
                {"criterion": s.criterion.value, "score": s.score, "earned": s.earned, "possible": s.possible}
                for s in result.scores
            ],
        },
        "summary": summary_counts(result),
        "findings": [finding_plain(f) for f in result.findings],
        "timings_ms": dict(result.timings_ms),
    }


def summary_counts(result: AuditResult) -> dict[str, int]:
    counts = {"pass": 0, "partial": 0, "fail": 0, "not_applicable": 0, "error": 0, "warning": 0, "info": 0,
              "suppressed": 0}
    for f in result.findings:
        counts[f.outcome.value] += 1
        if f.is_gap:
            if f.suppressed:
                counts["suppressed"] += 1
            else:
                counts[f.severity.value] += 1
    return counts


def result_json(result: AuditResult) -> str:
    return json.dumps(result_plain(result), ensure_ascii=False, indent=2)


def render_json(results: list[AuditResult]) -> str:
    """One result → one JSON object; several → {"schema_version", "results": [...]}."""
    if len(results) == 1:
        return result_json(results[0])
    return json.dumps({"schema_version": SCHEMA_VERSION, "results": [result_plain(r) for r in results]},
                      ensure_ascii=False, indent=2)
