"""The attach process of a run forked from a zygote (`socialreturns.batch.zygote`): a script of
the standard library only, run as ``python -I attach.py SOCKET KEY KIND -- COMMAND...`` (about
20 ms), that stands for its forked child.

It hands its standard streams to the zygote, receives the child's pid, forwards signals to it
(SIGINT interrupts a kernel) and exits when the child does, or when its own parent dies (the
child, watching the connection, then kills what it started and exits). When the zygote is not
there or refuses, it execs ``COMMAND`` itself: the ordinary kernel or worker process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_REPLY_SECONDS = 300.0  # longest wait for the zygote's answer (it may still be importing)
_TICK_SECONDS = 2.0


def _read_line(conn: socket.socket, buffer: bytearray) -> dict[str, Any] | None:
    """The next JSON line from ``conn`` (None at its end); what follows it stays in ``buffer``."""
    while b"\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return json.loads(line)


def attach(socket_path: str, key: str, kind: str, command: Sequence[str]) -> int:
    """Be the process of ``command`` (a kernel or a worker): fork it from the zygote at
    ``socket_path``, or exec ``command`` itself when the zygote cannot."""
    parent = os.getppid()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(_REPLY_SECONDS)
        conn.connect(socket_path)
        request = {"key": key, "kind": kind, "argv": list(command), "cwd": os.getcwd(), "env": dict(os.environ),
                   "umask": os.umask(0o022)}  # fmt: skip
        os.umask(request["umask"])
        socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
        buffer = bytearray()
        reply = _read_line(conn, buffer)  # the child's exit may follow at once: kept in the buffer
    except (OSError, ValueError):
        reply = None
    if not reply or "pid" not in reply:  # no zygote, or a stale one: the ordinary process
        conn.close()
        os.execv(command[0], list(command))
    pid = int(reply["pid"])

    def forward(signum: int, frame: Any) -> None:
        with contextlib.suppress(OSError):
            os.kill(pid, signum)

    for signum in (
        signal.SIGINT,
        signal.SIGTERM,
        signal.SIGHUP,
        signal.SIGQUIT,
        signal.SIGUSR1,
        signal.SIGUSR2,
    ):
        signal.signal(signum, forward)
    conn.settimeout(_TICK_SECONDS / 4)
    while True:
        try:
            said = _read_line(conn, buffer)
        except TimeoutError:
            if os.getppid() != parent:  # whoever started us is gone: so goes the child
                return 1
            continue
        except InterruptedError:
            continue
        except ValueError:  # not a line of ours: wait for the end
            buffer.clear()
            continue
        if said is None:
            return 1  # the child died without saying how (killed)
        return int(said.get("exit", 1))


def attach_command(address: Mapping[str, str], kind: str, command: Sequence[str]) -> list[str]:
    """``command`` wrapped to be forked from the zygote at ``address`` (``socket``, ``key``)."""
    return [sys.executable, "-I", str(Path(__file__).resolve()), address["socket"], address["key"], kind,
            "--", *command]  # fmt: skip


if __name__ == "__main__":
    if sys.argv[4:5] != ["--"]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(attach(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5:]))
