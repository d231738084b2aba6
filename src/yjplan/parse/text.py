""".txt / .md → RawDocument. One block per line; Markdown headings, pipe and HTML tables.

Encodings seen in practice: UTF-8 (with or without BOM), GBK/GB18030 from older Windows
tools, UTF-16 from "Unicode text" exports. BOMs decide; then strict UTF-8; then
charset-normalizer; GB18030 (a superset of GBK) is the last resort for Chinese text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from yjplan.errors import ParseFailed
from yjplan.limits import Limits
from yjplan.model import Location, Table
from yjplan.parse.raw import RawBlock, RawDocument

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_PIPE_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_HTML_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # UTF-16 without BOM: many NULs in alternating positions
    if data[:4000].count(b"\x00") > len(data[:4000]) // 4:
        enc = "utf-16-le" if data[1:4000:2].count(b"\x00") > data[0:4000:2].count(b"\x00") else "utf-16-be"
        return data.decode(enc, errors="replace"), enc
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    enc = best.encoding if best is not None else "gb18030"
    # charset-normalizer often names a narrower Chinese codec; gb18030 decodes all of them
    if enc.replace("_", "").lower() in ("gbk", "gb2312", "hz", "cp936", "big5", "gb18030"):
        enc = "gb18030"
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        return data.decode("gb18030", errors="replace"), "gb18030"


def _html_table(fragment: str) -> Table | None:
    from lxml import html

    try:
        node = html.fragment_fromstring(fragment)
    except Exception:  # malformed converter output: keep the text, lose the grid
        return None
    rows: list[tuple[str, ...]] = []
    for tr in node.iter("tr"):
        cells = tuple(" ".join(td.text_content().split()) for td in tr if td.tag in ("td", "th"))
        if cells:
            rows.append(cells)
    return Table(tuple(rows)) if rows else None


def _cells(line: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in line.strip().strip("|").split("|"))


def read(path: Path, data: bytes, limits: Limits) -> RawDocument:
    text, encoding = decode(data)
    if "\x00" in text.replace("\x00", "", 0)[:1000] and text.count("\x00") > 10:
        raise ParseFailed("文件不是文本文件（含有大量二进制字节）", path=path)
    cut = len(text) > limits.max_chars
    text = text[: limits.max_chars]
    is_md = path.suffix.lower() in (".md", ".markdown")
    lines = text.splitlines()
    blocks: list[RawBlock] = []
    table_no = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        stripped = line.strip()
        if is_md and "<" in stripped and "<table" in stripped.lower():
            # MinerU-style converters put a whole HTML table on one line (or a few)
            j = i
            parts = [stripped]
            closed = "</table>" in stripped.lower()
            while not closed and j + 1 < len(lines) and j - i < 500:
                j += 1
                parts.append(lines[j])
                # look at the new line only (plus a tag split across the break): rescanning the whole
                # buffer each time is quadratic on a hostile file with huge lines and no closing tag
                closed = "</table>" in (parts[-2][-7:] + lines[j]).lower()
            buf = "".join(parts)
            for m in _HTML_TABLE.finditer(buf):
                table = _html_table(m.group(0))
                if table is not None:
                    table_no += 1
                    blocks.append(RawBlock(table.text(), Location(line=lineno, table=table_no), table=table))
            rest = _HTML_TABLE.sub("", buf).strip()
            if rest:
                blocks.append(RawBlock(rest, Location(line=lineno)))
            i = j + 1
            continue
        if (
            is_md
            and stripped.startswith("|")
            and i + 1 < len(lines)
            and _PIPE_SEP.match(lines[i + 1].strip())
        ):
            rows = [_cells(stripped)]
            j = i + 2
            while j < len(lines) and lines[j].strip().startswith("|"):
                rows.append(_cells(lines[j]))
                j += 1
            table_no += 1
            table = Table(tuple(rows))
            blocks.append(RawBlock(table.text(), Location(line=lineno, table=table_no), table=table))
            i = j
            continue
        i += 1
        if not stripped:
            continue
        style_level = None
        bold = False
        if is_md:
            # each pattern needs its opening characters; most lines have none and skip the regexes
            if "![" in stripped:
                stripped = _MD_IMAGE.sub("", stripped).strip()
            m = _MD_HEADING.match(stripped) if stripped.startswith("#") else None
            if m:
                style_level, stripped = len(m.group(1)), m.group(2)
            emph = _MD_EMPHASIS.fullmatch(stripped) if stripped.startswith(("**", "__")) else None
            if emph:
                bold, stripped = True, emph.group(2)
            if not stripped:
                continue
        blocks.append(RawBlock(stripped, Location(line=lineno), style_level=style_level, bold=bold))
    notes = () if encoding in ("utf-8", "utf-8-sig") else (f"文本编码：{encoding}",)
    if cut:
        notes += (f"文字超过 {limits.max_chars} 字的上限，只读取了前面的部分",)
    return RawDocument("md" if is_md else "txt", tuple(blocks), None, None, None, notes)
