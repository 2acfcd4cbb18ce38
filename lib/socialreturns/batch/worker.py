"""Executing one run: in a worker process of its own session, killed with its kernel when needed.

Isolation. Each run executes in its own worker process (``python -m socialreturns.batch
--worker``) in a new session; a run that passes its timeout, or a batch interrupted with Ctrl-C,
has its worker and kernel processes killed (psutil), never left running. A run writes into a
temporary file and replaces its report only on success (`socialreturns.notebook.execute`); a
failed run's notebook is kept beside it as ``<name>.failed.ipynb`` and ``.failed.html``.
`run_remote` is the same run as a Dask task on another machine.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from socialreturns.inputs import InputError, project_root

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: What receives a running notebook's events (``{"event": "cell", "cell": i, "cells": n}``).
OnEvent = Callable[[dict[str, Any]], None]


def _kill_tree(pid: int) -> None:
    """Kill a process and every descendant (its papermill kernel included)."""
    import psutil

    try:
        parent = psutil.Process(pid)
        procs = [*parent.children(recursive=True), parent]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


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
    # Runs in parallel share the cores: each kernel's numeric libraries get their share of threads
    # (as Dask's nanny does), unless the caller set them.
    threads = str(max(1, (os.cpu_count() or 1) // max(1, spec.get("workers", 1))))
    env = {name: threads for name in _THREAD_VARIABLES} | dict(os.environ)
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "socialreturns.batch", "--worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8",
            cwd=project_root(), start_new_session=True, env=env,
        )  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(spec))
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
        if status is not None:
            _kill_tree(proc.pid)
        proc.wait()
        reader.join(timeout=10)
        proc.stdout.close()
        for debris in out_dir.glob(f".{spec['name']}.*"):  # a killed run's temporary file
            debris.unlink(missing_ok=True)
        if status == "timeout":
            return {"status": "timeout", "error": f"killed after the run's timeout of {timeout_seconds:g} s"}
        if status == "interrupted":
            return {"status": "interrupted", "error": "interrupted (Ctrl-C): the run was stopped"}
        if result is None:
            errors.seek(0)
            tail = " ".join(errors.read().strip().splitlines()[-3:])[-400:]
            return {
                "status": "failed",
                "error": f"the worker process died (exit code {proc.returncode}): {tail}",
            }
        return result


def _worker() -> int:
    """Entry point of a worker process: run the spec read from standard input, print events."""
    from socialreturns import notebook

    spec = json.loads(sys.stdin.read())

    def emit(event: dict[str, Any]) -> None:
        print(json.dumps(event, default=str), flush=True)

    out = Path(spec["out_dir"]) / f"{spec['name']}.ipynb"
    try:
        result = notebook.execute(
            spec["notebook"], out, parameters=spec["parameters"], cell_timeout_seconds=spec["cell_timeout_seconds"],
            hide_code=spec["hide_code"], on_cell=lambda i, n: emit({"event": "cell", "cell": i, "cells": n}),
            max_output_bytes=spec.get("max_output_bytes", notebook.MAX_OUTPUT_BYTES),
        )  # fmt: skip
    except InputError as exc:
        emit({"event": "result", "status": "failed", "error": str(exc)})
        return 0
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
