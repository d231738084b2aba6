"""PDF → RawDocument: text lines from pypdfium2, rejoined into paragraphs; gridded tables via pdfplumber.

pypdfium2 reads every page (it is many times faster than pdfminer); pdfplumber is opened only when a
page draws enough ruling lines to hold a table, and only those pages are handed to it. Lines inside a
table's box are taken out of the text flow so a table's words are not read twice.

``Location.line`` counts the body lines of a page from the top, running headers and footers excluded,
so "第3页第12行" is where a reader finds the paragraph's first line.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from yjplan.errors import EncryptedDocument, FileTooLarge, ParseFailed, ScannedPdf
from yjplan.limits import Limits
from yjplan.model import Location, Table
from yjplan.parse.raw import RawBlock, RawDocument

SENTENCE_END = "。！？；：…!?;:"
CLOSERS = "”’」』）)】》〉\"' "
BOLD_FONT_MARKERS = ("bold", "heavy", "black", "黑体", "hei")
MIN_TEXT_CHARS = 20  # non-space characters per page below which a page has no real text layer
TABLE_MIN_RULES = 6  # ruling lines/bars on a page before pdfplumber is asked to look for a table
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


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    page: int  # 1-based
    x0: float
    y0: float  # PDF space: y grows upwards
    x1: float
    y1: float
    size: float
    bold: bool

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2


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


def _read_page(pdfium: Any, pdf: Any, index: int, path: Path) -> _Page:
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise ParseFailed(f"PDF 第{index + 1}页已损坏，无法解析", path=path) from exc
    try:
        width, height = page.get_size()
        mediabox = page.get_mediabox()
        images, cover, paths, rules = _count_objects(page.raw, width * height)
        textpage = page.get_textpage()
        try:
            lines, chars = _page_lines(textpage, index + 1)
        finally:
            textpage.close()
    except pdfium.PdfiumError as exc:
        raise ParseFailed(f"PDF 第{index + 1}页已损坏，无法解析", path=path) from exc
    finally:
        page.close()
    centre_x = (mediabox[0] + mediabox[2]) / 2
    return _Page(
        index + 1, width, height, mediabox[3], centre_x, lines, chars, images, cover, paths, rules
    )


def _count_objects(raw_page: Any, area: float) -> tuple[int, float, int, int]:
    """Images (and the largest one's share of the page), path objects, and the paths among them
    that can be table rules (visible strokes or thin dark bars), forms included."""
    import pypdfium2.raw as pdfium_c

    images = paths = rules = 0
    cover = 0.0
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    stack: list[tuple[Any, bool, int]] = [(raw_page, False, 0)]
    while stack:
        parent, is_form, depth = stack.pop()
        count = (pdfium_c.FPDFFormObj_CountObjects if is_form else pdfium_c.FPDFPage_CountObjects)(parent)
        get = pdfium_c.FPDFFormObj_GetObject if is_form else pdfium_c.FPDFPage_GetObject
        for i in range(max(count, 0)):
            obj = get(parent, i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                paths += 1
                rules += _is_rule(obj)
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                images += 1
                if area > 0 and pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                    cover = max(cover, (right.value - left.value) * (top.value - bottom.value) / area)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 4:
                stack.append((obj, True, depth + 1))
    return images, min(cover, 1.0), paths, rules


def _is_rule(obj: Any) -> bool:
    import pypdfium2.raw as pdfium_c

    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke):
        return False
    r, g, b, a = (ctypes.c_uint() for _ in range(4))

    def dark() -> bool:  # white boxes behind text are drawn too, and must not count
        return bool(a.value) and min(r.value, g.value, b.value) < 230

    if stroke.value and pdfium_c.FPDFPageObj_GetStrokeColor(obj, r, g, b, a) and dark():
        return True
    if not (fill.value and pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a) and dark()):
        return False
    x0, y0, x1, y1 = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, x0, y0, x1, y1):
        return False
    return min(x1.value - x0.value, y1.value - y0.value) <= 3  # a bar, not a shaded area


def _page_lines(textpage: Any, page_no: int) -> tuple[tuple[_Line, ...], int]:
    """The page's text lines, top to bottom, and its count of non-space characters.

    One pass over the characters: pdfium already breaks the text into lines (it inserts CR LF),
    so only the two end characters of a line need a box, and the font size is read per character.
    """
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    if n <= 0:
        return (), 0
    text = textpage.get_text_range()
    if len(text) != n:  # pdfium dropped or added characters: index the char list one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(n))
    text = text.translate(_char_table())
    get_size = pdfium_c.FPDFText_GetFontSize
    rect = pdfium_c.FS_RECTF()
    lines: list[_Line] = []
    chars = 0
    for m in re.finditer(r"[^\r\n]+", text):
        seg = m.group()
        stripped = seg.strip()
        if not stripped:
            continue
        first = m.start() + len(seg) - len(seg.lstrip())
        last = m.start() + len(seg.rstrip()) - 1
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, first, rect):
            continue
        x0, y0, y1 = rect.left, rect.bottom, rect.top
        x1 = rect.right
        if pdfium_c.FPDFText_GetLooseCharBox(raw, last, rect):
            x1 = rect.right
            y0, y1 = min(y0, rect.bottom), max(y1, rect.top)
        sizes = sorted(get_size(raw, i) for i in range(first, last + 1) if not text[i].isspace())
        chars += len(sizes)
        size = round(sizes[len(sizes) // 2], 1)
        probes = {first, (first + last) // 2, last}
        bold = sum(_is_bold(raw, i) for i in probes) * 2 > len(probes)
        clean = _CONTROL.sub("", stripped)
        if clean:
            lines.append(_Line(clean, page_no, x0, y0, x1, y1, size, bold))
    lines.sort(key=lambda ln: (-round(ln.yc), ln.x0))
    return tuple(lines), chars


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def _is_bold(raw_textpage: Any, index: int) -> bool:
    import pypdfium2.raw as pdfium_c

    if pdfium_c.FPDFText_GetFontWeight(raw_textpage, index) >= 600:
        return True
    buf = ctypes.create_string_buffer(128)
    n = pdfium_c.FPDFText_GetFontInfo(raw_textpage, index, buf, 128, None)
    return 0 < n <= 128 and _bold_name(buf.value.decode("utf-8", "replace"))


@cache
def _bold_name(font: str) -> bool:
    name = font.lower().replace("yahei", "")  # 微软雅黑 is a body font despite the "Hei"
    return any(marker in name for marker in BOLD_FONT_MARKERS)


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
        out.append([ln for ln in page.lines if id(ln) not in drop])
    return out


# --- tables with pdfplumber -----------------------------------------------------------------------


def _find_tables(data: bytes, pages: Sequence[_Page]) -> tuple[dict[int, list[_TableItem]], list[str]]:
    """Gridded tables on the pages that draw enough lines to hold one, and notes for the user."""
    candidates = [p for p in pages if p.rules >= TABLE_MIN_RULES and p.lines]
    if not candidates:
        return {}, []
    import io

    import pdfplumber

    found: dict[int, list[_TableItem]] = {}
    failed: list[int] = []
    try:
        doc = pdfplumber.open(io.BytesIO(data))
    except Exception:  # pdfminer refuses some files pdfium reads: keep the text, lose the grids
        return {}, ["表格结构无法识别，表格内容按普通文字读取"]
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
            rows = _table_rows(table)
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
    pasted web text) and light cell backgrounds would otherwise turn every sentence into a table."""
    kind = obj.get("object_type")
    if kind == "line":
        return not _is_light(obj.get("stroking_color"))
    if kind != "rect":
        return True
    if obj.get("stroke") and not _is_light(obj.get("stroking_color")):
        return True
    thin = min(obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]) <= 3
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


def _table_rows(table: Any) -> tuple[tuple[str, ...], ...]:
    """The row × column grid; a merged cell repeats its text in every grid cell it covers."""
    grid = table.rows
    texts = table.extract()
    cells = [
        (bbox, text or "")
        for row, row_texts in zip(grid, texts, strict=False)
        for bbox, text in zip(row.cells, row_texts, strict=False)
        if bbox is not None
    ]
    columns = table.columns
    out: list[tuple[str, ...]] = []
    for row, row_texts in zip(grid, texts, strict=False):
        out_row: list[str] = []
        for j, text in enumerate(row_texts):
            if text is None:
                cx = (columns[j].bbox[0] + columns[j].bbox[2]) / 2
                cy = (row.bbox[1] + row.bbox[3]) / 2
                text = next((t for b, t in cells if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]), "")
            clean = _CONTROL.sub("", text.translate(_char_table()))
            out_row.append(_join_lines(clean.split("\n")))
        out.append(tuple(out_row))
    return tuple(out)


# --- lines → paragraphs ---------------------------------------------------------------------------


def _build_blocks(
    pages: Sequence[_Page], body: Sequence[list[_Line]], tables: dict[int, list[_TableItem]]
) -> list[RawBlock]:
    margins = _margins(pages, body)
    by_number = {p.number: p for p in pages}
    stream = list(_items(pages, body, tables))
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
        numbered = list(enumerate(lines, start=1))
        pending = sorted(page_tables, key=lambda t: -t.top)
        for no, line in numbered:
            inside = next((t for t in page_tables if _inside(line, t.bbox)), None)
            while pending and (pending[0] is inside or pending[0].top >= line.y1):
                yield pending.pop(0), no
            if inside is None:
                yield line, no
        for table in pending:
            yield table, len(numbered) or 1


def _inside(line: _Line, bbox: tuple[float, float, float, float]) -> bool:
    x = (line.x0 + line.x1) / 2
    return bbox[0] - 1 <= x <= bbox[2] + 1 and bbox[1] - 1 <= line.yc <= bbox[3] + 1


def _margins(pages: Sequence[_Page], body: Sequence[list[_Line]]) -> dict[int, _Margins]:
    """Per page: the text body's left and right edges and the gap that separates paragraphs.

    Full lines of body text all end near one x, so a high percentile of line ends is the right
    margin; pages with too few long lines borrow the document-wide figure.
    """
    all_lines = [ln for lines in body for ln in lines]
    long_lines = [ln for ln in all_lines if len(ln.text) >= 8]
    left = _percentile([ln.x0 for ln in all_lines], 0.1, 72.0)
    mirror = 2 * pages[0].centre_x - left if pages else 523.0  # margins are symmetric in practice
    right = _percentile([ln.x1 for ln in long_lines], 0.9, mirror) if len(long_lines) >= 5 else mirror
    doc = _Margins(left, right, _para_gap(body), pages[0].centre_x if pages else 297.6)
    out: dict[int, _Margins] = {}
    for page, lines in zip(pages, body, strict=True):
        own = [ln for ln in lines if len(ln.text) >= 8]
        if len(own) >= 5:
            out[page.number] = _Margins(
                _percentile([ln.x0 for ln in lines], 0.1, doc.left),
                _percentile([ln.x1 for ln in own], 0.9, doc.right),
                doc.para_gap,
                page.centre_x,
            )
        else:
            out[page.number] = replace(doc, centre=page.centre_x)
    return out


def _percentile(values: Sequence[float], q: float, default: float) -> float:
    if not values:
        return default
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _para_gap(body: Sequence[list[_Line]]) -> float:
    """The usual white gap between two lines of one paragraph, in font sizes (line spacing scales
    with the font), times 1.6 and at least half a line more."""
    gaps = Counter(
        round((a.y0 - b.y1) / a.size, 1)
        for lines in body
        for a, b in itertools.pairwise(lines)
        if abs(a.size - b.size) < 0.5 and a.y0 > b.y1 and a.size > 0
    )
    if not gaps:
        return 1.0
    usual = gaps.most_common(1)[0][0]
    return max(usual * 1.6, usual + 0.5)


def _continues(prev: _Line, line: _Line, margins: dict[int, _Margins]) -> bool:
    """Whether ``line`` carries on the sentence that ``prev`` broke off at the right margin."""
    if abs(prev.size - line.size) >= 0.5 or prev.bold != line.bold:
        return False
    tail = prev.text.rstrip(CLOSERS)
    if not tail or tail[-1] in SENTENCE_END or TOC_LEADER.search(tail):
        return False
    here, there = margins[prev.page], margins[line.page]
    slack = 1.5 * prev.size
    if LATIN_END.search(prev.text) and (word := FIRST_WORD.match(line.text)):
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
    lines = [ln for ln, _ in group]
    first, line_no = group[0]
    sizes = sorted(ln.size for ln in lines)
    # against the page's centre, not the body's: margins guessed from a few lines are unreliable,
    # and Chinese documents keep left and right margins equal
    # plain body text must start further in than a two-character first-line indent, or a one-line
    # paragraph that happens to end two characters short of the margin would look centred
    plain = not first.bold and (body_size is None or first.size < body_size + 1)
    tolerance = max(0.02 * page.width, first.size)
    centered = all(abs((ln.x0 + ln.x1) / 2 - page.centre_x) <= tolerance for ln in lines) and any(
        ln.x0 > margins.left + (2.5 if plain else 1.0) * ln.size for ln in lines
    )
    return RawBlock(
        text=_join_lines(ln.text for ln in lines),
        location=Location(page=first.page, line=line_no),
        bold=first.bold,
        font_size=sizes[len(sizes) // 2],
        centered=centered,
    )


def _join_lines(parts: Iterable[str]) -> str:
    """CJK lines join directly; a Latin word at both sides of the break gets its space back."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and LATIN_END.search(out) and LATIN_START.match(part):
            out += " "
        out += part
    return out


def _body_size(body: Sequence[list[_Line]]) -> float | None:
    weights: Counter[float] = Counter()
    for lines in body:
        for ln in lines:
            weights[round(ln.size * 2) / 2] += len(ln.text)
    return weights.most_common(1)[0][0] if weights else None


def _with_style_levels(blocks: list[RawBlock], body_size: float | None) -> list[RawBlock]:
    """Short lines set larger than the body text get a level by size rank (a hint for the outline)."""
    if body_size is None:
        return blocks

    def big_size(b: RawBlock) -> float | None:
        if b.table is None and b.font_size and len(b.text) <= HEADING_MAX_CHARS:
            size = round(b.font_size * 2) / 2
            return size if size >= body_size + 1 else None
        return None

    ranked = sorted({s for b in blocks if (s := big_size(b))}, reverse=True)
    rank = {s: i + 1 for i, s in enumerate(ranked)}
    out = []
    for b in blocks:
        size = big_size(b)
        out.append(replace(b, style_level=rank[size]) if size else b)
    return out
