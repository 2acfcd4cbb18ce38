"""Stopping a batch: SIGINT and SIGTERM, whatever disposition the process inherited.

systemd, Airflow and ``timeout`` stop a job with SIGTERM; a terminal sends SIGINT; a batch started
in the background of a non-interactive shell inherits SIGINT as ignored, where Python installs no
handler of its own. So the handlers are installed explicitly, and both signals stop a batch the
same way. While a batch runs they only set an event that its threads poll (raising in the main
thread could cut a manifest write in half); before and after, they raise `Interrupted`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """A batch stopped by a signal; ``str()`` is the one line saying what happened.

    ``exit_status`` is the shell's convention, 128 + the signal's number (130, 143).
    """

    def __init__(self, signum: int, *, stopped: int = 0, not_started: int | None = None, result: Any = None):
        self.signum, self.stopped, self.not_started, self.result = signum, stopped, not_started, result
        self.exit_status = 128 + signum
        super().__init__(str(self))

    def __str__(self) -> str:
        name = signal.Signals(self.signum).name
        if self.not_started is None:
            return f"interrupted by {name} before any run started"
        runs = "run" if self.stopped == 1 else "runs"
        return f"interrupted by {name}: {self.stopped} {runs} stopped, {self.not_started} not started; good reports kept"


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def _handled(handler: Callable[[int, FrameType | None], Any]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals
        return
    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)


def raising() -> contextlib.AbstractContextManager[None]:
    """Inside: SIGINT and SIGTERM raise `Interrupted` (for the checks before a batch starts)."""
    return _handled(_raise)


class StopSignals:
    """Inside (``with``): SIGINT and SIGTERM set `event` and are remembered in `signum`."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self._context: contextlib.AbstractContextManager[None] | None = None

    def _set(self, signum: int, frame: FrameType | None) -> None:
        self.signum = self.signum or signum
        self.event.set()

    @property
    def name(self) -> str:
        """The signal's name (``SIGTERM``), or ``Ctrl-C`` for a KeyboardInterrupt."""
        return signal.Signals(self.signum).name if self.signum else "Ctrl-C"

    def __enter__(self) -> StopSignals:
        self._context = _handled(self._set)
        self._context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._context is not None
        self._context.__exit__(*exc)
