"""The Dask executor: each run a task on a Dask cluster, its files stored here.

A task (`socialreturns.batch.worker.run_remote`) runs in a temporary folder on the worker machine
and returns the bytes of what it wrote; the submitter stores them beside the manifest, atomically.
dask.distributed is the optional ``dask`` extra, imported only when this executor is chosen (the
absolute ``from dask.distributed import`` finds the real package, not this module).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from socialreturns.batch.spec import Run
from socialreturns.batch.worker import OnEvent, run_remote
from socialreturns.inputs import InputError, write_together


class _DaskExecutor:
    """Runs as tasks on the cluster at ``scheduler``; results and files come back to ``folder``."""

    def __init__(self, scheduler: str | None, folder: Path) -> None:
        self.client = _dask_client(scheduler)
        self.folder = folder

    def run(
        self, spec: dict[str, Any], run: Run, *, stop: threading.Event, on_event: OnEvent
    ) -> dict[str, Any]:
        """Run ``spec`` on the cluster (which reports no cells, so ``on_event`` is not called)."""
        return _dask_result(self.client, spec, run, self.folder, stop)

    def close(self) -> None:
        self.client.close()


def _dask_client(scheduler: str | None) -> Any:
    try:
        from dask.distributed import Client
    except ImportError:
        raise InputError("needs dask.distributed, which is not installed", key="--executor",
                         expected="pip install 'socialreturns[dask]'") from None  # fmt: skip
    try:
        return Client(scheduler, timeout="10s")
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler {scheduler} ({exc})", key="--scheduler",
                         expected="the address of a running scheduler, e.g. tcp://host:8786") from None  # fmt: skip


def _dask_result(
    client: Any, spec: dict[str, Any], run: Run, folder: Path, stop: threading.Event
) -> dict[str, Any]:
    """Run on the cluster and store the returned files here, atomically (HTML after notebook)."""
    remote = {**spec, "notebook_source": run.notebook.read_text(encoding="utf-8")}
    future = client.submit(
        run_remote, remote, run.timeout_seconds, pure=False, key=f"socialreturns-{run.name}-{time.time_ns()}"
    )
    while not future.done():
        if stop.is_set():
            future.cancel()
            return {"status": "interrupted", "error": "the task was cancelled"}
        time.sleep(0.2)
    try:
        result = future.result()
    except Exception as exc:  # a worker lost, a task error: the run failed, the batch goes on
        return {"status": "failed", "error": f"the Dask task failed: {type(exc).__name__}: {exc}"}
    files = result.pop("files", {})
    write_together({folder / name: data for name, data in files.items()})  # the pair together or not at all
    for key in ("output", "html"):
        if result.get(key):
            result[key] = str(folder / Path(result[key]).name)
    return result
