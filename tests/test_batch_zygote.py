"""The zygote (`socialreturns.batch.zygote`): runs' kernels are fresh processes forked from it,
a zygote whose library changed is never used, and a dead one falls back to a normal kernel."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from jupyter_client import BlockingKernelClient

from socialreturns.batch import attach, kernel, zygote

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "no-such-notebook.ipynb"  # the kernel preloads nothing of its own: no imports read


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _ask(km, code: str) -> str:
    """What ``code`` prints in the kernel of ``km``."""
    kc = BlockingKernelClient(
        parent=km
    )  # alive while its process is (not by heartbeats: it may wait for the zygote)
    kc.load_connection_info(km.get_connection_info())
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        out: list[str] = []

        def hook(msg) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "display_data":  # a figure, shown by the inline backend
                out.append(" ".join(sorted(msg["content"]["data"])))

        reply = kc.execute_interactive(code, timeout=120, output_hook=hook)
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(out).strip()
    finally:
        kc.stop_channels()


def _kernel_parent(env, address) -> tuple[int, str]:
    """Start a run's kernel through ``address``: its parent's pid and what it sees of the run."""
    km = kernel.start(NOTEBOOK, kernel_name=kernel.KERNEL_NAME, cwd=ROOT, env=env, zygote=address)
    try:
        text = _ask(
            km,
            "import os, sys; print(os.getppid(), os.environ.get('SR_MARK'), os.getcwd(), 'pandas' in sys.modules)",
        )
        ppid, mark, cwd, pandas = text.split()
        return int(ppid), f"{mark} {cwd} {pandas}"
    finally:
        kernel.stop(km)


@pytest.mark.slow
def test_kernels_fork_fresh_from_a_zygote_never_a_stale_or_dead_one(tmp_path):
    """A copy of the library is served by a zygote; its kernels are its children with the run's
    environment. Once a library file changes, the zygote refuses (and exits): the run gets an
    ordinary kernel, a child of the process that asked. A killed zygote: the same."""
    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "lib" / "socialreturns", lib / "socialreturns",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    interpreter = zygote.kernel_interpreter(kernel.KERNEL_NAME)
    assert interpreter is not None
    env = {**os.environ, "PYTHONPATH": str(lib), "SR_MARK": "run-1"}
    socket_path, key = str(tmp_path / "z.sock"), "k" * 64
    server = subprocess.Popen(
        [*interpreter, "-m", "socialreturns.batch.zygote", "serve", socket_path, key, "120", "-", "pandas"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    address = {"socket": socket_path, "key": key}
    try:
        _wait_for(lambda: os.path.exists(socket_path), 60, "the zygote never bound its socket")
        assert stat.S_IMODE(os.stat(socket_path).st_mode) == 0o600
        parent, seen = _kernel_parent(env, address)
        assert parent == server.pid, "the kernel was not forked from the zygote"
        assert seen == f"run-1 {ROOT} True"  # the run's environment and folder; pandas preloaded
        km = kernel.start(NOTEBOOK, kernel_name=kernel.KERNEL_NAME, cwd=ROOT, env=env, zygote=address)
        try:  # matplotlib (imported by the zygote) shows figures inline, as in a fresh kernel
            shown = _ask(km, "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()")
        finally:
            kernel.stop(km)
        assert shown == "image/png text/plain"
        again, _ = _kernel_parent({**env, "SR_MARK": "run-2"}, address)
        assert again == server.pid
        wrong, _ = _kernel_parent(env, {**address, "key": "x" * 64})
        assert wrong == os.getpid(), "a request with another key was served"

        module = lib / "socialreturns" / "finance.py"
        module.write_text(module.read_text() + "\n# edited\n")
        parent, seen = _kernel_parent(env, address)
        assert parent == os.getpid(), "a zygote whose library changed forked a kernel"
        assert seen == f"run-1 {ROOT} False"
        server.wait(timeout=30)  # a stale zygote exits
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    dead = subprocess.Popen(
        [*interpreter, "-m", "socialreturns.batch.zygote", "serve", socket_path, key, "120", "-", ""],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    _wait_for(lambda: os.path.exists(socket_path), 60, "the second zygote never bound its socket")
    os.kill(dead.pid, signal.SIGKILL)
    dead.wait()
    assert os.path.exists(socket_path)  # a dead zygote's socket stays behind
    parent, _ = _kernel_parent(env, address)
    assert parent == os.getpid(), "no kernel without a zygote"


@pytest.mark.slow
def test_killing_the_attach_process_kills_the_forked_kernel(tmp_path):
    """The attach process is the run's kernel for Jupyter: SIGKILL on it (a timeout, a stopped
    batch) kills the forked kernel too."""
    interpreter = zygote.kernel_interpreter(kernel.KERNEL_NAME)
    socket_path, key = str(tmp_path / "z.sock"), "k" * 64
    server = subprocess.Popen(
        [*interpreter, "-m", "socialreturns.batch.zygote", "serve", socket_path, key, "120", "-", ""],
        cwd=ROOT, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: os.path.exists(socket_path), 60, "the zygote never bound its socket")
        km = kernel.start(NOTEBOOK, kernel_name=kernel.KERNEL_NAME, cwd=ROOT,
                          zygote={"socket": socket_path, "key": key})  # fmt: skip
        forked = int(_ask(km, "import os; print(os.getpid())"))
        assert psutil.Process(forked).ppid() == server.pid
        attach = km.provisioner.process.pid
        assert attach != forked
        os.kill(attach, signal.SIGKILL)
        _wait_for(lambda: not psutil.pid_exists(forked) or psutil.Process(forked).status() == psutil.STATUS_ZOMBIE,
                  10, "the forked kernel outlived its attach process")  # fmt: skip
        kernel.stop(km)
    finally:
        server.kill()
        server.wait()


def test_warm_zygotes_sit_in_a_private_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path))
    folder = zygote.warm_folder()
    assert folder == tmp_path / "zygote"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    monkeypatch.setenv("SOCIALRETURNS_CACHE", "off")
    assert zygote.warm_folder() is None
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path / ("x" * 90)))
    assert zygote.warm_folder() is None  # too long a path for a unix socket


def test_the_mode_variable(monkeypatch):
    for value, expected in (("off", "off"), ("batch", "batch"), ("", "warm"), ("OFF", "off")):
        monkeypatch.setenv(zygote.MODE_VARIABLE, value)
        assert zygote.mode() == expected
    monkeypatch.setenv(zygote.MODE_VARIABLE, "off")
    assert zygote.BatchZygote([NOTEBOOK], kernel.KERNEL_NAME).address is None
    assert zygote.warm([NOTEBOOK], kernel.KERNEL_NAME, threads="1") is None
    assert sys.executable  # the attach command runs this interpreter
    assert attach.attach_command({"socket": "s", "key": "k"}, "kernel", ["python", "-m", "x"])[-4:] == [
        "--", "python", "-m", "x"]  # fmt: skip


def test_the_attach_process_reads_the_childs_lines_one_by_one():
    """A child that ends at once sends its pid and its exit together: the pid is read alone
    (the attach process must not take the pair for a refusal and run the command again)."""
    import socket

    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(b'{"pid": 12}\n{"exit": 4}\n{"ex')
        buffer = bytearray()
        assert attach._read_line(ours, buffer) == {"pid": 12}
        assert attach._read_line(ours, buffer) == {"exit": 4}
        theirs.sendall(b'it": 0}\n')
        assert attach._read_line(ours, buffer) == {"exit": 0}
        theirs.close()
        assert attach._read_line(ours, buffer) is None
