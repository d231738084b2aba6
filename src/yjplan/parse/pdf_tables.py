"""pdfplumber's table finder and cell reader, on plain edges and characters.

pdfplumber's default table finder (the ``lines`` strategy) turns a page's rules into a grid: rules
within 3 pt of one line are snapped onto it, segments along one line are joined, the points where a
horizontal and a vertical rule cross are kept, each smallest rectangle whose four sides are drawn is
a cell, and cells that share a corner make one table. ``Table.extract`` then gives every cell the
characters whose centre lies in it and reads them line by line. The PDF reader feeds this module
from what pdfium already has open (path objects and character boxes), because re-parsing the page
with pdfminer for pdfplumber was 92% of the reader's time; the results are pdfplumber's, which
``tests/parse/test_pdf_reference.py`` checks against pdfplumber itself.

Coordinates are pdfplumber's: x from the left edge, ``top``/``bottom`` measured down from the top
of the page, so every comparison and tie-break runs the way pdfplumber's does.
"""

from __future__ import annotations

import itertools
import operator
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

# pdfplumber's defaults (TableSettings and extract_text), which the reader has always used
SNAP = 3.0
JOIN = 3.0
INTERSECT = 3.0
EDGE_MIN_PREFILTER = 1.0
EDGE_MIN = 3.0
X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
_LIGATURE_TABLE = str.maketrans(LIGATURES)
_LIGATURE = re.compile("[" + "".join(LIGATURES) + "]")
_BLANK = re.compile(r"\s")

Edge = tuple[float, float, float, float]  # x0, top, x1, bottom
Cell = tuple[float, float, float, float]
# x0, top, x1, bottom, text: a plain tuple, as a table page holds thousands of them
Char = tuple[float, float, float, float, str]


class Run(NamedTuple):
    """The characters of one text line, in page order: pdfplumber's x0, top, x1 and bottom of each
    and their text, one character each — or, when not ``exact``, one gap-free chunk of characters
    each (x0 of its first character, x1 of its last; all in one cell whatever the grid)."""

    x0: list[float]
    top: list[float]
    x1: list[float]
    bottom: list[float]
    text: Sequence[str]  # a str (one character per entry) or a list of chunks
    exact: bool = True
    line: int = 0  # the line's number, for ``measure``
    offset: int = 0  # where the first character stands in the line (a piece of a line starts inside)


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Grid:
    """One table: pdfplumber's ``Table.rows`` (cells, ``None`` where a merged cell covers the slot),
    the row and column boxes, and each cell's text as ``Table.extract`` gives it."""

    bbox: Cell
    rows: tuple[tuple[Cell | None, ...], ...]
    row_boxes: tuple[Cell, ...]
    column_boxes: tuple[Cell, ...]
    texts: tuple[tuple[str | None, ...], ...]


# --- the grid (pdfplumber.table, same rules, linear-ish instead of quadratic) ----------------------


def merge_edges(v: Iterable[Edge], h: Iterable[Edge]) -> tuple[list[Edge], list[Edge]]:
    """Snap, join and length-filter edges as ``TableFinder.get_edges`` does with default settings."""
    v = [e for e in v if e[3] - e[1] >= EDGE_MIN_PREFILTER]
    h = [e for e in h if e[2] - e[0] >= EDGE_MIN_PREFILTER]
    v = _join(_snap(v, 0), 0, 1, 3)
    h = _join(_snap(h, 1), 1, 0, 2)
    return [e for e in v if e[3] - e[1] >= EDGE_MIN], [e for e in h if e[2] - e[0] >= EDGE_MIN]


def _cluster_ids(values: Iterable[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's ``make_cluster_dict``: sorted distinct values, a new cluster after each gap
    larger than ``tolerance``."""
    ids: dict[float, int] = {}
    cluster = -1
    last: float | None = None
    for value in sorted(set(values)):
        if last is None or value > last + tolerance:
            cluster += 1
        ids[value] = cluster
        last = value
    return ids


def _snap(edges: list[Edge], axis: int) -> list[Edge]:
    """Move every edge onto the mean position of its cluster (x0 for vertical edges, top for
    horizontal ones). pdfplumber adds the offset (``x + (mean - x)``), which can miss the mean by a
    rounding error and split one line in two; taking the mean itself keeps the line whole."""
    if not edges:
        return []
    ids = _cluster_ids((e[axis] for e in edges), SNAP)
    sums: dict[int, list[float]] = {}
    for e in edges:
        acc = sums.setdefault(ids[e[axis]], [0.0, 0])
        acc[0] += e[axis]
        acc[1] += 1
    out: list[Edge] = []
    for e in edges:
        total, count = sums[ids[e[axis]]]
        mean = total / count
        shift = mean - e[axis]
        if axis == 0:
            out.append((mean, e[1], e[2] + shift, e[3]))
        else:
            out.append((e[0], mean, e[2], e[3] + shift))
    return out


def _join(edges: list[Edge], axis: int, lo: int, hi: int) -> list[Edge]:
    """Join edges on one line whose gaps are at most ``JOIN`` (``join_edge_group``)."""
    out: list[Edge] = []
    by_line = sorted(edges, key=lambda e: e[axis])
    for _, group in itertools.groupby(by_line, key=lambda e: e[axis]):
        ordered = sorted(group, key=lambda e: e[lo])
        current = list(ordered[0])
        for e in ordered[1:]:
            if e[lo] <= current[hi] + JOIN:
                if e[hi] > current[hi]:
                    current[hi] = e[hi]
            else:
                out.append((current[0], current[1], current[2], current[3]))
                current = list(e)
        out.append((current[0], current[1], current[2], current[3]))
    return out


def _cells(v: Sequence[Edge], h: Sequence[Edge]) -> list[tuple[Cell, tuple[int, int, int, int]]]:
    """``edges_to_intersections`` + ``intersections_to_cells``: from each crossing point, the smallest
    rectangle to a point below and a point to the right whose four sides run along drawn edges.

    Each cell comes with its corners as grid numbers (column, row). A crossing is keyed by one
    integer and keeps the edges through it as bit sets (bit i: edge i), so "a drawn edge joins these
    two points" is one ``&``."""
    if not v or not h:
        return []
    xs = sorted({e[0] for e in v})
    ys = sorted({e[1] for e in h})
    col = {x: i for i, x in enumerate(xs)}
    row = {y: i for i, y in enumerate(ys)}
    n = len(ys)
    v_through: dict[int, int] = {}
    h_through: dict[int, int] = {}
    h_order = sorted(range(len(h)), key=lambda j: (h[j][1], h[j][0]))
    h_tops = [h[j][1] for j in h_order]
    for i, (x, top, _, bottom) in enumerate(v):
        base = col[x] * n
        for j in h_order[bisect_left(h_tops, top - INTERSECT) : bisect_right(h_tops, bottom + INTERSECT)]:
            hx0, htop, hx1, _ = h[j]
            if top <= htop + INTERSECT and bottom >= htop - INTERSECT and hx0 - INTERSECT <= x <= hx1 + INTERSECT:
                key = base + row[htop]
                v_through[key] = v_through.get(key, 0) | 1 << i
                h_through[key] = h_through.get(key, 0) | 1 << j
    order = sorted(v_through)  # by column, then row: pdfplumber's (x, top) order
    down: dict[int, list[int]] = {}
    across: dict[int, list[int]] = {}
    for key in order:
        c, r = divmod(key, n)
        down.setdefault(c, []).append(r)
        across.setdefault(r, []).append(c)
    out = []
    for key in order:
        c, r = divmod(key, n)
        vs, hs = v_through[key], h_through[key]
        below = down[c]
        right = across[r]
        first_right = bisect_right(right, c)
        found = None
        for i in range(bisect_right(below, r), len(below)):
            by = below[i]
            bl = c * n + by
            if not vs & v_through[bl]:
                continue
            bl_hs = h_through[bl]
            for k in range(first_right, len(right)):
                rx = right[k]
                tr = rx * n + r
                if not hs & h_through[tr]:
                    continue
                corner = rx * n + by
                if corner in v_through and v_through[corner] & v_through[tr] and h_through[corner] & bl_hs:
                    found = (c, r, rx, by)
                    break
            if found:
                break
        if found:
            c0, r0, c1, r1 = found
            out.append(((xs[c0], ys[r0], xs[c1], ys[r1]), found))
    return out


def _group(cells: Sequence[tuple[Cell, Sequence[Any]]]) -> list[list[Cell]]:
    """``cells_to_tables``: cells sharing a corner (transitively) are one table; tables of one cell
    are dropped; top to bottom, then left to right."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Any, int] = {}
    for i, (_, corners) in enumerate(cells):
        for corner in corners:
            j = owner.setdefault(corner, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[Cell]] = {}
    for i, (cell, _) in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    tables = [g for g in groups.values() if len(g) > 1]
    tables.sort(key=lambda g: min((c[1], c[0]) for c in g))
    return tables


def bbox(cells: Iterable[Cell | None]) -> Cell:
    """The box around the cells (``None`` slots left out)."""
    real = [c for c in cells if c is not None]
    return (min(c[0] for c in real), min(c[1] for c in real), max(c[2] for c in real), max(c[3] for c in real))


def layout(cells: Sequence[Cell]) -> tuple[list[tuple[Cell | None, ...]], list[Cell], list[Cell]]:
    """``Table.rows`` (with ``None`` holes) and the row and column boxes."""
    xs = sorted({c[0] for c in cells})
    tops = sorted({c[1] for c in cells})
    by_row: dict[float, dict[float, Cell]] = {}
    by_col: dict[float, dict[float, Cell]] = {}
    for c in cells:
        by_row.setdefault(c[1], {})[c[0]] = c
        by_col.setdefault(c[0], {})[c[1]] = c
    rows = [tuple(by_row[t].get(x) for x in xs) for t in tops]
    row_boxes = [bbox(by_row[t].values()) for t in tops]
    column_boxes = [bbox(by_col[x].values()) for x in xs]
    return rows, row_boxes, column_boxes


def find_tables(v: Iterable[Edge], h: Iterable[Edge]) -> list[list[Cell]]:
    """The cells of every table the edges draw (``TableFinder``), tables top to bottom; corners are
    compared as grid numbers, not floats."""
    cells = _cells(*merge_edges(v, h))
    return _group([(cell, (c0 << 16 | r0, c0 << 16 | r1, c1 << 16 | r0, c1 << 16 | r1))
                   for cell, (c0, r0, c1, r1) in cells])


class Unreadable(Exception):
    """A line's characters could not be measured: the page is not for this module."""


def read_grids(
    tables: Sequence[Sequence[Cell]], runs: Sequence[Run], measure: Callable[[int], Run | None] | None = None
) -> list[Grid]:
    """Rows, boxes and cell texts of each table; ``runs`` are the page's text lines in page order.

    Where a cell needs the position of each character of a run that only spread them (``exact``
    false), ``measure(line)`` gives that line measured character by character; it may answer
    ``None``, and then :class:`Unreadable` is raised."""
    known: dict[int, Run] = {}

    def measured(line: int) -> Run:
        run = known.get(line)
        if run is None:
            run = measure(line) if measure is not None else None
            if run is None:
                raise Unreadable(line)
            known[line] = run
        return run

    out = []
    for cells in tables:
        rows, row_boxes, column_boxes = layout(cells)
        texts = _cell_texts(rows, cells, runs, measured)
        out.append(Grid(bbox(cells), tuple(rows), tuple(row_boxes), tuple(column_boxes), texts))
    return out


# --- cell texts -----------------------------------------------------------------------------------


def _cell_texts(
    rows: Sequence[tuple[Cell | None, ...]],
    cells: Sequence[Cell],
    runs: Sequence[Run],
    measured: Callable[[int], Run],
) -> tuple[tuple[str | None, ...], ...]:
    """``Table.extract()``: a cell holds the characters whose centre lies in it (left and top edges
    in, right and bottom edges out), in page order.

    The grid's bands (between consecutive cell edges) each lie wholly inside or outside every cell,
    so a character's band names its cells. A text line that runs in x order within one row band
    is cut where it crosses a column band's edge; any other is split character by character.
    """
    xs = sorted({c[0] for c in cells} | {c[2] for c in cells})
    ys = sorted({c[1] for c in cells} | {c[3] for c in cells})
    xi = {x: i for i, x in enumerate(xs)}
    yi = {y: i for i, y in enumerate(ys)}
    ny = len(ys)
    # band (i, j) as i * ny + j: only the bands inside some cell are there
    band: dict[int, list[int]] = {}
    for k, (x0, top, x1, bottom) in enumerate(cells):
        for i in range(xi[x0], xi[x1]):
            for j in range(yi[top], yi[bottom]):
                band.setdefault(i * ny + j, []).append(k)
    held: list[list[Run]] = [[] for _ in cells]
    left, right, high, low = xs[0], xs[-1], ys[0], ys[-1]
    for run in runs:
        x0s, x1s = run.x0, run.x1
        if len(x0s) == 1:  # a line in one piece, as most lines in cells are
            cx = (x0s[0] + x1s[0]) / 2
            cy = (run.top[0] + run.bottom[0]) / 2
            if left <= cx < right and high <= cy < low:
                for k in band.get((bisect_right(xs, cx) - 1) * ny + bisect_right(ys, cy) - 1, ()):
                    held[k].append(run)
            continue
        if max(run.bottom) < high or min(run.top) >= low:
            continue  # not a character's centre can be in the table (another table's line)
        cxs = [(a + b) / 2 for a, b in zip(x0s, x1s, strict=True)]
        cys = [(a + b) / 2 for a, b in zip(run.top, run.bottom, strict=True)]
        y_lo, y_hi = min(cys), max(cys)
        ordered = all(map(operator.le, cxs, cxs[1:]))
        x_lo, x_hi = (cxs[0], cxs[-1]) if ordered else (min(cxs), max(cxs))
        if y_hi < high or y_lo >= low or x_hi < left or x_lo >= right:
            continue
        j = bisect_right(ys, y_lo) - 1
        if not (ordered and high <= y_lo and y_hi < low and j == bisect_right(ys, y_hi) - 1):
            if not run.exact:
                run = measured(run.line)
                cxs = [(a + b) / 2 for a, b in zip(run.x0, run.x1, strict=True)]
                cys = [(a + b) / 2 for a, b in zip(run.top, run.bottom, strict=True)]
            _split_chars(run, cxs, cys, xs, ys, band, held)
            continue
        # one row band, x in order: cut the line where it crosses a column band's edge
        pos, end = bisect_left(cxs, left), bisect_left(cxs, right)
        while pos < end:
            i = bisect_right(xs, cxs[pos]) - 1
            cut = bisect_left(cxs, xs[i + 1], pos, end)
            owners = band.get(i * ny + j)
            if owners:
                piece = run if cut - pos == len(cxs) else _slice(run, pos, cut)
                for k in owners:
                    held[k].append(piece)
            pos = cut
    index = {id(c): k for k, c in enumerate(cells)}  # rows hold these very cells; no float hashing
    return tuple(tuple(None if c is None else _text(held[index[id(c)]], measured) for c in row) for row in rows)


def _slice(run: Run, start: int, end: int) -> Run:
    text = run.text
    skipped = start if isinstance(text, str) else sum(map(len, text[:start]))
    return Run(
        run.x0[start:end],
        run.top[start:end],
        run.x1[start:end],
        run.bottom[start:end],
        text[start:end],
        run.exact,
        run.line,
        run.offset + skipped,
    )


def _split_chars(
    run: Run,
    cxs: list[float],
    cys: list[float],
    xs: list[float],
    ys: list[float],
    band: dict[int, list[int]],
    held: list[list[Run]],
) -> None:
    """Hand a line's characters to their cells one by one (consecutive ones going to the same cells
    as one piece): for lines out of x order or across a row edge (measured lines only)."""
    left, right, high, low = xs[0], xs[-1], ys[0], ys[-1]
    ny = len(ys)
    nobody: list[int] = []
    owners: list[list[int]] = []
    for cx, cy in zip(cxs, cys, strict=True):
        inside = left <= cx < right and high <= cy < low
        key = (bisect_right(xs, cx) - 1) * ny + bisect_right(ys, cy) - 1
        owners.append(band.get(key, nobody) if inside else nobody)
    start = 0
    for end in range(1, len(owners) + 1):
        if end == len(owners) or owners[end] is not owners[start]:
            if owners[start]:
                piece = _slice(run, start, end)
                for k in owners[start]:
                    held[k].append(piece)
            start = end


def _text(pieces: list[Run], measured: Callable[[int], Run]) -> str:
    """A cell's text from its pieces of lines, as ``extract_text`` reads the characters.

    When every piece runs in x order on one line (tops within the tolerance) and the pieces stand
    more than the tolerance apart vertically, each piece is a line of its own; otherwise the
    characters go through :func:`extract_text` one by one.
    """
    if not pieces:
        return ""
    if len(pieces) == 1:  # most cells: one line
        p = pieces[0]
        if len(p.x0) == 1:
            text = p.text[0]
            if not _BLANK.search(text):
                return _expand(text)
            return " ".join(_expand(w) for w in _BLANK.split(text) if w)
        if max(p.top) <= min(p.top) + Y_TOLERANCE and all(map(operator.le, p.x0, p.x0[1:])):
            return " ".join(_piece_words(p))
    spans = []
    for p in pieces:
        lo, hi = min(p.top), max(p.top)
        if hi > lo + Y_TOLERANCE or not all(map(operator.le, p.x0, p.x0[1:])):
            return _extract_exact(pieces, measured)
        spans.append((lo, hi, p))
    if len(spans) > 1:
        spans.sort(key=_first)
        if any(b[0] <= a[1] + Y_TOLERANCE for a, b in itertools.pairwise(spans)):
            return _extract_exact(pieces, measured)
    lines = []
    for _, _, p in spans:
        words = _piece_words(p)
        if words:
            lines.append(" ".join(words))
    return "\n".join(lines)


def _piece_words(p: Run) -> list[str]:
    """The words of one line in x order: a blank or a gap over the tolerance ends a word."""
    gaps: list[int] = []
    # the widest gap first, in C; the exact test (pdfplumber's ``x0 > x1 + 3``) only near or over it
    if len(p.x0) > 1 and max(map(operator.sub, p.x0[1:], p.x1)) > X_TOLERANCE - 0.01:
        gaps = [i for i, (a, b) in enumerate(zip(p.x1, p.x0[1:], strict=False), start=1) if b > a + X_TOLERANCE]
    whole = "".join(p.text)
    if not gaps and not _BLANK.search(whole):
        return [_expand(whole)]
    words: list[str] = []
    start = 0
    for end in [*gaps, len(p.text)]:
        words += _BLANK.split("".join(p.text[start:end]))
        start = end
    return [_expand(w) for w in words if w]


def _extract_exact(pieces: Sequence[Run], measured: Callable[[int], Run]) -> str:
    """``extract_text`` over the pieces' characters, measuring the lines whose positions were spread."""
    exact = []
    for p in pieces:
        if not p.exact:  # the same characters, from the line measured
            line = measured(p.line)
            start = p.offset - line.offset
            p = _slice(line, start, start + sum(map(len, p.text)))
        exact.append(p)
    return extract_text(_chars(exact))


def _first(item: tuple[float, float, Run]) -> float:
    return item[0]


def _chars(pieces: Iterable[Run]) -> list[Char]:
    return [c for p in pieces for c in zip(p.x0, p.top, p.x1, p.bottom, p.text, strict=True)]


def extract_text(chars: Sequence[Char]) -> str:
    """pdfplumber's ``extract_text`` with its defaults, for upright text: lines are clusters of
    ``top`` within 3 pt, read by x; a blank character or a gap over 3 pt starts a new word; words are
    joined by a space and lines by a newline."""
    if not chars:
        return ""
    tops = [ch[1] for ch in chars]
    lines = [chars] if max(tops) <= min(tops) + Y_TOLERANCE else _clusters(chars, tops, Y_TOLERANCE)
    words: list[tuple[str, float]] = []
    for line in lines:
        _words(line, words)
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0]
    groups = _clusters(words, [w[1] for w in words], Y_TOLERANCE)
    return "\n".join(" ".join(w[0] for w in group) for group in groups)


def _words(line: Sequence[Char], out: list[tuple[str, float]]) -> None:
    """The words of one line cluster, as (text, top), appended to ``out``."""
    if any(b[0] < a[0] for a, b in itertools.pairwise(line)):
        line = sorted(line, key=_x0)  # stable, as pdfplumber's sort
    tops = [ch[1] for ch in line]
    low = min(tops)
    # most lines are one word: no blank, no gap over the tolerance, tops within it
    if max(tops) <= low + Y_TOLERANCE and all(b[0] <= a[2] + X_TOLERANCE for a, b in itertools.pairwise(line)):
        text = "".join(ch[4] for ch in line)
        if not _BLANK.search(text):
            out.append((_expand(text), low))
            return
    word: list[Char] = []
    for ch in line:
        if ch[4].isspace():
            if word:
                out.append(_word(word))
                word = []
            continue
        if word:
            prev = word[-1]
            if ch[0] < prev[0] or ch[0] > prev[2] + X_TOLERANCE or abs(ch[1] - prev[1]) > Y_TOLERANCE:
                out.append(_word(word))
                word = []
        word.append(ch)
    if word:
        out.append(_word(word))


def _x0(ch: Char) -> float:
    return ch[0]


def _word(chars: list[Char]) -> tuple[str, float]:
    return _expand("".join(c[4] for c in chars)), min(c[1] for c in chars)


def _clusters(items: Sequence[T], keys: Sequence[float], tolerance: float) -> list[list[T]]:
    """pdfplumber's ``cluster_objects``: groups in order of their (chained) key, each keeping the
    items' own order."""
    if max(keys) <= min(keys) + tolerance:
        return [list(items)]  # one chain: every sorted gap is within the tolerance
    ids = _cluster_ids(keys, tolerance)
    groups: dict[int, list[T]] = {}
    for it, k in zip(items, keys, strict=True):
        groups.setdefault(ids[k], []).append(it)
    return [groups[i] for i in sorted(groups)]


def _expand(text: str) -> str:
    """Ligatures spelled out, as pdfplumber's words have them (translate looks up every character:
    the search first)."""
    return text.translate(_LIGATURE_TABLE) if _LIGATURE.search(text) else text


# --- merged cells ---------------------------------------------------------------------------------


def fill_merged(
    rows: Sequence[Sequence[Cell | None]],
    texts: Sequence[Sequence[str | None]],
    row_boxes: Sequence[Cell],
    column_boxes: Sequence[Cell],
) -> list[list[str]]:
    """The row × column grid with a merged cell's text repeated in every slot it covers (pdfplumber
    leaves those slots ``None``): the slot takes the text of the first cell containing its centre."""
    if not any(None in row_texts for row_texts in texts):
        return [list(row_texts) for row_texts in texts]  # no merged cell: nothing to fill
    cells = [
        (box, text or "")
        for row, row_texts in zip(rows, texts, strict=False)
        for box, text in zip(row, row_texts, strict=False)
        if box is not None
    ]
    out: list[list[str]] = []
    for row_box, row_texts in zip(row_boxes, texts, strict=False):
        filled: list[str] = []
        for j, text in enumerate(row_texts):
            if text is None:
                cx = (column_boxes[j][0] + column_boxes[j][2]) / 2
                cy = (row_box[1] + row_box[3]) / 2
                text = next((t for b, t in cells if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]), "")
            filled.append(text)
        out.append(filled)
    return out
