"""Notebook helpers: record key figures, read them back, check parameters, execute notebooks.

`record` stores a figure in the executed notebook as a display output with scrapbook's
mimetype (``application/scrapbook.scrap.json+json``), so scrapbook can read our notebooks too,
without this project depending on scrapbook (dormant since 2021). `read_records` reads them
back from an ``.ipynb`` file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialreturns import parameters
from socialreturns.inputs import InputError, project_root, write_atomically

SCRAP_MIMETYPE = "application/scrapbook.scrap.json+json"
KERNEL_NAME = "socialreturns"


def _jsonable(value: Any) -> Any:
    """Convert numpy, pandas and dataclass values to plain JSON types (NaN becomes None)."""
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
    "count", "months", "hours", "date" or "table"; ``per`` names the key of a per-entity figure
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

    nb = nbformat.read(str(path), as_version=4)
    records: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            scrap = output.get("data", {}).get(SCRAP_MIMETYPE)
            if scrap is not None:
                records[scrap["name"]] = scrap["data"]
    return records


# --------------------------------------------------------------------------- parameters


def check_iso_date(key: str, value: str | None) -> pd.Timestamp | None:
    """Parse an ISO date parameter (``YYYY-MM-DD``) to a UTC timestamp; empty gives None.
    Errors as `socialreturns.parameters.check_iso_date`."""
    day = parameters.check_iso_date(key, value)
    return None if day is None else pd.Timestamp(day, tz="UTC")


# --------------------------------------------------------------------------- execution


def to_html(notebook_path: str | Path, html_path: str | Path, *, hide_code: bool = False) -> Path:
    """Convert an executed notebook to a standalone HTML file (nbconvert), written atomically."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    nb = nbformat.read(str(notebook_path), as_version=4)
    for cell in nb.cells:  # recorded figures are data for machines, not for the page
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if SCRAP_MIMETYPE not in o.get("data", {})]
    body, _ = exporter.from_notebook_node(nb)
    html_path = Path(html_path)
    write_atomically(html_path, body)
    return html_path


def _progress_hooks(
    notebook: Path, parameters: Mapping[str, Any] | None, on_cell: Callable[[int, int], None] | None
) -> dict[str, Callable[..., None]]:
    """papermill's ``on_cell_start`` hook calling ``on_cell(cell number, cells)``; none without it."""
    if on_cell is None:
        return {}
    import nbformat

    total = len(nbformat.read(str(notebook), as_version=4).cells) + bool(parameters)  # + injected cell
    return {"on_cell_start": lambda cell, cell_index: on_cell(cell_index + 1, total)}


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
) -> RunResult:
    """Execute a notebook with papermill and write the executed copy and its HTML.

    The run executes into a temporary file in the output folder and replaces ``output`` only
    when it succeeds, so a failed rerun never overwrites a good report; the failed copy is kept
    beside it as ``<name>.failed.ipynb`` (and ``.failed.html``) for debugging. The kernel's
    working directory is the repository root, so paths in parameters are relative to it.

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
        Leave the code cells out of the HTML (for business readers).
    on_cell
        Called with (cell number from 1, number of cells) as each cell starts.
    verify
        Called once the last cell ran, before anything is replaced: a message it returns fails
        the run (the batch checks that the input files did not change meanwhile).
    """
    import time

    import papermill as pm
    from jupyter_client.kernelspec import NoSuchKernel

    notebook, output = Path(notebook), Path(output)
    if not notebook.is_file():
        raise InputError("no such notebook", file=notebook, expected="an .ipynb file")
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.stem}.", suffix=".ipynb")
    os.close(fd)
    tmp = Path(tmp_name)
    start = time.perf_counter()
    error = None
    hooks = _progress_hooks(notebook, parameters, on_cell)
    try:
        pm.execute_notebook(
            str(notebook),
            str(tmp),
            parameters=dict(parameters or {}),
            kernel_name=kernel_name,
            cwd=str(project_root()),
            execution_timeout=cell_timeout_seconds,
            progress_bar=False,
            log_output=False,
            **hooks,
        )
    except pm.PapermillExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    except NoSuchKernel:
        tmp.unlink(missing_ok=True)
        raise InputError(
            f"no Jupyter kernel named '{kernel_name}'",
            key="kernel_name",
            expected="a registered kernel",
            hint="Run `make setup` to register the project's kernel inside .venv",
        ) from None
    except BaseException as exc:
        if not isinstance(exc, Exception) or tmp.stat().st_size == 0:
            tmp.unlink(missing_ok=True)  # interrupted, or nothing executed: leave no debris
            raise
        error = f"{type(exc).__name__}: {exc}"  # a timeout or a dead kernel
    if error is None and verify is not None:
        error = verify()
    return _keep(notebook, tmp, output, time.perf_counter() - start, error, html=html, hide_code=hide_code)


def _keep(
    notebook: Path, tmp: Path, output: Path, seconds: float, error: str | None, *, html: bool, hide_code: bool
) -> RunResult:
    """Move an executed temporary notebook into place: over ``output`` when it succeeded, beside it
    as ``<name>.failed.ipynb`` (with its code shown, for debugging) when it did not."""
    if error is None:
        os.replace(tmp, output)
        html_path = to_html(output, output.with_suffix(".html"), hide_code=hide_code) if html else None
        return RunResult(notebook, output, html_path, "ok", seconds, None, read_records(output))
    failed = output.with_name(f"{output.stem}.failed.ipynb")
    os.replace(tmp, failed)
    html_path = to_html(failed, failed.with_suffix(".html")) if html else None
    return RunResult(notebook, failed, html_path, "failed", seconds, error, {})
