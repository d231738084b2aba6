"""bytes → Document. Picks a reader by content (not only by extension), applies limits.

Each reader module exposes ``read(path: Path, data: bytes, limits: Limits) -> RawDocument``
and is imported only when a file of its format shows up, so ``yjplan --help`` never pays for
lxml, pypdfium2 or LibreOffice probing.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from yjplan.errors import (
    EmptyFile,
    FileMissing,
    FileTooLarge,
    FileUnreadable,
    NoContent,
    UnsupportedFormat,
)
from yjplan.limits import DEFAULT_LIMITS, Limits
from yjplan.model import Document
from yjplan.parse.raw import RawDocument

READERS: dict[str, str] = {
    "docx": "yjplan.parse.docx",
    "pdf": "yjplan.parse.pdf",
    "txt": "yjplan.parse.text",
    "md": "yjplan.parse.text",
    "doc": "yjplan.parse.legacy",
    "wps": "yjplan.parse.legacy",
    "rtf": "yjplan.parse.legacy",
    "odt": "yjplan.parse.legacy",
}
SUFFIXES: dict[str, str] = {
    ".docx": "docx",
    ".docm": "docx",
    ".pdf": "pdf",
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".doc": "doc",
    ".wps": "wps",
    ".rtf": "rtf",
    ".odt": "odt",
}
SUPPORTED_SUFFIXES = frozenset(SUFFIXES)


def sniff_format(path: Path, head: bytes) -> str:
    """The format a file really has; a .doc renamed to .docx is still read as .doc."""
    suffix_fmt = SUFFIXES.get(path.suffix.lower())
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # OLE2: .doc, .wps, or an encrypted .docx (which Office also stores as OLE2)
        return suffix_fmt if suffix_fmt in ("doc", "wps") else "ole"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument.text" in head[:120]:
            return "odt"
        return "docx" if suffix_fmt in (None, "docx", "doc", "wps", "txt", "md") else suffix_fmt
    if suffix_fmt is None:
        raise UnsupportedFormat(
            f"不支持的文件类型“{path.suffix or '无扩展名'}”，请提供 .docx、.pdf、.txt、.md、.doc 或 .wps 文件",
            path=path,
        )
    if suffix_fmt in ("docx", "pdf", "odt"):
        # a .docx/.pdf that does not start with its magic bytes is damaged or mislabelled
        return "corrupt-" + suffix_fmt
    return suffix_fmt


_ENCRYPTED_PACKAGE = "EncryptedPackage\0".encode("utf-16-le")


def is_encrypted_ooxml(data: bytes) -> bool:
    """Whether an OLE2 compound file is Office's wrapper around a password-protected .docx/.xlsx.

    Such a file has a directory entry named "EncryptedPackage"; a .doc has "WordDocument". Directory
    entries are 128-byte records at 128-byte-aligned offsets, name first, then the name's byte length:
    checking both keeps a .doc whose text happens to contain the word from passing for encrypted.
    """
    start = data.find(_ENCRYPTED_PACKAGE)
    while start != -1:
        if start % 128 == 0 and data[start + 64 : start + 66] == len(_ENCRYPTED_PACKAGE).to_bytes(2, "little"):
            return True
        start = data.find(_ENCRYPTED_PACKAGE, start + 1)
    return False


def load_bytes(path: Path, limits: Limits) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise FileMissing("文件不存在", path=path) from exc
    except OSError as exc:
        raise FileUnreadable(f"无法读取文件（{exc.strerror or exc}）", path=path) from exc
    if path.is_dir():
        raise UnsupportedFormat("这是一个文件夹，请用 yjplan batch 审查整个文件夹", path=path)
    if size > limits.max_file_bytes:
        # one decimal: a file just over the limit must not read "100 MB, limit 100 MB"
        raise FileTooLarge(
            f"文件过大（{size / 1048576:.1f} MB），超过 {limits.max_file_bytes / 1048576:g} MB 的上限", path=path
        )
    if size == 0:
        raise EmptyFile("文件为空（0 字节）", path=path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileUnreadable(f"无法读取文件（{exc.strerror or exc}）", path=path) from exc


def read_raw(path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS) -> RawDocument:
    fmt = sniff_format(path, data[:512])
    if fmt == "ole":
        if not is_encrypted_ooxml(data):
            fmt = "doc"  # a Word 97-2003 file under another name: LibreOffice reads it all the same
        else:
            from yjplan.errors import EncryptedDocument

            raise EncryptedDocument("Word 文档设有打开密码，请在 Word 或 WPS 中取消密码后另存，再审查", path=path)
    if fmt.startswith("corrupt-"):
        from yjplan.errors import ParseFailed

        kind = fmt.removeprefix("corrupt-")
        raise ParseFailed(f"文件已损坏或不是真正的 .{kind} 文件", path=path)
    module = importlib.import_module(READERS[fmt])
    with _collector_paused(fmt in _ACYCLIC_READERS):
        raw: RawDocument = module.read(path, data, limits)
    if raw.format != fmt and fmt in ("txt", "md"):
        raw = RawDocument(fmt, raw.blocks, raw.page_count, raw.meta_title, raw.meta_date, raw.notes)
    return raw


# Formats whose readers are pure Python over lxml: nothing they allocate is in a cycle. The PDF
# and LibreOffice paths go through libraries that do build cycles, and keep the collector here;
# the PDF reader pauses it itself around its pypdfium2 part (not around the pdfplumber fallback).
_ACYCLIC_READERS = frozenset(("docx", "txt", "md"))


@contextmanager
def _collector_paused(pause: bool = True) -> Iterator[None]:
    """Hold off the cyclic garbage collector while a document is read and outlined.

    That work allocates tens of thousands of short-lived objects (element proxies, blocks,
    locations), none of them in a cycle, so reference counting frees them all; the collections their
    allocation sets off only walk the blocks read so far, over and over, and cost about 5% of a
    .docx read (more in a process whose heap is large). One collection runs after, as it would anyway.
    """
    if not pause or not gc.isenabled():  # a caller that disabled it has its own reasons
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def read_document(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read any supported plan into a Document with its section tree."""
    from yjplan.parse.meta import detect_metadata
    from yjplan.parse.outline import build_outline

    path = Path(path)
    data = load_bytes(path, limits)
    raw = read_raw(path, data, limits)
    char_count = sum([len(b.text) for b in raw.blocks])
    if char_count == 0:
        raise NoContent("文件中没有可读的文字", path=path)
    with _collector_paused():
        root, outline_notes = build_outline(raw)
        meta = detect_metadata(raw, root)
    return Document(
        path=str(path),
        format=raw.format,
        sha256=hashlib.sha256(data).hexdigest(),
        root=root,
        title=meta.title,
        issuer=meta.issuer,
        issue_date=meta.issue_date,
        page_count=raw.page_count,
        char_count=char_count,
        notes=raw.notes + outline_notes,
    )
