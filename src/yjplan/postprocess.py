"""After matching: apply waivers and the baseline from the configuration to an AuditResult."""

from __future__ import annotations

from pathlib import Path

from yjplan.config import Config
from yjplan.model import AuditResult


def finalize(result: AuditResult, cfg: Config, baseline: Path | None = None) -> AuditResult:
    return result
