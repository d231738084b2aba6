"""PDF → RawDocument: text lines from pypdfium2, rejoined into paragraphs; ruled tables rebuilt from
pypdfium2's path objects and character boxes the way pdfplumber finds them.

pypdfium2 reads every page (it is many times faster than pdfminer). On a page that draws enough
ruling lines to hold a table, the rules are read from pdfium's path objects and handed, with the
characters' boxes, to ``pdf_tables`` (pdfplumber's table finder and cell reader on plain data), so
pdfminer never parses the page a second time; only a page pdfium cannot vouch for (rotated, rules
inside a form XObject, a colour next to pdfplumber's light/dark line, rotated text in a table) still
goes to pdfplumber, alone. Lines inside a table's box are taken out of the text flow so a table's
words are not read twice.

``Location.line`` counts the body lines of a page from the top, running headers and footers excluded,
so "第3页第12行" is where a reader finds the paragraph's first line.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple

from yjplan.errors import EncryptedDocument, FileTooLarge, ParseFailed, ScannedPdf
from yjplan.limits import Limits
from yjplan.model import Location, Table
from yjplan.parse import pdf_tables
from yjplan.parse.pdf_tables import Cell, Edge, Run, bbox, fill_merged
from yjplan.parse.raw import RawBlock, RawDocument

SENTENCE_END = "。！？；：…!?;:"
CLOSERS = "”’」』）)】》〉\"' "
BOLD_FONT_MARKERS = ("bold", "heavy", "black", "黑体", "hei")
MIN_TEXT_CHARS = 20  # non-space characters per page below which a page has no real text layer
TABLE_MIN_RULES = 6  # ruling lines/bars on a page before it is searched for a table
HEADING_MAX_CHARS = 40
BAND = 0.12  # share of the page height at top and bottom where running headers/footers live

PAGE_NUMBER = re.compile(
    r"""^[\s\-—–－_·•.]*
    (?:
        第\s*\d+\s*页(?:\s*[，,]?\s*共\s*\d+\s*页)?
      | \d+\s*[/／]\s*\d+
      | (?:page\s*)?\d+(?:\s*of\s*\d+)?
      | [ivxlc]{1,6}
    )
    [\s\-—–－_·•.]*$""",
    re.IGNORECASE | re.VERBOSE,
)
LATIN_END = re.compile(r"[A-Za-z0-9,.;:!?%)\]]$")
LATIN_START = re.compile(r"^[A-Za-z0-9(\[]")
FIRST_WORD = re.compile(r"^[A-Za-z0-9]+")
TOC_LEADER = re.compile(r"(?:\.{4,}|…{2,}|·{4,}|-{4,}|_{4,})\s*\d*$")


class _Line(NamedTuple):  # a NamedTuple, not a frozen dataclass: a third of the cost, thousands per file
    text: str
    page: int  # 1-based
    x0: float
    y0: float  # PDF space: y grows upwards
    x1: float
    y1: float
    size: float
    bold: bool


@dataclass(frozen=True, slots=True)
class _Page:
    number: int
    width: float
    height: float
    top: float  # y of the page's top edge (mediabox), for pdfplumber's top-down coordinates
    centre_x: float
    lines: tuple[_Line, ...]
    chars: int  # non-space characters on the page
    images: int
    image_cover: float  # largest image's share of the page area
    paths: int
    rules: int  # paths that may be table rules
    tables: tuple[_TableItem, ...] | None  # ruled tables read with pdfium; None: ask pdfplumber


@dataclass(frozen=True, slots=True)
class _TableItem:
    page: int
    top: float  # PDF space
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF space
    table: Table


@dataclass(frozen=True, slots=True)
class _Margins:
    left: float
    right: float
    para_gap: float  # white gap between lines, in font sizes, above which a new paragraph starts
    centre: float  # the page's horizontal centre


# --- entry point -------------------------------------------------------------------------------


def read(path: Path, data: bytes, limits: Limits) -> RawDocument:
    import pypdfium2 as pdfium

    from yjplan.parse import _collector_paused

    # What pdfium's pages turn into here (lines, spans, cells, blocks) holds no reference cycle, so
    # the cyclic collector is held off as for the .docx reader; it stays on while pdfplumber, whose
    # objects do form cycles, reads the pages pdfium cannot settle.
    with _collector_paused():
        pdf = _open(pdfium, data, path)
        try:
            n_pages = len(pdf)
            if n_pages == 0:
                raise ParseFailed("PDF 文件已损坏：没有任何页面", path=path)
            if n_pages > limits.max_pdf_pages:
                raise FileTooLarge(f"PDF 页数过多（{n_pages} 页，上限 {limits.max_pdf_pages} 页）", path=path)
            meta = pdf.get_metadata_dict(skip_empty=True)
            pages, notes = _read_pages(pdfium, pdf, n_pages, limits, path)
        finally:
            pdf.close()

        _reject_scans(pages, path)
        image_pages = [p.number for p in pages if p.chars < MIN_TEXT_CHARS and p.image_cover >= 0.3]
        if image_pages:
            listed = "、".join(str(n) for n in image_pages)
            notes.insert(0, f"第{listed}页没有文字层（可能是扫描页），未读取")
        body = _drop_running_lines(pages)

    tables, table_notes = _find_tables(data, pages)
    with _collector_paused():
        blocks = _build_blocks(pages, body, tables)
    return RawDocument(
        format="pdf",
        blocks=tuple(blocks),
        page_count=n_pages,
        meta_title=meta.get("Title", "").strip() or None,
        meta_date=_pdf_date(meta.get("CreationDate", "")),
        notes=(*notes, *table_notes),
    )


def _read_pages(
    pdfium: Any, pdf: Any, n_pages: int, limits: Limits, path: Path
) -> tuple[list[_Page], list[str]]:
    pages: list[_Page] = []
    total = 0
    for index in range(n_pages):
        page = _read_page(pdfium, pdf, index, path)
        pages.append(page)
        total += page.chars
        if total > limits.max_chars and index + 1 < n_pages:
            return pages, [f"文字超过上限（{limits.max_chars} 字），只读取了前 {index + 1} 页"]
    return pages, []


def _open(pdfium: Any, data: bytes, path: Path) -> Any:
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedDocument("PDF 已加密，请提供未加密的文件", path=path) from exc
        raise ParseFailed("PDF 文件已损坏，无法解析", path=path) from exc


def _reject_scans(pages: Sequence[_Page], path: Path) -> None:
    chars = sum(p.chars for p in pages)
    pictured = any(p.images for p in pages) or any(p.paths > 200 for p in pages)
    if chars < MIN_TEXT_CHARS * len(pages) and pictured:
        raise ScannedPdf("PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）后再审查", path=path)


def _pdf_date(value: str) -> date | None:
    m = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", value.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return None


# --- one page with pypdfium2 ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Objects:
    images: int
    cover: float  # largest image's share of the page area
    paths: int
    rules: int  # paths that may be table rules, forms included
    page_paths: tuple[Any, ...]  # path objects drawn on the page itself (valid while it is open)
    form_rules: bool  # some rule sits inside a form XObject, under the form's own matrix


class _Span(NamedTuple):
    """A text line as pdfium's character indices, to read its characters again for a table."""

    first: int
    last: int
    sizes: list[float]  # font size of every character first..last
    line: _Line
    head: tuple[float, float, float]  # left, right and bottom of the first character's box
    tail: tuple[float, float, float]  # the same for the last one
    plain: bool  # one font size throughout and no character that may stand out of order


# pdfium functions called once per character or per page object, bound a second time without
# argtypes: ctypes then hands over the arguments as they come (ctypes objects as pointers, Python
# ints as C ints) instead of converting each one through its declared type, which is more than half
# the cost of such a call. Every pointer argument at these call sites is a ctypes object, and every
# Python int goes to an ``int`` parameter.
@cache
def _fast_c(name: str) -> Any:
    """pypdfium2's function ``name`` (same library, calling convention and return type), unchecked."""
    import pypdfium2.raw as pdfium_c

    fn = getattr(pdfium_c, name)
    stdcall = getattr(ctypes, "_FUNCFLAG_STDCALL", 0)
    factory = ctypes.WINFUNCTYPE if stdcall and fn._flags_ & stdcall else ctypes.CFUNCTYPE  # type: ignore[attr-defined]
    bound = factory(fn.restype)(ctypes.cast(fn, ctypes.c_void_p).value)
    bound.argtypes = None
    return bound


def _read_page(pdfium: Any, pdf: Any, index: int, path: Path) -> _Page:
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise ParseFailed(f"PDF 第{index + 1}页已损坏，无法解析", path=path) from exc
    try:
        width, height = page.get_size()
        mediabox = page.get_mediabox()
        objects = _scan_objects(page.raw, width * height)
        textpage = page.get_textpage()
        try:
            found: list[list[Cell]] | None = []
            if objects.rules >= TABLE_MIN_RULES:
                found = _table_cells(page, objects, mediabox)
            # lines inside a table never join a paragraph: their boldness goes unread
            boxes = _table_boxes(found, mediabox[3]) if found else ()
            text, lines, chars, spans = _page_lines(textpage, index + 1, bool(found), boxes)
            tables: tuple[_TableItem, ...] | None = () if found is not None or not lines else None
            if found and lines:
                tables = _read_tables(textpage.raw, text, spans, found, mediabox[3], index + 1)
                if tables is None and boxes:  # pdfplumber reads the page: its lines need all they have
                    text, lines, chars, spans = _page_lines(textpage, index + 1, False, ())
        finally:
            textpage.close()
    except pdfium.PdfiumError as exc:
        raise ParseFailed(f"PDF 第{index + 1}页已损坏，无法解析", path=path) from exc
    finally:
        page.close()
    centre_x = (mediabox[0] + mediabox[2]) / 2
    return _Page(
        index + 1,
        width,
        height,
        mediabox[3],
        centre_x,
        lines,
        chars,
        objects.images,
        objects.cover,
        objects.paths,
        objects.rules,
        tables,
    )


def _scan_objects(raw_page: Any, area: float) -> _Objects:
    """Images (and the largest one's share of the page), path objects, and the paths among them
    that can be table rules (visible strokes or thin dark bars), forms included."""
    import pypdfium2.raw as pdfium_c

    images = paths = rules = 0
    cover = 0.0
    page_paths: list[Any] = []
    form_rules = False
    text_kind, path_kind, image_kind, form_kind = (
        pdfium_c.FPDF_PAGEOBJ_TEXT,
        pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_IMAGE,
        pdfium_c.FPDF_PAGEOBJ_FORM,
    )
    get_type = _fast_c("FPDFPageObj_GetType")
    out: _OutParams | None = None  # most pages draw nothing but text
    stack: list[tuple[Any, bool, int]] = [(raw_page, False, 0)]
    while stack:
        parent, is_form, depth = stack.pop()
        if is_form:  # FPDFFormObj_GetObject takes an unsigned long: the checked binding
            count, get = pdfium_c.FPDFFormObj_CountObjects(parent), pdfium_c.FPDFFormObj_GetObject
        else:
            count, get = pdfium_c.FPDFPage_CountObjects(raw_page), _fast_c("FPDFPage_GetObject")
        # text objects are nearly all of a page's objects and need nothing more than their type
        handles = [get(parent, i) for i in range(max(count, 0))]
        for handle, kind in zip(handles, map(get_type, handles), strict=True):
            if kind == text_kind:
                continue
            if out is None:
                out = _OutParams()
            if kind == path_kind:
                paths += 1
                if _is_rule(handle, out):
                    rules += 1
                    form_rules = form_rules or is_form
                if not is_form:
                    page_paths.append(handle)
            elif kind == image_kind:
                images += 1
                bounds = out.bounds(handle)
                if area > 0 and bounds is not None:
                    left, bottom, right, top = bounds
                    cover = max(cover, (right - left) * (top - bottom) / area)
            elif kind == form_kind and depth < 4:
                stack.append((handle, True, depth + 1))
    return _Objects(images, min(cover, 1.0), paths, rules, tuple(page_paths), form_rules)


class _OutParams:
    """Output parameters for pdfium's object calls, allocated once per page rather than per call."""

    def __init__(self) -> None:
        import pypdfium2.raw as pdfium_c

        self.ints = [ctypes.c_int() for _ in range(2)]
        self.floats = [ctypes.c_float() for _ in range(4)]
        self.colour = [ctypes.c_uint() for _ in range(4)]
        self.int_refs = [ctypes.pointer(v) for v in self.ints]
        self.float_refs = [ctypes.pointer(v) for v in self.floats]
        self.colour_refs = [ctypes.pointer(v) for v in self.colour]
        self.matrix = pdfium_c.FS_MATRIX()
        self.matrix_ref = ctypes.pointer(self.matrix)
        self.segment_kinds = (
            pdfium_c.FPDF_SEGMENT_BEZIERTO,
            pdfium_c.FPDF_SEGMENT_MOVETO,
            pdfium_c.FPDF_SEGMENT_LINETO,
        )

    def draw_mode(self, obj: Any) -> tuple[int, int] | None:
        if not _fast_c("FPDFPath_GetDrawMode")(obj, *self.int_refs):
            return None
        return self.ints[0].value, self.ints[1].value

    def bounds(self, obj: Any) -> tuple[float, float, float, float] | None:
        if not _fast_c("FPDFPageObj_GetBounds")(obj, *self.float_refs):
            return None
        left, bottom, right, top = (v.value for v in self.floats)
        return left, bottom, right, top

    def colour_of(self, obj: Any, which: str) -> tuple[int, int, int, int] | None:
        if not _fast_c(which)(obj, *self.colour_refs):
            return None
        r, g, b, a = (v.value for v in self.colour)
        return r, g, b, a


def _is_rule(obj: Any, out: _OutParams) -> bool:
    mode = out.draw_mode(obj)
    if mode is None:
        return False
    fill, stroke = mode

    def dark(colour: tuple[int, int, int, int] | None) -> bool:
        # white boxes behind text are drawn too, and must not count
        return colour is not None and bool(colour[3]) and min(colour[:3]) < 230

    if stroke and dark(out.colour_of(obj, "FPDFPageObj_GetStrokeColor")):
        return True
    if not (fill and dark(out.colour_of(obj, "FPDFPageObj_GetFillColor"))):
        return False
    bounds = out.bounds(obj)
    if bounds is None:
        return False
    x0, y0, x1, y1 = bounds
    return min(x1 - x0, y1 - y0) <= THIN  # a bar, not a shaded area


# --- rules as pdfplumber sees them -------------------------------------------------------------------

THIN = 3.0  # a filled rectangle at most this thick is a rule (as in _is_ruling)
# pdfplumber calls a colour light when its components are >= 0.9 (gray, RGB) or <= 0.1 (CMYK); pdfium
# only gives RGB 0-255. Well outside this band both agree; inside it the page goes to pdfplumber.
LIGHT_FROM = 240
DARK_BELOW = 190



def _rule_edges(paths: Sequence[Any], top: float) -> tuple[list[Edge], list[Edge]] | None:
    """The vertical and horizontal edges pdfplumber takes from the page's path objects, after the
    reader's filter for rules (``_is_ruling``); ``None`` when a colour is too close to call."""
    out = _OutParams()
    vertical: list[Edge] = []
    horizontal: list[Edge] = []
    for obj in paths:
        mode = out.draw_mode(obj)
        if mode is None:
            return None
        fill, stroke = mode
        if not (fill or stroke):
            continue  # a path that paints nothing: pdfminer never sees it
        subpaths = _subpaths(obj, top, out)
        if subpaths is None:
            return None
        for shape, pts in subpaths:
            kind = _shape_kind(shape, pts)
            if kind == "line":
                light = _light(out.colour_of(obj, "FPDFPageObj_GetStrokeColor"))
                if light is None:
                    return None
                if not light:
                    (xa, ya), (xb, yb) = pts[0], pts[1]
                    x0, x1, y0, y1 = min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb)
                    (horizontal if y0 == y1 else vertical).append((x0, y0, x1, y1))
            elif kind == "rect":
                x0, x1 = sorted((pts[0][0], pts[2][0]))
                y0, y1 = sorted((pts[0][1], pts[2][1]))
                keep = False
                if stroke:
                    light = _light(out.colour_of(obj, "FPDFPageObj_GetStrokeColor"))
                    if light is None:
                        return None
                    keep = not light
                if not keep and fill and min(x1 - x0, y1 - y0) <= THIN:
                    light = _light(out.colour_of(obj, "FPDFPageObj_GetFillColor"))
                    if light is None:
                        return None
                    keep = not light
                if keep:
                    horizontal += [(x0, y0, x1, y0), (x0, y1, x1, y1)]
                    vertical += [(x0, y0, x0, y1), (x1, y0, x1, y1)]
            else:  # a curve: pdfplumber keeps every curve, whatever its colour
                for (xa, ya), (xb, yb) in itertools.pairwise(pts):
                    if xa == xb:
                        vertical.append((xa, min(ya, yb), xb, max(ya, yb)))
                    elif ya == yb:
                        horizontal.append((min(xa, xb), ya, max(xa, xb), yb))
    return vertical, horizontal


def _subpaths(obj: Any, top: float, out: _OutParams) -> list[tuple[str, list[tuple[float, float]]]] | None:
    """pdfminer's view of a path: per subpath its operators ("m", "l", "c", "h") and each
    operator's end point, in pdfplumber's coordinates."""
    n = _fast_c("FPDFPath_CountSegments")(obj)
    if n <= 0:
        return []
    if not _fast_c("FPDFPageObj_GetMatrix")(obj, out.matrix_ref):
        return None
    matrix = out.matrix
    a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
    get_segment = _fast_c("FPDFPath_GetPathSegment")
    get_point = _fast_c("FPDFPathSegment_GetPoint")
    get_kind = _fast_c("FPDFPathSegment_GetType")
    is_closed = _fast_c("FPDFPathSegment_GetClose")
    px, py = out.floats[0], out.floats[1]
    px_ref, py_ref = out.float_refs[0], out.float_refs[1]
    bezier_to, move_to, line_to = out.segment_kinds
    result: list[tuple[str, list[tuple[float, float]]]] = []
    ops: list[str] = []
    pts: list[tuple[float, float]] = []
    bezier = 0
    for i in range(n):
        seg = get_segment(obj, i)
        kind = get_kind(seg)
        if not get_point(seg, px_ref, py_ref):
            return None
        x, y = px.value, py.value
        pt = (a * x + c * y + e, top - (b * x + d * y + f))
        if kind == bezier_to:
            bezier += 1
            if bezier % 3:
                continue  # a control point: pdfminer keeps only where the curve ends
            op = "c"
        elif bezier % 3:
            return None  # a curve cut short: not a path pdfminer would have drawn
        elif kind == move_to:
            if ops:
                result.append(("".join(ops), pts))
            ops, pts = [], []
            op = "m"
        elif kind == line_to:
            op = "l"
        else:
            return None
        if not ops and op != "m":
            return None
        ops.append(op)
        pts.append(pt)
        if is_closed(seg):
            ops.append("h")
            pts.append(pts[0])
    if ops:
        result.append(("".join(ops), pts))
    # pdfminer drops a subpath that is only a move ("m" not followed by anything)
    return [(shape, p) for shape, p in result if len(shape) > 1]


def _shape_kind(shape: str, pts: list[tuple[float, float]]) -> str:
    """pdfminer's ``paint_path``: a line, an axis-parallel rectangle, or a curve (``pts`` is trimmed
    in place the way pdfminer trims it)."""
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"  # a redundant "l" back to the start before closing
        del pts[-2]
    if shape in ("ml", "mlh"):
        return "line"
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
            y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
        )
        if pts[0] == pts[4] and square:
            return "rect"
    return "curve"


def _light(colour: tuple[int, int, int, int] | None) -> bool | None:
    if colour is None:
        return None
    low = min(colour[:3])
    if low >= LIGHT_FROM:
        return True
    if low < DARK_BELOW:
        return False
    return None


def _page_lines(
    textpage: Any, page_no: int, want_spans: bool, tables: Sequence[tuple[float, float, float, float]]
) -> tuple[str, tuple[_Line, ...], int, list[_Span]]:
    """The page's text, its text lines top to bottom, its count of non-space characters, and (when
    the page holds a table) the lines as character spans. Lines inside ``tables`` (boxes in PDF
    space, the way ``_items`` takes them out of the text flow) are not checked for bold type: they
    never join a paragraph.

    One pass over the characters: pdfium already breaks the text into lines (it inserts CR LF),
    so only the two end characters of a line need a box, and the font size is read per character.
    """
    import pypdfium2.raw as pdfium_c

    n = pdfium_c.FPDFText_CountChars(textpage.raw)
    if n <= 0:
        return "", (), 0, []
    text = textpage.get_text_range()
    if len(text) != n:  # pdfium dropped or added characters: index the char list one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)) for i in range(n))
    if _TRANSLATED.search(text):
        text = text.translate(_char_table())
    tp = textpage.raw
    get_size = _fast_c("FPDFText_GetFontSize")
    get_box = _fast_c("FPDFText_GetLooseCharBox")
    rect = pdfium_c.FS_RECTF()
    rect_p = ctypes.pointer(rect)
    bold = _bold_probe(tp)
    keyed: list[tuple[tuple[int, float], _Line]] = []
    spans: list[_Span] = []
    rounded: dict[float, float] = {}
    chars = 0
    has_space, out_of_flow, control = _SPACE.search, _OUT_OF_FLOW.search, _CONTROL.sub  # per line
    for m in _TEXT_LINE.finditer(text):
        seg = m.group()
        stripped = seg.strip()
        if stripped is seg:  # no blanks around the line (str.strip returns the string itself)
            first, last = m.start(), m.end() - 1
        elif not stripped:
            continue
        else:
            first = m.start() + len(seg) - len(seg.lstrip())
            last = first + len(stripped) - 1
        if not get_box(tp, first, rect_p):
            continue
        x0, x1, y0, y1 = rect.left, rect.right, rect.bottom, rect.top
        if want_spans:
            head_box = tail_box = (x0, x1, y0)
        if get_box(tp, last, rect_p):
            x1 = rect.right
            y0, y1 = min(y0, rect.bottom), max(y1, rect.top)
            if want_spans:
                tail_box = (rect.left, x1, rect.bottom)
        all_sizes = list(map(get_size, repeat(tp, last - first + 1), range(first, last + 1)))
        if has_space(stripped):
            sizes = all_sizes.copy()
            for space in reversed([s.start() for s in _SPACE.finditer(stripped)]):
                del sizes[space]
            sizes.sort()
        elif min(all_sizes) == max(all_sizes):  # one size throughout, as most lines: no sorting
            sizes = all_sizes
        else:
            sizes = sorted(all_sizes)
        chars += len(sizes)
        median = sizes[len(sizes) // 2]
        if median not in rounded:  # a page uses a few sizes; round(x, 1) is slow
            rounded[median] = round(median, 1)
        size = rounded[median]
        plain = sizes[0] == sizes[-1]
        # a line inside a table is read again, from its characters' boxes, for its cells: its own
        # reading order and boldness go unread
        in_table = bool(tables) and _inside_any((x0 + x1) / 2, (y0 + y1) / 2, tables)
        if out_of_flow(stripped):
            plain = False
            reordered = None if in_table else _reading_order(tp, first, stripped, all_sizes, rect, rect_p)
            if reordered is not None:
                stripped, x0, y0, x1, y1 = reordered
        is_bold = False
        if not in_table:
            # most of the first, middle and last characters; the middle one can only tip the
            # balance when the ends disagree, and a two-character line needs both
            is_bold = bold(first)
            if last > first:
                tail = bold(last)
                if last == first + 1 or is_bold != tail:
                    is_bold = (is_bold and tail) if last == first + 1 else bold((first + last) // 2)
        clean = control("", stripped)
        if clean:
            line = _Line(clean, page_no, x0, y0, x1, y1, size, is_bold)
            keyed.append(((-round((y0 + y1) / 2), x0), line))
            if want_spans:
                spans.append(_Span(first, last, all_sizes, line, head_box, tail_box, plain))
    keyed.sort(key=_first_item)
    return text, tuple(line for _, line in keyed), chars, spans


def _box_at(x: float, y: float, boxes: Sequence[tuple[float, float, float, float]]) -> int | None:
    """The first box a line centred at (x, y) lies in, a point of leeway: how a line is found to
    belong to a table."""
    for i, (a, b, c, d) in enumerate(boxes):
        if a - 1 <= x <= c + 1 and b - 1 <= y <= d + 1:
            return i
    return None


def _inside_any(x: float, y: float, boxes: Sequence[tuple[float, float, float, float]]) -> bool:
    return _box_at(x, y, boxes) is not None


def _first_item(pair: tuple[Any, Any]) -> Any:
    return pair[0]


_TEXT_LINE = re.compile(r"[^\r\n]+")
# what _char_table maps; most pages have none of it, and translate looks up every character
_TRANSLATED = re.compile("[\uf000-\uf0ff\u2e80-\u2ef3\u2f00-\u2fd5\uf900-\ufaff]")
_SPACE = re.compile(r"\s")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
# Characters a CJK layout may set in a fallback font. LibreOffice draws such runs after the rest of
# the line, so pdfium (which keeps content-stream order) reads them out of place: "通过“ ”村村响".
_OUT_OF_FLOW = re.compile(r"[^\s\x21-\x7e\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
FONT_NAME_MAX = 128


def _bold_probe(tp: Any) -> Any:
    """Whether the character at an index is set in a bold font (weight 600 or more, or a bold font
    name). A font's weight is read once per font name on the page: a name stands for one font."""
    weight = _fast_c("FPDFText_GetFontWeight")
    info = _fast_c("FPDFText_GetFontInfo")
    buf = ctypes.create_string_buffer(FONT_NAME_MAX)
    size = ctypes.c_ulong(FONT_NAME_MAX)  # an unsigned long: not to go as a Python int
    known: dict[bytes, bool] = {}

    def bold(index: int) -> bool:
        n = info(tp, index, buf, size, None)
        if not 0 < n <= FONT_NAME_MAX:  # no name to know the font by
            return weight(tp, index) >= 600
        name = buf.value
        found = known.get(name)
        if found is None:
            found = known[name] = weight(tp, index) >= 600 or _bold_name(name)
        return found

    return bold


@cache
def _bold_name(font: bytes) -> bool:
    name = font.decode("utf-8", "replace").lower().replace("yahei", "")  # 微软雅黑 is a body font despite "Hei"
    return any(marker in name for marker in BOLD_FONT_MARKERS)


def _reading_order(
    tp: Any, first: int, seg: str, sizes: Sequence[float], rect: Any, rect_p: Any
) -> tuple[str, float, float, float, float] | None:
    """The line in left-to-right order, when some character of it stands out of place; ``None``
    when it reads in order already (or spans more than one visual line, as a hyphenated break does).

    pdfium puts a character drawn out of order next to its neighbour in the content stream, so a
    character that starts left of the one before it marks the line. The line is then read by x;
    pdfium's inserted spaces are dropped and a space goes where a gap of over a tenth of the font
    size remains (LibreOffice's gap between CJK and Latin text is a fifth).
    """
    get_box = _fast_c("FPDFText_GetLooseCharBox")
    boxes: dict[int, tuple[float, float, float, float] | None] = {}

    def box(k: int) -> tuple[float, float, float, float] | None:
        if k not in boxes:
            ok = get_box(tp, first + k, rect_p)
            boxes[k] = (rect.left, rect.right, rect.bottom, rect.top) if ok else None
        return boxes[k]

    def backwards(a: int, b: int) -> bool:
        ba, bb = box(a), box(b)
        if ba is None or bb is None:
            return False
        return bb[0] < ba[0] - 0.5 and min(ba[3], bb[3]) > max(ba[2], bb[2])

    def out_of_place(k: int) -> bool:
        before = k - 1
        while before >= 0 and seg[before].isspace():
            before -= 1
        after = k + 1
        while after < len(seg) and seg[after].isspace():
            after += 1
        return (before >= 0 and backwards(before, k)) or (after < len(seg) and backwards(k, after))

    if not any(out_of_place(m.start()) for m in _OUT_OF_FLOW.finditer(seg)):
        return None
    generated = _fast_c("FPDFText_IsGenerated")
    kept: list[tuple[float, float, float, float, str, float]] = []
    for k, ch in enumerate(seg):
        if ch.isspace() and generated(tp, first + k):
            continue
        b = boxes.get(k)
        if b is None:
            if not get_box(tp, first + k, rect_p):
                return None
            b = (rect.left, rect.right, rect.bottom, rect.top)
        kept.append((b[0], b[1], b[2], b[3], ch, sizes[k]))
    centres = [(b[2] + b[3]) / 2 for b in kept if not b[4].isspace()]
    if max(centres) - min(centres) > 0.5 * max(sizes):
        return None
    kept.sort(key=_first_item)
    out = kept[0][4]
    for prev, cur in itertools.pairwise(kept):
        if not (prev[4].isspace() or cur[4].isspace()) and cur[0] - prev[1] > 0.1 * prev[5]:
            out += " "
        out += cur[4]
    head, tail = kept[0], kept[-1]
    return (
        out.strip(),
        head[0],
        min(head[2], tail[2]),
        max(b[1] for b in kept),
        max(head[3], tail[3]),
    )


@cache
def _char_table() -> dict[int, str]:
    """Kangxi radicals and compatibility ideographs → the ordinary characters they stand for, and
    Symbol/Wingdings bullets (private-use U+F0xx) → "•".

    Word often writes CJK text with a ToUnicode map onto radicals (⼀ U+2F00 for 一), which reads
    the same but breaks every keyword search.
    """
    table: dict[int, str] = dict.fromkeys(range(0xF000, 0xF100), "•")
    for lo, hi in ((0x2E80, 0x2EF3), (0x2F00, 0x2FD5), (0xF900, 0xFAFF)):
        for cp in range(lo, hi + 1):
            norm = unicodedata.normalize("NFKC", chr(cp))
            if norm != chr(cp) and len(norm) == 1:
                table[cp] = norm
    return table


# --- ruled tables, from pdfium ----------------------------------------------------------------------


def _table_cells(page: Any, objects: _Objects, mediabox: tuple[float, float, float, float]) -> list[list[Cell]] | None:
    """The cells of the page's ruled tables, rebuilt from its path objects the way pdfplumber finds
    them (see ``pdf_tables``); ``None`` when only pdfplumber can tell."""
    if objects.form_rules or page.get_rotation() or mediabox[0] or mediabox[1] or not _own_mediabox(page):
        return None  # pdfminer applies what pdfium leaves out here: read the page with pdfplumber
    edges = _rule_edges(objects.page_paths, mediabox[3])
    if edges is None:
        return None
    return pdf_tables.find_tables(*edges)


def _own_mediabox(page: Any) -> bool:
    """Whether the page dictionary sets its MediaBox. pdfium does not look up an inherited one, and
    pypdfium2 then answers US Letter, which is not where pdfplumber puts the page's top."""
    import pypdfium2.raw as pdfium_c

    box = [ctypes.c_float() for _ in range(4)]
    return bool(pdfium_c.FPDFPage_GetMediaBox(page.raw, *box))


def _table_boxes(tables: Sequence[Sequence[Cell]], top: float) -> list[tuple[float, float, float, float]]:
    """In PDF space, the boxes of the tables that will be tables (two rows and two columns at least)."""
    out = []
    for cells in tables:
        # as many rows and columns as distinct tops and lefts (pdfplumber's Table.rows/.columns)
        if len({c[1] for c in cells}) >= 2 and len({c[0] for c in cells}) >= 2:
            x0, t, x1, b = bbox(cells)
            out.append((x0, top - b, x1, top - t))
    return out


def _read_tables(
    raw_textpage: Any,
    text: str,
    spans: Sequence[_Span],
    tables: Sequence[Sequence[Cell]],
    top: float,
    page_no: int,
) -> tuple[_TableItem, ...] | None:
    """The tables' cell texts, from the characters' boxes; ``None`` when only pdfplumber can tell."""
    reader = _TableText(raw_textpage, text, spans, tables, top)
    runs = reader.runs()
    if runs is None:
        return None
    try:
        grids = pdf_tables.read_grids(tables, runs, reader.measured)
    except pdf_tables.Unreadable:
        return None
    items = (_table_item(g, page_no, top) for g in grids)
    return tuple(item for item in items if item is not None)


class _TableText:
    """The characters of every text line that reaches into a table, in page order, with
    pdfplumber's boxes (pdfminer's box runs from the baseline side up by the font size).

    Reading every character's box is most of a table page's cost, so a line is read in chunks
    where that cannot change the cells' texts: pdfium inserts a space wherever a gap exceeds a
    quarter of the font size, so between two of its spaces the characters stand gap-free (for
    fonts up to 12 pt, whose quarter is pdfplumber's 3 pt word gap) and a chunk needs only its two
    end characters' boxes; it goes to ``pdf_tables`` as one entry (see ``Run``). That is used only
    when no cell edge runs through the chunk and no row edge comes near the line, so every
    character lands in the cell its own box puts it in. Lines with characters that may be out of
    order, mixed or larger sizes, or a chunk across a cell edge are read per character, as are the
    lines whose characters a cell needs placed one by one (``read_grids`` asks for them).
    """

    CHUNK_MAX_SIZE = 12.0
    ROW_MARGIN = 2.0  # how far other fonts' baselines in a line may put a character's centre

    def __init__(
        self,
        raw_textpage: Any,
        text: str,
        spans: Sequence[_Span],
        tables: Sequence[Sequence[tuple[float, float, float, float]]],
        top: float,
    ) -> None:
        import pypdfium2.raw as pdfium_c

        self.tp = raw_textpage
        self.text = text
        self.top = top
        self.boxes = [bbox(t) for t in tables]
        self.columns = sorted({x for t in tables for c in t for x in (c[0], c[2])})
        self.rows = sorted({y for t in tables for c in t for y in (c[1], c[3])})
        self.rect = pdfium_c.FS_RECTF()
        self.rect_p = ctypes.pointer(self.rect)
        self.spans = [span for span in spans if self._reaches(span.line)]

    def _reaches(self, ln: _Line) -> bool:
        # in PDF space, by a font size to spare: pdfplumber's boxes run from the baseline side
        low, high, margin = self.top - ln.y0 + ln.size, self.top - ln.y1 - ln.size, ln.size
        for x0, t, x1, b in self.boxes:
            if high <= b and low >= t and ln.x0 - margin <= x1 and ln.x1 + margin >= x0:
                return True
        return False

    def runs(self) -> list[Any] | None:
        """``None`` if any of the lines is rotated (pdfplumber reads it in its own direction)."""
        angle = _fast_c("FPDFText_GetCharAngle")
        out = []
        for line, span in enumerate(self.spans):  # in page order
            if abs(angle(self.tp, span.first)) > 1e-3:
                return None
            run = self._chunked(span, line) or self.measured(line)
            if run is None:
                return None
            out.append(run)
        return out

    def measured(self, line: int) -> Any:
        """Line number ``line`` with every character's box measured."""
        span = self.spans[line]
        first, last, sizes = span.first, span.last, span.sizes
        text, tp, rect, rect_p, top = self.text, self.tp, self.rect, self.rect_p, self.top
        seg = text[first : last + 1]
        keep: Iterable[int] = range(first, last + 1)
        if " " in seg:  # pdfium's own spaces (at gaps) are not characters of the page
            generated = _fast_c("FPDFText_IsGenerated")
            kept = [i for i in keep if text[i] != " " or not generated(tp, i)]
            seg = "".join(text[i] for i in kept)
            sizes = [sizes[i - first] for i in kept]
            keep = kept
        get_box = _fast_c("FPDFText_GetLooseCharBox")
        x0s, x1s, bottoms = [], [], []
        for i in keep:
            if not get_box(tp, i, rect_p):
                return None
            x0s.append(rect.left)
            x1s.append(rect.right)
            bottoms.append(top - rect.bottom)
        tops = [b - s for b, s in zip(bottoms, sizes, strict=True)]
        return Run(x0s, tops, x1s, bottoms, seg, True, line)

    def _chunked(self, span: _Span, line: int) -> Any:
        size = span.sizes[0]
        if not span.plain or size > self.CHUNK_MAX_SIZE:
            return None
        bottom = self.top - span.head[2]
        centre = ((bottom - size) + bottom) / 2
        rows = self.rows
        at = bisect_left(rows, centre - self.ROW_MARGIN)
        if at < len(rows) and rows[at] <= centre + self.ROW_MARGIN:
            return None  # a row edge near the line: its characters' centres decide the row
        first = span.first
        seg = self.text[first : span.last + 1]
        columns = self.columns
        at = seg.find(" ")
        if at < 0:  # one chunk, the line's own ends (most lines in cells)
            head, tail = span.head, span.tail
            if tail[0] < head[0]:
                return None
            if bisect_right(columns, (head[0] + head[1]) / 2) != bisect_right(columns, (tail[0] + tail[1]) / 2):
                return None
            return Run([head[0]], [bottom - size], [tail[1]], [bottom], [seg], False, line)
        # chunks between pdfium's own spaces: (start, end) inclusive
        chunks: list[tuple[int, int]] = []
        start = 0
        if at >= 0:
            generated = _fast_c("FPDFText_IsGenerated")
            while at >= 0:
                if generated(self.tp, first + at):
                    if at > start:
                        chunks.append((start, at - 1))
                    start = at + 1
                at = seg.find(" ", at + 1)
        end = len(seg) - 1
        chunks.append((start, end))
        x0s: list[float] = []
        x1s: list[float] = []
        texts: list[str] = []
        for a, b in chunks:
            head = span.head if a == 0 else self._box(first + a)
            tail = span.tail if b == end else self._box(first + b)
            if head is None or tail is None or tail[0] < head[0] or (x0s and head[0] < x1s[-1]):
                return None  # out of order, or overlapping: measure each character
            if bisect_right(columns, (head[0] + head[1]) / 2) != bisect_right(columns, (tail[0] + tail[1]) / 2):
                return None  # a cell edge runs through the chunk
            x0s.append(head[0])
            x1s.append(tail[1])
            texts.append(seg[a : b + 1])
        n = len(texts)
        return Run(x0s, [bottom - size] * n, x1s, [bottom] * n, texts, False, line)

    def _box(self, index: int) -> tuple[float, float, float] | None:
        if not _fast_c("FPDFText_GetLooseCharBox")(self.tp, index, self.rect_p):
            return None
        return self.rect.left, self.rect.right, self.rect.bottom


def _table_item(grid: Any, page_no: int, top: float) -> _TableItem | None:
    rows = _clean_rows(fill_merged(grid.rows, grid.texts, grid.row_boxes, grid.column_boxes))
    if len(rows) < 2 or len(rows[0]) < 2:
        return None  # a framed line or box is a text frame, not a table
    x0, t, x1, b = grid.bbox
    # pdfplumber measures from the top of the page, pdfium from the bottom
    bbox = (x0, top - b, x1, top - t)
    return _TableItem(page_no, bbox[3], bbox, Table(rows))


def _clean_rows(rows: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_clean_cell(text) for text in row) for row in rows)


def _clean_cell(text: str) -> str:
    if _TRANSLATED.search(text):
        text = text.translate(_char_table())
    text = _CONTROL.sub("", text)
    if "\n" not in text:  # one line: what _join_lines leaves of it
        return text.strip()
    return _join_lines(text.split("\n"))


# --- running headers, footers and page numbers ----------------------------------------------------


def _drop_running_lines(pages: Sequence[_Page]) -> list[list[_Line]]:
    """Each page's lines without running headers/footers and bare page numbers."""

    def band_lines(page: _Page) -> list[_Line]:
        edge = page.height * BAND
        head = [ln for ln in page.lines[:2] if ln.y1 >= page.top - edge]
        foot = [ln for ln in page.lines[-2:] if ln.y0 <= page.top - page.height + edge]
        return head + foot

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))

    repeated: set[str] = set()
    text_pages = [p for p in pages if p.lines]
    if len(text_pages) >= 3:
        seen = Counter(k for p in text_pages for k in {key(ln) for ln in band_lines(p)})
        repeated = {k for k, n in seen.items() if n * 2 >= len(text_pages)}
    out: list[list[_Line]] = []
    for page in pages:
        drop = {
            id(ln) for ln in band_lines(page) if key(ln) in repeated or PAGE_NUMBER.match(ln.text)
        }
        out.append([ln for ln in page.lines if id(ln) not in drop] if drop else list(page.lines))
    return out


# --- tables with pdfplumber, on the pages pdfium cannot vouch for ---------------------------------


def _find_tables(data: bytes, pages: Sequence[_Page]) -> tuple[dict[int, list[_TableItem]], list[str]]:
    """Gridded tables per page, and notes for the user. Pages whose tables came from pdfium keep
    them; pdfplumber is opened only for the pages ``_table_cells`` and ``_read_tables`` could not settle."""
    found = {p.number: list(p.tables) for p in pages if p.tables}
    candidates = [p for p in pages if p.tables is None]
    if not candidates:
        return found, []
    import io

    import pdfplumber

    failed: list[int] = []
    try:
        doc = pdfplumber.open(io.BytesIO(data))
    except Exception:  # pdfminer refuses some files pdfium reads: keep the text, lose the grids
        return found, ["表格结构无法识别，表格内容按普通文字读取"]
    with doc:
        for page in candidates:
            try:
                items = _page_tables(doc.pages[page.number - 1], page)
            except Exception:  # same, for one page; bugs of ours would show in the tests' tables
                failed.append(page.number)
                continue
            if items:
                found[page.number] = items
    notes = []
    if failed:
        listed = "、".join(str(n) for n in failed)
        notes.append(f"第{listed}页的表格结构无法识别，表格内容按普通文字读取")
    return found, notes


def _page_tables(pl_page: Any, page: _Page) -> list[_TableItem]:
    top0 = pl_page.mediabox[1]
    items = []
    try:
        for table in pl_page.filter(_is_ruling).find_tables():
            grid = [row.cells for row in table.rows]
            boxes = [row.bbox for row in table.rows]
            columns = [column.bbox for column in table.columns]
            rows = _clean_rows(fill_merged(grid, table.extract(), boxes, columns))
            if len(rows) < 2 or len(rows[0]) < 2:
                continue  # a framed line or box is a text frame, not a table
            x0, top, x1, bottom = table.bbox
            # pdfplumber measures from the top of the page, pdfium from the bottom
            bbox = (x0, page.top - (bottom - top0), x1, page.top - (top - top0))
            items.append(_TableItem(page.number, bbox[3], bbox, Table(rows)))
    finally:
        pl_page.close()
    return items


def _is_ruling(obj: dict[str, Any]) -> bool:
    """Whether a pdfplumber object may be a table rule. White boxes behind text (Word's shading of
    pasted web text) and light cell backgrounds would otherwise turn every sentence into a table.
    ``_rule_edges`` applies the same filter to pdfium's path objects."""
    kind = obj.get("object_type")
    if kind == "line":
        return not _is_light(obj.get("stroking_color"))
    if kind != "rect":
        return True
    if obj.get("stroke") and not _is_light(obj.get("stroking_color")):
        return True
    thin = min(obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]) <= THIN
    return bool(obj.get("fill")) and thin and not _is_light(obj.get("non_stroking_color"))


def _is_light(color: Any) -> bool:
    """White or nearly so, in gray, RGB or CMYK."""
    if isinstance(color, (int, float)):
        color = (color,)
    if not isinstance(color, (tuple, list)) or not color:
        return False  # patterns and unknown spaces: assume visible
    if not all(isinstance(c, (int, float)) for c in color):
        return False
    if len(color) == 4:
        return max(color) <= 0.1
    return min(color) >= 0.9


# --- lines → paragraphs ---------------------------------------------------------------------------


def _build_blocks(
    pages: Sequence[_Page], body: Sequence[list[_Line]], tables: dict[int, list[_TableItem]]
) -> list[RawBlock]:
    margins = _margins(pages, body)
    by_number = {p.number: p for p in pages}
    stream = _items(pages, body, tables)
    body_size = _body_size(body)
    blocks: list[RawBlock] = []
    table_no = 0
    group: list[tuple[_Line, int]] = []

    def flush() -> None:
        if group:
            page_no = group[0][0].page
            blocks.append(_paragraph(group, margins[page_no], by_number[page_no], body_size))
            group.clear()

    table_end_page = 0
    for item, line_no in stream:
        if isinstance(item, _TableItem):
            flush()
            last = blocks[-1] if blocks else None
            if (
                last is not None
                and last.table is not None
                and table_end_page == item.page - 1
                and line_no == 1
                and len(last.table.header) == len(item.table.header)
            ):
                merged = _continue_table(last.table, item.table)
                blocks[-1] = replace(last, text=merged.text(), table=merged)
            else:
                table_no += 1
                loc = Location(page=item.page, line=line_no, table=table_no)
                blocks.append(RawBlock(text=item.table.text(), location=loc, table=item.table))
            table_end_page = item.page
            continue
        if group and not _continues(group[-1][0], item, margins):
            flush()
        group.append((item, line_no))
    flush()
    return _with_style_levels(blocks, body_size)


def _continue_table(head: Table, tail: Table) -> Table:
    """One table from a table that runs on at the top of the next page.

    Word repeats the header row on every page when asked to, and by default lets a row break
    across pages: the part on the new page then has an empty first cell.
    """
    rows = list(tail.rows)
    if rows and rows[0] == head.header:
        rows.pop(0)
    out = list(head.rows)
    if rows and out and not rows[0][0] and out[-1][0] and any(rows[0]):
        out[-1] = tuple(_join_lines([a, b]) for a, b in zip(out[-1], rows.pop(0), strict=True))
    return Table(tuple(out) + tuple(rows))


def _items(
    pages: Sequence[_Page], body: Sequence[list[_Line]], tables: dict[int, list[_TableItem]]
) -> Iterator[tuple[_Line | _TableItem, int]]:
    """Lines and tables in reading order, each with the 1-based body-line number it starts at."""
    for page, lines in zip(pages, body, strict=True):
        page_tables = tables.get(page.number, [])
        if not page_tables:
            yield from ((line, no) for no, line in enumerate(lines, start=1))
            continue
        pending = sorted(page_tables, key=lambda t: -t.top)
        boxes = [t.bbox for t in page_tables]
        for no, line in enumerate(lines, start=1):
            k = _box_at((line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2, boxes)
            inside = None if k is None else page_tables[k]
            while pending and (pending[0] is inside or pending[0].top >= line.y1):
                yield pending.pop(0), no
            if inside is None:
                yield line, no
        for table in pending:
            yield table, len(lines) or 1


def _margins(pages: Sequence[_Page], body: Sequence[list[_Line]]) -> dict[int, _Margins]:
    """Per page: the text body's left and right edges and the gap that separates paragraphs.

    Full lines of body text all end near one x, so a high percentile of line ends is the right
    margin; pages with too few long lines borrow the document-wide figure.
    """
    starts = [[ln.x0 for ln in lines] for lines in body]
    long_ends = [[ln.x1 for ln in lines if len(ln.text) >= 8] for lines in body]
    all_long_ends = [x for ends in long_ends for x in ends]
    left = _percentile([x for xs in starts for x in xs], 0.1, 72.0)
    mirror = 2 * pages[0].centre_x - left if pages else 523.0  # margins are symmetric in practice
    right = _percentile(all_long_ends, 0.9, mirror) if len(all_long_ends) >= 5 else mirror
    gap = _para_gap(body)
    out: dict[int, _Margins] = {}
    for page, xs, ends in zip(pages, starts, long_ends, strict=True):
        if len(ends) >= 5:
            out[page.number] = _Margins(_percentile(xs, 0.1, left), _percentile(ends, 0.9, right), gap, page.centre_x)
        else:
            out[page.number] = _Margins(left, right, gap, page.centre_x)
    return out


def _percentile(values: Sequence[float], q: float, default: float) -> float:
    if not values:
        return default
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _para_gap(body: Sequence[list[_Line]]) -> float:
    """The usual white gap between two lines of one paragraph, in font sizes (line spacing scales
    with the font), times 1.6 and at least half a line more."""
    gaps: Counter[float] = Counter()
    rounded: dict[float, float] = {}  # round(x, 1) goes through a decimal conversion; gaps repeat
    for lines in body:
        for a, b in itertools.pairwise(lines):
            if abs(a.size - b.size) < 0.5 and a.y0 > b.y1 and a.size > 0:
                gap = (a.y0 - b.y1) / a.size
                if gap not in rounded:
                    rounded[gap] = round(gap, 1)
                gaps[rounded[gap]] += 1
    if not gaps:
        return 1.0
    usual = gaps.most_common(1)[0][0]
    return max(usual * 1.6, usual + 0.5)


def _continues(prev: _Line, line: _Line, margins: dict[int, _Margins]) -> bool:
    """Whether ``line`` carries on the sentence that ``prev`` broke off at the right margin."""
    if abs(prev.size - line.size) >= 0.5 or prev.bold != line.bold:
        return False
    tail = prev.text.rstrip(CLOSERS)
    if not tail or tail[-1] in SENTENCE_END:
        return False
    end = tail[-1]  # a leader line ends in leaders, blanks or digits: only then try the pattern
    if (end in ".…·-_" or end.isdecimal() or end.isspace()) and TOC_LEADER.search(tail):
        return False
    here, there = margins[prev.page], margins[line.page]
    slack = 1.5 * prev.size
    if LATIN_END.match(prev.text[-1]) and (word := FIRST_WORD.match(line.text)):
        slack = max(slack, (len(word.group()) * 0.6 + 1) * prev.size)  # a Latin word went down whole
    if prev.x1 < here.right - slack:
        return False
    if line.x0 >= there.left + line.size and not (_centred(prev, here) and _centred(line, there)):
        return False  # first-line indent: a new paragraph (a wrapped centred title is one, though)
    if line.page == prev.page:
        gap = prev.y0 - line.y1
        return -prev.size < gap <= here.para_gap * max(prev.size, line.size)
    return line.page == prev.page + 1


def _centred(line: _Line, margins: _Margins) -> bool:
    return abs((line.x0 + line.x1) / 2 - margins.centre) <= line.size


def _paragraph(
    group: Sequence[tuple[_Line, int]], margins: _Margins, page: _Page, body_size: float | None
) -> RawBlock:
    first, line_no = group[0]
    # against the page's centre, not the body's: margins guessed from a few lines are unreliable,
    # and Chinese documents keep left and right margins equal
    # plain body text must start further in than a two-character first-line indent, or a one-line
    # paragraph that happens to end two characters short of the margin would look centred
    plain = not first.bold and (body_size is None or first.size < body_size + 1)
    tolerance = max(0.02 * page.width, first.size)
    centre, left, indent = page.centre_x, margins.left, 2.5 if plain else 1.0
    if len(group) == 1:  # most blocks: one line (headings, short items)
        text, size = _join_lines((first.text,)), first.size
        centered = abs((first.x0 + first.x1) / 2 - centre) <= tolerance and first.x0 > left + indent * first.size
    else:
        lines = [ln for ln, _ in group]
        sizes = sorted([ln.size for ln in lines])
        text, size = _join_lines([ln.text for ln in lines]), sizes[len(sizes) // 2]
        centered = all(abs((ln.x0 + ln.x1) / 2 - centre) <= tolerance for ln in lines) and any(
            ln.x0 > left + indent * ln.size for ln in lines
        )
    return RawBlock(
        text=text,
        location=Location(page=first.page, line=line_no),
        bold=first.bold,
        font_size=size,
        centered=centered,
    )


def _join_lines(parts: Iterable[str]) -> str:
    """CJK lines join directly; a Latin word at both sides of the break gets its space back."""
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        # the parts are stripped, so only the last character can end a Latin word
        if out and LATIN_END.match(out[-1][-1]) and LATIN_START.match(part):
            out.append(" ")
        out.append(part)
    return "".join(out)


def _body_size(body: Sequence[list[_Line]]) -> float | None:
    weights: dict[float, int] = {}
    halves: dict[float, float] = {}  # sizes repeat: round each once
    for lines in body:
        for ln in lines:
            size = ln.size
            key = halves.get(size)
            if key is None:
                key = halves[size] = round(size * 2) / 2
            weights[key] = weights.get(key, 0) + len(ln.text)
    # the heaviest size; the first one seen wins a tie, as Counter.most_common does
    return max(weights, key=weights.__getitem__) if weights else None


def _with_style_levels(blocks: list[RawBlock], body_size: float | None) -> list[RawBlock]:
    """Short lines set larger than the body text get a level by size rank (a hint for the outline)."""
    if body_size is None:
        return blocks

    def big_size(b: RawBlock) -> float | None:
        if b.table is None and b.font_size and len(b.text) <= HEADING_MAX_CHARS:
            size = round(b.font_size * 2) / 2
            return size if size >= body_size + 1 else None
        return None

    sizes = [big_size(b) for b in blocks]
    ranked = sorted({s for s in sizes if s}, reverse=True)
    rank = {s: i + 1 for i, s in enumerate(ranked)}
    return [replace(b, style_level=rank[size]) if size else b for b, size in zip(blocks, sizes, strict=True)]
