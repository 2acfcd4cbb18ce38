"""A zygote's key and its freshness (`socialreturns.batch.zygote`): what a forked child inherits
must be what a fresh process would import, so a zygote is keyed by the interpreter, the venv's
packages, the library's source and the environment variables read at import, and checks before
every fork that the library's files and the venv are as they were when it imported them."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

#: Environment variables read when modules are imported (threads of the numeric libraries, the
#: path, matplotlib's backend): part of the key, since a forked child keeps what the zygote read.
KEY_VARIABLES = (
    "PYTHONPATH", "PYTHONHASHSEED", "PYTHONWARNINGS", "PYTHONNOUSERSITE", "MPLBACKEND", "MPLCONFIGDIR",
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "SOCIALRETURNS_OFFLINE",
)  # fmt: skip


def _library_files() -> list[Path]:
    package = Path(__file__).resolve().parents[1]
    return [p for p in sorted(package.rglob("*"))
            if p.is_file() and p.suffix in (".py", ".txt") and "__pycache__" not in p.parts]  # fmt: skip


def _stats(paths: Sequence[Path]) -> list[tuple[str, int, int, int]]:
    out = []
    for p in paths:
        with contextlib.suppress(OSError):
            s = p.stat()
            out.append((str(p), s.st_ino, s.st_size, s.st_mtime_ns))
    return out


def venv_signature() -> str:
    """The installed packages, as the names and times of the entries of each site-packages
    folder (pip adds, removes or rewrites a ``.dist-info`` folder for every change)."""
    import hashlib
    import site
    import sysconfig

    folders = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    digest = hashlib.sha256(sys.executable.encode())
    for folder in sorted(folders):
        with contextlib.suppress(OSError):
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                digest.update(f"{entry.name}:{entry.stat(follow_symlinks=False).st_mtime_ns};".encode())
    return digest.hexdigest()


def zygote_key(interpreter: Sequence[str], env: Mapping[str, str]) -> str:
    """The key of a zygote started with ``interpreter`` (the kernel's python and its flags) in
    ``env``: a fork of it runs what a fresh process started so would import."""
    import hashlib

    from socialreturns.inputs import library_digest

    parts = {"interpreter": list(interpreter), "venv": venv_signature(), "library": library_digest(),
             "env": {k: env.get(k) for k in KEY_VARIABLES}, "protocol": 1}  # fmt: skip
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class _Freshness:
    """Whether the library's files and the venv are still those imported: by their stat (cheap),
    and by content (`library_digest`'s definition) when a stat changed."""

    def __init__(self) -> None:
        self.files = _library_files()
        self.stats = _stats(self.files)
        self.venv = venv_signature()
        self.digest = _digest(self.files)

    def fresh(self) -> bool:
        files = _library_files()
        if files != self.files or _stats(files) != self.stats:
            if _digest(files) != self.digest:
                return False
            self.files, self.stats = files, _stats(files)
        return venv_signature() == self.venv


def _digest(files: Sequence[Path]) -> str:
    import hashlib

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
