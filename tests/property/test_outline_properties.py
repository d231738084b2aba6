"""Outline detection on arbitrary input: it never raises, and the tree it returns is well formed.

Invariants, for any list of lines with any reader hints:

* levels: every section below the root has level ≥ 1, and each child is exactly one level deeper
  than its parent (the root is level 0);
* conservation: every non-empty input line ends up in exactly one place, as a heading or as a block,
  except for the documented transformations, which are accounted for one by one: a table of
  contents that is skipped (its size is in the notes), a run-in heading split into heading + body
  ("（一）编制目的。为了……": the body block shares the heading's location), and an annex label whose
  title sits on the next line ("附件2" / "物资清单": two lines, one heading).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from tests.property._settings import budget
from yjplan.model import Location, Section, Table
from yjplan.parse.numbering import compact, normalize_line
from yjplan.parse.outline import build_outline
from yjplan.parse.raw import RawBlock, RawDocument

SETTINGS = budget()

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
LABELS = [
    "第一章", "第十二章", "第一节", "第3条", "一、", "十一、", "（一）", "(二)", "1.", "1、", "1 ", "2.3 ", "1.1.1 ",
    "4.2.1.3 ", "（1）", "(2)", "1）", "①", "附件", "附件1", "附件2：", "附 件 3", "第一部分", "目录", "目  录",
]  # fmt: skip
TAILS = ["", "。", "：", "……12", " ..... 3", "  5", "，", "。为了做好应急工作，制定本预案。"]


@st.composite
def plan_line(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 5:  # a contents line: what follows may be taken for a table of contents
        return draw(st.sampled_from(["目录", "目  录"]))
    if kind == 4:  # a run-in heading: "（二）工作原则。坚持人民至上……"
        number = draw(st.sampled_from("一二三四五"))
        head = draw(st.text(CJK, min_size=2, max_size=8))
        return f"（{number}）{head}。{draw(st.text(CJK, min_size=4, max_size=30))}。"
    if kind == 0:  # anything at all
        return draw(st.text(max_size=60))
    title = draw(st.text(CJK, min_size=0, max_size=draw(st.sampled_from([4, 12, 40]))))
    if kind == 1:  # a numbered line, heading-like or not
        return draw(st.sampled_from(LABELS)) + title + draw(st.sampled_from(TAILS))
    if kind == 2:  # a short bare line (plain-text heading candidate)
        return title
    return title + "，" + draw(st.text(CJK, max_size=30)) + "。"  # a sentence


@st.composite
def raw_block(draw: st.DrawFn, line_no: int) -> RawBlock:
    text = draw(plan_line())
    hints = draw(st.booleans())
    table = None
    if draw(st.integers(0, 15)) == 0:
        table = Table(((text or "表头", "电话"), ("值班室", "0571-86012345")))
        text = table.text()
    return RawBlock(
        text=text,
        location=Location(line=line_no),
        table=table,
        style_level=draw(st.none() | st.integers(1, 9)) if hints else None,
        auto_number=draw(st.none() | st.sampled_from(["一、", "（一）", "1.", "1.1"])) if hints else None,
        is_list=draw(st.booleans()) if hints else False,
        bold=draw(st.booleans()) if hints else False,
        font_size=draw(st.none() | st.sampled_from([10.5, 12.0, 16.0, 22.0])) if hints else None,
        centered=draw(st.booleans()) if hints else False,
        in_toc=draw(st.integers(0, 30)) == 0 if hints else False,
    )


@st.composite
def raw_document(draw: st.DrawFn) -> RawDocument:
    n = draw(st.integers(0, 60))
    blocks = tuple(draw(raw_block(i + 1)) for i in range(n))
    fmt = draw(st.sampled_from(["txt", "md", "docx", "pdf"]))
    return RawDocument(fmt, blocks, meta_title=draw(st.none() | st.text(CJK, max_size=10)))


def _walk(section: Section, parent_level: int | None = None):  # type: ignore[no-untyped-def]
    yield section, parent_level
    for child in section.children:
        yield from _walk(child, section.level)


@SETTINGS
@given(raw_document())
def test_outline_never_raises_and_levels_nest_by_one(raw: RawDocument) -> None:
    root, notes = build_outline(raw)
    assert root.level == 0
    assert all(isinstance(n, str) and n for n in notes)
    for section, parent_level in _walk(root):
        if parent_level is None:
            continue
        assert section.level >= 1
        assert section.level == parent_level + 1, (section.title, section.level, parent_level)


def _toc_lines(notes: tuple[str, ...], kept: list[RawBlock], lines: dict[int | None, RawBlock]) -> int:
    """How many non-empty lines the skipped table of contents held (the note counts blocks, empty ones too)."""
    for note in notes:
        m = re.search(r"已跳过目录（第(\d+)行起，共 (\d+) 行）", note)
        if m:
            start = next(i for i, b in enumerate(kept) if b.location.line == int(m.group(1)))
            return sum(1 for b in kept[start : start + int(m.group(2))] if b.location.line in lines)
    return 0


@SETTINGS
@given(raw_document())
def test_every_line_lands_in_exactly_one_place(raw: RawDocument) -> None:
    root, notes = build_outline(raw)
    kept = [b for b in raw.blocks if not b.in_toc]
    lines = {b.location.line: b for b in kept if b.table is not None or normalize_line(b.text)}

    headings: list[int] = []
    blocks: list[int] = []
    run_ins = 0
    for section, parent_level in _walk(root):
        if parent_level is not None:
            headings.append(section.location.line)  # type: ignore[arg-type]
        for block in section.blocks:
            if parent_level is not None and block.location == section.location:
                run_ins += 1  # the body half of a run-in heading
                continue
            blocks.append(block.location.line)  # type: ignore[arg-type]

    placed = Counter(headings + blocks)
    assert all(n == 1 for n in placed.values()), [ln for ln, n in placed.items() if n > 1]
    assert set(placed) <= set(lines)
    missing = sorted(set(lines) - set(placed))
    # an annex heading takes its title from the next line, even across a line the TOC detector
    # dropped (附件 / 目录 / 名称): look back to the nearest line that was placed, not the nearest line
    order = sorted(placed)
    previous = {ln: order[bisect.bisect_left(order, ln) - 1] for ln in missing if bisect.bisect_left(order, ln)}
    annex_titles_by_line = {
        s.location.line: s.title for s, _ in _walk(root) if s.number and s.number.startswith("附")
    }
    annex_titles = [
        ln for ln in missing
        if annex_titles_by_line.get(previous.get(ln)) == compact(normalize_line(lines[ln].text))
    ]  # fmt: skip
    # Lines dropped by the text-only TOC detector are the only other ones allowed to go missing; a TOC
    # made only of entries the reader already flagged is counted in the Word-TOC note instead.
    assert len(missing) - len(annex_titles) == _toc_lines(notes, kept, lines), (missing, annex_titles, notes)
    if run_ins:
        assert run_ins <= len(headings)
