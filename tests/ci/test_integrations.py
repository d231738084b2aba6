"""The pre-commit hook and the example CI pipelines: they parse, call yjplan with the formats they
claim, and the commands they run really work (the hook through ``pre-commit try-repo``)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.ci.conftest import PLAN, ROOT, git, yj

HOOKS = ROOT / ".pre-commit-hooks.yaml"
GITHUB = ROOT / "examples" / "ci" / "github-actions.yml"
GITLAB = ROOT / "examples" / "ci" / "gitlab-ci.yml"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def yjplan_commands(text: str) -> list[list[str]]:
    """Every `yjplan …` command line in a shell script, as argv."""
    out = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ")
        if line.startswith("yjplan "):
            out.append(shlex.split(line))
    return out


def _strings(node: object) -> list[str]:
    """Every string in a parsed YAML document (run:, script: and the like)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "yjplan-audit"
    assert hook["entry"] == "yjplan audit" and hook["language"] == "python"
    assert hook.get("pass_filenames", True) is True
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    for name in ("乡镇/甲镇预案.docx", "a.pdf", "b.md", "c.txt", "d.doc", "e.wps", "f.odt", "g.rtf"):
        assert files.search(name) and not exclude.search(name), name
    for name in ("表格.xlsx", "图.png", "a.docx.bak"):
        assert not files.search(name), name
    for name in ("README.md", "docs/README.md", "CHANGELOG.md", "LICENSE.txt"):
        assert exclude.search(name), name
    from yjplan.parse import SUPPORTED_SUFFIXES

    assert all(files.search(f"x{suffix}") for suffix in SUPPORTED_SUFFIXES)  # the hook sees every readable format


def test_github_example_uploads_the_sarif_it_writes() -> None:
    flow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    assert flow["permissions"]["security-events"] == "write"
    steps = flow["jobs"]["yjplan"]["steps"]
    runs = [argv for s in steps if "run" in s for argv in yjplan_commands(s["run"])]
    (audit,) = [argv for argv in runs if argv[1] == "audit"]
    assert option(audit, "--format") == "sarif"
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == option(audit, "--output")
    assert "hashFiles('yjplan.sarif')" in upload["if"]  # uploads after a failed gate, not after an error
    assert EMPTY_TREE in next(s for s in steps if "run" in s and "yjplan audit" in s["run"])["env"]["BASE"]


def test_gitlab_example_reports_the_junit_it_writes() -> None:
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    job = pipeline["yjplan"]
    (audit,) = [argv for line in job["script"] for argv in yjplan_commands(line)]
    assert audit[1] == "audit" and option(audit, "--format") == "junit"
    assert job["artifacts"]["reports"]["junit"] == option(audit, "--output")
    assert job["artifacts"]["when"] == "always"


@pytest.mark.parametrize("example", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_example_commands_run_in_a_plan_repository(example: Path, git_repo: Callable[..., Path]) -> None:
    repo = git_repo({"乡镇/甲镇.txt": PLAN, "README.md": "# 说明\n", ".yjplan.yaml": "exclude: ['README*']\n"})
    (audit,) = [argv for argv in yjplan_commands("\n".join(_strings(yaml.safe_load(example.read_text("utf-8")))))
                if argv[1] == "audit"]
    argv = [EMPTY_TREE if a == "$BASE" else a for a in audit[1:]]  # a push to the default branch
    r = yj(*argv, cwd=repo)
    assert r.returncode == 1, r.stderr  # the plan fails the default gate, and the report is still written
    report = repo / option(audit, "--output")
    if option(audit, "--format") == "sarif":
        run = json.loads(report.read_text(encoding="utf-8"))["runs"][0]
        assert {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in run["results"]} == {
            "%E4%B9%A1%E9%95%87/%E7%94%B2%E9%95%87.txt"}
    else:
        import xml.etree.ElementTree as ET

        assert [s.get("name") for s in ET.parse(report).getroot()] == ["乡镇/甲镇.txt"]


def _hook_repo(dest: Path) -> Path:
    """This checkout (committed or not) as a one-commit git repo that pre-commit can install from."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    keep = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
    for rel in listed:
        if rel and (rel in keep or rel.startswith(("src/", "rules/"))) and (ROOT / rel).is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, target)
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("-c", "user.email=ci@example.com", "-c", "user.name=CI", "-c", "commit.gpgsign=false", "commit", "-q",
        "-m", "hook", cwd=dest)
    return dest


@pytest.mark.slow
def test_pre_commit_try_repo_runs_the_hook(tmp_path: Path, git_repo: Callable[..., Path]) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")
    hook_repo = _hook_repo(tmp_path / "hook-repo")
    plans = git_repo({"乡镇/甲镇.txt": PLAN, "README.md": "# 说明\n"}, name="plan-repo")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    env.pop("PYTHONPATH", None)  # the hook must run the yjplan pre-commit installed, not this checkout

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "yjplan-audit",
                               "--files", *files], cwd=plans, env=env, capture_output=True, text=True, timeout=900)

    failed = try_repo("乡镇/甲镇.txt", "README.md")
    output = failed.stdout + failed.stderr
    if "- hook id: yjplan-audit" not in output and "yjplan 应急预案审查" not in output:
        pytest.skip("pre-commit could not build the hook environment (needs pip and the package index): "
                    + output.strip().splitlines()[-1][:300] if output.strip() else "no output")
    assert failed.returncode == 1, output
    assert "- exit code: 1" in output and "YJ502" in output and "未通过：乡镇/甲镇.txt" in output
    assert "README" not in output.split("- exit code: 1", 1)[1]  # excluded by the hook's regex

    (plans / ".yjplan.yaml").write_text("fail_on: none\n", encoding="utf-8")
    passed = try_repo("乡镇/甲镇.txt", "README.md")  # the installed environment is reused
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
