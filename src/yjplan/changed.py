"""--changed-only / --changed-since REF: audit only the files changed against a git ref (default HEAD).

Changed = ``git diff --name-only REF`` (committed since REF, staged or not) plus untracked files
that are not ignored (``git ls-files --others --exclude-standard``). Deleted files are skipped.
Git runs without a shell and with ``-z``, so Chinese file names arrive unquoted.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from yjplan.config import Config
from yjplan.errors import FileMissing, UsageError

GIT_TIMEOUT_S = 60


def _git(args: Sequence[str], cwd: Path) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise UsageError("--changed-only 需要 git，但没有找到 git 命令") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} 超过 {GIT_TIMEOUT_S} 秒没有结束") from None
    if proc.returncode != 0:
        raise _GitFailed(proc.stderr.decode("utf-8", "replace").strip())
    return proc.stdout.decode("utf-8", "replace")


class _GitFailed(Exception):
    pass


def repo_root(cwd: Path) -> Path:
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], cwd).strip()).resolve()
    except _GitFailed:
        raise UsageError(f"--changed-only 只能在 git 仓库中使用，当前目录不在 git 仓库中：{cwd}") from None


def changed_paths(ref: str, cwd: Path) -> frozenset[Path]:
    """Absolute paths of files that differ from ``ref`` or are untracked (and not ignored)."""
    root = repo_root(cwd)
    try:
        diff = _git(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", ref, "--"], root)
    except _GitFailed as exc:
        raise UsageError(f"无法与“{ref}”比较，请检查 --changed-since 给出的分支或提交（git：{exc}）") from None
    try:
        untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    except _GitFailed as exc:
        raise UsageError(f"git ls-files 失败：{exc}") from None
    names = [n for n in (diff + untracked).split("\0") if n]
    return frozenset((root / n).resolve() for n in names)


def select_changed(paths: Sequence[Path], ref: str, cfg: Config, cwd: Path | None = None) -> list[Path]:
    """The given files that changed, and the changed plan files under the given folders."""
    cwd = cwd or Path.cwd()
    changed = changed_paths(ref, cwd)
    chosen: dict[Path, Path] = {}
    for given in paths:
        target = (cwd / given).resolve()
        if not target.exists():
            raise FileMissing("文件不存在", path=given)
        if target.is_dir():
            for path in sorted(changed):
                if path.is_file() and path.is_relative_to(target) and cfg.wants(path):
                    chosen.setdefault(path, _display(path, cwd))
        elif target in changed and target.is_file():
            chosen.setdefault(target, given)
    return list(chosen.values())


def _display(path: Path, cwd: Path) -> Path:
    """Paths relative to the working directory when possible, so reports stay short."""
    try:
        return path.relative_to(cwd.resolve())
    except ValueError:
        return path
