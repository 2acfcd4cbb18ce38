"""Where a batch's runs execute (`socialreturns.batch.runner`): the protocol of an executor, and
the local one, each run in a worker process of its own (`socialreturns.batch.worker.run_isolated`)
forked with its kernel from a zygote (`socialreturns.batch.zygote`). The Dask executor is
`socialreturns.batch.dask`."""

from __future__ import annotations

import threading
from typing import Any, Protocol

from socialreturns.batch.kernel import KERNEL_NAME
from socialreturns.batch.spec import Batch, Run
from socialreturns.batch.worker import OnEvent, run_isolated, run_threads


class _Executor(Protocol):
    """Where runs execute: `run` blocks (in a thread of the batch's pool) until one run ends."""

    def run(
        self, spec: dict[str, Any], run: Run, *, stop: threading.Event, on_event: OnEvent
    ) -> dict[str, Any]: ...

    def close(self) -> None: ...


class _LocalExecutor:
    """Each run in a worker process of its own on this machine (`run_isolated`), its worker and
    kernel forked from a zygote (`socialreturns.batch.zygote`): the batch's own, or with
    ``warm`` the warm one shared by single runs."""

    def __init__(self, batch: Batch, workers: int, *, warm: bool = False) -> None:
        from socialreturns.batch import zygote

        notebooks = list(dict.fromkeys(r.notebook for r in batch.runs))
        threads = run_threads(workers)
        self.zygote: zygote.BatchZygote | None = None
        self.address = zygote.warm(notebooks, KERNEL_NAME, threads=threads) if warm else None
        if self.address is None:
            self.zygote = zygote.BatchZygote(notebooks, KERNEL_NAME, threads=threads)
            self.address = self.zygote.address

    def run(
        self, spec: dict[str, Any], run: Run, *, stop: threading.Event, on_event: OnEvent
    ) -> dict[str, Any]:
        spec = {**spec, "zygote": self.address} if self.address else spec
        return run_isolated(spec, timeout_seconds=run.timeout_seconds, stop=stop, on_event=on_event)

    def close(self) -> None:
        if self.zygote is not None:
            self.zygote.close()
