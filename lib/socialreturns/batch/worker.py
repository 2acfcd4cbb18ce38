"""Executing one run: in a worker process of its own session, killed with its kernel when needed.

Isolation. Each run executes in its own worker process (``python -m socialreturns.batch
--worker``) in a new session; a run that passes its timeout, or a batch interrupted with Ctrl-C,
has its worker and kernel processes killed (psutil), never left running. A run writes into a
temporary file and replaces its report only on success (`socialreturns.notebook.execute`); a
failed run's notebook is kept beside it as ``<name>.failed.ipynb`` and ``.failed.html``.
`run_remote` is the same run as a Dask task on another machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from socialreturns.batch.lock import run_temporary_files
from socialreturns.inputs import InputError, project_root

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: What receives a running notebook's events (``{"event": "cell", "cell": i, "cells": n}``).
OnEvent = Callable[[dict[str, Any]], None]


def kill_tree(pid: int, *, include_root: bool = True) -> list[int]:
    """Kill a process, every descendant and their process groups; return the pids still alive.

    The kernel papermill starts runs in a session of its own, and a process whose parent died
    leaves the tree, so the process groups are killed as well as the processes found. The root
    goes first, so a worker never sees its kernel die and writes a failed notebook. Zombies count
    as dead (their parent reaps them).
    """
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)] if include_root else root.children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    groups = []
    for p in procs:
        with contextlib.suppress(OSError):
            groups.append(os.getpgid(p.pid))
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    for group in dict.fromkeys(groups):
        if group != os.getpgrp():  # never this process's own group (the batch, or the shell's job)
            with contextlib.suppress(OSError):
                os.killpg(group, signal.SIGKILL)
    _, alive = psutil.wait_procs(procs, timeout=10)
    survivors = []
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            if p.status() != psutil.STATUS_ZOMBIE:
                survivors.append(p.pid)
    return survivors


def _watch_parent(parent_pid: int) -> None:
    """In a worker: when the batch that started it is gone (killed with SIGKILL, say), kill the
    kernel and exit, so no orphan replaces a report later. Polling the parent pid rather than
    prctl(PR_SET_PDEATHSIG), which fires when the parent's *thread* ends (runs start from a pool)
    and exists only on Linux."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        kill_tree(os.getpid(), include_root=False)
        os._exit(3)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def run_threads(workers: int) -> str:
    """The threads of each run's numeric libraries when ``workers`` runs share the cores (as
    Dask's nanny does), unless the caller set them (``OMP_NUM_THREADS`` and the like)."""
    return str(max(1, (os.cpu_count() or 1) // max(1, workers)))


def run_isolated(
    spec: Mapping[str, Any],
    *,
    timeout_seconds: float,
    on_event: OnEvent = lambda event: None,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """Execute one run (``spec``: `_worker` input) in a worker process of its own session.

    The worker reports each cell as it starts (``on_event``) and its result at the end. Past
    ``timeout_seconds``, or when ``stop`` is set, the worker and its kernel are killed and the
    result says ``timeout`` or ``interrupted``; a worker that dies says ``failed``.
    """
    out_dir = Path(spec["out_dir"])
    env = {name: run_threads(spec.get("workers", 1)) for name in _THREAD_VARIABLES} | dict(os.environ)
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as errors:
        command = [sys.executable, "-m", "socialreturns.batch", "--worker"]
        if spec.get("zygote"):  # forked from the batch's zygote (`socialreturns.batch.zygote`)
            from socialreturns.batch.attach import attach_command

            command = attach_command(spec["zygote"], "worker", command)
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8",
            cwd=project_root(), start_new_session=True, env=env,
        )  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps({**spec, "parent_pid": os.getpid()}))
        proc.stdin.close()
        lines: queue.Queue[str | None] = queue.Queue()

        def pump(stream: Iterable[str]) -> None:
            for line in stream:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=pump, args=(proc.stdout,), daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout_seconds
        result: dict[str, Any] | None = None
        status = None
        while True:
            if stop is not None and stop.is_set():
                status = "interrupted"
                break
            if time.monotonic() > deadline:
                status = "timeout"
                break
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "result":
                result = event
            else:
                on_event(event)
        survivors = kill_tree(proc.pid) if status is not None else []
        proc.wait()
        reader.join(timeout=10)
        proc.stdout.close()
        for debris in run_temporary_files(out_dir, spec["name"]):  # a killed run's temporary files
            debris.unlink(missing_ok=True)
        if survivors:
            alive = f"; processes {', '.join(map(str, survivors))} did not die"
        else:
            alive = ""
        if status == "timeout":
            return {
                "status": "timeout",
                "error": f"killed after the run's timeout of {timeout_seconds:g} s{alive}",
            }
        if status == "interrupted":
            return {
                "status": "interrupted",
                "error": f"the run was stopped, its worker and kernel killed{alive}",
            }
        if result is None:
            errors.seek(0)
            tail = " ".join(errors.read().strip().splitlines()[-3:])[-400:]
            return {
                "status": "failed",
                "error": f"the worker process died (exit code {proc.returncode}): {tail}",
            }
        return result


def _worker(*, watch_parent: bool = True) -> int:
    """Entry point of a worker process: run the spec read from standard input, print events.

    The kernel starts first and imports the notebook's modules as it boots, while this process
    imports papermill and nbconvert (`socialreturns.batch.kernel`); both are forked from the
    batch's zygote when the spec names one (``zygote``), whose attach process then watches the
    batch instead (``watch_parent`` false)."""
    from socialreturns.batch import kernel
    from socialreturns.batch.provenance import changed_inputs

    spec = json.loads(sys.stdin.read())
    if watch_parent:
        _watch_parent(spec["parent_pid"])

    def emit(event: dict[str, Any]) -> None:
        print(json.dumps(event, default=str), flush=True)

    try:
        km = kernel.start(spec["notebook"], kernel_name=spec.get("kernel_name", kernel.KERNEL_NAME),
                          cwd=project_root(), zygote=spec.get("zygote"))  # fmt: skip
    except InputError as exc:
        emit({"event": "result", "status": "failed", "error": str(exc)})
        return 0
    import nbconvert  # noqa: F401 - here, while the kernel boots, rather than after the cells ran
    import papermill  # noqa: F401

    from socialreturns import notebook

    def verify() -> str | None:
        # the manifest records the inputs hashed before the run: true only if they still hold
        changed = changed_inputs(spec.get("inputs", []))
        return f"input changed during the run: {', '.join(changed)}" if changed else None

    out = Path(spec["out_dir"]) / f"{spec['name']}.ipynb"
    try:
        result = notebook.execute(
            spec["notebook"], out, parameters=spec["parameters"], cell_timeout_seconds=spec["cell_timeout_seconds"],
            hide_code=spec["hide_code"], on_cell=lambda i, n: emit({"event": "cell", "cell": i, "cells": n}),
            verify=verify, max_output_bytes=spec.get("max_output_bytes", notebook.MAX_OUTPUT_BYTES), kernel=km,
        )  # fmt: skip
    except InputError as exc:
        emit({"event": "result", "status": "failed", "error": str(exc)})
        return 0
    finally:
        kernel.stop(km)  # if execute did not get to it
    emit({
        "event": "result", "status": result.status, "error": result.error, "seconds": result.seconds,
        "output": str(result.output), "html": str(result.html) if result.html else None,
        "records": result.records,
    })  # fmt: skip
    return 0


def run_remote(spec: Mapping[str, Any], timeout_seconds: float) -> dict[str, Any]:
    """A Dask task: run in a temporary folder on the worker machine and return the result with
    the bytes of the files written (executed notebook and HTML), for the submitter to store."""
    with tempfile.TemporaryDirectory(prefix="socialreturns-") as tmp:
        notebook_file = Path(tmp) / Path(spec["notebook"]).name
        notebook_file.write_text(spec["notebook_source"], encoding="utf-8")
        local = {**spec, "notebook": str(notebook_file), "out_dir": tmp}
        result = run_isolated(local, timeout_seconds=timeout_seconds)
        files = {p.name: p.read_bytes() for p in Path(tmp).iterdir() if p.is_file() and p != notebook_file}
    return {**result, "files": files}
