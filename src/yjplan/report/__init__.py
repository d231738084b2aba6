"""Renderers: AuditResult → text, JSON, Markdown, HTML, SARIF, JUnit, GitHub annotations.

``render(results, fmt)`` imports only the renderer it needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from yjplan.model import AuditResult

RENDERERS = {
    "json": "yjplan.report.json:render_json",
    "md": "yjplan.report.markdown:render_markdown",
    "html": "yjplan.report.html:render_html",
    "sarif": "yjplan.report.sarif:render_sarif",
    "junit": "yjplan.report.junit:render_junit",
    "github": "yjplan.report.github:render_github",
}


def render(results: Sequence[AuditResult], fmt: str) -> str:
    module_name, func_name = RENDERERS[fmt].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    return func(list(results))
