"""AuditResults → JUnit XML, for GitLab merge-request widgets and other CI test reports.

One testsuite per plan, one testcase per rule. A fail/partial gap is a <failure> with the message,
the evidence and the suggestion; a not-applicable rule, a waived gap and a gap already in the
baseline are <skipped> with the reason; a passed rule is a plain testcase.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

from yjplan.model import AuditResult, Finding, Outcome

# XML 1.0 forbids most control characters; Word files do contain them (e.g. vertical tab).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub(" ", text)


def _failure_text(f: Finding) -> str:
    lines = [f.message]
    if f.detail:
        lines.append(f"说明：{f.detail}")
    lines.append("位置：" + (" › ".join(f.section_path) or "全文")
                 + (f"，{f.location.describe()}" if f.location else ""))
    lines.extend(f"原文：“{e.quote}”（{e.location.describe()}）" for e in f.evidence)
    if f.looked_in:
        lines.append("查找范围：" + "；".join(f.looked_in))
    if f.suggestion:
        lines.append(f"建议：{f.suggestion}")
    if f.references:
        lines.append("依据：" + "；".join(f.references))
    return _clean("\n".join(lines))


def _skip_reason(f: Finding) -> str | None:
    if f.outcome == Outcome.NOT_APPLICABLE:
        return f"不适用：{f.message}"
    if f.is_gap and f.suppressed is not None:
        return f"已豁免：{f.suppressed}"
    if f.is_gap and f.baseline:
        return f"基线中已有的问题：{f.message}"
    return None


def _suite(result: AuditResult, stamp: str) -> ET.Element:
    doc = result.document
    failures = sum(1 for f in result.findings if f.is_gap and _skip_reason(f) is None)
    skipped = sum(1 for f in result.findings if _skip_reason(f) is not None)
    suite = ET.Element("testsuite", {
        "name": _clean(doc.path),
        "tests": str(len(result.findings)),
        "failures": str(failures),
        "errors": "0",
        "skipped": str(skipped),
        "time": f"{sum(ms for _, ms in result.timings_ms) / 1000:.3f}",
        "timestamp": stamp,
    })
    props = ET.SubElement(suite, "properties")
    for name, value in (("title", doc.title or ""), ("plan_type", result.plan_type.plan_type),
                        ("pack", result.pack), ("total", f"{result.total:.1f}"), ("grade", result.grade),
                        *((s.criterion.value, f"{s.score:.1f}") for s in result.scores)):
        ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
    for f in result.findings:
        case = ET.SubElement(suite, "testcase", {
            "classname": _clean(doc.path),
            "name": _clean(f"{f.rule_id} {f.title}"),
            "time": "0",
        })
        reason = _skip_reason(f)
        if reason is not None:
            ET.SubElement(case, "skipped", {"message": _clean(reason)})
        elif f.is_gap:
            failure = ET.SubElement(case, "failure", {
                "message": _clean(f"[{f.severity.label}] {f.message}"),
                "type": f"{f.severity.value}/{f.outcome.value}",
            })
            failure.text = _failure_text(f)
    return suite


def render_junit(results: list[AuditResult]) -> str:
    stamp = datetime.now().astimezone().replace(microsecond=0).isoformat()
    root = ET.Element("testsuites", {"name": "yjplan"})
    suites = [_suite(r, stamp) for r in results]
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in suites)))
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
