"""The fast PDF reader against pdfplumber, on every PDF the project ships or can build.

The reader rebuilds ruled tables from what pdfium has open (path objects, character boxes; see
``parse.pdf_tables``) and asks pdfplumber only about pages pdfium cannot settle. Its tables must
still be pdfplumber's. On the sample PDFs, on PDFs built by code (merged cells, a table running on
to the next page, tables without an outer frame or with rules only between rows, a page with a
table among body text, a line drawn out of reading order, a larger table font, text running over a
cell's rule) and on a LibreOffice export of a .docx (embedded fallback fonts, LibreOffice's own
table rules):

- the tables read on each page equal pdfplumber's ``extract_tables`` (cell texts, whitespace aside;
  a merged cell's text in every slot it covers), and no page was left to pdfplumber;
- the whole document equals what the reader gives when pdfplumber reads every table page;
- every paragraph outside the tables is found, verbatim, in pdfplumber's text.

Below those, ``pdf_tables``' pieces are held to pdfplumber's own functions on generated edges and
characters.
"""

from __future__ import annotations

import itertools
import random
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures.pdf_builder import build_pdf
from yjplan.limits import DEFAULT_LIMITS
from yjplan.parse import pdf as reader
from yjplan.parse import pdf_tables

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

CONTACTS = [
    ["职务", "姓名", "联系电话", "备注"],
    ["总指挥", "王建国", "13800001111", "镇长"],
    ["副总指挥", "李卫东", "13900002222", "分管副镇长"],
    ["成员", "赵晓明", "", "应急办 主任"],
]
LONG = [["序号", "物资名称", "存放地点", "数量"]] + [
    [str(n), f"应急物资{n}号", f"{n}号仓库 B 区", f"{n * 7} 件"] for n in range(1, 75)
]
MERGED = [
    ["级别", "情形", "", "响应"],
    ["Ⅰ级", "造成 10 人以上死亡", "或 50 人以上重伤", "县政府"],
    ["", "需转移 1 万人以上", "", ""],
    ["Ⅱ级", "造成 3 人以上“死亡”", "", "镇政府"],
]
# ((col0, row0), (col1, row1)): a header across two columns, a level down two rows, a wide cell,
# and a cell both wide and tall
MERGED_SPANS = [((1, 0), (2, 0)), ((0, 1), (0, 2)), ((1, 3), (2, 3)), ((3, 1), (3, 2))]
PARA = (
    "镇应急指挥部接到报告后立即核实情况，按照事件的性质、严重程度和影响范围确定响应级别，"
    "通知各工作组赶赴现场开展先期处置，组织疏散周边群众并封锁危险区域。"
)
LATE = "收到预警后，镇应急指挥部办公室在30分钟内通过“村村响”应急广播传达到各村；县级启动Ⅲ级及以上应急响应时，镇级同步启动一级响应。"

BUILT: dict[str, list[tuple[Any, ...]]] = {
    "grid-among-text": [
        ("heading", 1, "一、组织机构"),
        ("para", PARA),
        ("table", CONTACTS),
        ("para", "各成员单位按照职责分工做好应急处置工作。"),
        ("table", [["物资", "数量"], ["沙袋", "500 条"], ["救生衣", "80 件"]]),
        ("para", PARA),
    ],
    "merged-cells": [("para", "应急响应分级如下表。"), ("table", MERGED, {"spans": MERGED_SPANS})],
    "across-pages": [("para", PARA), ("table", LONG), ("para", "表后正文。")],
    "no-outer-frame": [("para", PARA), ("table", CONTACTS, {"grid": "inner"}), ("para", "表后。")],
    "row-rules-only": [("para", PARA), ("table", CONTACTS, {"grid": "rows"}), ("para", "表后。")],
    "large-font": [("table", CONTACTS, {"size": 14}), ("para", PARA)],
    # a code too long for its column runs on over the rule into the next cell, with no gap
    "overflow": [("table", [["编号", "名称"], ["JBJH-YA-XC-03-2025", "储罐区"], ["A1", "罐区泄漏现场处置方案"]],
                  {"widths": [40, 60]}), ("para", PARA)],
    "out-of-order": [("heading", 1, "二、预警"), ("late", LATE, "“”Ⅲ"), ("table", CONTACTS), ("late", LATE, "“”")],
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("built")
    return {name: build_pdf(root / f"{name}.pdf", blocks, header="某某镇突发事件总体应急预案") for name, blocks in BUILT.items()}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A .docx built by code and exported by LibreOffice: its fallback fonts draw the quotes and
    Roman numerals after the rest of a line, and its tables are drawn rule by rule."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("没有安装 LibreOffice（soffice），跳过导出 PDF 的对照")
    from tests.fixtures.docx_builder import build_docx

    root = tmp_path_factory.mktemp("exported")
    docx_merges = [((r0, c0), (r1, c1)) for (c0, r0), (c1, r1) in MERGED_SPANS]
    doc = build_docx(
        root / "plan.docx",
        [
            ("heading", 1, "一、应急响应"),
            ("para", LATE),
            ("table", MERGED, docx_merges),
            ("para", "按“一点一案”组织转移，通过“村村响”应急广播通知到户。"),
            ("table", [[*row[:3], f"“{row[3]}”" if n % 7 == 3 else row[3]] for n, row in enumerate(LONG)]),
            ("para", PARA),
        ],
    )
    subprocess.run(
        [soffice, f"-env:UserInstallation={(root / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(root), str(doc)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300,
    )
    return root / "plan.pdf"


CASES = [f"sample:{p.name}" for p in sorted(SAMPLES.glob("*.pdf"))] + [f"built:{n}" for n in BUILT] + ["exported"]


@pytest.fixture(params=CASES)
def pdf(request: pytest.FixtureRequest) -> Path:
    kind, _, name = request.param.partition(":")
    if kind == "sample":
        return SAMPLES / name
    if kind == "built":
        return request.getfixturevalue("built")[name]
    return request.getfixturevalue("exported")


# --- the reader's tables, page by page, against pdfplumber ------------------------------------------


def _fast_tables(path: Path) -> tuple[dict[int, list[list[list[str]]]], list[int]]:
    """The tables ``_read_pages`` rebuilt from pdfium on each page, and the pages it left to pdfplumber."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        pages, _ = reader._read_pages(pdfium, doc, len(doc), DEFAULT_LIMITS, path)
    finally:
        doc.close()
    tables = {
        p.number: [[[_norm(c) for c in row] for row in item.table.rows] for item in p.tables]
        for p in pages
        if p.tables
    }
    return tables, [p.number for p in pages if p.tables is None]


def _pdfplumber_tables(path: Path) -> dict[int, list[list[list[str]]]]:
    """pdfplumber's tables on each page (its default finder over the reader's rules), a merged cell's
    text in every slot it covers, tables of one row or one column left out as the reader does."""
    import pdfplumber

    out: dict[int, list[list[list[str]]]] = {}
    with pdfplumber.open(path) as doc:
        for page in doc.pages:
            for table in page.filter(reader._is_ruling).find_tables():
                texts = table.extract()
                owners = [(cell, texts[i][j]) for i, row in enumerate(table.rows)
                          for j, cell in enumerate(row.cells) if cell is not None]
                rows = []
                for i, row in enumerate(texts):
                    y = (table.rows[i].bbox[1] + table.rows[i].bbox[3]) / 2
                    filled = []
                    for j, text in enumerate(row):
                        if text is None:
                            x = (table.columns[j].bbox[0] + table.columns[j].bbox[2]) / 2
                            text = next(t for b, t in owners if b[0] <= x <= b[2] and b[1] <= y <= b[3])
                        filled.append(_norm((text or "").translate(reader._char_table())))
                    rows.append(filled)
                if len(rows) >= 2 and len(rows[0]) >= 2:
                    out.setdefault(page.page_number, []).append(rows)
    return out


def test_tables_on_each_page_are_pdfplumbers(pdf: Path) -> None:
    fast, left_to_pdfplumber = _fast_tables(pdf)
    expected = _pdfplumber_tables(pdf)

    assert left_to_pdfplumber == []  # every page read by pdfium: the comparison is of the fast path
    assert fast == expected
    assert sum(len(t) for t in expected.values()) >= (0 if "row-rules-only" in pdf.name else 1)


def test_the_document_is_what_pdfplumber_tables_give(pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = reader.read(pdf, pdf.read_bytes(), DEFAULT_LIMITS)
    monkeypatch.setattr(reader, "_table_cells", lambda *args, **kwargs: None)  # every table page to pdfplumber

    assert reader.read(pdf, pdf.read_bytes(), DEFAULT_LIMITS) == fast


def _pdfplumber_body(path: Path) -> str:
    """pdfplumber's text without running headers/footers (a line on half the pages or more) and page
    numbers, which the reader leaves out on purpose; whitespace removed."""
    import pdfplumber

    with pdfplumber.open(path) as doc:
        pages = [(page.extract_text() or "").split("\n") for page in doc.pages]
    counts = Counter(line.strip() for lines in pages for line in set(lines) if line.strip())
    running = {line for line, n in counts.items() if n >= 3 and n >= len(pages) // 2}
    kept = [s for lines in pages for s in (ln.strip() for ln in lines)
            if s and s not in running and not reader.PAGE_NUMBER.match(s)]
    return _norm("".join(kept))


def test_every_paragraph_is_in_pdfplumbers_text(pdf: Path) -> None:
    body = _pdfplumber_body(pdf)
    paragraphs = [b.text for b in reader.read(pdf, pdf.read_bytes(), DEFAULT_LIMITS).blocks if b.table is None]

    assert paragraphs
    missing = [text for text in paragraphs if _norm(text) not in body]
    assert missing == []


def test_lines_drawn_out_of_order_read_in_order(built: dict[str, Path]) -> None:
    texts = [b.text for b in reader.read(built["out-of-order"], built["out-of-order"].read_bytes(), DEFAULT_LIMITS).blocks]

    assert texts.count(LATE) == 2


def test_exported_quotes_and_numerals_read_in_order(exported: Path) -> None:
    raw = reader.read(exported, exported.read_bytes(), DEFAULT_LIMITS)
    paragraphs = [b.text for b in raw.blocks if b.table is None]
    cells = [c for b in raw.blocks if b.table is not None for row in b.table.rows for c in row]

    # LibreOffice sets a gap between Chinese and digits, which pdfium reads as a space
    assert LATE in [_norm(p) for p in paragraphs]
    assert "按“一点一案”组织转移，通过“村村响”应急广播通知到户。" in paragraphs
    assert {"Ⅰ级", "Ⅱ级"} <= set(cells)
    assert any(c.startswith("“") and c.endswith("”") for c in cells)


# --- pdf_tables against pdfplumber's own functions ------------------------------------------------------


def _plumber_edges(v: list[pdf_tables.Edge], h: list[pdf_tables.Edge]) -> list[dict[str, Any]]:
    edges = []
    for x0, top, x1, bottom in v:
        edges.append({"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0,
                      "height": bottom - top, "orientation": "v", "object_type": "line", "doctop": top})
    for x0, top, x1, bottom in h:
        edges.append({"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0,
                      "height": bottom - top, "orientation": "h", "object_type": "line", "doctop": top})
    return edges


def _plumber_tables(v: list[pdf_tables.Edge], h: list[pdf_tables.Edge]) -> list[list[tuple[float, ...]]]:
    from pdfplumber import table as pt
    from pdfplumber import utils

    edges = _plumber_edges(v, h)
    edges = utils.filter_edges(edges, "v", min_length=1) + utils.filter_edges(edges, "h", min_length=1)
    merged = pt.merge_edges(edges, 3, 3, 3, 3)
    merged = utils.filter_edges(merged, min_length=3)
    cells = pt.intersections_to_cells(pt.edges_to_intersections(merged, 3, 3))
    return [sorted(t) for t in pt.cells_to_tables(cells)]


# Lines sit on a lattice 12 pt apart, so snapping only ever merges edges at one exact position and
# the cluster means are exact (pdfplumber moves an edge by ``x + (mean - x)``, which can miss the
# mean by a rounding error and split a line; pdf_tables uses the mean). Segment ends are free, so
# joining, gaps and crossings within the tolerance all occur.
_POS = st.integers(0, 12).map(lambda n: 50.0 + 12 * n)
_END = st.integers(0, 160).map(lambda n: 40.0 + n)


@st.composite
def _edges(draw: st.DrawFn) -> tuple[list[pdf_tables.Edge], list[pdf_tables.Edge]]:
    v = [(x, a, x, b) for x, (a, b) in draw(st.lists(st.tuples(_POS, st.tuples(_END, _END).map(sorted)), max_size=14))]
    h = [(a, y, b, y) for y, (a, b) in draw(st.lists(st.tuples(_POS, st.tuples(_END, _END).map(sorted)), max_size=14))]
    return v, h


@settings(max_examples=300, deadline=None)
@given(edges=_edges())
def test_grid_is_pdfplumbers_on_generated_rules(edges: tuple[list[pdf_tables.Edge], list[pdf_tables.Edge]]) -> None:
    v, h = edges

    assert [sorted(t) for t in pdf_tables.find_tables(v, h)] == _plumber_tables(v, h)


def test_grid_snaps_nearby_rules_as_pdfplumber_does() -> None:
    # two vertical rules 2 pt apart become one at their mean; horizontal ones end 2 pt short of it
    v = [(100.0, 100.0, 100.0, 200.0), (102.0, 100.0, 102.0, 200.0), (200.0, 100.0, 200.0, 200.0), (300.0, 100.0, 300.0, 200.0)]
    h = [(103.0, 100.0, 300.0, 100.0), (101.0, 150.0, 300.0, 150.0), (101.0, 200.0, 298.5, 200.0)]

    tables = pdf_tables.find_tables(v, h)

    assert [sorted(t) for t in tables] == _plumber_tables(v, h)
    assert sorted(tables[0])[0] == (101.0, 100.0, 200.0, 150.0)


_CHAR = st.tuples(
    st.integers(0, 30).map(lambda n: 100.0 + 4.5 * n),  # x0: gaps over and under the 3 pt tolerance
    st.sampled_from([200.0, 201.0, 202.5, 204.0, 214.0, 216.5]),  # top: lines within and beyond 3 pt
    st.sampled_from([2.0, 4.5, 6.0]),  # width
    st.sampled_from(["应", "急", "A", "1", " ", "ﬁ"]),
)


@settings(max_examples=300, deadline=None)
@given(raw=st.lists(_CHAR, min_size=1, max_size=14))
def test_text_of_characters_is_pdfplumbers(raw: list[tuple[float, float, float, str]]) -> None:
    from pdfplumber.utils import extract_text

    chars = [(x0, top, x0 + w, top + 10.0, t) for x0, top, w, t in raw]
    dicts = [{"x0": x0, "top": top, "x1": x1, "bottom": bottom, "text": t, "upright": True, "doctop": top}
             for x0, top, x1, bottom, t in chars]

    assert pdf_tables.extract_text(chars) == extract_text(dicts)


class _Page:
    """What ``pdfplumber.table.Table.extract`` needs of a page."""

    def __init__(self, chars: list[dict[str, Any]]) -> None:
        self.chars = chars


@st.composite
def _grid(draw: st.DrawFn) -> tuple[list[pdf_tables.Edge], list[pdf_tables.Edge]]:
    """A ruled grid with some rule segments left out (merged cells) and a few stray rules."""
    xs = sorted(set(draw(st.lists(_POS, min_size=2, max_size=6))))
    ys = sorted(set(draw(st.lists(_POS, min_size=2, max_size=6))))
    v = [(x, a, x, b) for x in xs for a, b in itertools.pairwise(ys) if draw(st.integers(0, 5))]
    h = [(a, y, b, y) for y in ys for a, b in itertools.pairwise(xs) if draw(st.integers(0, 5))]
    stray_v, stray_h = draw(_edges())
    return v + stray_v[:2], h + stray_h[:2]


@settings(max_examples=200, deadline=None)
@given(edges=_grid(), raw=st.lists(_CHAR, max_size=60), seed=st.integers(0, 2**16))
def test_cell_texts_are_pdfplumbers(edges: tuple[list[pdf_tables.Edge], list[pdf_tables.Edge]],
                                    raw: list[tuple[float, float, float, str]], seed: int) -> None:
    from pdfplumber.table import Table

    v, h = edges
    tables = pdf_tables.find_tables(v, h)
    # characters over the grid, in lines of a few, handed over in runs of any length
    rnd = random.Random(seed)
    chars = [(x0 - 60 + 2.5 * rnd.randrange(40), top - 160 + 12 * rnd.randrange(13), w, t) for x0, top, w, t in raw]
    chars = [(x0, top, x0 + w, top + 10.0, t) for x0, top, w, t in chars]
    if rnd.random() < 0.5:  # mostly in reading order, as text lines come
        chars.sort(key=lambda c: (c[1], c[0]))
    runs, i = [], 0
    while i < len(chars):
        part = chars[i : i + rnd.randint(1, 8)]
        i += len(part)
        runs.append(pdf_tables.Run([c[0] for c in part], [c[1] for c in part], [c[2] for c in part],
                                   [c[3] for c in part], "".join(c[4] for c in part)))
    page = _Page([{"x0": c[0], "top": c[1], "x1": c[2], "bottom": c[3], "text": c[4], "upright": True,
                   "doctop": c[1]} for c in chars])
    expected = [Table(page, cells).extract() for cells in tables]

    assert [[list(r) for r in g.texts] for g in pdf_tables.read_grids(tables, runs)] == expected
    # the same lines read in gap-free chunks, as the reader reads them, measured only when asked
    lines = [pdf_tables.Run(*run[:5], True, n) for n, run in enumerate(runs)]
    chunked = [_chunked(run, tables) for run in lines]
    asked: list[int] = []

    def measure(line: int) -> pdf_tables.Run:
        asked.append(line)
        return lines[line]

    assert [[list(r) for r in g.texts] for g in pdf_tables.read_grids(tables, chunked, measure)] == expected
    assert len(asked) == len(set(asked))  # each line measured once at most


def _chunked(run: pdf_tables.Run, tables: list[list[pdf_tables.Cell]]) -> pdf_tables.Run:
    """``run`` as the reader hands over a line it reads in chunks: runs of characters in x order on
    one baseline with no gap over 3 pt, none across a cell edge, each given by its two end boxes."""
    from bisect import bisect_right

    columns = sorted({x for t in tables for c in t for x in (c[0], c[2])})
    rows = sorted({y for t in tables for c in t for y in (c[1], c[3])})

    def band(k: int) -> tuple[int, int]:
        return (bisect_right(columns, (run.x0[k] + run.x1[k]) / 2), bisect_right(rows, (run.top[k] + run.bottom[k]) / 2))

    starts = [0] + [k for k in range(1, len(run.x0))
                    if not (run.x0[k - 1] <= run.x0[k] <= run.x1[k - 1] + 3 and run.top[k] == run.top[k - 1]
                            and run.bottom[k] == run.bottom[k - 1] and band(k) == band(k - 1))]
    ends = [*starts[1:], len(run.x0)]
    return pdf_tables.Run([run.x0[a] for a in starts], [run.top[a] for a in starts], [run.x1[b - 1] for b in ends],
                          [run.bottom[a] for a in starts], [run.text[a:b] for a, b in zip(starts, ends, strict=True)],
                          False, run.line)


def test_a_cell_that_needs_positions_measures_only_its_part_of_a_line() -> None:
    from pdfplumber.table import Table

    v = [(x, 50.0, x, 80.0) for x in (50.0, 100.0, 150.0)]
    h = [(50.0, y, 150.0, y) for y in (50.0, 80.0)]
    tables = pdf_tables.find_tables(v, h)
    # a line across both cells, read in two chunks; a second line in the right-hand cell 1 pt lower,
    # so that cell reads its characters one by one (pdfplumber puts both lines on one line)
    first = [(55.0 + 5 * k, 60.0, 60.0 + 5 * k, 70.0, t) for k, t in enumerate("甲乙")]
    first += [(105.0 + 5 * k, 60.0, 110.0 + 5 * k, 70.0, t) for k, t in enumerate("丙丁")]
    second = [(121.0, 61.0, 126.0, 71.0, "戊")]
    measured = pdf_tables.Run([c[0] for c in first], [c[1] for c in first], [c[2] for c in first],
                              [c[3] for c in first], "甲乙丙丁", True, 0)
    chunks = pdf_tables.Run([55.0, 105.0], [60.0, 60.0], [65.0, 115.0], [70.0, 70.0], ["甲乙", "丙丁"], False, 0)
    other = pdf_tables.Run([121.0], [61.0], [126.0], [71.0], "戊", True, 1)
    page = _Page([{"x0": c[0], "top": c[1], "x1": c[2], "bottom": c[3], "text": c[4], "upright": True,
                   "doctop": c[1]} for c in first + second])

    grids = pdf_tables.read_grids(tables, [chunks, other], lambda line: measured if line == 0 else None)

    assert [list(r) for r in grids[0].texts] == Table(page, tables[0]).extract() == [["甲乙", "丙丁 戊"]]
