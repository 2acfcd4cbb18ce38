"""Shared fixtures: the repository layout and copies of the sample data to break."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(autouse=True, scope="session")
def _fit_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fits shared by the tests' notebook runs go to a folder of this session, not the checkout's
    ``.cache`` (the kernels inherit the environment)."""
    os.environ["SOCIALRETURNS_CACHE"] = str(tmp_path_factory.mktemp("fit-cache"))
    yield
    # the warm zygotes of the tests' single notebook runs (`socialreturns.batch.zygote`) exit once
    # their sockets are gone: none outlives the session
    from socialreturns.batch import zygote

    if (folder := zygote.warm_folder()) is not None:
        zygote.stop_warm(folder)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample tables (without truth.json)."""
    out = tmp_path / "sample"
    out.mkdir()
    for path in SAMPLE.iterdir():
        if path.suffix in (".csv", ".parquet"):
            shutil.copy(path, out / path.name)
    return out


#: A src=, href=, CSS url() or script import() naming a scheme (http:, https:...) or a protocol-
#: relative //: it leaves the report folder. data: URIs are inline, so allowed.
_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?|import\(\s*["'])\s*(?!data:)(?:[a-z][a-z0-9+.-]*:|//)[^\s"')>]*""",
    re.IGNORECASE,
)


def external_references(page: str) -> list[str]:
    """What an HTML page would load (or link to) from outside its own folder."""
    return _EXTERNAL.findall(page)


# The offline blocker is loaded by kernels under test, never imported by pytest itself.
collect_ignore = ["offline"]
