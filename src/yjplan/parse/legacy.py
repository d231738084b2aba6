""".doc, .wps, .rtf and .odt → .docx with LibreOffice (headless), then the .docx reader.

Nothing in Python reads Word 97–2003 or WPS binaries well; LibreOffice does. Each conversion runs
with a throwaway user profile, so parallel batch workers never share (and lock) one profile, and in
its own process group, so a timeout ends LibreOffice's helper processes too.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from yjplan.errors import ConversionFailed, LibreOfficeMissing, ParseTimeout
from yjplan.limits import Limits
from yjplan.parse.raw import RawDocument

EXECUTABLES = ("soffice", "libreoffice")
FORMATS = ("doc", "wps", "rtf", "odt")
INSTALL_HINT = (
    "读取 .doc/.wps 需要 LibreOffice：Debian/Ubuntu 用 sudo apt-get install libreoffice-writer，"
    "macOS 用 brew install --cask libreoffice，Windows 从 libreoffice.org 安装，"
    "或在 Word/WPS 中另存为 .docx"
)
CONVERTED_NOTE = "已用 LibreOffice 转换为 .docx 后读取"


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH, if any."""
    for name in EXECUTABLES:
        found = shutil.which(name)
        if found:
            return found
    return None


def read(path: Path, data: bytes, limits: Limits) -> RawDocument:
    exe = find_soffice()
    if exe is None:
        raise LibreOfficeMissing(INSTALL_HINT, path=path)
    fmt = _format_of(path, data)
    docx_bytes = convert_to_docx(exe, data, fmt, limits.timeout_s, path)
    from yjplan.parse import docx

    raw = docx.read(path, docx_bytes, limits)
    return replace(raw, format=fmt, notes=(CONVERTED_NOTE, *raw.notes))


def _format_of(path: Path, data: bytes) -> str:
    from yjplan.parse import sniff_format

    fmt = sniff_format(path, data[:512])
    if fmt in FORMATS:
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "doc"


def convert_to_docx(exe: str, data: bytes, fmt: str, timeout_s: float, path: Path) -> bytes:
    """The .docx that LibreOffice makes of ``data`` (a file of format ``fmt``)."""
    with tempfile.TemporaryDirectory(prefix="yjplan-lo-") as tmp:
        work = Path(tmp)
        # an ASCII name: the original may not be valid UTF-8, and soffice mangles odd names
        source = work / f"input.{fmt}"
        source.write_bytes(data)
        outdir = work / "out"
        cmd = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(outdir),
            str(source),
        ]
        detail = _run(cmd, timeout_s, path)
        result = outdir / "input.docx"
        if not result.is_file() or result.stat().st_size == 0:
            raise ConversionFailed(
                f"LibreOffice 无法转换此文件（可能已损坏或设有密码）{detail}", path=path
            )
        return result.read_bytes()


def _run(cmd: list[str], timeout_s: float, path: Path) -> str:
    """Run soffice; return a short Chinese-bracketed hint from its error output, or ""."""
    posix = os.name == "posix"
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=posix,
    )
    try:
        _out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        _kill(proc, posix)
        raise ParseTimeout(f"LibreOffice 转换超时（超过 {timeout_s:g} 秒）", path=path) from exc
    lines = [ln for ln in err.decode("utf-8", "replace").splitlines() if "javaldx" not in ln and ln.strip()]
    return f"（{lines[-1].strip()[:200]}）" if lines else ""


def _kill(proc: subprocess.Popen[bytes], posix: bool) -> None:
    try:
        if posix:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()
