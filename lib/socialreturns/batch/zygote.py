"""A fork server ("zygote"): one process that imported the heavy modules once, forking a fresh
kernel or worker process for every run.

A run's kernel used to import pandas, statsmodels, seaborn, scikit-learn and socialreturns
(seconds) and its worker papermill and nbconvert (a second or two more), for every notebook. A
zygote imports them once, before any thread or ZMQ context exists, then waits on a private unix
socket. Each run still gets processes of its own: the zygote forks a child per kernel and per
worker, which starts its own ZMQ context, threads and kernel; nothing a notebook does reaches
another run, and no kernel is ever reused.

Who manages a forked process. Jupyter (or `socialreturns.batch.worker.run_isolated`) starts a
small *attach* process (`socialreturns.batch.attach`, a script of the standard library only,
~20 ms): it hands its standard streams to the zygote over the socket, receives the child's pid,
forwards signals to it (SIGINT interrupts the kernel) and exits when the child does. The child watches the connection:
when the attach process dies, even by SIGKILL, the child kills what it started and exits at once,
so killing the attach process is killing the run. The attach process also exits when its own
parent dies. When the zygote is not there or refuses (dead, stale, busy starting), the attach
process execs the ordinary command instead (``python -m ipykernel_launcher ...``): a dead zygote
costs the speed, never the run.

Never stale. A zygote is keyed (`zygote_key`, `socialreturns.batch.freshness`) by the interpreter
and its flags, the venv's installed packages (`venv_signature`), the library's source digest
(`socialreturns.inputs.library_digest`) and the environment variables read at import; it checks
before every fork that the library's files and the venv are as they were when it imported them,
and exits rather than fork stale code (the run then falls back). Edited code is never run by an
old zygote.

Two lifetimes. A batch starts one zygote for its runs (`BatchZygote`), a child that dies with the
batch (it watches a pipe from it). A single notebook run (``socialreturns run NOTEBOOK``) uses
a warm zygote (`warm`) that outlives the command: started on first use, it exits after
``SOCIALRETURNS_ZYGOTE_IDLE`` seconds without a request (default 900), when its socket file is
removed, or when the library or the venv changes. Its socket lives in ``zygote/`` of the cache
folder (`socialreturns.store.cache_root`), a folder only this user may open (0700); the zygote
also checks each peer's uid. ``SOCIALRETURNS_ZYGOTE=off`` turns zygotes off (every kernel and
worker started as a process of its own), ``batch`` keeps the per-batch one but no warm one.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import struct
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from socialreturns.batch.attach import _TICK_SECONDS
from socialreturns.batch.freshness import KEY_VARIABLES, _Freshness, venv_signature, zygote_key

__all__ = ["KEY_VARIABLES", "BatchZygote", "kernel_interpreter", "mode", "serve", "stop_warm", "venv_signature",
           "warm", "warm_folder", "zygote_key"]  # fmt: skip

#: ``off``: no zygote; ``batch``: one per batch only; anything else: also a warm one for single runs.
MODE_VARIABLE = "SOCIALRETURNS_ZYGOTE"
#: Seconds a warm zygote waits for a request before it exits.
IDLE_VARIABLE = "SOCIALRETURNS_ZYGOTE_IDLE"
DEFAULT_IDLE_SECONDS = 900.0
# --------------------------------------------------------------------------- the server


#: What every run imports on the worker's side, and the kernel's own modules.
_WORKER_MODULES = ("jupyter_client", "papermill", "nbconvert", "nbformat", "socialreturns.notebook",
                   "socialreturns.batch.render", "socialreturns.batch.worker", "socialreturns.batch.kernel")  # fmt: skip
#: Never matplotlib's inline backend: imported without a shell, it would not hook into the
#: kernel's shell, and the kernel's figures would not be shown.
#: The debugger (debugpy's pydevd, a hundred modules) and sqlite3 (the shell's history) are
#: imported as each kernel initialises, a tenth of a second of its start; neither starts a thread.
_KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "sqlite3",
)
#: Modules a kernel must import itself, once its shell exists (they hook into it on import).
_LEFT_TO_THE_KERNEL = ("matplotlib_inline.backend_inline",)
#: What the library imports inside its functions, on a notebook's first call (a second or more
#: in a fresh kernel): statsmodels (fits and forecasts), scipy.signal (adstock), pyarrow's
#: Parquet and datasets (every cache). None of them starts a thread on import.
_LIBRARY_LAZY = ("statsmodels.api", "scipy.signal", "pyarrow.parquet", "pyarrow.dataset")


def _preload(modules: Sequence[str], notebooks: Sequence[str] = ()) -> None:
    """Import ``modules`` (``pkg:name`` also imports ``pkg.name`` when it is a submodule), then
    render a small page of each view and the code view of each of ``notebooks``, so nbconvert's
    templates are compiled and the notebooks' code and Markdown cleaned once here
    (`socialreturns.batch.render.warm_up`)."""
    import importlib

    # papermill's jsonschema would build some 35 Lark grammars (`socialreturns.batch.__main__`)
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    # as ipykernel does before the notebook imports matplotlib (its inline backend)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for entry in (*_KERNEL_MODULES, *_WORKER_MODULES, *modules, *_LIBRARY_LAZY):
        module, _, name = entry.partition(":")
        try:
            loaded = importlib.import_module(module)
            if name and not hasattr(loaded, name):
                importlib.import_module(f"{module}.{name}")
        except Exception:  # the run imports it again and reports it
            continue
    with contextlib.suppress(Exception):
        from socialreturns.batch import render

        render.warm_up([Path(n) for n in notebooks])
    for name in _LEFT_TO_THE_KERNEL:  # imported on the way by something: the kernel imports it again
        if sys.modules.pop(name, None) is not None:
            package, _, attribute = name.rpartition(".")
            with contextlib.suppress(AttributeError, KeyError):
                delattr(sys.modules[package], attribute)


def _unsafe_to_fork() -> str | None:
    """Why forking now would share state with the children, or None: a second thread, or a ZMQ
    context (each run's kernel and client must make their own)."""
    import threading

    if threading.active_count() > 1:
        return f"{threading.active_count()} threads"
    zmq = sys.modules.get("zmq")
    if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
        return "a ZMQ context"
    return None


def _peer_uid(conn: socket.socket) -> int:
    pid, uid, gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    return uid


def serve(path: str, key: str, *, idle_seconds: float, watch_stdin: bool, modules: Sequence[str],
          notebooks: Sequence[str] = ()) -> int:  # fmt: skip
    """The zygote: bind ``path``, import, then fork a child per request until idle, stale, its
    socket gone, or (``watch_stdin``) its batch gone."""
    if sys.path and Path(sys.path[0] or ".").resolve() == Path.cwd():
        del sys.path[0]  # as ipykernel_launcher does; the kernel puts it back (init_path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mask = os.umask(0o177)
    try:
        listener.bind(path)  # before importing: attach processes wait in the backlog meanwhile
    except OSError:
        return 0  # another zygote of this key is there
    finally:
        os.umask(mask)
    listener.listen(64)
    inode = os.stat(path).st_ino
    fresh = _Freshness()
    _preload(modules, notebooks)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    last = time.monotonic()
    try:
        while True:
            watched = [listener, sys.stdin] if watch_stdin else [listener]
            ready, _, _ = select.select(watched, [], [], _TICK_SECONDS)
            if watch_stdin and sys.stdin in ready and not os.read(sys.stdin.fileno(), 1):
                return 0  # the batch is gone
            if listener in ready:
                conn, _ = listener.accept()
                if _serve_one(conn, listener, key, fresh) == "stale":
                    return 0
                last = time.monotonic()
                continue
            gone = not os.path.exists(path) or os.stat(path).st_ino != inode
            if gone or time.monotonic() - last > idle_seconds or not fresh.fresh():
                return 0
    finally:
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == inode:
                os.unlink(path)


def _serve_one(conn: socket.socket, listener: socket.socket, key: str, fresh: _Freshness) -> str:
    """Answer one request: fork its child, or refuse (the attach process then execs)."""
    fds: list[int] = []
    try:
        conn.settimeout(10)
        if _peer_uid(conn) != os.getuid():
            return "refused"
        data, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
        while data and not data.endswith(b"\n"):
            chunk = conn.recv(1 << 20)
            if not chunk:
                return "refused"
            data += chunk
        request = json.loads(data)
        problem = None if request.get("key") == key and len(fds) == 3 else "wrong key"
        stale = problem is None and not fresh.fresh()
        problem = "stale" if stale else problem or _unsafe_to_fork()
        if problem:
            conn.sendall(json.dumps({"error": problem}).encode() + b"\n")
            return "stale" if stale else "refused"
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                listener.close()
                code = _child(conn, fds, request)
            finally:
                os._exit(code)
        return "forked"
    except (OSError, ValueError):
        return "refused"
    finally:
        conn.close()
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)


def _child(conn: socket.socket, fds: Sequence[int], request: Mapping[str, Any]) -> int:
    """In the forked child: become the process the request asked for, tied to its attach process."""
    import random
    import threading

    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.umask(int(request["umask"]))
    random.seed()  # a fresh process draws fresh seeds; a fork would repeat the zygote's
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    conn.settimeout(None)
    conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
    kind, argv = request["kind"], list(request["argv"])

    def watch() -> None:  # the attach process is gone (or killed): so is this run
        while conn.recv(4096):
            pass
        if kind == "kernel":
            os.killpg(0, signal.SIGKILL)  # the kernel and whatever it started in its session
        from socialreturns.batch.worker import kill_tree

        kill_tree(os.getpid(), include_root=False)
        os._exit(3)

    threading.Thread(target=watch, name="zygote-attach", daemon=True).start()
    code = 1
    try:
        code = _run_kernel(argv) if kind == "kernel" else _run_worker(argv, request["cwd"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        import atexit

        atexit._run_exitfuncs()  # as a process exiting normally would
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"exit": code}).encode() + b"\n")
    return code


def _run_kernel(argv: Sequence[str]) -> int:
    """An ipykernel, as ``python -m ipykernel_launcher ARGS`` would start it."""
    import ipykernel_launcher
    from ipykernel import kernelapp

    args = list(argv[argv.index("ipykernel_launcher") + 1 :])
    sys.argv = [ipykernel_launcher.__file__, *args]
    kernelapp.launch_new_instance(argv=args)
    return 0


def _run_worker(argv: Sequence[str], cwd: str) -> int:
    """A run's worker, as ``python -m socialreturns.batch --worker`` would start it."""
    from socialreturns.batch.worker import _worker

    sys.path.insert(0, cwd)  # python -m puts the working folder first
    sys.argv = [sys.argv[0], "--worker"]
    return _worker(watch_parent=False)  # the attach process watches the batch


# --------------------------------------------------------------------------- starting and stopping


def mode() -> str:
    """``off``, ``batch`` or ``warm`` (`MODE_VARIABLE`)."""
    value = os.environ.get(MODE_VARIABLE, "").strip().lower()
    return value if value in ("off", "batch") else "warm"


def kernel_interpreter(kernel_name: str) -> list[str] | None:
    """The python and flags of kernel ``kernel_name``'s command when it is an ipykernel started
    as ``python [flags] -m ipykernel_launcher -f {connection_file}``, else None (no zygote)."""
    from jupyter_core.paths import jupyter_path  # not jupyter_client's spec manager: half a second

    argv: list[str] = []
    for folder in jupyter_path("kernels"):  # the first found wins, as in jupyter_client
        spec = Path(folder) / kernel_name.lower() / "kernel.json"
        if spec.is_file():
            try:
                argv = list(json.loads(spec.read_text(encoding="utf-8"))["argv"])
            except (OSError, ValueError, KeyError, TypeError):  # the run reports a bad kernel
                return None
            break
    if "-m" not in argv or argv[argv.index("-m") + 1 : argv.index("-m") + 2] != ["ipykernel_launcher"]:
        return None
    interpreter = argv[: argv.index("-m")]
    if not interpreter or not os.path.isfile(interpreter[0]):
        return None
    same = os.path.realpath(interpreter[0]) == os.path.realpath(sys.executable)
    return interpreter if same else None  # the worker is forked too: one interpreter for both


def _notebook_modules(notebooks: Sequence[Path]) -> list[str]:
    from socialreturns.batch.kernel import notebook_imports

    found: list[str] = []
    for notebook in notebooks:
        found += notebook_imports(notebook)
    return list(dict.fromkeys(found))


def _server_command(interpreter: Sequence[str], path: str, key: str, idle: float, watch: bool,
                    modules: Sequence[str], notebooks: Sequence[Path] = ()) -> list[str]:  # fmt: skip
    return [*interpreter, "-m", "socialreturns.batch.zygote", "serve", path, key, str(idle),
            "watch" if watch else "-", ",".join(modules), *map(str, notebooks)]  # fmt: skip


class BatchZygote:
    """The zygote of one batch: started at once (it imports while the batch plans), a child of
    the batch that exits with it. `address` is what runs pass to `attach_command`; None when
    zygotes are off or the kernel is not a plain ipykernel of this interpreter."""

    def __init__(self, notebooks: Sequence[Path], kernel_name: str, *, threads: str | None = None) -> None:
        import subprocess
        import tempfile

        from socialreturns.inputs import project_root

        self.proc: subprocess.Popen[bytes] | None = None
        self.address: dict[str, str] | None = None
        interpreter = kernel_interpreter(kernel_name) if mode() != "off" else None
        if interpreter is None:
            return
        env = dict(os.environ)
        if threads is not None:  # the threads each run's numeric libraries get (`run_isolated`)
            env = {
                name: threads for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
            } | env
        self.folder = tempfile.mkdtemp(prefix="socialreturns-zygote-")  # 0700
        path, key = os.path.join(self.folder, "z.sock"), zygote_key(interpreter, env)
        self.proc = subprocess.Popen(
            _server_command(interpreter, path, key, 24 * 3600.0, True, _notebook_modules(notebooks), notebooks),
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=project_root(),
            env=env, start_new_session=True,
        )  # fmt: skip
        self.address = {"socket": path, "key": key}

    def close(self) -> None:
        """Stop the zygote (its children, the runs, are not its to stop) and remove its folder."""
        import shutil

        if self.proc is not None:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except Exception:
                self.proc.kill()
                self.proc.wait()
            shutil.rmtree(self.folder, ignore_errors=True)
            self.proc = None


def warm_folder() -> Path | None:
    """Where warm zygotes keep their sockets (``zygote/`` of the cache, 0700), or None when the
    cache is off or its path is too long for a unix socket."""
    from socialreturns import store

    root = store.cache_root("zygote")
    if root is None or len(str(root)) > 80:
        return None
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    if root.stat().st_uid != os.getuid():
        return None
    return root


def warm(notebooks: Sequence[Path], kernel_name: str, *, threads: str) -> dict[str, str] | None:
    """The address of the warm zygote for runs of ``notebooks`` with kernel ``kernel_name`` in
    this environment, started (detached) when none answers; None when warm zygotes are off."""
    import subprocess

    from socialreturns.inputs import project_root

    interpreter = kernel_interpreter(kernel_name) if mode() == "warm" else None
    folder = warm_folder() if interpreter is not None else None
    if interpreter is None or folder is None:
        return None
    env = {name: threads for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")} | dict(
        os.environ
    )
    key = zygote_key(interpreter, env)
    path = str(folder / f"{key[:24]}.sock")
    if not _answers(path):
        with contextlib.suppress(OSError):
            os.unlink(path)  # a dead zygote's socket
        idle = float(os.environ.get(IDLE_VARIABLE) or DEFAULT_IDLE_SECONDS)
        modules = _notebook_modules([*notebooks, *sorted((project_root() / "notebooks").glob("*.ipynb"))])
        with open(folder / "zygote.log", "ab") as log:
            subprocess.Popen(_server_command(interpreter, path, key, idle, False, modules, notebooks), stdin=subprocess.DEVNULL,
                             stdout=log, stderr=log, cwd=project_root(), env=env, start_new_session=True)  # fmt: skip
    return {"socket": path, "key": key}


def _answers(path: str) -> bool:
    """Whether a zygote listens at ``path`` (a connection it will read as an empty request)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        return True
    except OSError:
        return False
    finally:
        conn.close()


def stop_warm(folder: Path) -> int:
    """Stop every warm zygote with a socket in ``folder`` (removing its socket makes it exit
    within a couple of seconds); returns how many sockets were removed."""
    removed = 0
    for path in folder.glob("*.sock"):
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed


def main(argv: Sequence[str]) -> int:
    """``python -m socialreturns.batch.zygote serve SOCKET KEY IDLE watch|- MODULES [NOTEBOOK...]``."""
    if argv[:1] == ["serve"] and len(argv) >= 6:
        path, key, idle, watch, modules = argv[1:6]
        return serve(path, key, idle_seconds=float(idle), watch_stdin=watch == "watch",
                     modules=[m for m in modules.split(",") if m], notebooks=argv[6:])  # fmt: skip
    print(main.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # Out at once: tearing down an interpreter that imported pandas, statsmodels, scikit-learn and
    # matplotlib takes a second, and the batch waits for its zygote to exit. Nothing is left to
    # clean up (serve removed its socket; the children are processes of their own).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
