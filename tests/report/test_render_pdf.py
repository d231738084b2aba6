"""The annotated copy and the HTML report open in LibreOffice and convert to PDF with their content."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from yjplan.model import AuditResult
from yjplan.report.annotate import annotate_result
from yjplan.report.html import render_html

# LibreOffice ≥ 7.5 puts comments in the page margin (so pdftotext sees them); older ones export them
# as PDF text annotations, read below with pdfium
_PDF_WITH_COMMENTS = 'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"},' \
    '"ExportNotesInMargin":{"type":"boolean","value":"true"}}'


def _soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("没有安装 LibreOffice（soffice），跳过 PDF 转换测试")
    return exe


def _convert(source: Path, target_format: str, tmp: Path) -> Path:
    outdir = tmp / "pdf"
    cmd = [_soffice(), f"-env:UserInstallation={(tmp / 'lo-profile').as_uri()}", "--headless", "--norestore",
           "--nologo", "--nolockcheck", "--convert-to", target_format, "--outdir", str(outdir), str(source)]  # fmt: skip
    # own process group: on timeout, LibreOffice's helper processes go too
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("LibreOffice 转换超时")
    pdf = outdir / (source.stem + ".pdf")
    assert pdf.is_file(), f"LibreOffice produced no PDF for {source.name}"
    assert pdf.stat().st_size > 0
    return pdf


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("没有安装 pdftotext（poppler-utils）")
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, timeout=60, check=True).stdout
    return re.sub(r"\s+", "", out.decode("utf-8"))


def _annotation_texts(pdf: Path) -> str:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    texts = []
    document = pdfium.PdfDocument(str(pdf))
    try:
        for index in range(len(document)):
            page = document[index]
            for i in range(raw.FPDFPage_GetAnnotCount(page)):
                annot = raw.FPDFPage_GetAnnot(page, i)
                size = raw.FPDFAnnot_GetStringValue(annot, b"Contents", None, 0)
                if size > 2:
                    buf = ctypes.create_string_buffer(size)
                    raw.FPDFAnnot_GetStringValue(annot, b"Contents", ctypes.cast(buf, ctypes.POINTER(raw.FPDF_WCHAR)),
                                                 size)  # fmt: skip
                    texts.append(buf.raw.decode("utf-16-le").rstrip("\x00"))
                raw.FPDFPage_CloseAnnot(annot)
    finally:
        document.close()
    return re.sub(r"\s+", "", "".join(texts))


def test_annotated_copy_converts_to_pdf_with_its_comments(gap_docx: tuple[Path, AuditResult], tmp_path: Path) -> None:
    _source, result = gap_docx
    copy = annotate_result(result, tmp_path / "plan.审查.docx")
    pdf = _convert(copy, _PDF_WITH_COMMENTS, tmp_path)
    body = _pdftotext(pdf)
    assert "青石村突发事件应急预案" in body
    comments = body + _annotation_texts(pdf)
    for f in result.gaps():
        assert re.sub(r"\s+", "", f.message) in comments, f.rule_id
    assert "yjplan审查结果" in comments


def test_html_report_converts_to_pdf(gap_docx: tuple[Path, AuditResult], tmp_path: Path) -> None:
    result = gap_docx[1]
    page = tmp_path / "report.html"
    page.write_text(render_html([result]), encoding="utf-8")
    pdf = _convert(page, "pdf", tmp_path)
    text = _pdftotext(pdf)
    assert re.sub(r"\s+", "", result.gaps()[0].message) in text
    assert f"{result.total:.1f}" in text
