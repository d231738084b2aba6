"""Every field of ``Limits`` is enforced where it says, and a big-but-legal file is read in bounded
time and memory.

The small tests shrink one limit at a time (in process, fast) so each check is seen to bite; the
``slow`` test feeds the real CLI a 50 MB table-heavy .docx under the default limits.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.fixtures.bad_inputs import (
    big_table_docx,
    good_docx,
    good_pdf,
    many_headings_docx,
    nested_tables_docx,
    plan_text,
)
from tests.reliability.cli_helpers import ERROR_LINE, cli_env
from yjplan.errors import ArchiveTooLarge, FileTooLarge, ParseFailed
from yjplan.limits import DEFAULT_LIMITS
from yjplan.parse import read_document


def test_max_file_bytes_refuses_before_reading(tmp_path: Path) -> None:
    path = good_docx(tmp_path / "plan.docx")
    limits = replace(DEFAULT_LIMITS, max_file_bytes=path.stat().st_size - 1)
    with pytest.raises(FileTooLarge) as info:
        read_document(path, limits)
    assert info.value.code == "E202"
    read_document(path, replace(limits, max_file_bytes=path.stat().st_size))  # the boundary is allowed


def test_max_unzipped_bytes_counts_declared_sizes(tmp_path: Path) -> None:
    path = good_docx(tmp_path / "plan.docx")
    with pytest.raises(ArchiveTooLarge):
        read_document(path, replace(DEFAULT_LIMITS, max_unzipped_bytes=1_000))


def test_max_zip_members(tmp_path: Path) -> None:
    path = good_docx(tmp_path / "plan.docx")  # five parts
    with pytest.raises(ArchiveTooLarge):
        read_document(path, replace(DEFAULT_LIMITS, max_zip_members=4))
    read_document(path, replace(DEFAULT_LIMITS, max_zip_members=5))


@pytest.mark.parametrize("suffix", [".docx", ".txt"])
def test_max_chars_cuts_the_text_and_says_so(tmp_path: Path, suffix: str) -> None:
    if suffix == ".docx":
        path = many_headings_docx(tmp_path / "big.docx", chapters=3, sections=5, subsections=20)
    else:
        path = tmp_path / "big.txt"
        path.write_text(plan_text() * 200, encoding="utf-8")
    full = read_document(path)
    cut = read_document(path, replace(DEFAULT_LIMITS, max_chars=2_000))
    assert full.char_count > 10_000
    assert cut.char_count <= 2_000 + 200  # the block that crosses the limit may finish
    assert any("上限" in note for note in cut.notes)
    assert not any("上限" in note for note in full.notes)


def test_max_pdf_pages(tmp_path: Path) -> None:
    from tests.fixtures.pdf_builder import build_pdf

    path = build_pdf(tmp_path / "two.pdf", [("para", "第一页的内容。"), ("pagebreak",), ("para", "第二页的内容。")])
    with pytest.raises(FileTooLarge):
        read_document(path, replace(DEFAULT_LIMITS, max_pdf_pages=1))


def test_pdf_reading_stops_at_max_chars(tmp_path: Path) -> None:
    path = good_pdf(tmp_path / "plan.pdf")
    full = read_document(path)
    cut = read_document(path, replace(DEFAULT_LIMITS, max_chars=50))
    assert cut.char_count <= full.char_count
    assert full.page_count == cut.page_count


def test_xml_depth_is_bounded_by_the_parser_not_by_python_recursion(tmp_path: Path) -> None:
    """libxml2's 256-element cap (huge_tree off) keeps the reader's recursion shallow: 80 nested tables
    (240 elements) read fine, 90 are refused as too deep, and neither hits Python's recursion limit."""
    deep_ok = read_document(nested_tables_docx(tmp_path / "ok.docx", 80))
    assert "最内层" in "".join(b.text for _, b in deep_ok.blocks())
    with pytest.raises(ParseFailed, match="嵌套过深"):
        read_document(nested_tables_docx(tmp_path / "deep.docx", 90))
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(400)  # far below the default: the reader must not depend on deep recursion
    try:
        read_document(tmp_path / "ok.docx")
    finally:
        sys.setrecursionlimit(old)


def test_unclosed_html_table_in_markdown_is_read_in_linear_time(tmp_path: Path) -> None:
    """A MinerU-style ``<table>`` that never closes, followed by 500 long lines: the reader gathers at
    most 500 lines looking for ``</table>``; rescanning the growing buffer each time took 30 s here."""
    from yjplan.parse.text import read

    line = "应急预案管理办法" * 2_500  # 20 000 characters
    data = ("# 预案\n<table><tr><td>联系人\n" + "\n".join([line] * 500)).encode("utf-8")
    t0 = time.monotonic()
    raw = read(tmp_path / "plan.md", data, DEFAULT_LIMITS)
    assert time.monotonic() - t0 < 10
    assert sum(len(b.text) for b in raw.blocks) >= 500 * len(line)  # nothing was lost either


_MEASURE = """
import resource, subprocess, sys, time, json
t0 = time.monotonic()
proc = subprocess.run(sys.argv[1:], capture_output=True)
print(json.dumps({
    "rc": proc.returncode,
    "seconds": time.monotonic() - t0,
    "max_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    "stdout_tail": proc.stdout.decode("utf-8", "replace")[-2000:],
    "stderr": proc.stderr.decode("utf-8", "replace")[-2000:],
}))
"""


def measure_cli(*args: str | Path, timeout: float) -> dict[str, object]:
    """Run yjplan in a fresh parent so RUSAGE_CHILDREN is that one run's peak memory (Linux: KB)."""
    import json

    cmd = [sys.executable, "-c", _MEASURE, sys.executable, "-m", "yjplan", *map(str, args)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=cli_env())
    except subprocess.TimeoutExpired:
        pytest.fail(f"yjplan {' '.join(map(str, args))} did not finish within {timeout:g} s")
    return json.loads(proc.stdout)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss units and fast sparse zip writing")
def test_50mb_table_docx_is_read_up_to_the_char_limit_in_bounded_memory(tmp_path: Path) -> None:
    """Decision: 50 MB is under max_file_bytes (100 MB) and its 155 MB of XML under max_unzipped_bytes
    (300 MB), so the file is accepted; the reader stops at max_chars (20 M characters) and says so.
    Measured on a 2-core machine: ~84 s for the whole audit (~19 s reading), 1.2 GB peak RSS (0.45 GB
    after reading): it must fit the memory cap a batch worker gets."""
    t0 = time.monotonic()
    path = big_table_docx(tmp_path / "big.docx", target_mb=50)
    assert path.stat().st_size >= 50 * 1024 * 1024
    assert time.monotonic() - t0 < 60, "the generator itself must stay quick"
    result = measure_cli("audit", path, timeout=900)
    assert result["rc"] in (0, 1), result["stderr"]
    assert not any(ERROR_LINE.match(line) for line in str(result["stderr"]).splitlines())
    assert "上限" in str(result["stdout_tail"])  # the user is told the text was cut
    assert float(result["max_rss_mb"]) < DEFAULT_LIMITS.max_memory_mb  # type: ignore[arg-type]
