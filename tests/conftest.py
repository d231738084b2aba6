from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT))  # tests.fixtures builders, samples generator


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (CORPUS / "MANIFEST.tsv").exists():
        pytest.skip(f"real corpus not found at {CORPUS}")
    return CORPUS
