from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from yjplan.model import AuditResult, Severity
from yjplan.report.markdown import MAX_CHARS, TOP, md_text, render_markdown

SCORE_HEADER = "| 总分 | 等级 | 针对性 | 实用性 | 可操作性 | 错误 | 警告 | 提示 |"
TOP_HEADER = "| 级别 | 规则 | 问题 | 位置 |"


def _tables(text: str) -> list[list[list[str]]]:
    """Pipe tables as rows of cells (separator rows dropped); a cell split by a stray | shows up as extra cells."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue
            if current is None:
                current = []
                tables.append(current)
            current.append(cells)
        else:
            current = None
    return tables


def test_one_plan_has_a_score_table_top_findings_and_folded_details(gap_docx: tuple[Path, AuditResult]) -> None:
    result = gap_docx[1]
    text = render_markdown([result])
    tables = _tables(text)
    assert tables[0][0] == [c.strip() for c in SCORE_HEADER.strip("|").split("|")]
    scores = tables[0][1]
    assert scores[0] == f"**{result.total:.1f}**" and scores[1] == f"**{result.grade}**"
    assert scores[2:5] == [f"{s.score:.1f}" for s in result.scores]
    top = tables[1]
    assert top[0] == ["级别", "规则", "问题", "位置"]
    assert len(top) - 1 == min(TOP, len(result.gaps()))
    assert all(len(row) == 4 for row in top)
    assert text.count("<details>") == text.count("</details>") == 1
    for f in result.gaps():
        assert f"**{f.rule_id} " in text  # every gap is in the folded list
        if f.suggestion:
            assert f"建议：{md_text(f.suggestion)}" in text


def test_top_findings_put_errors_first(gap_docx: tuple[Path, AuditResult]) -> None:
    result = gap_docx[1]
    rows = _tables(render_markdown([result]))[1][1:]
    ranks = {Severity.ERROR: "**错误**", Severity.WARNING: "警告", Severity.INFO: "提示"}
    order = [list(ranks.values()).index(row[0]) for row in rows]
    assert order == sorted(order)
    if any(f.severity == Severity.ERROR for f in result.gaps()):
        assert rows[0][0] == "**错误**"


def test_table_cells_survive_pipes_and_markup_in_document_text(gap_docx: tuple[Path, AuditResult]) -> None:
    result = gap_docx[1]
    gap = next(f for f in result.gaps() if f.severity == Severity.ERROR)
    evil = replace(gap, message="电话 | 姓名 <script>x</script> *强调* `代码`")
    result = replace(result, findings=tuple(evil if f is gap else f for f in result.findings))
    text = render_markdown([result])
    assert all(len(row) == 4 for row in _tables(text)[1])
    assert "<script>" not in text
    assert "\\*强调\\*" in text


def test_many_plans_stay_under_the_github_comment_limit(gap_docx: tuple[Path, AuditResult]) -> None:
    result = gap_docx[1]
    # inflate the findings so the folded details alone would be far over the limit
    long_gaps = tuple(replace(f, suggestion=(f.suggestion or "") + "补充说明。" * 120) for f in result.findings)
    big = replace(result, findings=long_gaps)
    results = [big] * 12
    text = render_markdown(results)
    assert len(text) <= MAX_CHARS
    assert text.count("<details>") == text.count("</details>") == 12
    assert "因评论长度上限未列出" in text
    assert text.count(SCORE_HEADER) == 12  # every plan keeps its score table even when details are cut


def test_several_plans_each_get_a_heading_and_table(
    gap_docx: tuple[Path, AuditResult], gap_pdf: tuple[Path, AuditResult]
) -> None:
    text = render_markdown([gap_docx[1], gap_pdf[1]])
    assert text.startswith("## 应急预案审查结果（2 份）")
    assert text.count(SCORE_HEADER) == 2
    assert len(re.findall(r"^### ", text, flags=re.M)) == 2
