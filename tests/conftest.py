"""Shared fixtures: the repository layout and copies of the sample data to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample tables (without truth.json)."""
    out = tmp_path / "sample"
    out.mkdir()
    for path in SAMPLE.iterdir():
        if path.suffix in (".csv", ".parquet"):
            shutil.copy(path, out / path.name)
    return out


# The offline blocker is loaded by kernels under test, never imported by pytest itself.
collect_ignore = ["offline"]
