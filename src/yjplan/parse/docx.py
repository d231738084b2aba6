"""Word .docx → RawDocument, read straight from the package XML with lxml.

python-docx resolves styles through Python objects per run and is 27–47× slower than one lxml pass
over word/document.xml, so this reader parses the main part with lxml (whole when it is small, fed
in chunks and read as it completes when it is large) and walks each paragraph once with plain loops
over its children; styles and numbering are resolved into tables once per distinct part, which the
next document from the same template reuses. The walk costs several times the parse: every
per-element step (ElementPath ``find``, a dataclass per run, an ``iterparse`` event, reading
``el.tag`` twice) was measured to matter. Only the main document part is
read: headers, footers, footnotes and comments live in other parts, so running headers never enter
the body.

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

import functools
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from lxml import etree

from yjplan.errors import ParseFailed, UnsafeXml
from yjplan.limits import Limits
from yjplan.model import Location, Table
from yjplan.parse import safezip
from yjplan.parse.raw import RawBlock, RawDocument, body_location, raw_block

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

_T = TypeVar("_T")

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
class _StyleDef:
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


_NUMPR_PARTS = frozenset((W_NUMID, W_ILVL))
_STYLE_PARTS = frozenset((W_NAME, W_BASEDON, W_PPR, W_RPR))
_STYLE_PPR_PARTS = frozenset((W_OUTLINELVL, W_JC, W_NUMPR))
_ABSTRACT_LINKS = frozenset((W_STYLELINK, W_NUMSTYLELINK))


def _first_children(el: etree._Element, tags: frozenset[str]) -> dict[str, etree._Element]:
    """The first child with each of ``tags`` (what ``el.find(tag)`` returns), in one pass.

    ``find`` goes through ElementPath on every call, and ``iterchildren(*tags)`` parses its tag
    names on every call: both cost more than a plain pass over the short child lists of OOXML
    property elements, which is what styles, numbering levels and table cells ask about.
    """
    found: dict[str, etree._Element] = {}
    for child in el:
        tag = child.tag
        if tag in tags and tag not in found:
            found[tag] = child
    return found


def _first_child(el: etree._Element, tag: str) -> etree._Element | None:
    """``el.find(tag)`` for a plain tag, without ElementPath."""
    for child in el:
        if child.tag == tag:
            return child
    return None


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
    parts = _first_children(numpr, _NUMPR_PARTS)
    return _val(parts.get(W_NUMID)), _int(_val(parts.get(W_ILVL)))


def _style_def(style: etree._Element) -> _StyleDef:
    parts = _first_children(style, _STYLE_PARTS)
    name = (_val(parts.get(W_NAME)) or "").strip().lower()
    ppr = parts.get(W_PPR)
    heading: int | None = None
    jc = num = None
    if ppr is not None:
        props = _first_children(ppr, _STYLE_PPR_PARTS)
        outline = _int(_val(props.get(W_OUTLINELVL)))
        if outline is not None:
            heading = outline + 1 if 0 <= outline < 9 else 0
        jc = _val(props.get(W_JC))
        numpr = props.get(W_NUMPR)
        if numpr is not None:
            num_id, ilvl = _num_pr(numpr)
            num = (num_id or "0", ilvl)
    if heading is None and (match := _HEADING_NAME.match(name)):
        heading = int(match.group(1))
    bold, size = _run_props(parts.get(W_RPR))
    return _StyleDef(
        based_on=_val(parts.get(W_BASEDON)),
        heading=heading,
        toc=bool(_TOC_NAME.match(name)),
        bold=bold,
        size=size,
        jc=jc,
        num=num,
    )


class _Styles:
    """The paragraph and character styles of one styles part, resolved through basedOn on demand.

    ``_style_table`` asks for every paragraph and character style; table styles (most of the 164 in
    python-docx's template) are only read when a character style is based on one.
    Resolution is memoised as it goes; with basedOn cycles or chains deeper than ``_MAX_STYLE_DEPTH``
    what is memoised depends on the order styles are resolved in, so such a file (broken or hostile,
    never written by Word) has every style resolved up front in document order instead.
    """

    def __init__(self, root: etree._Element | None = None) -> None:
        self.base = _ParaStyle()
        self.elements: dict[str, etree._Element] = {}  # styleId → its (last) w:style
        self.kinds: dict[str, str] = {}  # styleId → its w:type
        self.defs: dict[str, _StyleDef] = {}
        self.para: dict[str, _ParaStyle] = {}  # resolved paragraph styles, by styleId
        self.default = self.base
        if root is None:
            return
        defaults = _first_child(root, W_DOCDEFAULTS)
        base_bold, base_size = _run_props(None if defaults is None else defaults.find(f"{W_RPRDEFAULT}/{W_RPR}"))
        base_jc = None if defaults is None else _val(defaults.find(f"{W_PPRDEFAULT}/{W_PPR}/{W_JC}"))
        self.base = _ParaStyle(bold=base_bold, size=base_size, centered=base_jc == "center")

        default_id: str | None = None
        for style in root.iter(W_STYLE):
            style_id = style.get(W_STYLEID)
            if style_id is None:
                continue
            self.elements[style_id] = style
            kind = self.kinds[style_id] = style.get(W_TYPE, "paragraph")
            if kind == "paragraph" and _on_attr(style.get(W_DEFAULT)):
                default_id = style_id
        if not self._chains_are_plain():
            for style_id, kind in self.kinds.items():
                if kind == "paragraph":
                    self.resolve(style_id, frozenset())
        self.default = (self.paragraph_style(default_id) or self.base) if default_id else self.base

    def own(self, style_id: str) -> _StyleDef:
        own = self.defs.get(style_id)
        if own is None:
            own = self.defs[style_id] = _style_def(self.elements[style_id])
        return own

    def _chains_are_plain(self) -> bool:
        """No basedOn cycle and no chain longer than ``_MAX_STYLE_DEPTH`` among paragraph styles.

        Only those chains matter: ``resolve`` follows basedOn to paragraph styles only, and
        ``resolve_char`` memoises nothing, so its answers never depend on the order.
        """
        parents = {
            style_id: _val(_first_child(self.elements[style_id], W_BASEDON))
            for style_id, kind in self.kinds.items()
            if kind == "paragraph"
        }
        depth: dict[str, int] = {}
        for start in parents:
            path: list[str] = []
            current: str | None = start
            while current is not None and current in parents and current not in depth:
                if current in path:
                    return False
                path.append(current)
                current = parents[current]
            below = depth[current] + 1 if current is not None and current in depth else 0
            for style_id in reversed(path):
                depth[style_id] = below
                below += 1
            if below > _MAX_STYLE_DEPTH:
                return False
        return True

    def paragraph_style(self, style_id: str) -> _ParaStyle | None:
        """The resolved paragraph style ``style_id``; None when there is no such paragraph style."""
        style = self.para.get(style_id)
        if style is None and self.kinds.get(style_id) == "paragraph":
            style = self.resolve(style_id, frozenset())
        return style

    def of_run(self, style_id: str) -> tuple[bool | None, float | None]:
        if self.kinds.get(style_id) == "character":
            return self.resolve_char(style_id, frozenset())
        return _NO_RUN_STYLE

    def resolve(self, style_id: str, seen: frozenset[str]) -> _ParaStyle:
        if style_id in self.para:
            return self.para[style_id]
        own = self.own(style_id)
        parent_id = own.based_on
        parent = (
            self.resolve(parent_id, seen | {style_id})
            if self.kinds.get(parent_id) == "paragraph" and _followable(parent_id, seen)
            else self.base
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
        self.para[style_id] = resolved
        return resolved

    def resolve_char(self, style_id: str, seen: frozenset[str]) -> tuple[bool | None, float | None]:
        # not memoised: the answer for a style never depends on where its resolution started
        own = self.own(style_id)
        parent_id = own.based_on
        if parent_id in self.elements and _followable(parent_id, seen):
            parent_bold, parent_size = self.resolve_char(parent_id, seen | {style_id})
        else:
            parent_bold = parent_size = None
        return (
            parent_bold if own.bold is None else own.bold,
            parent_size if own.size is None else own.size,
        )


def _followable(style_id: str, seen: frozenset[str]) -> bool:
    # basedOn cycles and absurdly deep chains come from broken or hostile files, not from Word
    return style_id not in seen and len(seen) < _MAX_STYLE_DEPTH


def _on_attr(value: str | None) -> bool:
    return value is not None and value.lower() not in _OFF


_NO_RUN_STYLE: tuple[bool | None, float | None] = (None, None)


@dataclass(frozen=True, slots=True)
class _StyleTable:
    """Every paragraph and character style of one styles part, resolved: all the walk asks about.

    Resolving all of them (a few hundred microseconds) instead of the handful a document uses is
    what lets one table serve every document that shares the styles part (see ``_styles_part``).
    """

    default: _ParaStyle
    para: Mapping[str, _ParaStyle]  # by styleId; paragraph styles only
    char: Mapping[str, tuple[bool | None, float | None]]  # by styleId; character styles only

    # a paragraph whose pStyle names no paragraph style gets ``default``: the walk asks ``para`` itself

    def of_run(self, style_id: str) -> tuple[bool | None, float | None]:
        return self.char.get(style_id, _NO_RUN_STYLE)


_NO_STYLES = _StyleTable(_ParaStyle(), MappingProxyType({}), MappingProxyType({}))


def _style_table(root: etree._Element | None) -> _StyleTable:
    styles = _Styles(root)
    para: dict[str, _ParaStyle] = {}
    char: dict[str, tuple[bool | None, float | None]] = {}
    # in document order, which is the order ``_Styles`` resolves in when the order matters at all
    for style_id, kind in styles.kinds.items():
        if kind == "paragraph":
            style = styles.paragraph_style(style_id)
            if style is not None:
                para[style_id] = style
        elif kind == "character":
            char[style_id] = styles.of_run(style_id)
    return _StyleTable(styles.default, MappingProxyType(para), MappingProxyType(char))


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


_LEVEL_PARTS = frozenset((W_START, W_NUMFMT, W_LVLTEXT, W_ISLGL, W_LVLRESTART, W_PSTYLE))
_PLAIN_LEVEL = _Level()


def _level(lvl: etree._Element, base: _Level = _PLAIN_LEVEL) -> _Level:
    parts = _first_children(lvl, _LEVEL_PARTS)
    start = _int(_val(parts.get(W_START)))
    fmt = _val(parts.get(W_NUMFMT))
    text = _val(parts.get(W_LVLTEXT))
    legal = parts.get(W_ISLGL)
    restart = _int(_val(parts.get(W_LVLRESTART)))
    return _Level(
        start=base.start if start is None else start,
        fmt=base.fmt if fmt is None else fmt,
        text=base.text if text is None else text,
        legal=base.legal if legal is None else _on(legal),
        restart=base.restart if restart is None else restart,
        pstyle=_val(parts.get(W_PSTYLE)) or base.pstyle,
    )


def _levels(abstract: etree._Element) -> list[_Level]:
    levels = [_PLAIN_LEVEL] * _MAX_LEVELS
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
        links = _first_children(abstract, _ABSTRACT_LINKS)
        if link := _val(links.get(W_STYLELINK)):
            style_links[link] = abstract_id
        if link := _val(links.get(W_NUMSTYLELINK)):
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
        abstract_id = _val(_first_child(num, W_ABSTRACTNUMID))
        if num_id is None or abstract_id not in abstracts:
            continue
        levels = list(abstracts[abstract_id])
        overridden = False
        for override in num.iter(W_LVLOVERRIDE):
            index = _int(override.get(W_ILVL))
            if index is None or not 0 <= index < _MAX_LEVELS:
                continue
            overridden = True
            lvl = start_el = None
            for child in override:  # the first of each, as find() would; a list has hundreds of these
                tag = child.tag
                if tag == W_LVL:
                    lvl = child if lvl is None else lvl
                elif tag == W_STARTOVERRIDE:
                    start_el = child if start_el is None else start_el
            if lvl is not None:
                levels[index] = _level(lvl, levels[index])
            start = _int(_val(start_el))
            level = levels[index]
            if start is not None and start != level.start:  # Word writes startOverride 1 on most lists
                # dataclasses.replace costs more than the rest of the loop
                levels[index] = _Level(start, level.fmt, level.text, level.legal, level.restart, level.pstyle)
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


_WRAPPERS = (W_SDT, W_CUSTOMXML)


def _flatten(container: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Children of ``container`` with ``tag`` (rows of a table, cells of a row) through sdt/customXml."""
    for child in container:
        ctag = child.tag
        if ctag == tag:
            yield child
        elif ctag in _WRAPPERS:
            yield from _flatten_wrapper(child, tag)


def _flatten_wrapper(wrapper: etree._Element, tag: str) -> Iterator[etree._Element]:
    """``_flatten`` inside one w:sdt (its content) or w:customXml."""
    if wrapper.tag == W_SDT:
        content = wrapper.find(W_SDTCONTENT)
        if content is not None:
            yield from _flatten(content, tag)
    else:
        yield from _flatten(wrapper, tag)


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


# A paragraph as ``_Reader.paragraph`` returns it: a plain tuple, because one is built for every
# paragraph and table cell and a dataclass instance costs more than the rest of a short paragraph.
# (text, auto_number, boxes, style_level, is_list, bold, font_size, centered, in_toc)
_Para = tuple[
    str, str | None, list[etree._Element] | None, int | None, bool, bool, float | None, bool, bool
]
_ROW_PARTS = frozenset((W_GRIDBEFORE, W_GRIDAFTER))
_BREAKS = (W_BR, W_CR)
_TABS = (W_TAB, W_PTAB)


class _Reader:
    """State of one document read: styles, list counters, open fields, blocks so far, notes."""

    def __init__(self, styles: _StyleTable, numbering: Mapping[str, _Num], max_chars: int) -> None:
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
        self.out: list[RawBlock] = []
        self.chars = 0
        self.ordinal = 0

    # -- blocks

    def body_child(self, el: etree._Element) -> bool:
        """Read one child of w:body; False once the text read so far passes ``max_chars``."""
        tag = el.tag  # looked at once: lxml builds the string on every access
        if tag == W_P:
            self.ordinal += 1
            self.paragraph_blocks(el, self.ordinal, False)
        elif tag == W_TBL:
            self.ordinal += 1
            self.table_block(el, self.ordinal, False)
        elif tag in (W_SDT, W_CUSTOMXML):
            for block_el, in_toc in _expand(el, False):
                self.ordinal += 1
                self.blocks(block_el, self.ordinal, in_toc)
        return self.chars <= self.max_chars

    @property
    def truncated(self) -> bool:
        return self.chars > self.max_chars

    def blocks(self, el: etree._Element, ordinal: int, in_toc: bool) -> None:
        """Append the blocks of one w:p or w:tbl to ``out`` and count their characters."""
        if el.tag == W_TBL:
            self.table_block(el, ordinal, in_toc)
        else:
            self.paragraph_blocks(el, ordinal, in_toc)

    def table_block(self, el: etree._Element, ordinal: int, in_toc: bool) -> None:
        self.tables += 1
        table = Table(self.table(el))
        text = table.text()
        if text.strip():
            location = Location(paragraph=ordinal, table=self.tables)
            self.out.append(RawBlock(text, location, table, in_toc=in_toc))
            self.chars += len(text)

    def paragraph_blocks(self, el: etree._Element, ordinal: int, in_toc: bool) -> None:
        """The paragraph's block, then those of the text boxes it anchors."""
        text, auto_number, boxes, style_level, is_list, bold, font_size, centered, para_toc = self.paragraph(el)
        if text:
            self.out.append(raw_block(
                text, body_location(ordinal), None, style_level, auto_number, is_list, bold, font_size, centered,
                in_toc or para_toc,
            ))  # fmt: skip
            self.chars += len(text)
        if boxes:
            for box in boxes:
                self.box_blocks(box, ordinal)

    def box_blocks(self, box: etree._Element, ordinal: int) -> None:
        for child in box:
            for el, in_toc in _expand(child, False):
                if el.tag == W_P:
                    self.blocks(el, ordinal, in_toc)
                else:
                    text = "\n".join("\t".join(row) for row in self.table(el) if any(row))
                    if text.strip():
                        self.out.append(RawBlock(text=text, location=Location(paragraph=ordinal)))
                        self.chars += len(text)

    def box_lines(self, box: etree._Element) -> list[str]:
        """A text box inside a table cell: its blocks' texts, which the cell text takes in."""
        out, chars = self.out, self.chars
        self.out = []
        try:
            self.box_blocks(box, 0)
            return [block.text for block in self.out]
        finally:
            self.out, self.chars = out, chars

    # -- tables

    def table(self, tbl: etree._Element) -> tuple[tuple[str, ...], ...]:
        rows: list[list[str]] = []
        above: list[str] = []
        chars = 0
        for tr in _flatten(tbl, W_TR):
            # one pass over the row: its w:trPr (the first one, as find() would) and its cells
            trpr = None
            cells: list[etree._Element] = []
            for child in tr:
                tag = child.tag
                if tag == W_TC:
                    cells.append(child)
                elif tag == W_TRPR:
                    if trpr is None:
                        trpr = child
                elif tag in _WRAPPERS:
                    cells.extend(_flatten_wrapper(child, W_TC))
            row: list[str] = []
            props = _first_children(trpr, _ROW_PARTS) if trpr is not None else {}
            if trpr is not None:
                before = _int(_val(props.get(W_GRIDBEFORE)), 0)
                row.extend([""] * min(before or 0, _MAX_GRID_SPAN))
            for tc in cells:
                # the cell's own properties, then its content (a second w:tcPr is content that reads empty)
                content = list(tc)
                # w:tcPr comes first in every cell Word writes
                tcpr = content.pop(0) if content and content[0].tag == W_TCPR else _first_child(tc, W_TCPR)
                span, vmerge, hmerge = 1, None, None
                if tcpr is not None:
                    grid = vert = horiz = None
                    for prop in tcpr:
                        tag = prop.tag
                        if tag == W_GRIDSPAN:
                            grid = prop if grid is None else grid
                        elif tag == W_VMERGE:
                            vert = prop if vert is None else vert
                        elif tag == W_HMERGE:
                            horiz = prop if horiz is None else horiz
                    if grid is not None:
                        span = min(max(_int(grid.get(W_VAL), 1) or 1, 1), _MAX_GRID_SPAN)
                    if vert is not None:
                        vmerge = vert.get(W_VAL, "continue")
                    if horiz is not None:
                        hmerge = horiz.get(W_VAL, "continue")
                if vmerge == "continue":
                    col = len(row)
                    text = above[col] if col < len(above) else ""
                elif hmerge == "continue":
                    text = row[-1] if row else ""
                else:
                    text = self.cell_text(content)
                if span == 1:
                    row.append(text)
                else:
                    row.extend([text] * span)
            if trpr is not None:
                after = _int(_val(props.get(W_GRIDAFTER)), 0)
                row.extend([""] * min(after or 0, _MAX_GRID_SPAN))
            # merged cells repeat text for free in the XML (a vMerge continuation is a few bytes), so
            # a hostile table could expand without bound; cap it like the rest of the text
            chars += sum(map(len, row)) + len(row)
            if chars > self.max_chars:
                self.cut_tables = True
                break
            rows.append(row)
            above = row
        width = max(map(len, rows), default=0)
        return tuple([tuple(r) if len(r) == width else tuple(r + [""] * (width - len(r))) for r in rows])

    def cell_text(self, content: list[etree._Element]) -> str:
        """The text of a cell from its children other than w:tcPr: paragraphs joined by newlines."""
        if len(content) == 1 and content[0].tag == W_P:  # nearly every cell: one paragraph
            para = self.paragraph(content[0], False)
            if not para[2]:
                text, auto_number = para[0], para[1]
                # a cell has no auto_number of its own, so the list label goes in front of the text
                return f"{auto_number}{text}" if auto_number and text else text
            lines: list[str] = []
            self.cell_lines(para, lines)
            return "\n".join(lines)
        lines = []
        for child in content:
            for el, _ in _expand(child, False):
                if el.tag == W_TBL:
                    lines.extend("\t".join(row) for row in self.table(el) if any(row))
                else:
                    self.cell_lines(self.paragraph(el, hints=False), lines)
        return "\n".join(lines)

    def cell_lines(self, para: _Para, lines: list[str]) -> None:
        text, auto_number, boxes = para[0], para[1], para[2]
        if text:
            lines.append(f"{auto_number}{text}" if auto_number else text)
        if boxes:
            for box in boxes:
                lines.extend(self.box_lines(box))

    # -- paragraphs

    def paragraph(self, p: etree._Element, hints: bool = True) -> _Para:
        """Text, list label and text boxes of one w:p; with ``hints``, what the outline needs too.

        Table cells pass ``hints=False``: bold, size and alignment of cell text are never reported,
        so their run properties are only looked at for hidden text.
        """
        style_id = outline = num_id = ilvl = jc = None
        children = iter(p)
        first = next(children, None)
        first_tag = None if first is None else first.tag  # lxml builds the tag string on every access
        if first_tag == W_PPR and first is not None:
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
        style = (styles.para.get(style_id) or styles.default) if style_id else styles.default

        # the runs (and math text) of the paragraph in order, out of any inline wrappers
        runs: list[etree._Element | str] = []
        in_toc = False
        if first is not None:
            if first_tag == W_R:
                runs.append(first)
            elif self.inline(first, runs):
                in_toc = True
        for child in children:
            if child.tag == W_R:
                runs.append(child)
            elif self.inline(child, runs):
                in_toc = True

        parts: list[str] = []
        boxes: list[etree._Element] | None = None
        all_bold: bool | None = None  # None until a run with visible text is seen
        sizes: dict[float, int] = {}
        for r in runs:
            if isinstance(r, str):  # math text
                parts.append(r)
                continue
            start = len(parts)
            rpr = None
            for child in r:
                tag = child.tag
                if tag == W_T:
                    text = child.text  # lxml decodes the text anew on every access
                    if text:
                        parts.append(text)
                        if self.toc_fields:
                            in_toc = True
                elif tag == W_RPR:
                    rpr = child
                elif tag in _TABS:
                    parts.append("\t")
                elif tag in _BREAKS:
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
                    if boxes is None:
                        boxes = []
                    boxes.extend(_text_boxes(child))
            if len(parts) == start:
                continue
            text = parts[start] if len(parts) == start + 1 else "".join(parts[start:])
            if text.isspace() or not text:
                continue
            bold = size = char_style = None
            hidden = False
            if rpr is not None and len(rpr):
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
                del parts[start:]
                self.hidden = True
                continue
            if not hints:
                continue
            if char_style is not None and (bold is None or size is None):
                style_bold, style_size = styles.of_run(char_style)
                bold = style_bold if bold is None else bold
                size = style_size if size is None else size
            if bold is None:
                bold = style.bold
            if size is None:
                size = style.size
            all_bold = bool(bold) and all_bold is not False
            if size is not None:
                sizes[size] = sizes.get(size, 0) + len(text)

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

        text = "".join(parts).strip()
        if not hints:
            return text, auto_number, boxes, None, False, False, None, False, False
        if len(sizes) == 1:
            font_size: float | None = next(iter(sizes))
        else:
            font_size = max(sizes, key=lambda s: (sizes[s], s)) if sizes else None
        return (
            text,
            auto_number,
            boxes,
            style_level,
            numbered and style_level is None,
            bool(all_bold),
            font_size,
            jc == "center" if jc is not None else style.centered,
            style.toc or in_toc,
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

    def inline(self, el: etree._Element, runs: list[etree._Element | str]) -> bool:
        """Collect the runs (and math text) under one non-run child of a paragraph, in order.

        Returns whether a simple TOC field (``w:fldSimple``) wraps them.
        """
        tag = el.tag
        if tag == W_R:
            runs.append(el)
        elif tag in _INLINE_WRAPPERS:
            in_toc = False
            if tag in _REVISION_TAGS:
                self.revisions = True
            elif tag == W_FLDSIMPLE and el.get(W_INSTR, "").strip().upper().startswith("TOC"):
                in_toc = True
            for child in el:
                if self.inline(child, runs):
                    in_toc = True
            return in_toc
        elif tag == W_SDT:
            content = el.find(W_SDTCONTENT)
            if content is not None:
                in_toc = False
                for child in content:
                    if self.inline(child, runs):
                        in_toc = True
                return in_toc
        elif tag in (W_DEL, W_MOVEFROM):
            self.revisions = True
        elif tag == MC_ALTERNATECONTENT:
            branch = el.find(MC_CHOICE)
            if branch is None:
                branch = el.find(MC_FALLBACK)
            if branch is not None:
                in_toc = False
                for child in branch:
                    if self.inline(child, runs):
                        in_toc = True
                return in_toc
        elif tag in (M_OMATHPARA, M_OMATH):
            runs.extend(t.text or "" for t in el.iter(M_T))
        return False

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


# Documents made from one template carry the same styles and numbering parts byte for byte, and a
# template's styles part is often bigger than a short document (python-docx's: 350 KB, parsed in
# about as long as a 60-page body). What a part resolves to depends on its bytes alone, so the last
# few are kept, resolved into immutable tables; larger parts (never a real template) are not kept.
_CACHED_PART_BYTES = 1024 * 1024
_NO_NUMBERING: Mapping[str, _Num] = MappingProxyType({})


@functools.lru_cache(maxsize=8)
def _styles_cached(data: bytes) -> _StyleTable:
    return _style_table(safezip.parse_xml(data, "styles"))


@functools.lru_cache(maxsize=8)
def _numbering_cached(data: bytes) -> Mapping[str, _Num]:
    return MappingProxyType(_load_numbering(safezip.parse_xml(data, "numbering")))


def _styles_part(data: bytes) -> _StyleTable:
    if len(data) <= _CACHED_PART_BYTES:
        return _styles_cached(data)
    return _style_table(safezip.parse_xml(data, "styles"))


def _numbering_part(data: bytes) -> Mapping[str, _Num]:
    if len(data) <= _CACHED_PART_BYTES:
        return _numbering_cached(data)
    return MappingProxyType(_load_numbering(safezip.parse_xml(data, "numbering")))


def _definitions(
    package: _Package, part: str | None, notes: list[str], what: str, load: Callable[[bytes], _T]
) -> _T | None:
    """``load`` on an auxiliary part, read leniently like ``_optional_part``; None when there is none."""
    data = package.read(part) if part else None
    if data is None:
        return None
    try:
        return load(data)
    except ParseFailed:
        notes.append(f"{what}已损坏，已忽略其中的格式信息")
        return None
    except UnsafeXml as exc:
        # raised inside the cache, which never sees the file's path
        raise UnsafeXml(exc.message, path=package.path) from None


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


_FEED_BYTES = 64 * 1024
# A main part up to this size is parsed whole, which libxml2 does faster than fed in chunks; the
# tree costs about ten times the XML in memory, so larger parts (150 pages and up) are streamed.
_WHOLE_TREE_BYTES = 1024 * 1024


class _SeveralBodies(Exception):
    """The main part has more than one w:body, which ``_stream_body`` cannot order like Word."""


def _whole_body(xml: bytes, reader: _Reader) -> etree._Element | None:
    """``_stream_body`` on a tree parsed at once; None (with nothing read) when the part is not
    well-formed, for ``_stream_body`` to read what comes before the error and raise it."""
    try:
        root = etree.fromstring(xml, safezip.xml_parser())
    except etree.XMLSyntaxError:
        return None
    bodies = root.iter(W_BODY)
    body = next(bodies, None)
    if next(bodies, None) is not None:
        raise _SeveralBodies
    if body is not None and not _read_children(body, len(body), reader):
        return None
    return root


def _stream_body(xml: bytes, reader: _Reader) -> etree._Element | None:
    """Read the body of ``xml`` while it is parsed, one chunk at a time; the root once all is read.

    Returns None when the text limit stopped the read (``reader.truncated``); raises _SeveralBodies
    when a second w:body starts. The parser only reports where w:body starts; after each chunk, the
    body's children before the last one are complete, so they are read and then dropped: memory stays
    flat on 300-page plans, and there is no per-element event as with ``iterparse`` (whose events
    cost as much as the parse itself).
    """
    parser = etree.XMLPullParser(
        events=("start",), tag=W_BODY, remove_comments=True, remove_pis=True, collect_ids=False,
        **safezip.XML_PARSER_OPTIONS,
    )  # fmt: skip
    body: etree._Element | None = None
    error: etree.XMLSyntaxError | None = None
    for offset in range(0, len(xml), _FEED_BYTES):
        try:
            parser.feed(xml[offset : offset + _FEED_BYTES])
        except etree.XMLSyntaxError as exc:
            error = exc  # still read what came complete before the error, as iterparse would
        for _event, el in parser.read_events():
            if body is not None:
                raise _SeveralBodies
            body = el
        if body is not None and (done := len(body) - 1) > 0:
            if not _read_children(body, done, reader):
                return None
            # no proxy of the finished children is left now: lxml would move a deleted element that
            # still has one into a document of its own, which costs more than reading it
            del body[:done]
        if error is not None:
            raise error
    root = parser.close()
    for _event, el in parser.read_events():
        if body is not None:
            raise _SeveralBodies
        body = el
    if body is not None and not _read_children(body, len(body), reader):
        return None
    return root


def _read_children(body: etree._Element, count: int, reader: _Reader) -> bool:
    """Read the first ``count`` children of ``body``; False once the text limit is passed."""
    for index, child in enumerate(body):
        if index == count:
            break
        if not reader.body_child(child):
            return False
    return True


def _iterparse_body(xml: bytes, reader: _Reader) -> etree._Element | None:
    """``_stream_body`` for any arrangement of w:body elements: each body child when it ends."""
    context = etree.iterparse(
        io.BytesIO(xml), events=("end",), tag=_BLOCK_TAGS, remove_comments=True, remove_pis=True,
        **safezip.XML_PARSER_OPTIONS,
    )  # fmt: skip
    for _event, el in context:
        parent = el.getparent()
        if parent is None or parent.tag != W_BODY:
            continue  # nested: handled when its body-level ancestor ends
        going = reader.body_child(el)
        # body-level blocks are done with: keep memory flat
        el.clear(keep_tail=False)
        while el.getprevious() is not None:
            del parent[0]
        if not going:
            return None
    return context.root


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
    styles = _definitions(package, part_rels.get("styles"), notes, "样式表", _styles_part) or _NO_STYLES
    numbering = _definitions(package, part_rels.get("numbering"), notes, "编号定义", _numbering_part) or _NO_NUMBERING
    reader = _Reader(styles, numbering, limits.max_chars)
    try:
        try:
            root = _whole_body(xml, reader) if len(xml) <= _WHOLE_TREE_BYTES else None
            if root is None and not reader.truncated:
                reader = _Reader(styles, numbering, limits.max_chars)
                root = _stream_body(xml, reader)
        except _SeveralBodies:
            # not a layout Word writes: start again with the walk that takes any arrangement
            reader = _Reader(styles, numbering, limits.max_chars)
            root = _iterparse_body(xml, reader)
    except etree.XMLSyntaxError as exc:
        raise safezip.xml_error(exc, main, path) from exc
    if reader.truncated:
        notes.append(f"文字超过 {limits.max_chars} 字的上限，只读取了前面的部分")
    else:
        _check_root(root, main, path)
    blocks = reader.out

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
