"""The output folder: one batch at a time (a lock file), and the debris of one that died.

The lock is ``.socialreturns.lock`` in the batch's folder, created with ``O_CREAT | O_EXCL`` and
holding the holder's pid, host, start time and command. The holder also keeps an ``flock`` on it,
which the kernel drops when the holder dies however it dies, so a lock left by a killed batch is
told from a live one without trusting pids alone; the pid check covers file systems without
``flock``. A lock held on another host is never taken over: its pid cannot be checked from here.

Temporary files are named by `socialreturns.inputs.write_atomically` (``.<file>.<random>.tmp``)
and `socialreturns.notebook.execute` (``.<run>.<random>.ipynb``); the random part has no dot,
which tells the files of a run named ``s`` from those of a run named ``s.v2``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import socket
import sys
from pathlib import Path
from typing import Any

from socialreturns.inputs import InputError

try:
    import fcntl
except ImportError:  # Windows: the pid check alone
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".socialreturns.lock"
_ANY_TEMPORARY = re.compile(r"^\..+\.[^.]+\.(ipynb|tmp|bak)$")  # .bak: inputs.write_together


@dataclasses.dataclass
class FolderLock:
    """A held lock; `release` removes it (only if it is still this holder's file)."""

    path: Path
    fd: int

    def release(self) -> None:
        try:
            if os.path.samestat(os.fstat(self.fd), os.stat(self.path)):
                os.unlink(self.path)
        except FileNotFoundError:
            pass
        finally:
            os.close(self.fd)


def acquire(folder: Path) -> tuple[FolderLock, str | None]:
    """Lock ``folder`` for this process's batch.

    Returns
    -------
    The lock, and a note for the log when it took over a stale lock (its holder is dead).

    Raises
    ------
    InputError
        Another batch holds the folder: its pid, host, start time and command.
    """
    path = folder / LOCK_NAME
    while True:
        note = None
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
        except FileExistsError:
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue  # released meanwhile
            holder = _read(fd)
            if not _flock(fd) or _alive(holder):
                os.close(fd)
                raise InputError(
                    f"another batch is writing this folder: {_describe(holder)}",
                    file=path,
                    expected="one batch at a time per output folder: wait for it to end, or use another "
                    "--out or --as-of (if no such batch is running, delete the lock file)",
                ) from None
            note = f"took over the lock of an earlier batch that is no longer running ({_describe(holder)})"
        else:
            if not _flock(fd):  # another process took the fresh file over first: it holds it
                os.close(fd)
                continue
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        if current is None or not os.path.samestat(os.fstat(fd), current):
            os.close(fd)  # locked a file its holder had just removed: start again
            continue
        info = {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv),
                "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}  # fmt: skip
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        return FolderLock(path, fd), note


def _flock(fd: int) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _read(fd: int) -> dict[str, Any]:
    try:
        value = json.loads(os.pread(fd, 1 << 16, 0) or b"{}")
    except ValueError:  # written half by a holder that died at once
        return {}
    return value if isinstance(value, dict) else {}


def _alive(holder: dict[str, Any]) -> bool:
    """Whether the lock's holder may still run: on another host it may; here, if its pid runs a
    process started no later than the lock."""
    import psutil

    if not holder.get("pid"):
        return False
    if holder.get("host") != socket.gethostname():
        return True
    try:
        proc = psutil.Process(int(holder["pid"]))
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        started = dt.datetime.fromisoformat(holder["started"]).timestamp()
        return proc.create_time() <= started + 1  # a later process is a reused pid
    except (psutil.Error, KeyError, ValueError, TypeError):
        return False


def _describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "holder unknown (empty lock file)"
    return (f"pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}"
            f" ({holder.get('command')})")  # fmt: skip


def run_temporary_files(folder: Path, name: str) -> list[Path]:
    """The temporary files of the run ``name`` in ``folder`` (its executed notebook in progress,
    and its outputs being written), not those of a run whose name only starts the same."""
    n = re.escape(name)
    pattern = re.compile(rf"^\.{n}\.[^.]+\.ipynb$|^\.{n}(\.failed)?\.(ipynb|html)\.[^.]+\.(tmp|bak)$")
    return sorted(p for p in folder.glob(".*") if pattern.match(p.name))


def stale_temporary_files(folder: Path) -> list[Path]:
    """Every temporary file in ``folder``: called while holding its lock, they are an earlier,
    killed batch's."""
    return sorted(p for p in folder.glob(".*") if _ANY_TEMPORARY.match(p.name) and p.is_file())
