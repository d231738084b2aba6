"""Which files under the given folders a batch run looks at, and why the others are left out.

An *input* is every regular file whose extension marks a document (see DOCUMENT_SUFFIXES) and that
passes --include/--exclude. Each input becomes exactly one row of the run: audited, error, or
skipped with a reason (Office lock file, unsupported document format, not a regular file, a
symlink that cannot be resolved). Everything else — hidden files and folders, files that are not
documents (.py, .db, no extension), files filtered out by --include/--exclude — is *ignored*: not
a row, only counted in the summary. Symlinked folders are not followed (no loops); a folder that
cannot be listed becomes one skipped row so the gap is visible.

Paths keep Python's surrogate escapes for undecodable (non-UTF-8) names, so they can be opened;
``display`` replaces those bytes with U+FFFD for people and ``key`` (the identity used for resume)
shows them as ``\\xNN`` so two different undecodable names never collide.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from yjplan.errors import UsageError
from yjplan.parse import SUPPORTED_SUFFIXES

# Documents yjplan cannot read but a person might have meant as plans: reported as skipped.
UNSUPPORTED_DOCUMENTS = frozenset((
    ".xls", ".xlsx", ".xlsm", ".et", ".ods", ".csv", ".ppt", ".pptx", ".dps", ".odp", ".zip", ".rar", ".7z",
    ".tar", ".gz", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".ofd", ".xps", ".html",
    ".htm", ".mht", ".dot", ".dotx", ".wpt", ".pages", ".caj", ".epub",
))  # fmt: skip
DOCUMENT_SUFFIXES = SUPPORTED_SUFFIXES | UNSUPPORTED_DOCUMENTS


@dataclass(frozen=True, slots=True)
class Entry:
    path: str  # as walked: root as given + relative path (surrogate escapes kept)
    display: str  # for people
    key: str  # absolute path, undecodable bytes as \xNN: the identity of an input across runs
    skip: str | None = None  # why it is not audited; None = audit it

    @property
    def suffix(self) -> str:
        return os.path.splitext(self.path)[1].lower()


@dataclass(frozen=True, slots=True)
class Discovery:
    entries: tuple[Entry, ...]
    ignored: int = 0  # files that are not inputs (hidden, not documents, filtered out)
    ignored_kinds: tuple[tuple[str, int], ...] = ()  # (extension or reason, count), most common first

    @property
    def to_audit(self) -> int:
        return sum(1 for e in self.entries if e.skip is None)


def display_path(path: str) -> str:
    return os.fsencode(path).decode("utf-8", "replace")


def path_key(path: str) -> str:
    return os.fsencode(os.path.abspath(path)).decode("utf-8", "backslashreplace")


def _entry(path: str, skip: str | None = None) -> Entry:
    return Entry(path=path, display=display_path(path), key=path_key(path), skip=skip)


def _matches(rel: str, name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def _inside(path: str, folders: Iterable[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == f or real.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def discover(
    roots: Sequence[Path],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    prune: Sequence[Path] = (),
    want: Callable[[str], bool] | None = None,
) -> Discovery:
    """Walk ``roots`` (folders or single files) in a stable, sorted order.

    ``include``/``exclude`` are the command line's globs (matched against the path relative to the
    root and against the file name); ``want`` is the configuration's own filter on the path.
    """
    entries: list[Entry] = []
    ignored: Counter[str] = Counter()
    seen: set[tuple[int, int]] = set()
    pruned = [os.path.realpath(p) for p in prune]
    listed: set[str] = set()

    def add(entry: Entry) -> None:
        if entry.key not in listed:  # overlapping roots reach the same path twice
            listed.add(entry.key)
            entries.append(entry)

    def consider(path: str, rel: str, name: str) -> None:
        suffix = os.path.splitext(name)[1].lower()
        if name.startswith("~$"):
            if suffix in DOCUMENT_SUFFIXES:
                add(_entry(path, "Office 临时锁文件（文档正在编辑时生成）"))
            else:
                ignored["~$"] += 1
            return
        if name.startswith("."):
            ignored["隐藏文件"] += 1
            return
        if suffix not in DOCUMENT_SUFFIXES:
            ignored[suffix or "无扩展名"] += 1
            return
        if ((include and not _matches(rel, name, include)) or (exclude and _matches(rel, name, exclude))
                or (want is not None and not want(path))):
            ignored["--include/--exclude"] += 1
            return
        try:
            st = os.stat(path)
        except OSError as exc:
            if os.path.islink(path):
                add(_entry(path, f"符号链接无法解析（{exc.strerror or exc}）"))
            else:
                add(_entry(path, f"无法访问（{exc.strerror or exc}）"))
            return
        if not stat.S_ISREG(st.st_mode):
            add(_entry(path, "不是普通文件（管道、设备或文件夹）"))
            return
        identity = (st.st_dev, st.st_ino)
        if identity in seen:
            return  # the same file reached twice (overlapping folders, a symlink to a file already listed)
        seen.add(identity)
        if suffix not in SUPPORTED_SUFFIXES:
            add(_entry(path, f"不支持的格式（{suffix}）"))
            return
        add(_entry(path))

    for root in roots:
        root_s = os.fspath(root)
        if not os.path.lexists(root_s):
            raise UsageError(f"找不到文件夹或文件：{display_path(root_s)}")
        if not os.path.isdir(root_s):
            consider(root_s, os.path.basename(root_s), os.path.basename(root_s))
            continue
        errors: list[OSError] = []
        for folder, dirnames, filenames in os.walk(root_s, followlinks=False, onerror=errors.append):
            kept = []
            for d in sorted(dirnames):
                full = os.path.join(folder, d)
                if d.startswith("."):
                    ignored["隐藏文件夹"] += 1
                elif os.path.islink(full):
                    add(_entry(full, "符号链接指向的文件夹，不跟随"))
                elif _inside(full, pruned):
                    continue
                else:
                    kept.append(d)
            dirnames[:] = kept
            for name in sorted(filenames):
                full = os.path.join(folder, name)
                consider(full, os.path.relpath(full, root_s).replace(os.sep, "/"), name)
        for err in errors:
            where = err.filename if isinstance(err.filename, str) else root_s
            add(_entry(where, f"无法读取文件夹（{err.strerror or err}）"))
    return Discovery(tuple(entries), sum(ignored.values()), tuple(ignored.most_common()))
