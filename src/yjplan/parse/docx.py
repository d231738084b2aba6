"""Word .docx → RawDocument, read straight from the package XML with lxml.

python-docx resolves styles through Python objects per run and is 27–47× slower than one lxml pass
over word/document.xml, so this reader streams the body with ``iterparse`` and looks styles and
numbering up in dicts built once per document. Only the main document part is read: headers,
footers, footnotes and comments live in other parts, so running headers never enter the body.

Text conventions (what a block's ``text`` holds):

* ``w:t`` as written; ``w:tab``/``w:ptab`` → ``"\\t"``; ``w:br`` (any type, page breaks too) and
  ``w:cr`` → ``"\\n"``; ``w:noBreakHyphen`` → ``"-"``; ``w:sym`` → its character unless it is a
  private-use symbol-font glyph (Wingdings and friends), which is dropped.
* Tracked changes are read as if accepted: deletions (``w:del``, ``w:moveFrom``) are skipped,
  insertions kept. Field instructions are skipped, field results kept. Directly hidden runs
  (``w:vanish``) are skipped.
* Paragraph text is stripped at both ends (indentation with full-width spaces is layout).
  The automatic number is not part of ``text``; it is in ``auto_number``.
* Text boxes (``w:txbxContent`` in drawings/VML) become their own blocks right after the paragraph
  that anchors them, with the *same* ``Location.paragraph`` ordinal: a finding in a text box points
  the annotator at the anchoring paragraph, which is where a Word comment can go.
* Table cells join their paragraphs with ``"\\n"``; merged cells repeat their text in every grid cell
  they cover; a nested table is flattened into its cell's text (rows ``"\\n"``, cells ``"\\t"``);
  list labels are prefixed to cell paragraphs since a cell has no ``auto_number`` of its own.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from lxml import etree

from yjplan.errors import ParseFailed
from yjplan.limits import Limits
from yjplan.model import Location, Table
from yjplan.parse import safezip
from yjplan.parse.raw import RawBlock, RawDocument

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_STRICT_W_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DC_NS = "http://purl.org/dc/elements/1.1/"
_DCTERMS_NS = "http://purl.org/dc/terms/"
_APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def _w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


# Clark names, computed once: the hot loop compares ``el.tag`` against these strings.
W_DOCUMENT, W_BODY, W_P, W_TBL, W_SDT, W_SDTPR, W_SDTCONTENT, W_CUSTOMXML = map(
    _w, ("document", "body", "p", "tbl", "sdt", "sdtPr", "sdtContent", "customXml")
)
W_PPR, W_PSTYLE, W_NUMPR, W_NUMID, W_ILVL, W_OUTLINELVL, W_JC = map(
    _w, ("pPr", "pStyle", "numPr", "numId", "ilvl", "outlineLvl", "jc")
)
W_R, W_RPR, W_RSTYLE, W_B, W_SZ, W_VANISH = map(_w, ("r", "rPr", "rStyle", "b", "sz", "vanish"))
W_T, W_TAB, W_PTAB, W_BR, W_CR, W_SYM, W_NOBREAKHYPHEN = map(
    _w, ("t", "tab", "ptab", "br", "cr", "sym", "noBreakHyphen")
)
W_FLDCHAR, W_INSTRTEXT, W_FLDSIMPLE = map(_w, ("fldChar", "instrText", "fldSimple"))
W_INS, W_DEL, W_MOVETO, W_MOVEFROM = map(_w, ("ins", "del", "moveTo", "moveFrom"))
W_HYPERLINK, W_SMARTTAG, W_DIR, W_BDO = map(_w, ("hyperlink", "smartTag", "dir", "bdo"))
W_DRAWING, W_PICT, W_OBJECT, W_TXBXCONTENT = map(_w, ("drawing", "pict", "object", "txbxContent"))
W_TR, W_TC, W_TRPR, W_TCPR, W_GRIDSPAN, W_VMERGE, W_HMERGE, W_GRIDBEFORE, W_GRIDAFTER = map(
    _w, ("tr", "tc", "trPr", "tcPr", "gridSpan", "vMerge", "hMerge", "gridBefore", "gridAfter")
)
W_DOCPARTGALLERY = _w("docPartGallery")
W_VAL, W_CHAR, W_FLDCHARTYPE, W_INSTR = map(_w, ("val", "char", "fldCharType", "instr"))
W_STYLE, W_STYLEID, W_TYPE, W_NAME, W_BASEDON, W_DEFAULT = map(
    _w, ("style", "styleId", "type", "name", "basedOn", "default")
)
W_DOCDEFAULTS, W_RPRDEFAULT, W_PPRDEFAULT = map(_w, ("docDefaults", "rPrDefault", "pPrDefault"))
W_ABSTRACTNUM, W_ABSTRACTNUMID, W_NUM, W_LVL, W_LVLOVERRIDE, W_STARTOVERRIDE = map(
    _w, ("abstractNum", "abstractNumId", "num", "lvl", "lvlOverride", "startOverride")
)
W_START, W_NUMFMT, W_LVLTEXT, W_ISLGL, W_LVLRESTART = map(
    _w, ("start", "numFmt", "lvlText", "isLgl", "lvlRestart")
)
W_NUMSTYLELINK, W_STYLELINK = map(_w, ("numStyleLink", "styleLink"))
MC_ALTERNATECONTENT, MC_CHOICE, MC_FALLBACK = (
    f"{{{_MC_NS}}}{n}" for n in ("AlternateContent", "Choice", "Fallback")
)
M_OMATH, M_OMATHPARA, M_T = (f"{{{_M_NS}}}{n}" for n in ("oMath", "oMathPara", "t"))

_BLOCK_TAGS = (W_P, W_TBL, W_SDT, W_CUSTOMXML)
# inline wrappers whose runs are visible text; w:del and w:moveFrom are deliberately absent
_INLINE_WRAPPERS = frozenset(
    (W_INS, W_MOVETO, W_HYPERLINK, W_SMARTTAG, W_CUSTOMXML, W_DIR, W_BDO, W_FLDSIMPLE)
)
_BOX_HOSTS = frozenset((W_DRAWING, W_PICT, W_OBJECT, MC_ALTERNATECONTENT))
_REVISION_TAGS = frozenset((W_INS, W_DEL, W_MOVETO, W_MOVEFROM))
_OFF = frozenset(("0", "false", "off"))
_MAX_GRID_SPAN = 63  # Word's column limit; a larger gridSpan is hostile and would blow up the row
_MAX_LEVELS = 9
_MAX_STYLE_DEPTH = 64

_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$")
_TOC_NAME = re.compile(r"^(?:toc|目录)\s*(?:[1-9]|heading|标题)$")
_PLACEHOLDER = re.compile(r"%([1-9])")


# --- package -----------------------------------------------------------------------------------


class _Package:
    """Reads parts of one zip under one byte budget; lives for one ``read`` call."""

    def __init__(self, data: bytes, limits: Limits, path: Path) -> None:
        self.archive: zipfile.ZipFile = safezip.open_package(data, limits, path)
        self.names = safezip.member_names(self.archive)
        self.budget = limits.max_unzipped_bytes
        self.path = path

    def read(self, part: str) -> bytes | None:
        name = self.names.get(part.lower())
        if name is None:
            return None
        data = safezip.read_member(self.archive, name, self.budget, self.path)
        self.budget -= len(data)
        return data

    def relationships(self, source: str) -> dict[str, str]:
        """Relationship type (last URI segment, e.g. "styles") → part name, for ``source``'s rels."""
        folder, base = posixpath.split(source)
        data = self.read(posixpath.join(folder, "_rels", base + ".rels"))
        if data is None:
            return {}
        try:
            root = safezip.parse_xml(data, "relationships", self.path)
        except ParseFailed:
            return {}
        targets: dict[str, str] = {}
        for rel in root.iter(f"{{{_REL_NS}}}Relationship"):
            target, kind = rel.get("Target"), rel.get("Type", "")
            if not target or rel.get("TargetMode") == "External":
                continue
            name = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            targets.setdefault(kind.rsplit("/", 1)[-1], posixpath.normpath(name))
        return targets


# --- styles ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ParaStyle:
    """A paragraph style with its basedOn chain (and docDefaults) already folded in."""

    heading: int | None = None  # 1-based outline level; None = body text
    toc: bool = False
    bold: bool | None = None
    size: float | None = None
    centered: bool = False
    num_id: str | None = None
    ilvl: int | None = None


@dataclass(frozen=True, slots=True)
class _Styles:
    para: Mapping[str, _ParaStyle] = field(default_factory=dict)
    char: Mapping[str, tuple[bool | None, float | None]] = field(default_factory=dict)
    default: _ParaStyle = _ParaStyle()


@dataclass(frozen=True, slots=True)
class _StyleDef:
    kind: str
    based_on: str | None
    heading: int | None  # from own outlineLvl, or failing that from the name; 0 = explicitly body
    toc: bool
    bold: bool | None
    size: float | None
    jc: str | None
    num: tuple[str, int | None] | None


def _val(el: etree._Element | None) -> str | None:
    return None if el is None else el.get(W_VAL)


def _on(el: etree._Element) -> bool:
    return el.get(W_VAL, "true").lower() not in _OFF


def _half_points(el: etree._Element) -> float | None:
    try:
        return int(el.get(W_VAL, "")) / 2
    except ValueError:
        return None


def _int(text: str | None, default: int | None = None) -> int | None:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _run_props(rpr: etree._Element | None) -> tuple[bool | None, float | None]:
    bold = size = None
    if rpr is not None:
        for child in rpr:
            if child.tag == W_B:
                bold = _on(child)
            elif child.tag == W_SZ:
                size = _half_points(child)
    return bold, size


def _num_pr(numpr: etree._Element) -> tuple[str | None, int | None]:
    return _val(numpr.find(W_NUMID)), _int(_val(numpr.find(W_ILVL)))


def _style_def(style: etree._Element) -> _StyleDef:
    name = (_val(style.find(W_NAME)) or "").strip().lower()
    ppr = style.find(W_PPR)
    heading: int | None = None
    jc = num = None
    if ppr is not None:
        outline = _int(_val(ppr.find(W_OUTLINELVL)))
        if outline is not None:
            heading = outline + 1 if 0 <= outline < 9 else 0
        jc = _val(ppr.find(W_JC))
        numpr = ppr.find(W_NUMPR)
        if numpr is not None:
            num_id, ilvl = _num_pr(numpr)
            num = (num_id or "0", ilvl)
    if heading is None and (match := _HEADING_NAME.match(name)):
        heading = int(match.group(1))
    bold, size = _run_props(style.find(W_RPR))
    return _StyleDef(
        kind=style.get(W_TYPE, "paragraph"),
        based_on=_val(style.find(W_BASEDON)),
        heading=heading,
        toc=bool(_TOC_NAME.match(name)),
        bold=bold,
        size=size,
        jc=jc,
        num=num,
    )


def _load_styles(root: etree._Element) -> _Styles:
    defaults = root.find(W_DOCDEFAULTS)
    base_bold, base_size = _run_props(None if defaults is None else defaults.find(f"{W_RPRDEFAULT}/{W_RPR}"))
    base_jc = None if defaults is None else _val(defaults.find(f"{W_PPRDEFAULT}/{W_PPR}/{W_JC}"))
    base = _ParaStyle(bold=base_bold, size=base_size, centered=base_jc == "center")

    defs: dict[str, _StyleDef] = {}
    default_id: str | None = None
    for style in root.iter(W_STYLE):
        style_id = style.get(W_STYLEID)
        if style_id is None:
            continue
        defs[style_id] = _style_def(style)
        if defs[style_id].kind == "paragraph" and _on_attr(style.get(W_DEFAULT)):
            default_id = style_id

    para: dict[str, _ParaStyle] = {}

    def resolve(style_id: str, seen: frozenset[str]) -> _ParaStyle:
        if style_id in para:
            return para[style_id]
        own = defs[style_id]
        parent_id = own.based_on
        parent = (
            resolve(parent_id, seen | {style_id})
            if parent_id in defs and _followable(parent_id, seen) and defs[parent_id].kind == "paragraph"
            else base
        )
        heading = parent.heading if own.heading is None else (own.heading or None)
        num_id, ilvl = own.num if own.num is not None else (parent.num_id, parent.ilvl)
        resolved = _ParaStyle(
            heading=heading,
            toc=own.toc or parent.toc,
            bold=parent.bold if own.bold is None else own.bold,
            size=parent.size if own.size is None else own.size,
            centered=parent.centered if own.jc is None else own.jc == "center",
            num_id=num_id,
            ilvl=ilvl,
        )
        para[style_id] = resolved
        return resolved

    def resolve_char(style_id: str, seen: frozenset[str]) -> tuple[bool | None, float | None]:
        own = defs[style_id]
        parent_id = own.based_on
        if parent_id in defs and _followable(parent_id, seen):
            parent_bold, parent_size = resolve_char(parent_id, seen | {style_id})
        else:
            parent_bold = parent_size = None
        return (
            parent_bold if own.bold is None else own.bold,
            parent_size if own.size is None else own.size,
        )

    char: dict[str, tuple[bool | None, float | None]] = {}
    for style_id, own in defs.items():
        if own.kind == "paragraph":
            resolve(style_id, frozenset())
        elif own.kind == "character":
            char[style_id] = resolve_char(style_id, frozenset())
    default = para.get(default_id, base) if default_id else base
    return _Styles(para=para, char=char, default=default)


def _followable(style_id: str, seen: frozenset[str]) -> bool:
    # basedOn cycles and absurdly deep chains come from broken or hostile files, not from Word
    return style_id not in seen and len(seen) < _MAX_STYLE_DEPTH


def _on_attr(value: str | None) -> bool:
    return value is not None and value.lower() not in _OFF


# --- numbering ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    legal: bool = False
    restart: int | None = None  # w:lvlRestart: restart after a level < this (1-based) is used; 0 = never
    pstyle: str | None = None


@dataclass(frozen=True, slots=True)
class _Num:
    counter: str  # instances of one abstract list share counters unless the instance overrides levels
    levels: tuple[_Level, ...]


def _level(lvl: etree._Element, base: _Level | None = None) -> _Level:
    base = base or _Level()
    start = _int(_val(lvl.find(W_START)))
    fmt = _val(lvl.find(W_NUMFMT))
    text = _val(lvl.find(W_LVLTEXT))
    legal = lvl.find(W_ISLGL)
    restart = _int(_val(lvl.find(W_LVLRESTART)))
    return _Level(
        start=base.start if start is None else start,
        fmt=base.fmt if fmt is None else fmt,
        text=base.text if text is None else text,
        legal=base.legal if legal is None else _on(legal),
        restart=base.restart if restart is None else restart,
        pstyle=_val(lvl.find(W_PSTYLE)) or base.pstyle,
    )


def _levels(abstract: etree._Element) -> list[_Level]:
    levels = [_Level() for _ in range(_MAX_LEVELS)]
    for lvl in abstract.iter(W_LVL):
        index = _int(lvl.get(W_ILVL))
        if index is not None and 0 <= index < _MAX_LEVELS:
            levels[index] = _level(lvl)
    return levels


def _load_numbering(root: etree._Element) -> dict[str, _Num]:
    abstracts: dict[str, list[_Level]] = {}
    style_links: dict[str, str] = {}  # numbering-style name → abstractNumId that defines it
    num_style_links: dict[str, str] = {}  # abstractNumId → numbering style it borrows its levels from
    for abstract in root.iter(W_ABSTRACTNUM):
        abstract_id = abstract.get(W_ABSTRACTNUMID)
        if abstract_id is None:
            continue
        abstracts[abstract_id] = _levels(abstract)
        if link := _val(abstract.find(W_STYLELINK)):
            style_links[link] = abstract_id
        if link := _val(abstract.find(W_NUMSTYLELINK)):
            num_style_links[abstract_id] = link
    # A numStyleLink abstract is a stub: its levels live in the abstract whose styleLink names the same
    # numbering style (Word writes both sides; the numbering style's own numPr is the fallback path).
    for abstract_id, link in num_style_links.items():
        target = style_links.get(link)
        if target is not None and target != abstract_id:
            abstracts[abstract_id] = abstracts[target]

    nums: dict[str, _Num] = {}
    for num in root.iter(W_NUM):
        num_id = num.get(W_NUMID)
        abstract_id = _val(num.find(W_ABSTRACTNUMID))
        if num_id is None or abstract_id not in abstracts:
            continue
        levels = list(abstracts[abstract_id])
        overridden = False
        for override in num.iter(W_LVLOVERRIDE):
            index = _int(override.get(W_ILVL))
            if index is None or not 0 <= index < _MAX_LEVELS:
                continue
            overridden = True
            lvl = override.find(W_LVL)
            if lvl is not None:
                levels[index] = _level(lvl, levels[index])
            start = _int(_val(override.find(W_STARTOVERRIDE)))
            if start is not None:
                levels[index] = replace(levels[index], start=start)
        counter = f"num:{num_id}" if overridden else f"abstract:{abstract_id}"
        nums[num_id] = _Num(counter=counter, levels=tuple(levels))
    return nums


_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_UNITS = ("", "十", "百", "千")
_CN_LEGAL_UNITS = ("", "拾", "佰", "仟")
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))  # fmt: skip


def _cjk_below_10000(n: int, digits: str, units: tuple[str, ...], zero: str) -> str:
    out: list[str] = []
    pending_zero = False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append(zero)
            pending_zero = False
        out.append(digits[digit] + units[power])
    return "".join(out)


def _cjk(n: int, digits: str, units: tuple[str, ...], zero: str) -> str:
    if n == 0:
        return digits[0]
    if n >= 100_000_000:
        return str(n)
    high, low = divmod(n, 10_000)
    text = ""
    if high:
        text = _cjk_below_10000(high, digits, units, zero) + "万"
        if low and low < 1000:
            text += zero
    if low:
        text += _cjk_below_10000(low, digits, units, zero)
    return text


def _chinese(n: int, zero: str) -> str:
    text = _cjk(n, _CN_DIGITS, _CN_UNITS, zero)
    # 公文 writes 十一 and 十五, never 一十一
    return text[1:] if 10 <= n < 20 else text


def _japanese(n: int) -> str:
    if n == 0 or n >= 10_000:
        return _chinese(n, "")
    out = []
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit:
            out.append(("" if digit == 1 and power else _CN_DIGITS[digit]) + _CN_UNITS[power])
    return "".join(out)


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, numeral in _ROMAN:
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


def _letter(n: int) -> str:
    # Word repeats the letter past Z: 27 → AA, 28 → BB
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def _enclosed(n: int, first: int, last_value: int) -> str:
    return chr(first + n - 1) if 1 <= n <= last_value else str(n)


def render_number(fmt: str, value: int) -> str:
    """One level's number in a Word ``w:numFmt``, e.g. ``render_number("chineseCounting", 12) == "十二"``.

    Unknown formats fall back to decimal; ``bullet`` and ``none`` render as the empty string.
    Chinese counting above 99 follows common usage (一百零一), which may differ in detail from Word.
    """
    match fmt:
        case "decimal" | "decimalHalfWidth" | "ordinal" | "cardinalText" | "ordinalText":
            return str(value)
        case "decimalZero":
            return f"{value:02d}"
        case "decimalFullWidth" | "decimalFullWidth2":
            return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in str(value))
        case "upperRoman":
            return _roman(value)
        case "lowerRoman":
            return _roman(value).lower()
        case "upperLetter":
            return _letter(value)
        case "lowerLetter":
            return _letter(value).lower()
        case "chineseCounting" | "taiwaneseCounting" | "koreanCounting":
            return _chinese(value, "〇")
        case "chineseCountingThousand" | "taiwaneseCountingThousand" | "koreanDigital2":
            return _chinese(value, "零")
        case "chineseLegalSimplified":
            return _cjk(value, _CN_LEGAL_DIGITS, _CN_LEGAL_UNITS, "零")
        case "japaneseCounting" | "japaneseLegal":
            return _japanese(value)
        case "ideographDigital" | "taiwaneseDigital" | "japaneseDigitalTenThousand":
            return "".join(_CN_DIGITS[int(c)] if c.isdigit() else c for c in str(value))
        case "ideographTraditional":  # heavenly stems, as Word renders it: 甲乙丙丁…
            return _STEMS[(value - 1) % 10] if value > 0 else str(value)
        case "ideographZodiac":
            return _BRANCHES[(value - 1) % 12] if value > 0 else str(value)
        case "decimalEnclosedCircle" | "decimalEnclosedCircleChinese":
            return _enclosed(value, 0x2460, 20)  # ①…⑳; Word falls back to plain digits after 20
        case "ideographEnclosedCircle":
            return _enclosed(value, 0x3280, 10)  # ㊀…㊉
        case "ideographLegalTraditional":
            return _cjk(value, "零壹貳參肆伍陸柒捌玖", ("", "拾", "佰", "仟"), "零")
        case "decimalEnclosedParen":
            return _enclosed(value, 0x2474, 20)  # ⑴…⒇
        case "decimalEnclosedFullstop":
            return _enclosed(value, 0x2488, 20)  # ⒈…⒛
        case "ideographParenthesized" | "chineseCountingParen":
            return _enclosed(value, 0x3220, 10)  # ㈠…㈩
        case "bullet" | "none":
            return ""
        case _:
            return str(value)


# --- body walk ---------------------------------------------------------------------------------


def _is_toc_sdt(sdt: etree._Element) -> bool:
    props = sdt.find(W_SDTPR)
    if props is None:
        return False
    return any("table of contents" in (_val(g) or "").lower() for g in props.iter(W_DOCPARTGALLERY))


def _expand(el: etree._Element, in_toc: bool) -> Iterator[tuple[etree._Element, bool]]:
    """Block-level w:p/w:tbl inside one body child, unwrapping content controls and custom XML."""
    tag = el.tag
    if tag in (W_P, W_TBL):
        yield el, in_toc
    elif tag == W_SDT:
        content = el.find(W_SDTCONTENT)
        if content is not None:
            toc = in_toc or _is_toc_sdt(el)
            for child in content:
                yield from _expand(child, toc)
    elif tag == W_CUSTOMXML:
        for child in el:
            yield from _expand(child, in_toc)


def iter_body_elements(body: etree._Element) -> Iterator[tuple[int, etree._Element]]:
    """``(ordinal, element)`` for every block-level w:p or w:tbl of ``body``, 1-based, in document order.

    The ordinal is ``Location.paragraph`` for every block the reader emits; the annotator calls this
    on its own parsed tree to find the same paragraph again, so it depends on nothing but the XML.
    """
    ordinal = 0
    for child in body:
        for el, _ in _expand(child, False):
            ordinal += 1
            yield ordinal, el


def _flatten(container: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Children of ``container`` with ``tag`` (rows of a table, cells of a row) through sdt/customXml."""
    for child in container:
        ctag = child.tag
        if ctag == tag:
            yield child
        elif ctag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                yield from _flatten(content, tag)
        elif ctag == W_CUSTOMXML:
            yield from _flatten(child, tag)


def _text_boxes(el: etree._Element) -> Iterator[etree._Element]:
    """Outermost w:txbxContent under a drawing, taking one branch of each mc:AlternateContent."""
    for child in el:
        tag = child.tag
        if tag == W_TXBXCONTENT:
            yield child
        elif tag == MC_ALTERNATECONTENT:
            # Choice (DrawingML) and Fallback (VML) hold the same text box twice
            choice = child.find(MC_CHOICE)
            if choice is None:
                choice = child.find(MC_FALLBACK)
            if choice is not None:
                yield from _text_boxes(choice)
        elif tag != MC_FALLBACK and len(child):
            yield from _text_boxes(child)


@dataclass(frozen=True, slots=True)
class _Para:
    text: str
    style_level: int | None
    auto_number: str | None
    is_list: bool
    bold: bool
    font_size: float | None
    centered: bool
    in_toc: bool
    boxes: tuple[etree._Element, ...]


class _Runs:
    """What the runs of one paragraph add up to; filled by ``_Reader.inline`` and ``_Reader.run``."""

    __slots__ = ("all_bold", "boxes", "in_toc", "parts", "sizes", "style")

    def __init__(self, style: _ParaStyle) -> None:
        self.style = style
        self.parts: list[str] = []
        self.all_bold: bool | None = None  # None until a run with visible text is seen
        self.sizes: dict[float, int] = {}
        self.in_toc = False
        self.boxes: list[etree._Element] = []


class _Reader:
    """State of one document read: styles, list counters, open fields, table count, notes."""

    def __init__(self, styles: _Styles, numbering: dict[str, _Num], max_chars: int) -> None:
        self.styles = styles
        self.numbering = numbering
        self.max_chars = max_chars
        self.counters: dict[str, list[int | None]] = {}
        self.fields: list[bool] = []  # open complex fields: is it a TOC field (known at "separate")
        self.instr: list[list[str]] = []
        self.toc_fields = 0
        self.tables = 0
        self.revisions = False
        self.hidden = False
        self.cut_tables = False

    # -- blocks

    def blocks(self, el: etree._Element, ordinal: int, in_toc: bool) -> list[RawBlock]:
        if el.tag == W_TBL:
            self.tables += 1
            table = Table(rows=self.table(el))
            text = table.text()
            if not text.strip():
                return []
            location = Location(paragraph=ordinal, table=self.tables)
            return [RawBlock(text=text, location=location, table=table, in_toc=in_toc)]
        para = self.paragraph(el)
        out: list[RawBlock] = []
        if para.text:
            out.append(
                RawBlock(
                    text=para.text,
                    location=Location(paragraph=ordinal),
                    style_level=para.style_level,
                    auto_number=para.auto_number,
                    is_list=para.is_list,
                    bold=para.bold,
                    font_size=para.font_size,
                    centered=para.centered,
                    in_toc=in_toc or para.in_toc,
                )
            )
        for box in para.boxes:
            out.extend(self.box_blocks(box, ordinal))
        return out

    def box_blocks(self, box: etree._Element, ordinal: int) -> list[RawBlock]:
        out: list[RawBlock] = []
        for child in box:
            for el, in_toc in _expand(child, False):
                if el.tag == W_P:
                    out.extend(self.blocks(el, ordinal, in_toc))
                else:
                    text = "\n".join("\t".join(row) for row in self.table(el) if any(row))
                    if text.strip():
                        out.append(RawBlock(text=text, location=Location(paragraph=ordinal)))
        return out

    # -- tables

    def table(self, tbl: etree._Element) -> tuple[tuple[str, ...], ...]:
        rows: list[list[str]] = []
        above: list[str] = []
        chars = 0
        for tr in _flatten(tbl, W_TR):
            row: list[str] = []
            trpr = tr.find(W_TRPR)
            before = _int(_val(trpr.find(W_GRIDBEFORE)), 0) if trpr is not None else 0
            row.extend([""] * min(before or 0, _MAX_GRID_SPAN))
            for tc in _flatten(tr, W_TC):
                span, vmerge, hmerge = 1, None, None
                tcpr = tc.find(W_TCPR)
                if tcpr is not None:
                    span = min(max(_int(_val(tcpr.find(W_GRIDSPAN)), 1) or 1, 1), _MAX_GRID_SPAN)
                    merge = tcpr.find(W_VMERGE)
                    vmerge = None if merge is None else merge.get(W_VAL, "continue")
                    merge = tcpr.find(W_HMERGE)
                    hmerge = None if merge is None else merge.get(W_VAL, "continue")
                col = len(row)
                if vmerge == "continue":
                    text = above[col] if col < len(above) else ""
                elif hmerge == "continue":
                    text = row[-1] if row else ""
                else:
                    text = self.cell_text(tc)
                row.extend([text] * span)
            after = _int(_val(trpr.find(W_GRIDAFTER)), 0) if trpr is not None else 0
            row.extend([""] * min(after or 0, _MAX_GRID_SPAN))
            # merged cells repeat text for free in the XML (a vMerge continuation is a few bytes), so
            # a hostile table could expand without bound; cap it like the rest of the text
            chars += sum(len(cell) + 1 for cell in row)
            if chars > self.max_chars:
                self.cut_tables = True
                break
            rows.append(row)
            above = row
        width = max((len(r) for r in rows), default=0)
        return tuple(tuple(r + [""] * (width - len(r))) for r in rows)

    def cell_text(self, tc: etree._Element) -> str:
        lines: list[str] = []
        for child in tc:
            for el, _ in _expand(child, False):
                if el.tag == W_TBL:
                    lines.extend("\t".join(row) for row in self.table(el) if any(row))
                    continue
                para = self.paragraph(el)
                if para.text:
                    lines.append(f"{para.auto_number}{para.text}" if para.auto_number else para.text)
                for box in para.boxes:
                    lines.extend(block.text for block in self.box_blocks(box, 0))
        return "\n".join(lines)

    # -- paragraphs

    def paragraph(self, p: etree._Element) -> _Para:
        style_id = outline = num_id = ilvl = jc = None
        children = iter(p)
        first = next(children, None)
        if first is not None and first.tag == W_PPR:
            for prop in first:
                tag = prop.tag
                if tag == W_PSTYLE:
                    style_id = prop.get(W_VAL)
                elif tag == W_NUMPR:
                    num_id, ilvl = _num_pr(prop)
                elif tag == W_OUTLINELVL:
                    outline = _int(prop.get(W_VAL))
                elif tag == W_JC:
                    jc = prop.get(W_VAL)
            first = None
        styles = self.styles
        style = styles.para.get(style_id, styles.default) if style_id else styles.default

        runs = _Runs(style)
        if first is not None:
            self.inline(first, runs)
        for child in children:
            self.inline(child, runs)

        # direct outline level beats the style; 9 (or anything out of range) explicitly means body text
        style_level = style.heading if outline is None else (outline + 1 if 0 <= outline < 9 else None)

        auto_number = None
        numbered = False
        from_style = num_id is None
        if from_style:
            num_id = style.num_id
        if num_id is not None and num_id != "0" and (num := self.numbering.get(num_id)) is not None:
            if ilvl is None and (from_style or style.num_id == num_id):
                ilvl = style.ilvl
            if ilvl is None:
                # a style-linked list level names its paragraph style instead of the style naming a level
                ilvl = next((i for i, lvl in enumerate(num.levels) if lvl.pstyle == style_id), 0)
            ilvl = min(max(ilvl, 0), _MAX_LEVELS - 1)
            level, label = self.number(num, ilvl)
            numbered = level.fmt == "bullet" or bool(label.strip())
            auto_number = label if label.strip() and level.fmt != "bullet" else None
            if style_level is None and level.pstyle is not None:
                owner = styles.para.get(level.pstyle)
                if owner is not None and owner.heading is not None:
                    style_level = ilvl + 1

        sizes = runs.sizes
        font_size = max(sizes, key=lambda s: (sizes[s], s)) if sizes else None
        return _Para(
            text="".join(runs.parts).strip(),
            style_level=style_level,
            auto_number=auto_number,
            is_list=numbered and style_level is None,
            bold=bool(runs.all_bold),
            font_size=font_size,
            centered=jc == "center" if jc is not None else style.centered,
            in_toc=style.toc or runs.in_toc,
            boxes=tuple(runs.boxes),
        )

    def number(self, num: _Num, ilvl: int) -> tuple[_Level, str]:
        values = self.counters.setdefault(num.counter, [None] * _MAX_LEVELS)
        level = num.levels[ilvl]
        current = values[ilvl]
        values[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            restart = num.levels[deeper].restart
            if restart is None or ilvl < restart:
                values[deeper] = None
        if level.fmt == "bullet":
            return level, ""

        def render(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            ref = num.levels[index]
            value = values[index]
            fmt = "decimal" if level.legal and ref.fmt not in ("bullet", "none") else ref.fmt
            # a level not reached yet shows its start value, as Word does for "1.1" lists begun at level 2
            return render_number(fmt, ref.start if value is None else value)

        return level, _PLACEHOLDER.sub(render, level.text)

    # -- runs

    def inline(self, el: etree._Element, runs: _Runs) -> None:
        tag = el.tag
        if tag == W_R:
            self.run(el, runs)
        elif tag in _INLINE_WRAPPERS:
            if tag in _REVISION_TAGS:
                self.revisions = True
            elif tag == W_FLDSIMPLE and el.get(W_INSTR, "").strip().upper().startswith("TOC"):
                runs.in_toc = True
            for child in el:
                self.inline(child, runs)
        elif tag == W_SDT:
            content = el.find(W_SDTCONTENT)
            if content is not None:
                for child in content:
                    self.inline(child, runs)
        elif tag in (W_DEL, W_MOVEFROM):
            self.revisions = True
        elif tag == MC_ALTERNATECONTENT:
            branch = el.find(MC_CHOICE)
            if branch is None:
                branch = el.find(MC_FALLBACK)
            if branch is not None:
                for child in branch:
                    self.inline(child, runs)
        elif tag in (M_OMATHPARA, M_OMATH):
            runs.parts.extend(t.text or "" for t in el.iter(M_T))

    def run(self, r: etree._Element, runs: _Runs) -> None:
        parts = runs.parts
        first = len(parts)
        rpr = None
        for child in r:
            tag = child.tag
            if tag == W_T:
                if child.text:
                    parts.append(child.text)
                    if self.toc_fields:
                        runs.in_toc = True
            elif tag == W_RPR:
                rpr = child
            elif tag in (W_TAB, W_PTAB):
                parts.append("\t")
            elif tag in (W_BR, W_CR):
                parts.append("\n")
            elif tag == W_FLDCHAR:
                self.field_char(child.get(W_FLDCHARTYPE))
            elif tag == W_INSTRTEXT:
                if self.instr and child.text:
                    self.instr[-1].append(child.text)
            elif tag == W_NOBREAKHYPHEN:
                parts.append("-")
            elif tag == W_SYM:
                parts.append(_sym(child))
            elif tag in _BOX_HOSTS:
                runs.boxes.extend(_text_boxes(child))
        if len(parts) == first:
            return
        text = "".join(parts[first:])
        if text.isspace() or not text:
            return
        bold = size = char_style = None
        hidden = False
        if rpr is not None:
            for prop in rpr:
                tag = prop.tag
                if tag == W_B:
                    bold = _on(prop)
                elif tag == W_SZ:
                    size = _half_points(prop)
                elif tag == W_RSTYLE:
                    char_style = prop.get(W_VAL)
                elif tag == W_VANISH:
                    hidden = _on(prop)
        if hidden:
            del parts[first:]
            self.hidden = True
            return
        if char_style is not None and (bold is None or size is None):
            style_bold, style_size = self.styles.char.get(char_style, (None, None))
            bold = style_bold if bold is None else bold
            size = style_size if size is None else size
        if bold is None:
            bold = runs.style.bold
        if size is None:
            size = runs.style.size
        runs.all_bold = bool(bold) and runs.all_bold is not False
        if size is not None:
            runs.sizes[size] = runs.sizes.get(size, 0) + len(text)

    def field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append(False)
            self.instr.append([])
        elif kind == "separate" and self.fields and self.instr:
            if "".join(self.instr[-1]).strip().upper().startswith("TOC") and not self.fields[-1]:
                self.fields[-1] = True
                self.toc_fields += 1
        elif kind == "end" and self.fields:
            if self.fields.pop():
                self.toc_fields -= 1
            if self.instr:
                self.instr.pop()


def _sym(el: etree._Element) -> str:
    try:
        code = int(el.get(W_CHAR, ""), 16)
    except ValueError:
        return ""
    # symbol-font glyphs sit in the private-use area and mean nothing without the font
    if 0xE000 <= code <= 0xF8FF or code < 0x20 or code > 0x10FFFF:
        return ""
    return chr(code)


# --- document ----------------------------------------------------------------------------------


def _optional_part(package: _Package, part: str | None, notes: list[str], what: str) -> etree._Element | None:
    """An auxiliary part parsed leniently: Word opens documents with a damaged styles.xml, so do we."""
    data = package.read(part) if part else None
    if data is None:
        return None
    try:
        return safezip.parse_xml(data, part or what, package.path)
    except ParseFailed:
        notes.append(f"{what}已损坏，已忽略其中的格式信息")
        return None


def _core_properties(root: etree._Element | None) -> tuple[str | None, date | None]:
    if root is None:
        return None, None
    title = (root.findtext(f"{{{_DC_NS}}}title") or "").strip() or None
    stamp = None
    for tag in ("created", "modified"):
        text = (root.findtext(f"{{{_DCTERMS_NS}}}{tag}") or "").strip()
        try:
            stamp = date.fromisoformat(text[:10])
        except ValueError:
            continue
        break
    return title, stamp


def _page_count(root: etree._Element | None) -> int | None:
    pages = _int(root.findtext(f"{{{_APP_NS}}}Pages") if root is not None else None)
    return pages if pages and pages > 0 else None


def _check_root(root: etree._Element | None, part: str, path: Path) -> None:
    if root is None:
        return
    safezip.refuse_declared_entities(root, part, path)
    if root.tag == W_DOCUMENT:
        return
    if root.tag.startswith(f"{{{_STRICT_W_NS}}}"):
        raise ParseFailed("不支持 Strict Open XML 格式的 .docx，请在 Word 中另存为普通格式", path=path)
    raise ParseFailed(f"文件已损坏：{part} 不是 Word 正文", path=path)


def read(path: Path, data: bytes, limits: Limits) -> RawDocument:
    package = _Package(data, limits, path)
    notes: list[str] = []
    package_rels = package.relationships("")
    main = package_rels.get("officeDocument", "word/document.xml")
    xml = package.read(main)
    if xml is None and main != "word/document.xml":
        main = "word/document.xml"
        xml = package.read(main)
    if xml is None:
        raise ParseFailed("文件已损坏：缺少正文部分 word/document.xml", path=path)
    safezip.refuse_entities(xml, main, path)

    # without a rels part, fall back to the names Word always uses next to the main part
    part_rels = package.relationships(main) or {
        kind: posixpath.join(posixpath.dirname(main), f"{kind}.xml") for kind in ("styles", "numbering")
    }
    styles_root = _optional_part(package, part_rels.get("styles"), notes, "样式表")
    numbering_root = _optional_part(package, part_rels.get("numbering"), notes, "编号定义")
    styles = _load_styles(styles_root) if styles_root is not None else _Styles()
    numbering = _load_numbering(numbering_root) if numbering_root is not None else {}
    reader = _Reader(styles, numbering, limits.max_chars)

    blocks: list[RawBlock] = []
    chars = 0
    ordinal = 0
    context = etree.iterparse(
        io.BytesIO(xml), events=("end",), tag=_BLOCK_TAGS, remove_comments=True, remove_pis=True,
        **safezip.XML_PARSER_OPTIONS,
    )  # fmt: skip
    try:
        for _event, el in context:
            parent = el.getparent()
            if parent is None or parent.tag != W_BODY:
                continue  # nested: handled when its body-level ancestor ends
            for block_el, in_toc in _expand(el, False):
                ordinal += 1
                for block in reader.blocks(block_el, ordinal, in_toc):
                    blocks.append(block)
                    chars += len(block.text)
            # body-level blocks are done with: keep memory flat on 300-page plans
            el.clear(keep_tail=False)
            while el.getprevious() is not None:
                del parent[0]
            if chars > limits.max_chars:
                notes.append(f"文字超过 {limits.max_chars} 字的上限，只读取了前面的部分")
                break
        else:
            _check_root(context.root, main, path)
    except etree.XMLSyntaxError as exc:
        raise safezip.xml_error(exc, main, path) from exc

    if reader.revisions:
        notes.append("文档含有修订标记，已按接受全部修订后的文字读取")
    if reader.hidden:
        notes.append("文档含有隐藏文字，已跳过")
    if reader.cut_tables:
        notes.append(f"有表格的文字超过 {limits.max_chars} 字的上限，只读取了前面的行")

    core_part = package_rels.get("core-properties", "docProps/core.xml")
    app_part = package_rels.get("extended-properties", "docProps/app.xml")
    title, stamp = _core_properties(_optional_part(package, core_part, [], "文档属性"))
    pages = _page_count(_optional_part(package, app_part, [], "文档属性"))
    return RawDocument(
        format="docx",
        blocks=tuple(blocks),
        page_count=pages,
        meta_title=title,
        meta_date=stamp,
        notes=tuple(notes),
    )
