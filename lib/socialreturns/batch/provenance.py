"""Provenance: what produced a report, and whether it must run again.

The manifest (``manifest.json``) says what produced every report: resolved parameters, input
files with SHA-256, git commit and dirty flag, package versions. Inputs are hashed as a run
starts and checked again before its report replaces the last good one (`changed_inputs`), so a
file replaced meanwhile fails the run instead of being recorded with a hash it no longer has. A run whose fingerprint
(notebook, parameters, library and inputs) matches its last success is skipped unless forced.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from socialreturns import __version__
from socialreturns.batch.spec import RUNNER_PARAMETERS, Run, notebook_parameters
from socialreturns.inputs import project_root, resolve

#: Packages whose versions go into the manifest.
PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "nltk", "vaderSentiment",
            "papermill", "nbconvert", "ipykernel", "pyarrow", "pandera")  # fmt: skip


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def changed_inputs(inputs: Sequence[Mapping[str, Any]]) -> list[str]:
    """The paths of ``inputs`` (manifest entries: ``path`` relative to the repository root or
    absolute, ``sha256``) whose file no longer has that hash, or is gone."""
    changed = []
    for entry in inputs:
        path = resolve(entry["path"])
        if not path.is_file() or sha256(path) != entry["sha256"]:
            changed.append(str(entry["path"]) + ("" if path.is_file() else " (removed)"))
    return changed


def input_files(parameters: Mapping[str, Any]) -> list[Path]:
    """The files a run reads: every string parameter naming an existing file, and the files of
    every string parameter naming a folder (not recursive, hidden files left out)."""
    found: list[Path] = []
    for key, value in parameters.items():
        if key in RUNNER_PARAMETERS or not isinstance(value, str) or not value.strip():
            continue
        path = resolve(value)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith("."))
    return found


def git_state() -> dict[str, Any]:
    """The repository's commit and whether its tree has uncommitted changes (None outside git)."""
    root = project_root()
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()  # fmt: skip
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, timeout=10, check=True).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}


def versions() -> dict[str, str | None]:
    """Python's and the main packages' versions."""
    from importlib import metadata

    out: dict[str, str | None] = {"python": sys.version.split()[0], "socialreturns": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def resolved_parameters(run: Run, runner: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults from the parameters cell, then the run's overrides, then the runner's values."""
    values = {p.name: p.default for p in notebook_parameters(run.notebook)}
    return values | run.overrides | {k: v for k, v in runner.items() if k in run.declared}


def fingerprint(
    run: Run,
    parameters: Mapping[str, Any],
    inputs: Sequence[Mapping[str, Any]],
    library: str,
    *,
    hide_code: bool = False,
) -> str:
    """What decides whether a run must run again: its notebook, parameters, library, inputs and
    whether its HTML shows the code."""
    parts = {
        "notebook": sha256(run.notebook),
        "hide_code": hide_code,
        "parameters": {k: v for k, v in parameters.items() if k not in RUNNER_PARAMETERS},
        "library": [__version__, library],
        "inputs": [[i["path"], i["sha256"]] for i in inputs],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
