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
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError, project_root, resolve, write_atomically

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


def record(name: str, value: Any) -> None:
    """Store a key figure in the executing notebook, to be read back by `read_records`.

    Parameters
    ----------
    name
        The figure's name, e.g. ``"total_revenue"``.
    value
        A number, text, list, dict, pandas Series (stored as a dict) or DataFrame (stored as a
        list of row dicts). NaN is stored as null.
    """
    from IPython.display import display

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


def _matches(value: Any, annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, a) for a in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in (list, tuple):
        return isinstance(value, list | tuple) and all(
            _matches(v, (typing.get_args(annotation) or (Any,))[0]) for v in value
        )
    if origin is dict:
        key_t, value_t = typing.get_args(annotation) or (Any, Any)
        return isinstance(value, dict) and all(
            _matches(k, key_t) and _matches(v, value_t) for k, v in value.items()
        )
    return isinstance(value, origin or annotation)


def check_types(params: Any) -> None:
    """Check every field of a parameters dataclass against its type annotation.

    Raises
    ------
    InputError
        Naming the first parameter whose value has the wrong type, and the expected type.
    """
    hints = typing.get_type_hints(type(params))
    for f in dataclasses.fields(params):
        value = getattr(params, f.name)
        if not _matches(value, hints[f.name]):
            expected = str(hints[f.name]).replace("typing.", "")
            if isinstance(hints[f.name], type):
                expected = hints[f.name].__name__
            raise InputError(
                f"has the value {value!r} of type {type(value).__name__}",
                key=f.name,
                expected=f"a value of type {expected}",
            )


def check_rules(params: Any, rules: list[tuple[str, bool, str]]) -> None:
    """Raise an `InputError` for the first ``(key, ok, expected)`` rule that fails, naming the key,
    its value and what was expected."""
    for key, ok, expected in rules:
        if not ok:
            raise InputError(f"is {getattr(params, key)!r}", key=key, expected=expected)


def check_data_dir(data_dir: str) -> None:
    """Check that the ``data_dir`` parameter names an existing folder (relative to the repo root)."""
    if not resolve(data_dir).exists():
        raise InputError("names a folder that does not exist", key="data_dir",
                         file=resolve(data_dir), expected="a folder with the tables")  # fmt: skip


def check_iso_date(key: str, value: str | None) -> pd.Timestamp | None:
    """Parse an ISO date parameter (``YYYY-MM-DD``) to a UTC timestamp; empty gives None."""
    if value in (None, ""):
        return None
    try:
        return pd.Timestamp(dt.date.fromisoformat(str(value)), tz="UTC")
    except ValueError:
        raise InputError(
            f"is not a date: {value!r}", key=key, expected="an ISO date such as 2025-06-30"
        ) from None


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
    hooks = {}
    if on_cell is not None:
        import nbformat

        total = len(nbformat.read(str(notebook), as_version=4).cells) + bool(parameters)  # + injected cell
        hooks["on_cell_start"] = lambda cell, cell_index: on_cell(cell_index + 1, total)
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
    seconds = time.perf_counter() - start
    if error is None:
        os.replace(tmp, output)
        html_path = to_html(output, output.with_suffix(".html"), hide_code=hide_code) if html else None
        return RunResult(notebook, output, html_path, "ok", seconds, None, read_records(output))
    failed = output.with_name(f"{output.stem}.failed.ipynb")
    os.replace(tmp, failed)
    html_path = to_html(failed, failed.with_suffix(".html")) if html else None  # code shown: for debugging
    return RunResult(notebook, failed, html_path, "failed", seconds, error, {})
