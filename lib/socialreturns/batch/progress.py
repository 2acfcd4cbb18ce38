"""A batch's progress (`socialreturns.batch.runner`): a bar over its runs on a terminal, each
active run's current cell beside it; time-stamped log lines otherwise (cron, CI)."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Mapping
from typing import Any


class _Display:
    """Progress: a tqdm bar over runs with each active run's current cell on a terminal, plain
    time-stamped log lines otherwise (cron, CI)."""

    def __init__(self, total: int, enabled: bool | None) -> None:
        self.tty = sys.stderr.isatty() if enabled is None else enabled
        self.lock = threading.Lock()
        self.cells: dict[str, str] = {}
        self.bar = None
        if self.tty and total:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="run", file=sys.stderr, dynamic_ncols=True)

    def log(self, text: str) -> None:
        with self.lock:
            line = f"[{dt.datetime.now():%H:%M:%S}] {text}"
            if self.bar is not None:
                self.bar.write(line, file=sys.stderr)
            else:
                print(line, file=sys.stderr, flush=True)

    def cell(self, name: str, event: Mapping[str, Any]) -> None:
        if self.bar is None:
            return
        with self.lock:
            self.cells[name] = f"{event['cell']}/{event['cells']}"
            self.bar.set_postfix_str(", ".join(f"{k} cell {v}" for k, v in self.cells.items()), refresh=True)

    def done(self, name: str) -> None:
        with self.lock:
            self.cells.pop(name, None)
            if self.bar is not None:
                self.bar.set_postfix_str(
                    ", ".join(f"{k} cell {v}" for k, v in self.cells.items()), refresh=False
                )
                self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
