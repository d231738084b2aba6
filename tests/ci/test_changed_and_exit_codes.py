"""--changed-only / --changed-since and the exit codes, end to end in a temporary git repository."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tests.ci.conftest import PLAN, git, yj

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # what the example pipelines compare with on push
CONFIG = "exclude: ['README*']\nfail_on: error\n"


def audited(stdout: str) -> list[str]:
    """Plans named in the per-plan summary notices of --format github."""
    return re.findall(r"^::notice file=([^,]+),title=yjplan", stdout, flags=re.M)


def make_repo(git_repo: Callable[..., Path]) -> Path:
    return git_repo({
        ".yjplan.yaml": CONFIG,
        "乡镇/甲镇.txt": PLAN,
        "乡镇/乙镇.txt": PLAN.replace("青石镇", "乙镇"),
        "README.md": "# 本县预案\n",
    })


def test_nothing_changed_exits_0(git_repo: Callable[..., Path]) -> None:
    repo = make_repo(git_repo)
    r = yj("audit", ".", "--changed-only", "--format", "github", cwd=repo)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and "没有改动" in r.stderr


def test_changed_and_untracked_plans_are_audited_others_are_not(git_repo: Callable[..., Path]) -> None:
    repo = make_repo(git_repo)
    (repo / "乡镇" / "甲镇.txt").write_text(PLAN + "四、附则\n本预案自印发之日起施行。\n", encoding="utf-8")
    (repo / "乡镇" / "丙镇.txt").write_text(PLAN.replace("青石镇", "丙镇"), encoding="utf-8")  # untracked
    (repo / "README.md").write_text("# 本县预案（修订）\n", encoding="utf-8")  # changed, excluded
    (repo / "乡镇" / "表格.xlsx").write_bytes(b"PK")  # changed, not a plan format
    r = yj("audit", ".", "--changed-only", "--format", "github", cwd=repo)
    assert r.returncode == 1, r.stderr  # the plans have error-level gaps
    assert sorted(audited(r.stdout)) == ["乡镇/丙镇.txt", "乡镇/甲镇.txt"]

    # explicit files are narrowed to the changed ones; a staged change still counts
    git("add", "乡镇/甲镇.txt", cwd=repo)
    only = yj("audit", "乡镇/乙镇.txt", "乡镇/甲镇.txt", "--changed-only", "--format", "github", cwd=repo)
    assert audited(only.stdout) == ["乡镇/甲镇.txt"]

    # from a subfolder, paths stay relative to where yjplan runs
    sub = yj("audit", ".", "--changed-only", "--format", "github", cwd=repo / "乡镇")
    assert sorted(audited(sub.stdout)) == ["丙镇.txt", "甲镇.txt"]


def test_changed_since_a_ref_and_deleted_files(git_repo: Callable[..., Path]) -> None:
    repo = make_repo(git_repo)
    (repo / "乡镇" / "丁镇.txt").write_text(PLAN.replace("青石镇", "丁镇"), encoding="utf-8")
    git("rm", "-q", "乡镇/乙镇.txt", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "second", cwd=repo)
    r = yj("audit", ".", "--changed-since", "HEAD~1", "--format", "github", cwd=repo)
    assert audited(r.stdout) == ["乡镇/丁镇.txt"]  # the deleted plan is skipped, not an error
    everything = yj("audit", ".", "--changed-since", EMPTY_TREE, "--format", "github", cwd=repo)
    assert sorted(audited(everything.stdout)) == ["乡镇/丁镇.txt", "乡镇/甲镇.txt"]


def test_exit_codes(git_repo: Callable[..., Path], tmp_path: Path) -> None:
    repo = make_repo(git_repo)
    plan = "乡镇/甲镇.txt"
    assert yj("audit", plan, cwd=repo).returncode == 1  # error-level gaps
    assert yj("audit", plan, "--select", "YJ101", cwd=repo).returncode == 0  # a rule the plan meets
    assert yj("audit", plan, "--fail-on", "none", cwd=repo).returncode == 0
    assert yj("audit", plan, "--fail-on", "none", "--fail-under", "99", cwd=repo).returncode == 1
    usage = yj("audit", plan, "--fail-on", "fatal", cwd=repo)
    assert usage.returncode == 2 and "E010" in usage.stderr and usage.stdout == ""
    missing = yj("audit", "乡镇/没有这个.txt", cwd=repo)
    assert missing.returncode == 2 and "E205" in missing.stderr
    (repo / ".yjplan.yaml").write_text(CONFIG + "fail_under: 200\n", encoding="utf-8")
    bad_config = yj("audit", plan, cwd=repo)
    assert bad_config.returncode == 2 and "E100" in bad_config.stderr and ".yjplan.yaml:3:1" in bad_config.stderr
    (repo / ".yjplan.yaml").write_text(CONFIG, encoding="utf-8")
    bad_ref = yj("audit", ".", "--changed-since", "no-such-branch", cwd=repo)
    assert bad_ref.returncode == 2 and "no-such-branch" in bad_ref.stderr

    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    (outside / "甲镇.txt").write_text(PLAN, encoding="utf-8")
    no_git = yj("audit", "甲镇.txt", "--changed-only", cwd=outside)
    assert no_git.returncode == 2 and "git 仓库" in no_git.stderr
