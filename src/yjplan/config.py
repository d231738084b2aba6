"""`.yjplan.yaml` → a frozen Config, and the per-file AuditOptions it implies.

Minimal first version: found by walking up from the working directory (or --config); the full
schema (waivers, thresholds, per-path plan types, baselines) is documented in docs/config.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yjplan.pipeline import AuditOptions

CONFIG_NAMES = (".yjplan.yaml", ".yjplan.yml", "yjplan.yaml")


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    root: Path | None = None
    rule_packs: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    fail_on: str = "error"
    fail_under: float | None = None
    plan_types: tuple[tuple[str, str], ...] = ()  # glob → plan type


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def load_config(path: Path | None = None) -> Config:
    path = path or find_config(Path.cwd())
    if path is None:
        return Config()
    return Config(path=path, root=path.parent)


def options_from(cfg: Config, file: Path, *, plan_type: str | None = None, rules: tuple[str, ...] = (),
                 select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> AuditOptions:
    return AuditOptions(
        plan_type=plan_type,
        rule_packs=cfg.rule_packs + rules,
        select=select or cfg.select,
        ignore=cfg.ignore + ignore,
        severity=cfg.severity,
    )
