"""Notebook helpers: record key figures, read them back, check parameters, execute notebooks.

`record` stores a figure in the executed notebook as a display output with scrapbook's
mimetype (``application/scrapbook.scrap.json+json``), so scrapbook can read our notebooks too,
without this project depending on scrapbook (dormant since 2021). `read_records` reads them
back from an ``.ipynb`` file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialreturns import parameters
from socialreturns.inputs import InputError, WriteError, project_root, write_atomically, write_together

if TYPE_CHECKING:  # pandas loads in the functions that need it: a run's worker process never does
    import pandas as pd

SCRAP_MIMETYPE = "application/scrapbook.scrap.json+json"
KERNEL_NAME = "socialreturns"


def _jsonable(value: Any) -> Any:
    """Convert numpy, pandas and dataclass values to plain JSON types (NaN becomes None)."""
    import numpy as np
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, pd.DataFrame):
        if not isinstance(value.index, pd.RangeIndex):  # a labelled index is data: keep it
            value = value.reset_index()
        return _jsonable(value.to_dict(orient="records"))
    if isinstance(value, pd.Series):
        return _jsonable(value.to_dict())
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    raise TypeError(f"record() cannot store a {type(value).__name__}; pass numbers, text, "
                    "lists, dicts, Series or DataFrames")  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Figure:
    """A figure a notebook records: its record name, what it means and its unit.

    ``unit`` is one of "currency", "currency per day", "fraction" (0.25 is 25%), "ratio", "number",
    "count", "months", "hours", "date", "text" (a sentence) or "table"; ``per`` names the key of a per-entity figure
    (``{channel: value}``), empty for a single value; ``notebook`` is set by `Figures`.
    """

    name: str
    meaning: str
    unit: str
    per: str = ""
    notebook: str = ""


class Figures:
    """The record contract of one notebook: the figures it records, by name.

    ``FIGURES.roas`` is the `Figure` named "roas"; a name the notebook does not record raises
    AttributeError at once, so a reader of the records (the executive summary) cannot silently
    read a figure that no longer exists.
    """

    def __init__(self, notebook: str, *figures: Figure) -> None:
        self.notebook = notebook
        self._by_name = {f.name: dataclasses.replace(f, notebook=notebook) for f in figures}

    def __getattr__(self, name: str) -> Figure:
        try:
            return self.__dict__["_by_name"][name]
        except KeyError:
            raise AttributeError(
                f"the {self.__dict__.get('notebook')} notebook records no figure {name!r}"
            ) from None

    def __iter__(self) -> Iterator[Figure]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def names(self) -> tuple[str, ...]:
        """The record names, in declaration order."""
        return tuple(self._by_name)

    def to_frame(self) -> pd.DataFrame:
        """One row per figure: ``name``, ``meaning``, ``unit``, ``per``."""
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(f) for f in self])


def record(figure: Figure | str, value: Any) -> None:
    """Store a key figure in the executing notebook, to be read back by `read_records`.

    Parameters
    ----------
    figure
        The `Figure` from the domain's record contract (``roi.FIGURES.roas``), or a bare name.
    value
        A number, text, list, dict, pandas Series (stored as a dict) or DataFrame (stored as a
        list of row dicts). NaN is stored as null.
    """
    from IPython.display import display

    name = figure.name if isinstance(figure, Figure) else figure
    payload = {"name": name, "data": _jsonable(value), "encoder": "json", "version": 1}
    display(
        {SCRAP_MIMETYPE: payload},
        raw=True,
        metadata={"scrapbook": {"name": name, "data": True, "display": False}},
    )


def read_records(path: str | Path) -> dict[str, Any]:
    """Read the figures that `record` stored in an executed notebook: ``{name: value}``.

    A figure recorded twice keeps its last value.
    """

    import nbformat  # here, not at the top: importing it takes seconds (jsonschema)

    return _records(nbformat.read(str(path), as_version=4))


def _records(nb: Any) -> dict[str, Any]:
    records: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            scrap = output.get("data", {}).get(SCRAP_MIMETYPE)
            if scrap is not None:
                records[scrap["name"]] = scrap["data"]
    return records


# --------------------------------------------------------------------------- parameters


def utc_day(key: str, value: str | None) -> pd.Timestamp | None:
    """Parse an ISO date parameter (``YYYY-MM-DD``) to a UTC timestamp; empty gives None.
    Errors as `socialreturns.parameters.check_iso_date`."""
    import pandas as pd

    day = parameters.check_iso_date(key, value)
    return None if day is None else pd.Timestamp(day, tz="UTC")


# --------------------------------------------------------------------------- execution


def one_draw_per_figure() -> bool:
    """Under Jupyter's inline backend, stop pyplot redrawing every open figure after each cell.

    pyplot hooks IPython's ``post_execute`` event (`matplotlib.pyplot.install_repl_displayhook`)
    to redraw stale figures, which refreshes a figure shown in a window. The inline backend has
    no window: it renders each figure to its PNG when the cell ends (its own ``post_execute``
    hook), so pyplot's redraw, a full Agg render nobody sees, was a third of every report's
    figure time. Other backends (a window, ipympl's widget) keep the hook. Returns whether it was
    dropped.
    """
    import matplotlib
    import matplotlib.pyplot as plt  # no pandas or seaborn: a kernel calls this as it boots

    backend = matplotlib.get_backend()
    if "inline" not in backend:
        return False
    if not plt.get_fignums():  # pyplot loads its backend (and hooks IPython) on the first figure: now
        plt.switch_backend(backend)
    plt.uninstall_repl_displayhook()
    return True


def load_ipython_extension(ipython: Any) -> None:
    """In a run's kernel, as it boots (``--ext=socialreturns.notebook``): import the modules named
    in ``$SOCIALRETURNS_PRELOAD`` (`socialreturns.batch.kernel.start`) into ``sys.modules`` only,
    never into the notebook's namespace. A module that fails to import is left for the notebook's
    own cell to report, with its traceback. Each figure is drawn once per cell, for its PNG
    (`one_draw_per_figure`, also for a notebook that sets no theme)."""
    import importlib

    one_draw_per_figure()
    for entry in filter(None, os.environ.pop("SOCIALRETURNS_PRELOAD", "").split(",")):
        module, _, name = entry.partition(":")
        try:
            loaded = importlib.import_module(module)
            if name and not hasattr(loaded, name):
                importlib.import_module(f"{module}.{name}")
        except Exception:  # the notebook's own cell raises it, where it belongs
            continue


#: Largest cell output kept whole, in bytes (UTF-8); `cap_outputs` truncates longer ones.
MAX_OUTPUT_BYTES = 2_000_000


def _html(nb: Any, *, hide_code: bool, name: str = "") -> str:
    """One page of an executed notebook node: the business view (`socialreturns.batch.render`)
    when ``hide_code``, else the code view."""
    from socialreturns.batch import render

    if hide_code:
        return render.business_view(nb, name=name)
    return render.code_view(nb, name=name)


def to_html(notebook_path: str | Path, html_path: str | Path, *, hide_code: bool = False) -> Path:
    """Convert an executed notebook to a standalone HTML file (nbconvert), written atomically.

    The page loads nothing from the network (no require.js, MathJax or Mermaid from a CDN).
    """
    import nbformat

    nb = nbformat.read(str(notebook_path), as_version=4)
    return write_atomically(Path(html_path), _html(nb, hide_code=hide_code, name=Path(notebook_path).stem))


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.3g} MB" if n_bytes >= 100_000 else f"{n_bytes / 1e3:.3g} kB"


def _note(n_bytes: int, limit: int) -> str:
    return f"[output truncated: {_size(n_bytes)} over the {_size(limit)} limit]"


def _truncated(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` bytes of UTF-8 (never inside a character), with a note."""
    raw = text.encode("utf-8")
    return f"{raw[:limit].decode('utf-8', errors='ignore')}\n{_note(len(raw), limit)}\n"


def _bytes(value: Any) -> int:
    return len((value if isinstance(value, str) else json.dumps(value)).encode("utf-8"))


def cap_outputs(nb: Any, *, max_output_bytes: int = MAX_OUTPUT_BYTES) -> int:
    """Truncate, in place, every cell output longer than ``max_output_bytes`` (bytes of UTF-8).

    Text (streams, ``text/plain``) keeps its first ``max_output_bytes`` and a note
    "[output truncated: 100 MB over the 2 MB limit]"; a longer rich representation (HTML, an
    image) is dropped, as a cut one would not render, leaving the text or the note. Recorded
    figures are never cut: the batch reads them back. Returns the number of outputs cut.
    """
    cut = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                if _bytes(output.get("text", "")) > max_output_bytes:
                    output["text"] = _truncated(output["text"], max_output_bytes)
                    cut += 1
                continue
            data = output.get("data", {})
            if SCRAP_MIMETYPE in data:
                continue
            sizes = {mime: _bytes(value) for mime, value in data.items()}
            over = [m for m, size in sizes.items() if size > max_output_bytes]
            for mime in over:
                if mime == "text/plain":
                    data[mime] = _truncated(data[mime], max_output_bytes)
                else:
                    del data[mime]
            if over and "text/plain" not in data:
                data["text/plain"] = _note(max(sizes.values()), max_output_bytes)
            cut += bool(over)
    return cut


def _progress_hooks(
    notebook: Path, parameters: Mapping[str, Any] | None, on_cell: Callable[[int, int], None] | None
) -> dict[str, Callable[..., None]]:
    """papermill's ``on_cell_start`` hook calling ``on_cell(cell number, cells)``; none without it."""
    if on_cell is None:
        return {}
    import nbformat

    total = len(nbformat.read(str(notebook), as_version=4).cells) + bool(parameters)  # + injected cell
    return {"on_cell_start": lambda cell, cell_index: on_cell(cell_index + 1, total)}


#: Longest time papermill's executed copy goes unwritten during a run (seconds).
SAVE_SECONDS = 30.0
#: The papermill engine of `execute` (`_engine`).
ENGINE_NAME = "socialreturns"


def _engine() -> str:
    """Register `ENGINE_NAME`: papermill's nbclient engine whose executed copy is written when the
    run starts, when a cell fails, when it ends and at most every `SAVE_SECONDS` between. Papermill
    writes it (validated against the schema) before and after every cell: seventy writes of a
    growing notebook, half a second of a rerun, for a copy read only once the run is over."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class Manager(NotebookExecutionManager):  # type: ignore[misc]
        forced = True

        def save(self, **kwargs: Any) -> None:
            if self.forced or (self.now() - self.last_save_time).total_seconds() >= SAVE_SECONDS:
                super().save(**kwargs)
                self.forced = False

        def notebook_start(self, **kwargs: Any) -> None:
            self.forced = True
            super().notebook_start(**kwargs)

        def cell_exception(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
            super().cell_exception(cell, cell_index, **kwargs)
            self.forced = True  # the failing cell is written with its traceback

        def notebook_complete(self, **kwargs: Any) -> None:
            self.forced = True
            super().notebook_complete(**kwargs)

    class Engine(NBClientEngine):  # type: ignore[misc]
        @classmethod
        def execute_notebook(cls, nb: Any, kernel_name: str, output_path: Any = None, progress_bar: bool = True,
                             log_output: bool = False, autosave_cell_every: int = 30, **kwargs: Any) -> Any:  # fmt: skip
            manager = Manager(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                              autosave_cell_every=autosave_cell_every)  # fmt: skip
            manager.notebook_start()
            try:
                cls.execute_managed_notebook(manager, kernel_name, log_output=log_output, **kwargs)
            finally:
                manager.cleanup_pbar()
                manager.notebook_complete()
            return manager.nb

    if ENGINE_NAME not in papermill_engines._engines:
        papermill_engines.register(ENGINE_NAME, Engine)
    return ENGINE_NAME


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What one notebook run produced."""

    notebook: Path
    output: Path
    html: Path | None
    status: str  # "ok" or "failed"
    seconds: float
    error: str | None
    records: dict[str, Any]


def no_such_kernel(kernel_name: str) -> InputError:
    """The error for a kernel name Jupyter does not know, with how to register ours."""
    return InputError(
        f"no Jupyter kernel named '{kernel_name}'",
        key="kernel_name",
        expected="a registered kernel",
        hint="Run `make setup` to register the project's kernel inside .venv",
    )


def execute(
    notebook: str | Path,
    output: str | Path,
    *,
    parameters: Mapping[str, Any] | None = None,
    kernel_name: str = KERNEL_NAME,
    cell_timeout_seconds: int = 600,
    html: bool = True,
    hide_code: bool = False,
    on_cell: Callable[[int, int], None] | None = None,
    verify: Callable[[], str | None] | None = None,
    max_output_bytes: int = MAX_OUTPUT_BYTES,
    kernel: Any = None,
) -> RunResult:
    """Execute a notebook with papermill and write the executed copy and its HTML.

    The run executes into a temporary file in the output folder and replaces ``output`` only
    when it succeeds, so a failed rerun never overwrites a good report; the failed copy is kept
    beside it as ``<name>.failed.ipynb`` (and ``.failed.html``) for debugging. The notebook and
    its HTML are replaced together or not at all (`socialreturns.inputs.write_together`). The
    kernel's working directory is the repository root, so paths in parameters are relative to it.

    Parameters
    ----------
    notebook, output
        Paths of the source notebook and of the executed copy (``.ipynb``).
    parameters
        Values injected after the notebook's ``parameters`` cell.
    kernel_name
        The Jupyter kernel; ``make setup`` registers ``socialreturns`` inside ``.venv``.
    cell_timeout_seconds
        Longest time one cell may run.
    hide_code
        Write the business view only (``<name>.html``, `socialreturns.batch.render`), without
        the code view beside it (``<name>.code.html``).
    on_cell
        Called with (cell number from 1, number of cells) as each cell starts.
    verify
        Called once the last cell ran, before anything is replaced: a message it returns fails
        the run (the batch checks that the input files did not change meanwhile).
    max_output_bytes
        Longest cell output kept whole, in bytes; longer ones are cut with a note (`cap_outputs`).
    kernel
        A kernel manager already started for this run (`socialreturns.batch.kernel.start`), used
        instead of starting one (``kernel_name`` is then ignored); shut down here once the cells
        ran, whatever happened.

    Raises
    ------
    InputError
        No such notebook or kernel; a `socialreturns.inputs.WriteError` ("no space left on
        <path>") when the outputs cannot be written, the previous pair left in place.
    """
    import time

    import papermill as pm
    from jupyter_client.kernelspec import NoSuchKernel

    notebook, output = Path(notebook), Path(output)
    if not notebook.is_file():
        raise InputError("no such notebook", file=notebook, expected="an .ipynb file")
    if isinstance(max_output_bytes, bool) or not isinstance(max_output_bytes, int) or max_output_bytes < 1:
        raise InputError(
            f"is {max_output_bytes!r}", key="max_output_bytes", expected="a positive whole number of bytes"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.stem}.", suffix=".ipynb")
    os.close(fd)
    tmp = Path(tmp_name)
    start = time.perf_counter()
    error = None
    hooks = _progress_hooks(notebook, parameters, on_cell)
    if kernel is not None:
        hooks["km"] = kernel
    try:
        pm.execute_notebook(
            str(notebook),
            str(tmp),
            parameters=dict(parameters or {}),
            kernel_name=kernel_name,
            cwd=str(project_root()),
            execution_timeout=cell_timeout_seconds,
            # a preloading kernel (``kernel``) answers once it has run the notebook's imports,
            # which used to run under the cell timeout
            start_timeout=max(60, cell_timeout_seconds),
            progress_bar=False,
            log_output=False,
            # kill the kernel once its cells ran: a graceful shutdown waits seconds for nothing
            shutdown_kernel="immediate",
            engine_name=_engine(),
            **hooks,
        )
    except pm.PapermillExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    except NoSuchKernel:
        tmp.unlink(missing_ok=True)
        raise no_such_kernel(kernel_name) from None
    except BaseException as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:  # papermill writing the executed copy
            tmp.unlink(missing_ok=True)
            raise WriteError(tmp, exc) from None
        if not isinstance(exc, Exception) or tmp.stat().st_size == 0:
            tmp.unlink(missing_ok=True)  # interrupted, or nothing executed: leave no debris
            raise
        error = f"{type(exc).__name__}: {exc}"  # a timeout or a dead kernel
    finally:
        if kernel is not None:
            from socialreturns.batch.kernel import stop

            stop(kernel)
    if error is None and verify is not None:
        error = verify()
    seconds = time.perf_counter() - start
    try:
        return _keep(notebook, tmp, output, seconds, error, html=html, hide_code=hide_code,
                     max_output_bytes=max_output_bytes)  # fmt: skip
    finally:
        tmp.unlink(missing_ok=True)


def _keep(
    notebook: Path, tmp: Path, output: Path, seconds: float, error: str | None, *, html: bool, hide_code: bool,
    max_output_bytes: int,
) -> RunResult:  # fmt: skip
    """Write an executed temporary notebook (outputs capped) and its HTML pages into place
    together: over ``output`` with the business and code views when it succeeded, beside it as
    ``<name>.failed.ipynb`` and ``.failed.html`` (the code view, for debugging) when it did not."""
    import nbformat

    nb = nbformat.read(str(tmp), as_version=4)
    cap_outputs(nb, max_output_bytes=max_output_bytes)
    target = output if error is None else output.with_name(f"{output.stem}.failed.ipynb")
    files: dict[Path, str] = {target: nbformat.writes(nb)}
    if html:  # the business view and the code view beside it; a failed run's code view alone
        from socialreturns.batch import render

        files |= render.pages(nb, target.with_suffix(".html"), notebook=notebook, name=output.stem,
                              failed=error is not None, code=not hide_code)  # fmt: skip
    write_together(files)
    html_path = target.with_suffix(".html") if html else None
    if error is None:
        return RunResult(notebook, output, html_path, "ok", seconds, None, _records(nb))
    return RunResult(notebook, target, html_path, "failed", seconds, error, {})
