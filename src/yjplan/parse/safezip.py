"""Open untrusted OOXML packages without letting them expand, lie or reach out.

A .docx is a zip of XML parts. Both layers can be weaponised: a zip bomb expands a few KB into
gigabytes, and an XML part can declare entities that expand exponentially (billion laughs) or
point at local files and URLs (XXE). Everything that opens a package goes through here.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from yjplan.errors import ArchiveTooLarge, ParseFailed, UnsafeXml
from yjplan.limits import Limits

RATIO_CHECK_MIN_BYTES = 10 * 1024 * 1024  # small parts compress extremely well (runs of spaces); only
# a large member with an absurd ratio is a bomb
_CHUNK = 1024 * 1024

# OOXML forbids DTDs, so any entity declaration is hostile or broken; UTF-16 parts are legal XML too.
_ENTITY_MARKERS = (
    b"<!ENTITY",
    "<!ENTITY".encode("utf-16-le"),
    "<!ENTITY".encode("utf-16-be"),
)

_UNSAFE_MESSAGE = "文件包含不安全的 XML 实体声明，已拒绝读取"

XML_PARSER_OPTIONS: Mapping[str, bool] = MappingProxyType(
    {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}
)


def open_package(data: bytes, limits: Limits, path: Path | None = None) -> zipfile.ZipFile:
    """A ZipFile over ``data``, refused before anything is decompressed if its directory looks like a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ParseFailed("文件已损坏：不是有效的 ZIP 压缩包，无法作为 .docx 读取", path=path) from exc
    if len(infos) > limits.max_zip_members:
        raise ArchiveTooLarge(
            f"压缩包内文件过多（{len(infos)} 个，上限 {limits.max_zip_members} 个），疑似压缩炸弹", path=path
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_unzipped_bytes:
        raise ArchiveTooLarge(
            f"解压后过大（{total / 1048576:.0f} MB，上限 {limits.max_unzipped_bytes / 1048576:.0f} MB）",
            path=path,
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > limits.max_zip_ratio:
            raise ArchiveTooLarge(
                f"压缩包成员 {info.filename} 的压缩比异常"
                f"（{ratio:.0f} 倍，上限 {limits.max_zip_ratio:.0f} 倍），疑似压缩炸弹",
                path=path,
            )
    return archive


def member_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Lower-cased part name → stored name; OPC part names are case-insensitive."""
    return {info.filename.lower(): info.filename for info in archive.infolist()}


def read_member(archive: zipfile.ZipFile, name: str, max_bytes: int, path: Path | None = None) -> bytes:
    """The member's bytes, counting what is actually inflated rather than what the header claims."""
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(name) as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ArchiveTooLarge(
                        f"压缩包成员 {name} 解压后超过上限（{max_bytes / 1048576:.0f} MB），疑似压缩炸弹",
                        path=path,
                    )
                chunks.append(chunk)
    except ArchiveTooLarge:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise ParseFailed(f"文件已损坏：压缩包成员 {name} 无法解压", path=path) from exc
    return b"".join(chunks)


def refuse_entities(data: bytes, part: str, path: Path | None = None) -> None:
    """Raise UnsafeXml if the part declares entities; checked on raw bytes so nothing is expanded first."""
    # Every marker contains the byte "!", which Chinese text (full-width "！") and Word's markup
    # never need: one memchr clears nearly every part, instead of three substring scans.
    if b"!" in data and any(marker in data for marker in _ENTITY_MARKERS):
        raise UnsafeXml(_UNSAFE_MESSAGE, path=path)


def xml_parser() -> etree.XMLParser:
    return etree.XMLParser(remove_comments=True, remove_pis=True, collect_ids=False, **XML_PARSER_OPTIONS)


def parse_xml(data: bytes, part: str, path: Path | None = None) -> etree._Element:
    """Parse a (small) package part into a tree with entities, DTDs and network access off."""
    refuse_entities(data, part, path)
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise xml_error(exc, part, path) from exc
    refuse_declared_entities(root, part, path)
    return root


def xml_error(exc: etree.XMLSyntaxError, part: str, path: Path | None = None) -> ParseFailed:
    """The ParseFailed to raise for a part lxml refused.

    libxml2 stops at 256 nested elements unless told ``huge_tree``, which we never do: that bound is
    what keeps the reader's recursion (tables in tables, wrappers in wrappers) shallow. Such a file
    is well-formed, so say why it was refused rather than calling it broken.
    """
    if "Excessive depth" in str(exc):
        return ParseFailed(
            f"文件结构嵌套过深（{part} 的 XML 元素超过 256 层，常见于多层嵌套的表格），无法读取", path=path
        )
    return ParseFailed(f"文件已损坏：{part} 不是有效的 XML", path=path)


def refuse_declared_entities(root: etree._Element, part: str, path: Path | None = None) -> None:
    """Second line of defence after ``refuse_entities``: ask the parser what the DTD declared."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnsafeXml(_UNSAFE_MESSAGE, path=path)
