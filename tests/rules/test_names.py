"""The name registry that pack loading reads equals the matcher's real registries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from yjplan.rules.names import CHECK_NAMES, EXTRACTOR_NAMES

SRC = Path(__file__).resolve().parents[2] / "src"


def test_extractor_names_are_the_registered_extractors() -> None:
    from yjplan.match.extract import EXTRACTORS

    assert set(EXTRACTORS) == EXTRACTOR_NAMES


def test_check_names_are_the_registered_checks() -> None:
    from yjplan.match.checks import CHECKS

    assert set(CHECKS) == CHECK_NAMES


def test_loading_a_pack_does_not_import_the_matcher() -> None:
    probe = ("import sys, json; from yjplan.rules.load import pack_for_type; pack_for_type('乡镇'); "
             "print(json.dumps(sorted(m for m in ('yjplan.match.extract', 'yjplan.match.checks', 'phonenumbers') "
             "if m in sys.modules)))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)}
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
