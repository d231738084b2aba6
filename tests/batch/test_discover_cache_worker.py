"""Discovery of inputs, the result cache, and the worker's error mapping and memory cap."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.batch.conftest import ROOT
from yjplan.cache import ResultCache, cacheable, context_digest
from yjplan.discover import discover
from yjplan.errors import UsageError
from yjplan.pipeline import AuditOptions
from yjplan.worker import Task, WorkerSetup, audit_task


def _by_name(found) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    return {os.path.basename(e.display): e.skip for e in found.entries}


def test_discovery_lists_documents_once_and_says_why_some_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.docx").write_bytes(b"x")
    (tmp_path / "b.PDF").write_bytes(b"x")
    (tmp_path / "~$a.docx").write_bytes(b"x")
    (tmp_path / "c.pptx").write_bytes(b"x")
    (tmp_path / "d.py").write_text("x")
    (tmp_path / ".e.txt").write_text("x")
    (tmp_path / "noext").write_text("x")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "loop1.txt").symlink_to(tmp_path / "loop2.txt")
    (tmp_path / "loop2.txt").symlink_to(tmp_path / "loop1.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.md").write_text("x")
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "sub" / "a-again.docx").symlink_to(tmp_path / "a.docx")
    found = discover([tmp_path, tmp_path / "sub"])  # overlapping roots
    names = _by_name(found)
    assert names["a.docx"] is None and names["b.PDF"] is None and names["f.md"] is None
    assert "锁文件" in names["~$a.docx"]  # type: ignore[operator]
    assert "不支持" in names["c.pptx"]  # type: ignore[operator]
    assert "不是普通文件" in names["pipe.txt"]  # type: ignore[operator]
    assert "符号链接" in names["loop1.txt"] and "符号链接" in names["loop2.txt"]  # type: ignore[operator]
    assert "不跟随" in names["up"]  # type: ignore[operator]
    assert "a-again.docx" not in names, "the same file reached twice is listed once"
    assert not {"d.py", ".e.txt", "noext"} & set(names)
    assert found.ignored == 3
    keys = [e.key for e in found.entries]
    assert len(keys) == len(set(keys)), "f.md under both roots is still one input"
    assert found.to_audit == 3


def test_include_exclude_and_pruned_output(tmp_path: Path) -> None:
    for rel in ("乡镇/a.txt", "乡镇/b.docx", "归档/c.txt", "out/report.html", "out/x.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = discover([tmp_path], include=["乡镇/*", "归档/*"], exclude=["*.docx"], prune=[tmp_path / "out"])
    assert sorted(_by_name(found)) == ["a.txt", "c.txt"]
    assert discover([tmp_path], want=lambda p: "归档" not in p).to_audit == 3


def test_undecodable_names_keep_their_bytes(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"\xb0\xb2\xc8\xab.txt")  # GBK bytes for 安全
    Path(os.fsdecode(raw)).write_text("x")
    (entry,) = discover([tmp_path]).entries
    assert os.fsencode(entry.path) == raw, "the path still opens the file"
    assert entry.display.endswith("\ufffd\ufffd\u022b.txt")  # c8 ab happens to be valid UTF-8 (ȫ)
    assert entry.key.endswith("\\xb0\\xb2\u022b.txt")
    entry.display.encode("utf-8")  # printable and JSON-safe


def test_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        discover([tmp_path / "nope"])


def test_cache_round_trip_strips_run_fields_and_skips_unstable_errors(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "c")
    row = {"status": "audited", "total": 80.0, "path": "a.txt", "ms": 12.0, "pid": 7}
    cache.put("abc", "ctx", row)
    assert cache.get("abc", "ctx") == {"status": "audited", "total": 80.0}
    assert cache.get("abc", "other") is None and cache.get("zzz", "ctx") is None
    timeout = {"status": "error", "error": {"code": "E211", "message": "超时"}}
    corrupt = {"status": "error", "error": {"code": "E210", "message": "损坏"}}
    assert not cacheable(timeout) and cacheable(corrupt) and not cacheable({**row, "changed": True})
    cache.put("t", "ctx", timeout)
    assert cache.get("t", "ctx") is None
    cache.close()
    assert ResultCache(tmp_path / "c").get("abc", "ctx") is not None, "entries survive the process"


def test_an_unusable_cache_is_switched_off_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    cache = ResultCache(tmp_path / "file" / "cache")
    assert not cache.enabled and cache.note and "缓存不可用" in cache.note
    cache.put("a", "b", {"status": "audited"})
    assert cache.get("a", "b") is None


def test_cache_context_changes_with_options_but_not_with_time_limits() -> None:
    base = AuditOptions()
    assert context_digest(base) == context_digest(replace(base, limits=replace(base.limits, timeout_s=5)))
    assert context_digest(base) != context_digest(replace(base, ignore=("YJ101",)))
    assert context_digest(base) != context_digest(replace(base, limits=replace(base.limits, max_chars=10)))


def test_worker_turns_every_failure_into_a_row(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import yjplan.pipeline

    task = Task(index=0, path=str(tmp_path / "x.txt"), sha256="0", opts=AuditOptions())
    assert audit_task(task, WorkerSetup())["error"]["code"] == "E205"  # the file does not exist

    def boom(path, opts):  # type: ignore[no-untyped-def]
        raise MemoryError

    monkeypatch.setattr(yjplan.pipeline, "audit_file", boom)
    assert audit_task(task, WorkerSetup(memory_mb=64))["error"]["code"] == "E214"
    monkeypatch.setattr(yjplan.pipeline, "audit_file", lambda path, opts: 1 / 0)
    row = audit_task(task, WorkerSetup())
    assert row["error"]["code"] == "E999" and "ZeroDivisionError" in row["error"]["detail"]


def test_memory_cap_makes_a_huge_allocation_fail_instead_of_swapping() -> None:
    code = ("from yjplan.worker import set_memory_limit\n"
            "set_memory_limit(300)\n"
            "try:\n    bytearray(600 * 1024 * 1024)\nexcept MemoryError:\n    print('capped')\n")
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "capped", done.stderr
