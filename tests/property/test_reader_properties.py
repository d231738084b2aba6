"""Readers on damaged bytes: they return a document or raise one of our errors, nothing else.

A reader that lets a ``zlib.error``, ``KeyError`` or ``UnicodeDecodeError`` escape would reach the
user as E999 "internal error" instead of "file damaged" (E210). The mutations start from valid
files, so most examples get past the magic bytes and into the parsers.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.fixtures.bad_inputs import DOC_HEAD, DOC_TAIL, good_docx, good_pdf, plan_body_xml, standard_parts
from tests.property._settings import budget
from yjplan.errors import YjplanError
from yjplan.limits import DEFAULT_LIMITS
from yjplan.parse import read_raw
from yjplan.parse.raw import RawDocument
from yjplan.parse.text import decode

SETTINGS = budget()


@cache
def _valid(kind: str) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"plan.{kind}"
        return (good_docx(path) if kind == "docx" else good_pdf(path)).read_bytes()


def _read(name: str, data: bytes) -> RawDocument | None:
    try:
        return read_raw(Path(name), data, DEFAULT_LIMITS)
    except YjplanError:
        return None


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.integers(0, 2))
        pos = draw(st.integers(0, len(out) - 1))
        if op == 0:
            out[pos] = draw(st.integers(0, 255))
        elif op == 1:
            del out[pos : pos + draw(st.integers(1, 64))]
        else:
            out[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        if not out:
            out = bytearray(b"PK")
    if draw(st.booleans()):
        out = out[: draw(st.integers(1, len(out)))]
    return bytes(out)


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_text_decoding_never_raises(data: bytes) -> None:
    text, encoding = decode(data)
    assert isinstance(text, str) and encoding


@SETTINGS
@given(data=st.binary(min_size=1, max_size=2000), suffix=st.sampled_from([".txt", ".md"]))
def test_text_reader_returns_or_raises_ours(data: bytes, suffix: str) -> None:
    _read("plan" + suffix, data)


@SETTINGS
@given(data=st.data())
def test_docx_reader_on_damaged_packages(data: st.DataObject) -> None:
    _read("plan.docx", data.draw(mutated(_valid("docx"))))


@SETTINGS
@given(cut=st.integers(0, 4000), junk=st.text(max_size=20))
def test_docx_reader_on_damaged_xml(cut: int, junk: str) -> None:
    """Valid zip, broken document.xml: cut anywhere and followed by arbitrary characters."""
    xml = (DOC_HEAD + plan_body_xml() + DOC_TAIL)[:cut] + junk
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, part in {**standard_parts(""), "word/document.xml": xml}.items():
            archive.writestr(name, part)
    raw = _read("plan.docx", buf.getvalue())
    if raw is not None and cut >= len(DOC_HEAD + plan_body_xml() + DOC_TAIL) and not junk.strip():
        assert raw.blocks  # the untouched document still reads


@budget(0.5)
@given(data=st.data())
def test_pdf_reader_on_damaged_files(data: st.DataObject) -> None:
    _read("plan.pdf", data.draw(mutated(_valid("pdf"))))
