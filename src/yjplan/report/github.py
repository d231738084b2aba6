"""AuditResults → GitHub Actions workflow commands (``::error file=…,line=…,title=…::message``).

Each gap that counts for the gate becomes an annotation on the plan (with a line for .txt/.md
plans); waived gaps and gaps in the baseline are not annotated but counted in the per-plan
summary notice. GitHub shows only the first few annotations of each level per step, so errors
come first. Escaping follows the Actions toolkit (``escapeData``/``escapeProperty``).
"""

from __future__ import annotations

from pathlib import Path

from yjplan.model import AuditResult, Finding, Severity

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
LINE_FORMATS = frozenset({"txt", "md"})


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: str | int | None) -> str:
    fields = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{name}{' ' + fields if fields else ''}::{escape_data(message)}"


def _display_path(path: str) -> str:
    """Relative to the working directory (the checkout in Actions) so GitHub can find the file."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _message(f: Finding) -> str:
    lines = [f"{f.title}：{f.message}"]
    if f.detail:
        lines.append(f"说明：{f.detail}")
    where = " › ".join(f.section_path)
    if where:
        lines.append(f"位置：{where}")
    if f.suggestion:
        lines.append(f"建议：{f.suggestion}")
    return "\n".join(lines)


def _annotation(f: Finding, file: str, doc_format: str) -> str:
    line = f.location.line if f.location and doc_format in LINE_FORMATS else None
    return command(COMMAND[f.severity], _message(f), file=file, line=line, title=f.rule_id)


def render_github(results: list[AuditResult]) -> str:
    annotations: list[tuple[int, str]] = []
    summaries: list[str] = []
    for result in results:
        file = _display_path(result.document.path)
        gaps = [f for f in result.findings if f.is_gap]
        waived = sum(1 for f in gaps if f.suppressed is not None)
        known = sum(1 for f in gaps if f.suppressed is None and f.baseline)
        for f in gaps:
            if f.counts_for_gate:
                annotations.append((-f.severity.rank, _annotation(f, file, result.document.format)))
        extra = "，".join(part for part in (f"已豁免 {waived} 个" if waived else "",
                                           f"基线中已有 {known} 个" if known else "") if part)
        summaries.append(command(
            "notice",
            f"总分 {result.total:.1f}（{result.grade}），问题 {len(gaps)} 个" + (f"（{extra}）" if extra else ""),
            file=file, title=f"yjplan {result.plan_type.plan_type}预案审查",
        ))
    annotations.sort(key=lambda a: a[0])  # stable: errors first, file order kept within a level
    return "\n".join([*(a for _, a in annotations), *summaries]) + "\n"
