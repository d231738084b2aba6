"""The annotated review copy: the plan as a .docx with one Word comment (批注) per gap.

For a .docx input the copy is the original package with only the comment markup added: every zip
member except the main document part, its relationships and ``[Content_Types].xml`` is copied byte
for byte, and the main part changes only by ``w:commentRangeStart``/``w:commentRangeEnd`` and one run
holding ``w:commentReference`` per comment (see docs/reports.md for why this is done with lxml rather
than python-docx). A .doc/.wps/.rtf/.odt input is converted with LibreOffice the same way the reader
did, so paragraph ordinals still match. PDF, text and Markdown inputs have no Word body to annotate:
``review_docx`` rebuilds one from the outline and the same comments go on it.

Anchors: a finding sits on the paragraph holding its evidence (``Finding.location``), a missing
element on the heading of the section where it belongs (``Finding.section_path``), and whatever
cannot be placed on the title, which also carries the summary comment.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from yjplan.errors import InputError, OutputPathError, ParseFailed
from yjplan.limits import DEFAULT_LIMITS, Limits
from yjplan.model import AuditResult, Document, Finding, Location, Outcome, Severity
from yjplan.parse.docx import W_NS, iter_body_elements
from yjplan.parse.docx import _w as _w  # the reader's Clark-name helper: one namespace table for both

AUTHOR = "yjplan"
INITIALS = "YJ"
REVIEW_INFIX = ".审查"

_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
_OFFICE_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


W_P, W_R, W_T, W_TBL, W_TR, W_TC, W_PPR, W_RPR, W_B, W_COLOR = map(
    _w, ("p", "r", "t", "tbl", "tr", "tc", "pPr", "rPr", "b", "color")
)
W_SDT, W_SDTCONTENT, W_CUSTOMXML, W_BODY, W_ID, W_VAL = map(
    _w, ("sdt", "sdtContent", "customXml", "body", "id", "val")
)
W_TCPR, W_TRPR, W_GRIDSPAN, W_GRIDBEFORE, W_VMERGE, W_HMERGE = map(
    _w, ("tcPr", "trPr", "gridSpan", "gridBefore", "vMerge", "hMerge")
)
W_COMMENTS, W_COMMENT, W_RANGE_START, W_RANGE_END, W_COMMENT_REF, W_ANNOTATION_REF = map(
    _w, ("comments", "comment", "commentRangeStart", "commentRangeEnd", "commentReference", "annotationRef")
)
COMMENT_MARKUP = frozenset((W_RANGE_START, W_RANGE_END, W_COMMENT_REF))

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LEGACY_FORMATS = ("doc", "wps", "rtf", "odt")
_EXTRA_ANCHORS = 5  # further places of one defect that get a short pointer comment


# --- what the comments say -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Anchor:
    """A place in the Word body: a block ordinal (``iter_body_elements``), and a cell for tables."""

    ordinal: int
    row: int | None = None
    col: int | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """One Word comment: where it may go (first that resolves wins, then the title) and its lines.

    The first line is set in bold: it names the rule, so a reviewer scanning the margin sees it.
    """

    anchors: tuple[Anchor, ...]
    lines: tuple[str, ...]
    rule_id: str | None = None  # None for the summary comment


Locate = Callable[[Location], Anchor | None]


def native_anchor(loc: Location) -> Anchor | None:
    """A .docx location is already an ordinal (and a grid cell for tables)."""
    if loc.paragraph is None:
        return None
    if loc.table is None:
        return Anchor(loc.paragraph)
    return Anchor(loc.paragraph, loc.row, loc.col)


def is_defect(f: Finding) -> bool:
    """A gap whose quotes show the problem itself (a forbid hit), rather than partial evidence."""
    return f.is_gap and any(ev.defect for ev in f.evidence)


def _state(f: Finding) -> str:
    tags = [f.outcome.label, f.severity.label]
    if f.suppressed:
        tags.append("已豁免")
    if f.baseline:
        tags.append("基线")
    return "·".join(tags)


def finding_lines(f: Finding, *, rebuilt: bool) -> tuple[str, ...]:
    """The text of a finding's comment: rule, outcome and message, why, quotes, advice, sources."""
    lines = [f"{f.rule_id} {f.title}", f"【{_state(f)}】{f.message}"]
    if f.detail:
        lines.append(f"说明：{f.detail}")
    if f.evidence:
        label = "问题原文" if is_defect(f) else "相关原文"
        for ev in f.evidence[:3]:
            # in the rebuilt copy the reader needs the page/line of the original file
            where = f"（{ev.location.describe()}）" if rebuilt or ev.location.table is not None else ""
            lines.append(f"{label}：“{ev.quote}”{where}")
    elif f.looked_in:
        lines.append("查找范围：" + "；".join(f.looked_in))
    if rebuilt and f.location is not None:
        lines.append(f"原文位置：{f.location.describe()}")
    if f.suggestion:
        lines.append(f"建议：{f.suggestion}")
    if f.references:
        lines.append("依据：" + "；".join(f.references))
    if f.suppressed:
        lines.append(f"豁免理由：{f.suppressed}")
    return tuple(lines)


def summary_lines(result: AuditResult, comment_count: int, *, rebuilt_from: str | None) -> tuple[str, ...]:
    findings = result.findings
    outcomes = {o: sum(1 for f in findings if f.outcome == o) for o in Outcome}
    open_gaps = [f for f in findings if f.is_gap and not f.suppressed]
    by_severity = {s: sum(1 for f in open_gaps if f.severity == s) for s in Severity}
    waived = sum(1 for f in findings if f.is_gap and f.suppressed)
    scores = "，".join(f"{s.criterion.value} {s.score:.1f}" for s in result.scores)
    lines = [
        "yjplan 审查结果",
        f"总分 {result.total:.1f}，等级：{result.grade}",
        scores,
        f"预案类型：{result.plan_type.plan_type}（{result.plan_type.reason}）",
        f"规则包：{result.pack}",
        f"共检查 {len(findings)} 条规则：符合 {outcomes[Outcome.PASS]}，基本符合 {outcomes[Outcome.PARTIAL]}，"
        f"不符合 {outcomes[Outcome.FAIL]}，不适用 {outcomes[Outcome.NOT_APPLICABLE]}。",
        f"待改问题：错误 {by_severity[Severity.ERROR]}、警告 {by_severity[Severity.WARNING]}、"
        f"提示 {by_severity[Severity.INFO]}；已豁免 {waived}。",
        f"本稿共 {comment_count} 条问题批注，只标出不符合和基本符合的项，符合项不加批注。",
    ]
    if rebuilt_from:
        lines.append(f"本审查稿由{_cjk_join(rebuilt_from)}文件提取的文字重建，版式以原文件为准。")
    return tuple(lines)


def section_location(doc: Document, path: tuple[str, ...]) -> Location | None:
    """The heading location of the section at ``path``, or of its deepest existing ancestor."""
    if not path:
        return None
    locations = {p: sec.location for p, sec in doc.sections() if sec.level > 0}
    for end in range(len(path), 0, -1):
        loc = locations.get(path[:end])
        if loc is not None:
            return loc
    return None


def build_comments(result: AuditResult, locate: Locate, *, rebuilt_from: str | None = None) -> list[Comment]:
    """Every gap's comment (plus pointers on further defect places), then the summary first of all."""
    doc = result.document
    out: list[Comment] = []

    def anchors(*locations: Location | None) -> tuple[Anchor, ...]:
        found = (locate(loc) for loc in locations if loc is not None)
        return tuple(dict.fromkeys(a for a in found if a is not None))

    for f in result.findings:
        if not f.is_gap:
            continue
        primary = anchors(f.location, section_location(doc, f.section_path))
        out.append(Comment(primary, finding_lines(f, rebuilt=rebuilt_from is not None), f.rule_id))
        if not is_defect(f):
            continue
        seen = set(primary[:1])
        for ev in f.evidence:
            extra = anchors(ev.location)
            if not extra or extra[0] in seen or len(seen) > _EXTRA_ANCHORS:
                continue
            seen.add(extra[0])
            lines = (f"{f.rule_id} {f.title}（同一问题的另一处）", f"【{_state(f)}】“{ev.quote}”",
                     "说明与建议见本问题的第一条批注。")  # fmt: skip
            out.append(Comment(extra[:1], lines, f.rule_id))
    gaps = sum(1 for f in result.findings if f.is_gap)
    summary = Comment((), summary_lines(result, gaps, rebuilt_from=rebuilt_from))
    return [summary, *out]


# --- the Word package --------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    from yjplan.parse.safezip import XML_PARSER_OPTIONS

    # unlike the reader, keep XML comments and processing instructions: the body must survive intact
    return etree.XMLParser(remove_comments=False, remove_pis=False, collect_ids=False, **XML_PARSER_OPTIONS)


def _parse_part(data: bytes, part: str, path: Path | None) -> etree._Element:
    from yjplan.parse.safezip import refuse_declared_entities, refuse_entities

    refuse_entities(data, part, path)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ParseFailed(f"文件已损坏：{part} 不是有效的 XML", path=path) from exc
    refuse_declared_entities(root, part, path)
    return root


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _unwrap(container: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Children with ``tag``, looking through content controls and custom XML as the reader does."""
    for child in container:
        if child.tag == tag:
            yield child
        elif child.tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                yield from _unwrap(content, tag)
        elif child.tag == W_CUSTOMXML:
            yield from _unwrap(child, tag)


def _int_val(el: etree._Element | None, default: int) -> int:
    try:
        return int(el.get(W_VAL, "")) if el is not None else default
    except ValueError:
        return default


def _cell_in_row(tr: etree._Element, col: int) -> tuple[etree._Element | None, bool]:
    """The w:tc covering grid column ``col`` (1-based) and whether it continues a vertical merge."""
    trpr = tr.find(W_TRPR)
    pos = _int_val(trpr.find(W_GRIDBEFORE) if trpr is not None else None, 0)
    owner: etree._Element | None = None
    for tc in _unwrap(tr, W_TC):
        tcpr = tc.find(W_TCPR)
        span = max(_int_val(tcpr.find(W_GRIDSPAN) if tcpr is not None else None, 1), 1)
        hmerge = tcpr.find(W_HMERGE) if tcpr is not None else None
        if hmerge is None or hmerge.get(W_VAL, "continue") != "continue" or owner is None:
            owner = tc
        if pos < col <= pos + span:
            vmerge = tcpr.find(W_VMERGE) if tcpr is not None else None
            return owner, vmerge is not None and vmerge.get(W_VAL, "continue") == "continue"
        pos += span
    return None, False


def _table_paragraph(tbl: etree._Element, row: int | None, col: int | None) -> etree._Element | None:
    rows = list(_unwrap(tbl, W_TR))
    cell: etree._Element | None = None
    if row is not None and 1 <= row <= len(rows):
        r = row - 1
        while True:
            cell, continues = _cell_in_row(rows[r], col or 1)
            # a vertically merged cell shows the text of the cell that starts the merge
            if cell is None or not continues or r == 0:
                break
            r -= 1
        if cell is None:
            cell = next(_unwrap(rows[row - 1], W_TC), None)
    if cell is None:
        return next(tbl.iter(W_P), None)
    return next(cell.iter(W_P), None)


def _title_paragraph(body: etree._Element) -> etree._Element | None:

    for _ordinal, el in iter_body_elements(body):
        if el.tag == W_P and any((t.text or "").strip() for t in el.iter(W_T)):
            return el
    return next(body.iter(W_P), None)


def _resolve(anchor: Anchor, blocks: dict[int, etree._Element]) -> etree._Element | None:
    el = blocks.get(anchor.ordinal)
    if el is None:
        return None
    if el.tag == W_TBL:
        return _table_paragraph(el, anchor.row, anchor.col)
    return el


def _mark_paragraph(p: etree._Element, ids: list[int]) -> None:
    """Put the comments' range around the whole paragraph, then their reference marks."""
    ppr = p.find(W_PPR)
    at = 0 if ppr is None else p.index(ppr) + 1
    for offset, cid in enumerate(ids):
        p.insert(at + offset, p.makeelement(W_RANGE_START, {W_ID: str(cid)}))
    # Word wants all range ends of one anchor before all reference runs
    for cid in ids:
        p.append(p.makeelement(W_RANGE_END, {W_ID: str(cid)}))
    for cid in ids:
        run = etree.SubElement(p, W_R)
        etree.SubElement(run, W_COMMENT_REF, {W_ID: str(cid)})


def _comment_element(parent: etree._Element, cid: int, lines: Iterable[str]) -> None:
    comment = etree.SubElement(parent, W_COMMENT, {W_ID: str(cid), _w("author"): AUTHOR, _w("initials"): INITIALS})
    for i, line in enumerate(lines):
        para = etree.SubElement(comment, W_P)
        if i == 0:
            etree.SubElement(etree.SubElement(para, W_R), W_ANNOTATION_REF)
        for j, piece in enumerate(_clean(line).split("\n")):
            run = etree.SubElement(para, W_R)
            if i == 0:
                etree.SubElement(etree.SubElement(run, W_RPR), W_B)
            if j:
                etree.SubElement(run, _w("br"))
            text = etree.SubElement(run, W_T)
            text.text = piece
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _max_id(*roots: etree._Element | None) -> int:
    """The largest w:id in use: annotation ids need only be unique per kind, but one range is simpler."""
    best = -1
    for root in roots:
        if root is None:
            continue
        for el in root.iter():
            value = el.get(W_ID) if isinstance(el.tag, str) else None
            if value is not None and value.lstrip("-").isdigit():
                best = max(best, int(value))
    return best


def _rels_path(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _main_part(names: dict[str, str], read: Callable[[str], bytes], path: Path | None) -> str:
    rels = names.get("_rels/.rels")
    if rels is not None:
        root = _parse_part(read(rels), rels, path)
        for rel in root.iter(f"{{{_REL_NS}}}Relationship"):
            if rel.get("Type") == _OFFICE_DOC_REL and rel.get("TargetMode") != "External":
                target = rel.get("Target", "").lstrip("/")
                if target.lower() in names:
                    return names[target.lower()]
    if "word/document.xml" in names:
        return names["word/document.xml"]
    raise ParseFailed("文件已损坏：缺少正文部分 word/document.xml", path=path)


def _comments_relationship(rels: etree._Element, main: str, names: dict[str, str]) -> str:
    """The comments part the main part already points at, or a new one, added to ``rels``."""
    folder = posixpath.dirname(main)
    for rel in rels.iter(f"{{{_REL_NS}}}Relationship"):
        if rel.get("Type") == COMMENTS_REL and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
    used = {rel.get("Id") for rel in rels.iter(f"{{{_REL_NS}}}Relationship")}
    numbers = [int(m.group(1)) for rid in used if rid and (m := re.fullmatch(r"rId(\d+)", rid))]
    rid = f"rId{max(numbers, default=0) + 1}"
    name, n = "comments.xml", 1
    while posixpath.join(folder, name).lower() in names:
        name, n = f"comments{n}.xml", n + 1
    etree.SubElement(rels, f"{{{_REL_NS}}}Relationship", {"Id": rid, "Type": COMMENTS_REL, "Target": name})
    return posixpath.join(folder, name)


def _declare_content_type(types: etree._Element, part: str) -> None:
    wanted = "/" + part
    for override in types.iter(f"{{{_CT_NS}}}Override"):
        if override.get("PartName", "").lower() == wanted.lower():
            override.set("ContentType", COMMENTS_CT)
            return
    etree.SubElement(types, f"{{{_CT_NS}}}Override", {"PartName": wanted, "ContentType": COMMENTS_CT})


def add_comments(data: bytes, comments: list[Comment], *, title: Anchor | None = None,
                 limits: Limits = DEFAULT_LIMITS, path: Path | None = None) -> bytes:
    """``data`` (a .docx) with ``comments`` added; every part not needed for comments is copied as is."""
    import io

    from yjplan.parse import safezip

    archive = safezip.open_package(data, limits, path)
    names = safezip.member_names(archive)
    budget = [limits.max_unzipped_bytes]

    def read(name: str) -> bytes:
        blob = safezip.read_member(archive, name, budget[0], path)
        budget[0] -= len(blob)
        return blob

    main = _main_part(names, read, path)
    document = _parse_part(read(main), main, path)
    body = document.find(W_BODY)
    if body is None:
        raise ParseFailed(f"文件已损坏：{main} 没有正文", path=path)
    blocks = dict(iter_body_elements(body))
    title_p = _resolve(title, blocks) if title is not None else None
    if title_p is None:
        title_p = _title_paragraph(body)
    if title_p is None:
        raise ParseFailed("文件中没有可以加批注的段落", path=path)

    rels_name = names.get(_rels_path(main).lower(), _rels_path(main))
    rels = (_parse_part(read(rels_name), rels_name, path) if rels_name.lower() in names
            else etree.Element(f"{{{_REL_NS}}}Relationships", nsmap={None: _REL_NS}))  # fmt: skip
    comments_part = _comments_relationship(rels, main, names)
    existing = names.get(comments_part.lower())
    comments_root = (_parse_part(read(existing), existing, path) if existing
                     else etree.Element(W_COMMENTS, nsmap={"w": W_NS}))  # fmt: skip
    types_name = names.get("[content_types].xml")
    if types_name is None:
        raise ParseFailed("文件已损坏：缺少 [Content_Types].xml", path=path)
    types = _parse_part(read(types_name), types_name, path)
    _declare_content_type(types, comments_part)

    next_id = _max_id(document, comments_root) + 1
    per_paragraph: dict[etree._Element, list[int]] = {}
    order: list[etree._Element] = []
    for comment in comments:
        target = next((p for a in comment.anchors if (p := _resolve(a, blocks)) is not None), title_p)
        if target not in per_paragraph:
            per_paragraph[target] = []
            order.append(target)
        per_paragraph[target].append(next_id)
        _comment_element(comments_root, next_id, comment.lines)
        next_id += 1
    for paragraph in order:
        _mark_paragraph(paragraph, per_paragraph[paragraph])

    replaced = {
        main: _serialise(document),
        types_name: _serialise(types),
        rels_name: _serialise(rels),
        comments_part: _serialise(comments_root),
    }
    main_info = archive.getinfo(main)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        written: set[str] = set()
        for info in archive.infolist():
            blob = replaced.get(info.filename)
            out.writestr(info, read(info.filename) if blob is None else blob)
            written.add(info.filename)
        for name, blob in replaced.items():
            if name not in written:
                # new parts take the main part's timestamp so the same input gives the same bytes
                info = zipfile.ZipInfo(name, date_time=main_info.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, blob)
    return buffer.getvalue()


# --- entry point -------------------------------------------------------------------------------


def review_path(result: AuditResult, out: Path | None, near: Path | None = None) -> Path:
    """Where the review copy goes: ``OUT`` (a file, or a folder to put it in), else beside ``near``
    (the report's folder) or the source; always a .docx/.docm, never the input itself."""
    source = Path(result.document.path)
    suffix = source.suffix if result.document.format == "docx" and source.suffix.lower() == ".docm" else ".docx"
    name = f"{source.stem}{REVIEW_INFIX}{suffix}"
    if out is None:
        target = (near if near is not None else source.parent) / name
    elif out.is_dir():
        target = out / name
    else:
        target = out
    if target.suffix.lower() not in (".docx", ".docm"):
        raise OutputPathError(f"审查稿必须保存为 .docx 文件，不能是“{target.name}”", path=target)
    if _same_file(target, source):
        raise OutputPathError("审查稿不能覆盖原文件，请换一个输出路径", path=target)
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def rebuilt_note(result: AuditResult) -> str | None:
    """What to tell the user when the copy is not the original file with comments added."""
    fmt = result.document.format
    if fmt == "docx":
        return None
    if fmt in _LEGACY_FORMATS:
        return f"原文件为 .{fmt}，审查稿是 LibreOffice 转换成的 .docx 加上批注，请核对版式"
    return f"原文件是{_cjk_join(_format_name(fmt))}文件，审查稿由提取的文字重建（标题、段落和表格），版式以原文件为准"


def annotate_result(result: AuditResult, out: Path | None = None, *, near: Path | None = None,
                    limits: Limits = DEFAULT_LIMITS) -> Path:
    """Write the annotated review copy of ``result``'s plan and return its path."""
    from yjplan.fsutil import atomic_write_bytes
    from yjplan.parse import load_bytes

    doc = result.document
    source = Path(doc.path)
    target = review_path(result, out, near)
    data = load_bytes(source, limits)
    if hashlib.sha256(data).hexdigest() != doc.sha256:
        # locations point into the audited bytes; a changed file would get comments in wrong places
        raise InputError("文件在审查之后被修改过，请重新审查后再生成审查稿", path=source)

    if doc.format == "docx":
        annotated = add_comments(data, build_comments(result, native_anchor), limits=limits, path=source)
    elif doc.format in _LEGACY_FORMATS and (converted := _convert_legacy(data, doc.format, limits, source)):
        annotated = add_comments(converted, build_comments(result, native_anchor), limits=limits, path=source)
    else:
        from yjplan.report.review_docx import build_review_docx

        review = build_review_docx(doc)
        comments = build_comments(result, review.locate, rebuilt_from=_format_name(doc.format))
        annotated = add_comments(review.data, comments, title=review.title, limits=limits, path=source)
    atomic_write_bytes(target, annotated)
    return target


def _cjk_join(word: str) -> str:
    # Chinese typesetting puts a space between Han characters and a Latin word, none around Han words
    return f" {word} " if word.isascii() else word


def _format_name(fmt: str) -> str:
    return {"pdf": "PDF", "txt": "纯文本", "md": "Markdown"}.get(fmt, fmt.upper())


def _convert_legacy(data: bytes, fmt: str, limits: Limits, source: Path) -> bytes | None:
    """The same LibreOffice conversion the reader used, so ordinals match; None without LibreOffice."""
    from yjplan.parse.legacy import convert_to_docx, find_soffice

    exe = find_soffice()
    if exe is None:
        return None
    return convert_to_docx(exe, data, fmt, limits.timeout_s, source)
