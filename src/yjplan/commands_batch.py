"""The ``batch`` command, registered on the shared Typer app when imported."""

# Annotations are real objects, not strings: see the note in cli.py.
import sys
from pathlib import Path
from typing import Annotated

import typer

from yjplan.cli import app, run_guarded
from yjplan.cli_coerce import LeanCommand

_H = {
    "--output": "输出文件夹（默认 ./yjplan-batch-<日期>）。",
    "--format": "输出格式，可重复：terminal|csv|xlsx|html|jsonl（默认全部）。",
    "--jobs": "并行进程数（默认 CPU 核数）。",
    "--include": "只审查匹配的文件（glob，按相对路径或文件名），可重复。",
    "--exclude": "不审查匹配的文件（glob），可重复。",
    "--resume": "接着上次中断的运行继续，已完成的文件不再审查。",
    "--no-cache": "不读也不写结果缓存。",
    "--cache-dir": "缓存位置（也可用环境变量 YJPLAN_CACHE_DIR）。",
    "--timeout": "单个文件的时间上限（秒，默认 120）。",
    "--type": "把所有文件都按此类型审查，不自动判断。",
    "--rules": "追加规则包（目录或 builtin:ID），可重复。",
    "--select": "只检查这些规则（编号前缀或名称）。",
    "--ignore": "不检查这些规则。",
    "--executor": "local（本机多进程）或 dask。",
    "--scheduler": "Dask 调度器地址，如 tcp://10.0.0.5:8786。",
    "--fail-on": "有文件的问题达到此级别时退出码为 1：error|warning|info|none。",
    "--fail-under": "有文件总分低于此值时退出码为 1。",
    "--config": "配置文件路径（默认向上查找 .yjplan.yaml）。",
    "--quiet": "不显示进度条和终端汇总。",
    "folders": "一个或多个文件夹（也可以是单个文件），递归查找预案。",
}


@app.command(cls=LeanCommand)
def batch(
    folders: Annotated[list[Path], typer.Argument(help=_H["folders"])],
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_H["--output"])] = None,
    fmt: Annotated[list[str] | None, typer.Option("--format", "-f", help=_H["--format"])] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help=_H["--jobs"])] = None,
    include: Annotated[list[str] | None, typer.Option("--include", help=_H["--include"])] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help=_H["--exclude"])] = None,
    resume: Annotated[bool, typer.Option("--resume", help=_H["--resume"])] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help=_H["--no-cache"])] = False,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help=_H["--cache-dir"])] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help=_H["--timeout"])] = None,
    plan_type: Annotated[str | None, typer.Option("--type", "-t", help=_H["--type"])] = None,
    rules: Annotated[list[str] | None, typer.Option("--rules", help=_H["--rules"])] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help=_H["--select"])] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help=_H["--ignore"])] = None,
    executor: Annotated[str, typer.Option("--executor", help=_H["--executor"])] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help=_H["--scheduler"])] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help=_H["--fail-on"])] = None,
    fail_under: Annotated[float | None, typer.Option("--fail-under", help=_H["--fail-under"])] = None,
    config: Annotated[Path | None, typer.Option("--config", help=_H["--config"])] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=_H["--quiet"])] = False,
) -> None:
    """批量审查文件夹中的预案：并行、可续跑、有缓存，生成排名、汇总表和跨预案检查。"""

    def body() -> int:
        from yjplan.batch import FORMATS, BatchSettings, run

        settings = BatchSettings(
            inputs=tuple(folders), output=output, formats=tuple(fmt) if fmt else FORMATS, jobs=jobs,
            include=tuple(include or ()), exclude=tuple(exclude or ()), resume=resume, use_cache=not no_cache,
            cache_dir=cache_dir, timeout_s=timeout, plan_type=plan_type, rules=tuple(rules or ()),
            select=tuple(select or ()), ignore=tuple(ignore or ()), executor=executor, scheduler=scheduler,
            fail_on=fail_on, fail_under=fail_under, config=config, quiet=quiet,
        )
        report = run(settings)
        if report.interrupted:
            print(f"已中断：完成 {report.done}/{report.inputs}，可用 --resume 继续", file=sys.stderr)
        elif not quiet and "terminal" not in settings.formats:
            print(f"已审查 {len(report.audited)} 份，出错 {len(report.errors)}，跳过 {len(report.skipped)}；"
                  f"报告已写入 {report.outdir}", file=sys.stderr)
        return report.exit_code

    raise typer.Exit(int(run_guarded(body)))
