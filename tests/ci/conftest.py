"""Shared pieces for the CI tests: a small township plan in plain text, the CLI in a subprocess,
and a throw-away git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A thin township plan: known gaps (YJ502 response triggers, YJ501 levels…) and known passes
# (YJ101 basis cited, YJ506 first response). Line numbers matter for the SARIF/GitHub tests.
PLAN = """\
青石镇突发事件总体应急预案

一、总则
（一）编制目的
为规范青石镇突发事件应对工作，保障人民群众生命财产安全，制定本预案。
（二）编制依据
依据《中华人民共和国突发事件应对法》《突发事件应急预案管理办法》和《梧桐县突发事件总体应急预案》等制定。
（三）适用范围
本预案适用于青石镇行政区域内自然灾害、事故灾难等突发事件的应对工作。
二、组织机构
镇应急指挥部由镇长任指挥长，分管副镇长任副指挥长，值班电话0745-6317021。
三、应急响应
发生突发事件后，镇应急办立即组织先期处置，30分钟内向县应急管理局报告。
"""


def yj(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("YJPLAN_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "yjplan", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout)


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def git_repo(tmp_path: Path) -> Callable[..., Path]:
    """A fresh git repository with the given files committed; returns its folder."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def make(files: dict[str, str], name: str = "plans") -> Path:
        repo = tmp_path / name
        repo.mkdir()
        git("init", "-q", "-b", "main", cwd=repo)
        git("config", "user.email", "ci@example.com", cwd=repo)
        git("config", "user.name", "CI", cwd=repo)
        git("config", "commit.gpgsign", "false", cwd=repo)
        for rel, text in files.items():
            path = repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        git("add", "-A", cwd=repo)
        git("commit", "-q", "-m", "plans", cwd=repo)
        return repo

    return make
