"""The LibreOffice-based reader: conversion, missing LibreOffice, timeouts and failed conversions."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pytest

from yjplan.errors import ConversionFailed, LibreOfficeMissing, ParseTimeout
from yjplan.limits import DEFAULT_LIMITS, Limits
from yjplan.parse import legacy, read_raw

needs_soffice = pytest.mark.skipif(legacy.find_soffice() is None, reason="LibreOffice not installed")
posix_only = pytest.mark.skipif(os.name != "posix", reason="fake soffice is a shell script")


def _rtf(paragraphs: list[str]) -> bytes:
    """A minimal RTF document; non-ASCII characters as \\uN? escapes, as Word writes them."""

    def esc(text: str) -> str:
        return "".join(ch if ord(ch) < 128 else f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?"
                       for ch in text)  # fmt: skip

    body = "".join(f"{{\\pard {esc(p)}\\par}}\n" for p in paragraphs)
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 SimSun;}}\\f0\\fs24\n" + body + "}").encode("ascii")


def _fake_soffice(tmp_path: Path, script: str) -> str:
    exe = tmp_path / "soffice"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


def test_missing_libreoffice_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    path = tmp_path / "plan.doc"

    with pytest.raises(LibreOfficeMissing) as info:
        legacy.read(path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), DEFAULT_LIMITS)

    err = info.value
    assert err.code == "E220"
    assert "LibreOffice" in err.message
    assert "apt-get install libreoffice-writer" in err.message
    assert "另存为 .docx" in err.message
    assert err.path == path


@needs_soffice
def test_rtf_is_converted_and_read(tmp_path: Path) -> None:
    pytest.importorskip("yjplan.parse.docx")
    path = tmp_path / "plan.rtf"
    path.write_bytes(_rtf(["一、总则", "为了规范应急管理工作，制定本预案。", "Section 2 text"]))

    raw = read_raw(path, path.read_bytes(), DEFAULT_LIMITS)

    assert raw.format == "rtf"
    expected = ["一、总则", "为了规范应急管理工作，制定本预案。", "Section 2 text"]
    assert [b.text for b in raw.blocks] == expected
    assert raw.notes[0] == legacy.CONVERTED_NOTE


@needs_soffice
def test_file_name_that_is_not_utf8_is_still_converted(tmp_path: Path) -> None:
    pytest.importorskip("yjplan.parse.docx")
    path = Path(os.fsdecode(bytes(tmp_path) + b"/\xd3\xa6\xbc\xb1\xd4\xa4\xb0\xb8.rtf"))  # GBK "应急预案"
    path.write_bytes(_rtf(["应急预案正文。"]))

    raw = legacy.read(path, path.read_bytes(), DEFAULT_LIMITS)

    assert [b.text for b in raw.blocks] == ["应急预案正文。"]


@needs_soffice
@pytest.mark.corpus
def test_real_doc_plan_converts_end_to_end(corpus_dir: Path) -> None:
    pytest.importorskip("yjplan.parse.docx")
    path = corpus_dir / "04_guojia_gonglu_jiaotong.doc"

    raw = read_raw(path, path.read_bytes(), DEFAULT_LIMITS)

    assert raw.format == "doc"
    assert legacy.CONVERTED_NOTE in raw.notes
    texts = [b.text for b in raw.blocks]
    assert "公路交通突发事件应急预案" in texts
    assert any(t.startswith("为切实加强公路交通突发事件的应急管理工作") for t in texts)
    tables = [b.table for b in raw.blocks if b.table is not None]
    assert tables and tables[0].rows[0][:3] == ("预警级别", "级别描述", "颜色标示")
    assert sum(len(t) for t in texts) > 15_000


@posix_only
def test_conversion_that_runs_too_long_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pid_file = tmp_path / "pid"
    # the child sleeps in the background like LibreOffice's helper (oosplash → soffice.bin)
    exe = _fake_soffice(tmp_path, f"sleep 30 &\necho $! > {pid_file}\nwait\n")
    monkeypatch.setattr(legacy, "find_soffice", lambda: exe)

    started = time.monotonic()
    with pytest.raises(ParseTimeout) as info:
        legacy.read(tmp_path / "slow.doc", b"x" * 600, Limits(timeout_s=1.0))

    assert info.value.code == "E211"
    assert time.monotonic() - started < 10
    child = int(pid_file.read_text())
    time.sleep(0.2)
    assert not _running(child)  # the whole process group is gone, not only the shell


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan killed in a container may wait long to be reaped)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat_line.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@posix_only
def test_conversion_without_output_is_a_conversion_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exe = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 0\n")
    monkeypatch.setattr(legacy, "find_soffice", lambda: exe)

    with pytest.raises(ConversionFailed) as info:
        legacy.read(tmp_path / "broken.wps", b"garbage" * 100, DEFAULT_LIMITS)

    assert info.value.code == "E221"
    assert "source file could not be loaded" in info.value.message


@posix_only
def test_soffice_gets_an_ascii_copy_and_a_private_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "args"
    exe = _fake_soffice(tmp_path, f'for a in "$@"; do echo "$a" >> {log}; done\n')
    monkeypatch.setattr(legacy, "find_soffice", lambda: exe)

    with pytest.raises(ConversionFailed):
        legacy.read(tmp_path / "计划.wps", b"w" * 600, DEFAULT_LIMITS)

    args = log.read_text().splitlines()
    assert args[-1].endswith("/input.wps")
    assert any(a.startswith("-env:UserInstallation=file:///") for a in args)
    assert "--headless" in args
