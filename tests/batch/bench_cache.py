"""Benchmark: a second ``yjplan batch`` over an unchanged folder, answered from the cache.

Run: ``PYTHONPATH=src python -m tests.batch.bench_cache [--copies 8] [--jobs 2]``. Builds a folder of
distinct plans (each corpus text plan repeated with a numbered line added, so every file has its own
hash), then times three end-to-end ``yjplan batch`` processes: a cold run with an empty cache, a warm
run, and a warm run with ``--no-cache`` for comparison. Not collected by pytest (timing assertions
would be flaky on shared CI machines); the figures go into docs/batch.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.batch.conftest import CORPUS, ROOT, SAMPLES


def build(folder: Path, copies: int) -> int:
    sources = sorted(p for p in CORPUS.glob("*") if p.suffix in (".txt", ".md"))
    sources += sorted(p for p in SAMPLES.glob("*") if p.suffix in (".docx", ".pdf", ".md", ".txt") and p.stem != "README")
    n = 0
    for i in range(copies):
        sub = folder / f"批次{i:02d}"
        sub.mkdir(parents=True)
        for src in sources:
            if src.suffix in (".txt", ".md"):
                text = src.read_bytes()
                (sub / src.name).write_bytes(text + f"\n附：第 {i} 份副本\n".encode("utf-8", "replace"))
            elif i == 0:
                shutil.copyfile(src, sub / src.name)
            else:
                continue
            n += 1
    return n


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        n = build(base / "plans", args.copies)
        # a snapshot of the code: the cache key covers yjplan's source, which may be edited meanwhile
        snap = base / "snap"
        shutil.copytree(ROOT / "src", snap / "src", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "rules", snap / "rules")
        env = dict(os.environ, PYTHONPATH=str(snap / "src"))
        cmd = [sys.executable, "-m", "yjplan", "batch", str(base / "plans"), "-o", str(base / "out"), "-j",
               str(args.jobs), "--cache-dir", str(base / "cache"), "-q"]
        cold = timed(cmd, env)
        warm = timed(cmd, env)
        uncached = timed([*cmd, "--no-cache"], env)
        print(f"{n} 份预案，{args.jobs} 个进程")
        print(f"首次运行（空缓存）：{cold:.1f} 秒")
        print(f"再次运行（命中缓存）：{warm:.2f} 秒，快 {cold / warm:.0f} 倍")
        print(f"再次运行（--no-cache）：{uncached:.1f} 秒")


if __name__ == "__main__":
    main()
