"""What every text-like report says about one finding, in one place: where it is and the labelled
detail lines (说明, 原文, 查找范围, 建议, 豁免理由). Renderers only decide how to mark them up."""

from __future__ import annotations

from yjplan.model import Finding


def where(f: Finding) -> str:
    parts = []
    if f.section_path:
        parts.append(" › ".join(f.section_path[-2:]))
    if f.location is not None:
        parts.append(f.location.describe())
    return "，".join(parts) or "全文"


def detail_lines(f: Finding, max_quotes: int = 3) -> list[tuple[str, str, bool]]:
    """(label, text, secondary) for each line below a finding's headline; ``secondary`` lines are
    context a renderer may dim, the suggestion is not."""
    lines: list[tuple[str, str, bool]] = [("位置", where(f), True)]
    if f.detail:
        lines.append(("说明", f.detail, True))
    for ev in f.evidence[:max_quotes]:
        lines.append(("原文", f"“{ev.quote}”（{ev.location.describe()}）", True))
    if not f.evidence and f.looked_in:
        lines.append(("查找范围", "；".join(f.looked_in), True))
    if f.suggestion:
        lines.append(("建议", f.suggestion, False))
    if f.suppressed:
        lines.append(("豁免理由", f.suppressed, True))
    return lines
