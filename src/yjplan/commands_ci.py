"""CI commands: ``yjplan init`` (a commented starter .yjplan.yaml) and ``yjplan baseline``.

Registered on the shared Typer app when imported (see ``cli._load_cli_extensions``).
"""

# Annotations are real objects, not strings: see the note in cli.py.
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from yjplan.cli import app, run_guarded
from yjplan.cli_coerce import LeanCommand
from yjplan.errors import UsageError

STARTER_CONFIG = """\
# yjplan 配置文件（由 yjplan init 生成）。各项说明见 docs/config.md。
# yjplan 从当前目录向上查找 .yjplan.yaml；也可以用 --config 指定。
# 文件中的相对路径和 glob 都相对于本文件所在的文件夹。

# 追加的规则包：目录（相对本文件）或 builtin:ID，例如 builtin:township
rules: []

# 只检查这些规则（编号前缀或名称），为空表示全部；ignore 中的规则不检查
select: []
ignore: []

# 调整规则的级别：error | warning | info
severity: {}
#  YJ905: info

# 门禁：有此级别及以上的问题时退出码为 1（error | warning | info | none）
fail_on: error
# 总分低于此值时退出码为 1（0–100），不写则不按分数判断
# fail_under: 60

# 审查文件夹（batch、--changed-only）时选哪些文件；include 为空表示所有支持的格式
include: []
exclude: ["README*", "CHANGELOG*", "LICENSE*", "docs/**"]

# 按路径指定预案类型，不自动判断（先写的优先）
plan_types: {}
#  "乡镇/*.docx": 乡镇
#  "企业/**/现场处置方案*.pdf": 现场处置方案

# 豁免：必须写明理由，可以设到期日；过期后不再豁免，并报告为 YJ000
waivers: []
#  - rule: YJ701
#    files: ["乡镇/*.docx"]
#    reason: 乡镇预案的处置卡由县级统一编制
#    expires: 2026-12-31

# 基线（yjplan baseline 生成）：基线中已有的问题不会使门禁失败，只有新问题会
# baseline: .yjplan-baseline.json
"""


@app.command("init", cls=LeanCommand)
def init_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="配置文件路径。")] = Path(".yjplan.yaml"),
    force: Annotated[bool, typer.Option("--force", help="覆盖已有的配置文件。")] = False,
) -> None:
    """生成带注释的 .yjplan.yaml 初始配置。"""

    def body() -> None:
        from yjplan.fsutil import atomic_write_text

        if output.exists() and not force:
            raise UsageError(f"配置文件已存在，如需覆盖请加 --force：{output}")
        atomic_write_text(output, STARTER_CONFIG)
        print(f"已生成配置文件：{output}", file=sys.stderr)

    run_guarded(body)


def _plan_files(paths: list[Path], cfg) -> list[Path]:  # type: ignore[no-untyped-def]
    """Files as given; folders expand to the plan files under them (config include/exclude)."""
    out: list[Path] = []
    for given in paths:
        if not given.is_dir():
            out.append(given)
            continue
        for folder, dirs, names in os.walk(given):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            out.extend(Path(folder) / n for n in sorted(names) if cfg.wants(Path(folder) / n))
    return out


@app.command("baseline", cls=LeanCommand)
def baseline_cmd(
    files: Annotated[list[Path], typer.Argument(help="要记录的预案文件或文件夹。")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="基线文件（默认取配置中的 baseline，否则 .yjplan-baseline.json）。")] = None,
    plan_type: Annotated[str | None, typer.Option("--type", "-t", help="指定预案类型，不自动判断。")] = None,
    rules: Annotated[list[str] | None, typer.Option("--rules", help="追加规则包（目录或 builtin:ID）。")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="配置文件路径（默认向上查找 .yjplan.yaml）。")] = None,
) -> None:
    """把当前的问题记录为基线：之后审查时，基线中已有的问题不会使门禁失败。"""

    def body() -> None:
        import json
        from dataclasses import replace

        from yjplan.baseline import render_baseline
        from yjplan.config import DEFAULT_BASELINE, load_config, options_from
        from yjplan.fsutil import atomic_write_text
        from yjplan.pipeline import audit_file
        from yjplan.postprocess import finalize

        cfg = load_config(config)
        out = output or cfg.baseline or Path(DEFAULT_BASELINE)
        plans = _plan_files(files, cfg)
        if not plans:
            raise UsageError("没有找到要记录的预案文件")
        # Waivers apply (waived gaps are recorded too, so dropping a waiver later keeps them known);
        # an existing baseline does not: a new baseline records every gap open today.
        no_baseline = replace(cfg, baseline=None)
        results = []
        for file in plans:
            opts = options_from(cfg, file, plan_type=plan_type, rules=tuple(rules or ()))
            results.append(finalize(audit_file(file, opts), no_baseline))
        text = render_baseline(results, out)
        atomic_write_text(out, text)
        count = len(json.loads(text)["entries"])
        print(f"已记录 {count} 个问题（{len(results)} 个文件）到基线：{out}", file=sys.stderr)

    run_guarded(body)

