"""Regenerate the sample plans in ``samples/`` from their annotated sources in ``samples/src/*.txt``.

    python samples/make_samples.py            # write every sample next to this script
    python samples/make_samples.py --check    # rebuild in a temp dir, exit 1 if any sample differs

The sources use a small line-based markup (documented in ``samples/README.md``); the ``@format``
directive of each source picks the renderer: .docx (python-docx plus an injected numbering.xml
definition), .pdf (reportlab, CID font STSong-Light), .md or plain text in any encoding.

Output is byte-for-byte reproducible: the .docx zip entries carry a fixed timestamp and the core
properties come from ``@date``; the PDF is written in reportlab's invariant mode with its dates
taken from ``@date``. The script is self-contained on purpose (it does not import the tests
package): samples ship with the project and must rebuild without the test fixtures, whose
builders are tuned for small synthetic inputs (fixed PDF title, no cell wrapping, no metadata).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
SRC_DIR = HERE / "src"

CN_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # title | center | heading | para | bold | toc | table | pagebreak
    text: str = ""
    level: int = 0
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    stem: str
    meta: Mapping[str, str]
    blocks: tuple[Block, ...]

    @property
    def fmt(self) -> str:
        return self.meta["format"]

    @property
    def title(self) -> str:
        return self.meta.get("title", self.stem)

    @property
    def issued(self) -> date:
        return date.fromisoformat(self.meta["date"])

    @property
    def auto_numbering(self) -> bool:
        return "auto" in self.meta

    @property
    def out_name(self) -> str:
        return f"{self.stem}.{self.fmt}"


class MarkupError(ValueError):
    pass


# ---------------------------------------------------------------------------------------------
# markup


def parse_source(path: Path) -> Source:
    meta: dict[str, str] = {}
    blocks: list[Block] = []
    rows: list[tuple[str, ...]] = []

    def flush_table() -> None:
        if rows:
            widths = {len(r) for r in rows}
            if len(widths) != 1:
                raise MarkupError(f"{path.name}: 表格各行列数不一致 {sorted(widths)}，首行：{rows[0]}")
            blocks.append(Block("table", rows=tuple(rows)))
            rows.clear()

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            rows.append(tuple(c.strip().replace("\\n", "\n") for c in line[1:-1].split("|")))
            continue
        flush_table()
        if not line or line.startswith("//"):
            continue
        if line.startswith("@"):
            if blocks:
                raise MarkupError(f"{path.name}:{lineno}: 指令 {line!r} 必须写在正文之前")
            key, _, value = line[1:].partition(" ")
            meta[key] = value.strip()
            continue
        blocks.append(_parse_line(line, path, lineno))
    flush_table()
    for key in ("format", "date"):
        if key not in meta:
            raise MarkupError(f"{path.name}: 缺少 @{key} 指令")
    return Source(path.stem, meta, tuple(blocks))


def _parse_line(line: str, path: Path, lineno: int) -> Block:
    if m := re.match(r"#([1-3]) (.+)", line):
        return Block("heading", m.group(2).strip(), level=int(m.group(1)))
    if line.startswith("^^ "):
        return Block("title", line[3:].strip())
    if line.startswith("^ "):
        return Block("center", line[2:].strip())
    if line.startswith("** "):
        return Block("bold", line[3:].strip())
    if line.startswith("%toc "):
        return Block("toc", line[5:].strip())
    if line == "---":
        return Block("pagebreak")
    if line[0] in "#^%|@":
        raise MarkupError(f"{path.name}:{lineno}: 无法识别的标记 {line[:20]!r}")
    return Block("para", line.strip())


def chinese_number(n: int) -> str:
    """1..99 as written in 公文 numbering: 一、十、十一、二十一."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def heading_labels(blocks: Sequence[Block]) -> Iterator[tuple[Block, str]]:
    """The labels Word draws for auto-numbered headings: 一、 / （一） / 1."""
    counters = [0, 0, 0]
    for block in blocks:
        if block.kind != "heading":
            continue
        i = block.level - 1
        counters[i] += 1
        counters[i + 1 :] = [0] * (2 - i)
        n = counters[i]
        yield block, (f"{chinese_number(n)}、", f"（{chinese_number(n)}）", f"{n}.")[i]


def column_widths(rows: Sequence[Sequence[str]], total: float, font_size: float) -> list[float]:
    """Column widths that keep short columns (names, phone numbers, counts) on one line and let
    the long text columns share what is left and wrap, as a person laying out the table would."""

    def ems(text: str) -> float:  # a CJK character is 1 em, Latin letters and digits about half
        return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)

    ncols = len(rows[0])
    natural = [max(ems(part) for row in rows for part in row[c].split("\n")) + 1.6 for c in range(ncols)]
    natural = [max(n, 3.2) for n in natural]
    avail = total / font_size
    if sum(natural) <= avail:
        return [total * n / sum(natural) for n in natural]
    short = [n <= 8.8 for n in natural]
    fixed = sum(n for n, s in zip(natural, short, strict=True) if s)
    flexible = sum(n for n, s in zip(natural, short, strict=True) if not s)
    if not flexible:
        return [total * n / sum(natural) for n in natural]
    # short columns keep their width unless they would leave the text columns under 30 %
    fixed_scale = min(1.0, avail * 0.7 / fixed) if fixed else 1.0
    flex_scale = (avail - fixed * fixed_scale) / flexible
    return [font_size * n * (fixed_scale if s else flex_scale) for n, s in zip(natural, short, strict=True)]


def visible_text(source: Source) -> str:
    parts: list[str] = []
    for b in source.blocks:
        if b.kind == "table":
            parts.extend(c for row in b.rows for c in row)
        else:
            parts.append(b.text)
    return re.sub(r"\s", "", "".join(parts))


# ---------------------------------------------------------------------------------------------
# .docx


@dataclass(frozen=True, slots=True)
class DocxFonts:
    body: str = "仿宋_GB2312"
    title: str = "方正小标宋简体"
    heading: tuple[str, str, str] = ("黑体", "楷体_GB2312", "仿宋_GB2312")
    latin: str = "Times New Roman"


BODY_PT = 16  # 三号, the 公文 body size
LINE_PT = 28  # fixed line pitch, 22 lines a page on A4 with 公文 margins
NUM_ID = 90  # far from the ids the python-docx template already uses for its list styles


def _set_run_fonts(rpr_owner: object, east_asia: str, latin: str) -> None:
    from docx.oxml.ns import qn

    rpr = rpr_owner.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _setup_styles(doc: object, fonts: DocxFonts, text_width_twips: int) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Pt, RGBColor, Twips

    styles = doc.styles  # type: ignore[attr-defined]
    normal = styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_run_fonts(normal.element, fonts.body, fonts.latin)
    normal.element.get_or_add_rPr().append(parse_xml(f'<w:lang {nsdecls("w")} w:eastAsia="zh-CN"/>'))
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(BODY_PT * 2)

    for level, east_asia in enumerate(fonts.heading, 1):
        style = styles[f"Heading {level}"]
        style.font.size = Pt(BODY_PT)
        style.font.bold = level == 3  # 黑体 and 楷体 need no bold; 仿宋 headings are set bold
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_run_fonts(style.element, east_asia, fonts.latin)
        hpf = style.paragraph_format
        hpf.space_before = hpf.space_after = Pt(0)
        hpf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        hpf.line_spacing = Pt(LINE_PT)
        hpf.first_line_indent = Pt(BODY_PT * 2)
        hpf.keep_with_next = True

    toc_heading = styles["TOC Heading"]
    toc_heading.font.color.rgb = RGBColor(0, 0, 0)
    toc_heading.font.size = Pt(22)
    _set_run_fonts(toc_heading.element, fonts.heading[0], fonts.latin)
    toc_heading.paragraph_format.first_line_indent = Pt(0)
    toc_heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    toc_heading.paragraph_format.space_after = Pt(BODY_PT)

    # Word names its TOC entry styles "toc 1", "toc 2"; readers key on those names
    toc1 = styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    toc1.base_style = normal
    toc1.paragraph_format.first_line_indent = Pt(0)
    toc1.paragraph_format.tab_stops.add_tab_stop(
        Twips(text_width_twips), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )


def _add_numbering(doc: object) -> int:
    """Inject the multilevel list the headings use: 一、 / （一） / 1. (chineseCounting, decimal)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    levels = (("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3."))
    lvl_xml = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:suff w:val="nothing"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="0" w:firstLine="{BODY_PT * 2 * 20}"/></w:pPr></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    numbering = doc.part.numbering_part.element  # type: ignore[attr-defined]
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{NUM_ID}">'
        f'<w:multiLevelType w:val="multilevel"/>{lvl_xml}</w:abstractNum>'
    )
    # schema order: every abstractNum comes before the first num
    first_num = numbering.find(qn("w:num"))
    if first_num is None:
        numbering.append(abstract)
    else:
        first_num.addprevious(abstract)
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="{NUM_ID}"><w:abstractNumId w:val="{NUM_ID}"/></w:num>')
    )
    return NUM_ID


def _set_num_pr(paragraph: object, num_id: int, ilvl: int) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ppr = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    ppr.append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def _field_run(paragraph: object, kind: str, instr: str | None = None) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    run = paragraph.add_run()  # type: ignore[attr-defined]
    if instr is not None:
        run._r.append(parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve">{instr}</w:instrText>'))
    else:
        run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="{kind}"/>'))


def _add_toc(doc: object, source: Source, heading: str) -> None:
    """A Word TOC field whose cached result lists the level-1 headings with their page numbers."""
    pages = source.meta.get("tocpages", "").split()
    entries = [(label + b.text) for b, label in heading_labels(source.blocks) if b.level == 1]
    if len(pages) != len(entries):
        raise MarkupError(
            f"{source.stem}: @tocpages 给了 {len(pages)} 个页码，但有 {len(entries)} 个一级标题"
        )
    doc.add_paragraph(heading, style="TOC Heading")  # type: ignore[attr-defined]
    for i, (entry, page) in enumerate(zip(entries, pages, strict=True)):
        p = doc.add_paragraph(style="toc 1")  # type: ignore[attr-defined]
        if i == 0:
            _field_run(p, "begin")
            _field_run(p, "instr", r' TOC \o "1-1" \h \z \u ')
            _field_run(p, "separate")
        p.add_run(entry)
        p.add_run("\t" + page)
        if i == len(entries) - 1:
            _field_run(p, "end")


def _add_page_number_footer(section: object) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    p = section.footer.paragraphs[0]  # type: ignore[attr-defined]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.add_run("— ")
    _field_run(p, "begin")
    _field_run(p, "instr", " PAGE ")
    _field_run(p, "separate")
    p.add_run("1")
    _field_run(p, "end")
    p.add_run(" —")


def _add_table(doc: object, rows: Sequence[Sequence[str]], fonts: DocxFonts, text_width_twips: int) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Pt, Twips

    table = doc.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.autofit = False  # fixed layout: Word and LibreOffice keep the column widths given below
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [int(w) for w in column_widths(rows, text_width_twips, 12 * 20)]  # twips; cell text is 12 pt
    two_col = len(rows[0]) == 2
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.width = Twips(widths[c])
            for k, part in enumerate(text.split("\n")):
                p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.line_spacing = Pt(20)
                run = p.add_run(part)
                run.font.size = Pt(12)
                run.bold = (r == 0 and not two_col) or (two_col and c == 0)
    for c, width in enumerate(widths):
        table.columns[c].width = Twips(width)


def render_docx(source: Source, out: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    fonts = DocxFonts()
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    text_width = int((section.page_width - section.left_margin - section.right_margin) / 635)  # EMU→twips
    _setup_styles(doc, fonts, text_width)
    num_id = _add_numbering(doc) if source.auto_numbering else None
    _add_page_number_footer(section)

    for block in source.blocks:
        if block.kind == "title":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.space_before = Pt(120)
            p.paragraph_format.line_spacing = Pt(40)
            run = p.add_run(block.text)
            run.font.size = Pt(22)
            _set_run_fonts(run._r, fonts.title, fonts.latin)
        elif block.kind == "center":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.space_before = Pt(12)
            p.add_run(block.text)
        elif block.kind == "heading":
            p = doc.add_paragraph(block.text, style=f"Heading {block.level}")
            if num_id is not None:
                _set_num_pr(p, num_id, block.level - 1)
        elif block.kind == "bold":
            doc.add_paragraph().add_run(block.text).bold = True
        elif block.kind == "para":
            doc.add_paragraph(block.text)
        elif block.kind == "toc":
            _add_toc(doc, source, block.text)
        elif block.kind == "table":
            _add_table(doc, block.rows, fonts, text_width)
        elif block.kind == "pagebreak":
            doc.add_page_break()
        else:  # pragma: no cover - parse_source only makes the kinds above
            raise MarkupError(block.kind)

    stamp = datetime.combine(source.issued, datetime.min.time()).replace(hour=9, tzinfo=UTC)
    props = doc.core_properties
    props.title = source.title
    props.author = props.last_modified_by = source.meta.get("author", "")
    props.created = props.modified = stamp
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    out.write_bytes(_normalise_zip(buf.getvalue(), source.issued))


def _normalise_zip(data: bytes, when: date) -> bytes:
    """Rewrite the package with one fixed timestamp on every entry, so rebuilding is reproducible."""
    stamp = (when.year, when.month, when.day, 9, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# .pdf

PDF_FONT = "STSong-Light"


def render_pdf(source: Source, out: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import (
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    base = {"fontName": PDF_FONT, "wordWrap": "CJK"}
    head = {**base, "keepWithNext": 1}
    centred = {**base, "alignment": TA_CENTER}
    st = {
        "title": ParagraphStyle("title", fontSize=22, leading=34, spaceBefore=18, **centred),
        "center": ParagraphStyle("center", fontSize=13, leading=22, spaceBefore=10, **centred),
        "h1": ParagraphStyle("h1", fontSize=16, leading=26, spaceBefore=12, spaceAfter=4, **head),
        "h2": ParagraphStyle("h2", fontSize=14, leading=22, spaceBefore=8, spaceAfter=2, **head),
        "h3": ParagraphStyle("h3", fontSize=12.5, leading=20, spaceBefore=4, **head),
        "para": ParagraphStyle("para", fontSize=12, leading=20, firstLineIndent=24, **base),
        "cell": ParagraphStyle("cell", fontSize=10.5, leading=15, **base),
    }
    header_text = source.meta.get("header", "")
    issued = source.issued
    pdf_date = f"D:{issued:%Y%m%d}090000+08'00'"

    class PlanCanvas(Canvas):
        """Draws the running header and "第 N 页 共 M 页" once the page count is known."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self.setDateFormatter(lambda *_: pdf_date)
            self._pages: list[dict[str, object]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                if number > 1:  # the cover carries neither header nor number
                    self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = A4
            self.setFont(PDF_FONT, 9)
            if header_text:
                self.drawCentredString(width / 2, height - 15 * mm, header_text)
                self.setLineWidth(0.5)
                self.line(20 * mm, height - 17 * mm, width - 20 * mm, height - 17 * mm)
            self.setFont(PDF_FONT, 10)
            self.drawCentredString(width / 2, 12 * mm, f"第 {number} 页 共 {total} 页")

    doc = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=22 * mm,
        title=source.title,
        author=source.meta.get("author", ""),
        subject=source.meta.get("subject", ""),
        creator="yjplan samples/make_samples.py",
        invariant=1,
    )
    story: list[object] = []
    last_kind = ""
    for block in source.blocks:
        text = escape(block.text)
        if block.kind == "title":
            story.append(Paragraph(text, st["title"]))
        elif block.kind in ("center", "bold"):
            story.append(Paragraph(text, st["center"]))
        elif block.kind == "heading":
            story.append(Paragraph(text, st[f"h{block.level}"]))
        elif block.kind == "para":
            story.append(Paragraph(text, st["para"]))
        elif block.kind == "table":
            table = _pdf_table(block.rows, st["cell"], doc.width, Paragraph, Table, TableStyle, colors)
            # a card or short table stays on one page together with the heading that names it
            group: list[object] = [story.pop()] if story and last_kind == "heading" else []
            story.append(KeepTogether([*group, Spacer(1, 4), table, Spacer(1, 6)]))
        elif block.kind == "pagebreak":
            story.append(PageBreak())
        else:
            raise MarkupError(f"{source.stem}: PDF 不支持 {block.kind}")
        last_kind = block.kind
    doc.build(story, canvasmaker=PlanCanvas)


def _pdf_table(
    rows: Sequence[Sequence[str]],
    cell_style: object,
    width: float,
    paragraph: Callable[..., object],
    table_cls: Callable[..., object],
    style_cls: Callable[..., object],
    colors: object,
) -> object:
    col_widths = column_widths(rows, width, cell_style.fontSize)  # type: ignore[attr-defined]
    data = [[paragraph(escape(cell).replace("\n", "<br/>"), cell_style) for cell in row] for row in rows]
    two_col = len(rows[0]) == 2
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),  # type: ignore[attr-defined]
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    shade = colors.Color(0.9, 0.9, 0.9)  # type: ignore[attr-defined]
    commands.append(("BACKGROUND", (0, 0), (0, -1) if two_col else (-1, 0), shade))
    table = table_cls(data, colWidths=col_widths, repeatRows=0 if two_col else 1)
    table.setStyle(style_cls(commands))  # type: ignore[attr-defined]
    return table


# ---------------------------------------------------------------------------------------------
# .md and .txt


def render_markdown(source: Source) -> str:
    has_title = any(b.kind == "title" for b in source.blocks)
    out: list[str] = []
    for block in source.blocks:
        if block.kind == "title":
            out.append(f"# {block.text}")
        elif block.kind == "heading":
            # the document title takes "#", so chapters start one level down, as in most converted plans
            out.append("#" * (block.level + int(has_title)) + " " + block.text)
        elif block.kind == "bold":
            out.append(f"**{block.text}**")
        elif block.kind in ("para", "center"):
            out.append(block.text)
        elif block.kind == "table":
            head, *body = [[c.replace("\n", "<br>") for c in row] for row in block.rows]
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(r) + " |" for r in body]
            out.append("\n".join(lines))
        elif block.kind == "pagebreak":
            continue
        else:
            raise MarkupError(f"{source.stem}: Markdown 不支持 {block.kind}")
    return "\n\n".join(out) + "\n"


def render_text(source: Source) -> str:
    """Plain text the way it comes out of "另存为纯文本": indented paragraphs, tab-separated tables."""
    out: list[str] = []
    for block in source.blocks:
        if block.kind in ("title", "center", "bold"):
            out.append(block.text)
        elif block.kind == "heading":
            if block.level == 1:
                out.append("")
            out.append(block.text)
        elif block.kind == "para":
            out.append("\u3000\u3000" + block.text)
        elif block.kind == "table":
            out.extend("\t".join(c.replace("\n", " ") for c in row) for row in block.rows)
        elif block.kind == "pagebreak":
            out.append("")
        else:
            raise MarkupError(f"{source.stem}: 纯文本不支持 {block.kind}")
    return "\n".join(out) + "\n"


def _write_text(source: Source, text: str, out: Path) -> None:
    newline = {"crlf": "\r\n", "lf": "\n"}[source.meta.get("newline", "lf")]
    out.write_bytes(text.replace("\n", newline).encode(source.meta.get("encoding", "utf-8")))


RENDERERS: dict[str, Callable[[Source, Path], None]] = {
    "docx": render_docx,
    "pdf": render_pdf,
    "md": lambda s, p: _write_text(s, render_markdown(s), p),
    "txt": lambda s, p: _write_text(s, render_text(s), p),
}


@dataclass(frozen=True, slots=True)
class Built:
    name: str
    size: int
    chars: int


def build_all(out_dir: Path) -> list[Built]:
    built: list[Built] = []
    for path in sorted(SRC_DIR.glob("*.txt")):
        source = parse_source(path)
        if source.fmt not in RENDERERS:
            raise MarkupError(f"{path.name}: 未知格式 @format {source.fmt}")
        target = out_dir / source.out_name
        RENDERERS[source.fmt](source, target)
        built.append(Built(source.out_name, target.stat().st_size, len(visible_text(source))))
    return built


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="从 samples/src/*.txt 重新生成示例预案")
    parser.add_argument(
        "--check", action="store_true", help="只检查：重新生成到临时目录并与现有文件逐字节比较"
    )
    args = parser.parse_args(argv)
    if not args.check:
        for b in build_all(HERE):
            print(f"{b.name}\t{b.size} 字节\t{b.chars} 字")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        stale = [
            b.name
            for b in build_all(fresh)
            if not (HERE / b.name).exists() or (HERE / b.name).read_bytes() != (fresh / b.name).read_bytes()
        ]
    for name in stale:
        print(f"需要重新生成：{name}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
