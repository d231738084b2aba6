"""Build the bad-input corpus once per session, each case on first use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.bad_inputs import Case
from tests.reliability.cli_helpers import needs_met


@pytest.fixture(scope="session")
def build_case(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Case], Path]:
    """Build a corpus case on first use, in its own directory (some builders write neighbours)."""
    root = tmp_path_factory.mktemp("bad-inputs")
    built: dict[str, Path] = {}

    def build(case: Case) -> Path:
        if not needs_met(case):
            pytest.skip(f"{case.needs} is not installed")
        if case.name not in built:
            built[case.name] = case.make(root / case.name)
        return built[case.name]

    return build
