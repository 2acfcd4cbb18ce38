"""Batch and parameter files: the notebooks' parameters cells, parameter files, batch files.

Validation before any kernel starts. A batch file (``params/batches/<name>.yaml``) lists runs: a
notebook, parameter files (overrides only; the notebook's ``parameters`` cell holds the defaults),
an output name and an optional timeout. Every key and value type is checked against the
notebook's parameters cell, every value against its domain's range, every file must exist, output names must be unique. The parameters
cell is read with `ast` here rather than with papermill's inspection, which needs papermill
imported (two to three seconds): a typo must fail at once. A test keeps the two readings equal.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import difflib
import io
import json
import re
import tokenize
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from socialreturns.inputs import (
    InputError,
    project_root,
    read_yaml_mapping,
    resolve,
)
from socialreturns.parameters import Range, annotation, check_type, notebook_ranges

RUNNER_PARAMETERS = ("as_of", "manifest")
BATCH_KEYS = ("title", "hide_code", "cell_timeout_seconds", "timeout_seconds", "max_output_bytes", "runs",
              "alerts")  # fmt: skip
RUN_KEYS = ("notebook", "params", "parameters", "name", "timeout_seconds", "hide_code", "after")
DEFAULT_TIMEOUT_SECONDS = 1800.0
DEFAULT_CELL_TIMEOUT_SECONDS = 600
#: `socialreturns.notebook.MAX_OUTPUT_BYTES`, not imported here: that module imports pandas.
DEFAULT_MAX_OUTPUT_BYTES = 2_000_000
#: A formatter pragma after a parameter's help (a long line kept whole): not part of the help.
_FMT_SKIP = re.compile(r"\s*#\s*fmt:\s*skip\s*$")


# --------------------------------------------------------------------------- notebook parameters


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One line of a notebook's parameters cell: ``name: type = default  # help``."""

    name: str
    type: str
    default: Any
    help: str


def _cells(path: Path) -> list[dict[str, Any]]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"cannot be read as a notebook ({type(exc).__name__})", file=path,
                         expected="a Jupyter notebook (.ipynb JSON)") from None  # fmt: skip


def notebook_parameters(path: str | Path) -> list[Parameter]:
    """The parameters cell of a notebook (the code cell tagged ``parameters``), parsed.

    Reads the same thing as papermill's ``inspect_notebook`` (name, annotated type, default,
    trailing comment as help) without importing papermill.

    Raises
    ------
    InputError
        When the file is missing or is not a notebook, or has no parameters cell.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such notebook", file=path, expected="an .ipynb file")
    cell = next((c for c in _cells(path) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        raise InputError("has no cell tagged 'parameters'", file=path, expected="a parameters cell")
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    comments = {
        tok.start[0]: _FMT_SKIP.sub("", tok.string).lstrip("#").strip()
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    }
    out = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            default = ast.literal_eval(node.value)
            out.append(Parameter(node.target.id, ast.unparse(node.annotation), default,
                                 comments.get(node.end_lineno or node.lineno, "")))  # fmt: skip
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            default = ast.literal_eval(node.value)
            out.append(Parameter(node.targets[0].id, "None", default, comments.get(node.lineno, "")))
    return out


def read_parameter_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML parameter file (overrides only) into a dict; errors as `read_yaml_mapping`."""
    return read_yaml_mapping(resolve(path), what="parameter file")


def validate_parameters(
    notebook: str | Path, values: Mapping[str, Any], *, source: str | Path | None = None
) -> dict[str, Any]:
    """Check parameter values against a notebook's parameters cell.

    Every key must be a parameter of the notebook, every value of its declared type (an int
    is a fine float) and, for the project's notebooks, within the range its domain's
    ``Parameters`` declares (`socialreturns.parameters.notebook_ranges`), so that a value the
    kernel would refuse (or one that would exhaust the machine) stops the run before it starts.
    Names and types are checked first, from the parameters cell alone; the ranges need the
    domain module imported. Dates that YAML parsed as dates become ISO strings, the notebooks'
    convention (papermill would pass them on inconsistently).

    Raises
    ------
    InputError
        Naming the file (``source``), the key and the closest known key, the expected type or
        the range.
    """
    spec = {p.name: p for p in notebook_parameters(notebook)}
    out = {}
    for key, value in values.items():
        if key not in spec:
            close = difflib.get_close_matches(str(key), list(spec), n=1)
            raise InputError(f"unknown parameter '{key}' for {Path(notebook).name}", file=source,
                             key=str(key), expected="one of " + ", ".join(spec),
                             hint=f"Did you mean '{close[0]}'?" if close else None)  # fmt: skip
        if isinstance(value, dt.date):
            value = value.isoformat()
        check_type(str(key), value, annotation(spec[key].type), file=source, default=spec[key].default)
        out[str(key)] = value
    ranges = cached_ranges(Path(notebook).stem) if out else {}
    for key, value in out.items():
        if key in ranges:
            ranges[key].check(key, value, file=source)
    return out


def cached_ranges(notebook: str) -> dict[str, Range]:
    """`socialreturns.parameters.notebook_ranges`, kept in ``.cache/socialreturns/parameters/``
    keyed by the library's source digest: the ranges are the library's, and computing them
    imports the domain module (pandas, pandera, scipy: one to three seconds) in a command that
    otherwise needs none of it. An entry that does not read back as ranges is recomputed;
    ``SOCIALRETURNS_CACHE`` moves them to ``$SOCIALRETURNS_CACHE/parameters/`` like the other
    caches (`store.cache_root`); ``off`` computes them every time."""
    from socialreturns.store import by_library

    return by_library(
        "parameters", notebook, lambda: notebook_ranges(notebook),
        encode=lambda ranges: json.dumps({k: dataclasses.asdict(v) for k, v in ranges.items()}),
        decode=lambda text: {k: Range(**{**v, "choices": tuple(v["choices"])}) for k, v in json.loads(text).items()},
    )  # fmt: skip


# --------------------------------------------------------------------------- batches


@dataclasses.dataclass(frozen=True)
class Run:
    """One notebook run of a batch, its overrides validated."""

    name: str
    notebook: Path
    params_files: tuple[Path, ...]
    overrides: dict[str, Any]
    timeout_seconds: float
    declared: tuple[str, ...]  # the notebook's parameter names
    hide_code: bool | None = None  # None: the batch's setting
    #: For a run that reads the manifest: the runs (names or notebooks) it waits for; None: all
    #: the runs that do not read it and those that do listed before it.
    after: tuple[str, ...] | None = None

    @property
    def final(self) -> bool:
        """It reads the batch's manifest, so it waits for other runs of the batch (`after`)."""
        return "manifest" in self.declared


@dataclasses.dataclass(frozen=True)
class Batch:
    """A validated batch: its name (the output folder), title and runs."""

    name: str
    title: str
    runs: tuple[Run, ...]
    hide_code: bool = False
    cell_timeout_seconds: int = DEFAULT_CELL_TIMEOUT_SECONDS
    source: Path | None = None
    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES  # longest cell output kept whole
    #: `socialreturns.notify.AlertsConfig` of an ``alerts:`` section (computed after the runs), or None
    alerts: Any = None


def _after(
    entry: dict[str, Any], where: str, run: Run, before: list[Run], path: Path
) -> tuple[str, ...] | None:
    """A run's ``after:`` (a run's name or a notebook, or a list of them), each naming runs listed
    before it; only for a notebook that reads the batch's manifest (the others start at once)."""
    if "after" not in entry:
        return None
    value = entry["after"]
    names = [value] if isinstance(value, str) else value
    if not run.final:
        raise InputError(f"{where} ({run.name}) has after:, but its notebook does not read the batch's manifest",
                         file=path, key="after", expected="after: only on a run whose notebook reads the manifest "
                         "(it waits for the runs it reads); the others start as soon as a worker is free")  # fmt: skip
    known = {r.name for r in before} | {r.notebook.stem for r in before}
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n in known for n in names):
        raise InputError(f"{where} has after: {value!r}", file=path, key="after",
                         expected="the name or notebook of a run listed before it, or a list of them: "
                         + ", ".join(sorted(known)))  # fmt: skip
    return tuple(names)


def notebooks_folder() -> Path:
    return project_root() / "notebooks"


def batches_folder() -> Path:
    return project_root() / "params" / "batches"


def notebook_path(name: str | Path) -> Path:
    """A notebook given by path, or by name (``roi``) in the project's notebooks folder."""
    path = Path(name)
    if path.suffix != ".ipynb":
        path = notebooks_folder() / f"{name}.ipynb"
    elif not path.is_absolute() and not path.exists():
        path = resolve(path)
    if not path.is_file():
        known = ", ".join(p.stem for p in sorted(notebooks_folder().glob("*.ipynb")))
        raise InputError("no such notebook", file=path, expected=f"a notebook path or one of {known}")
    return path


#: The largest timeout (a week) and cell output (1 GB) a batch may set: finite bounds, so that
#: ``.inf`` is refused.
MAX_TIMEOUT_SECONDS = 7 * 24 * 3600
MAX_OUTPUT_BYTES = 1_000_000_000


def _number(value: Any, key: str, source: Path, *, whole: bool = False, unit: str = "seconds") -> float:
    most = MAX_TIMEOUT_SECONDS if unit == "seconds" else MAX_OUTPUT_BYTES
    ok = isinstance(value, int if whole else int | float) and not isinstance(value, bool)
    if not (ok and 0 < value <= most):
        kind = "whole number" if whole else "number"
        raise InputError(f"is {value!r}", file=source, key=key,
                         expected=f"a positive {kind} of {unit}, at most {most:,}")  # fmt: skip
    return value


def make_run(
    notebook: str | Path,
    *,
    params_files: Sequence[str | Path] = (),
    parameters: Mapping[str, Any] | None = None,
    name: str | None = None,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    source: str | Path | None = None,
) -> Run:
    """A validated `Run`: the notebook exists, every parameter file exists and parses, and every
    value (files first, in order, then ``parameters``) fits the notebook's parameters cell."""
    path = notebook_path(notebook)
    declared = tuple(p.name for p in notebook_parameters(path))
    overrides: dict[str, Any] = {}
    files = []
    for f in params_files:
        file = resolve(f)
        overrides |= validate_parameters(path, read_parameter_file(file), source=file)
        files.append(file)
    overrides |= validate_parameters(path, parameters or {}, source=source or "the -p option")
    for key in RUNNER_PARAMETERS:
        if key in overrides:
            raise InputError(f"sets '{key}', which the batch runner provides", file=source or files[-1], key=key,
                             expected="no value here (use --as-of for the report date)")  # fmt: skip
    stem = name or path.stem + "".join(f"-{Path(f).stem}" for f in files)
    if stem in ("index", "manifest"):
        raise InputError(f"the output name '{stem}' is the batch's own {stem} file", file=source, key="name",
                         expected="another name (add name: to the run)")  # fmt: skip
    return Run(stem, path, tuple(files), overrides, float(timeout_seconds), declared)


def load_batch(path: str | Path, parameters: Mapping[str, Any] | None = None) -> Batch:
    """Read and validate a batch file: every run's notebook, parameter files and values, unique
    output names. Nothing is executed.

    ``parameters`` (``socialreturns run BATCH -p data_dir mydata``) are set in every run whose
    notebook declares them, over the run's files and inline values: one batch, such as
    ``report``, runs on another data folder without a copy of its file.

    Raises
    ------
    InputError
        Naming the batch file (or the parameter file), the key and what was expected; a
        ``parameters`` key that no run's notebook declares.
    """
    path = resolve(path)
    given = dict(parameters or {})
    spec = read_yaml_mapping(path, what="batch file")
    for key in spec:
        if key not in BATCH_KEYS:
            close = difflib.get_close_matches(str(key), BATCH_KEYS, n=1)
            raise InputError(f"unknown key '{key}'", file=path, key=str(key), expected="one of " + ", ".join(BATCH_KEYS),
                             hint=f"Did you mean '{close[0]}'?" if close else None)  # fmt: skip
    entries = spec.get("runs")
    alerts = None
    if spec.get("alerts") is not None:  # an alerts batch (params/batches/alerts.yaml) may have no runs
        from socialreturns.notify import read_config

        alerts = read_config(spec["alerts"], source=path)
        entries = [] if entries is None else entries
    if not isinstance(entries, list) or not (entries or alerts):
        raise InputError(
            "has no runs", file=path, key="runs", expected="a list of runs, each with a notebook"
        )
    default_timeout = _number(spec.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS), "timeout_seconds", path)
    runs: list[Run] = []
    for i, entry in enumerate(entries, start=1):
        where = f"runs[{i}]"
        if isinstance(entry, str):
            entry = {"notebook": entry}
        if not isinstance(entry, dict) or "notebook" not in entry:
            raise InputError(
                f"{where} has no notebook", file=path, key=where, expected="notebook: <name or path>"
            )
        for key in entry:
            if key not in RUN_KEYS:
                close = difflib.get_close_matches(str(key), RUN_KEYS, n=1)
                raise InputError(f"{where} has the unknown key '{key}'", file=path, key=str(key),
                                 expected="one of " + ", ".join(RUN_KEYS),
                                 hint=f"Did you mean '{close[0]}'?" if close else None)  # fmt: skip
        files = entry.get("params", [])
        files = [files] if isinstance(files, str) else files
        inline = entry.get("parameters") or {}
        if not isinstance(files, list) or not isinstance(inline, dict):
            raise InputError(f"{where} has a bad params or parameters entry", file=path, key=where,
                             expected="params: a file or a list of files; parameters: key: value lines")  # fmt: skip
        timeout = _number(entry.get("timeout_seconds", default_timeout), f"{where}.timeout_seconds", path)
        name = entry.get("name")
        if name is not None and not (
            isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name)
        ):
            raise InputError(f"{where} has the name {name!r}", file=path, key="name",
                             expected="a file name of letters, digits, '-', '_' and '.'")  # fmt: skip
        hide_run = entry.get("hide_code")
        if hide_run is not None and not isinstance(hide_run, bool):
            raise InputError(
                f"{where} has hide_code {hide_run!r}", file=path, key="hide_code", expected="true or false"
            )
        if given:
            declared = {p.name for p in notebook_parameters(notebook_path(entry["notebook"]))}
            inline = inline | {k: v for k, v in given.items() if k in declared}
        run = make_run(entry["notebook"], params_files=files, parameters=inline, name=name,
                       timeout_seconds=timeout, source=path)  # fmt: skip
        runs.append(dataclasses.replace(run, hide_code=hide_run, after=_after(entry, where, run, runs, path)))
    unused = sorted(set(given) - {k for r in runs for k in r.declared})
    if unused:
        raise InputError(f"no notebook of the batch has the parameter '{unused[0]}'", file=path, key=unused[0],
                         expected="a parameter of at least one of its notebooks (socialreturns params NAME)")  # fmt: skip
    names = [r.name for r in runs]
    for name in names:
        if names.count(name) > 1:
            raise InputError(f"two runs write the output '{name}'", file=path, key="name",
                             expected="a unique name per run (add name: to one of them)")  # fmt: skip
    cell_timeout = int(_number(spec.get("cell_timeout_seconds", DEFAULT_CELL_TIMEOUT_SECONDS),
                               "cell_timeout_seconds", path, whole=True))  # fmt: skip
    max_output = int(_number(spec.get("max_output_bytes", DEFAULT_MAX_OUTPUT_BYTES), "max_output_bytes", path,
                             whole=True, unit="bytes"))  # fmt: skip
    hide = spec.get("hide_code", False)
    if not isinstance(hide, bool):
        raise InputError(f"is {hide!r}", file=path, key="hide_code", expected="true or false")
    return Batch(
        path.stem,
        str(spec.get("title", f"socialreturns: {path.stem}")),
        tuple(runs),
        hide,
        cell_timeout,
        path,
        max_output,
        alerts,
    )


def target_path(target: str) -> Path:
    """What ``socialreturns run TARGET`` names: a batch file (path, or name in params/batches/)
    or a notebook (path, or name in notebooks/)."""
    path = Path(target)
    if path.suffix in (".yaml", ".yml"):
        return resolve(path) if not path.exists() else path
    if path.suffix == ".ipynb":
        return notebook_path(path)
    if (batches_folder() / f"{target}.yaml").is_file():
        return batches_folder() / f"{target}.yaml"
    if (notebooks_folder() / f"{target}.ipynb").is_file():
        return notebooks_folder() / f"{target}.ipynb"
    known = [p.stem for p in sorted(batches_folder().glob("*.yaml"))] + [
        p.stem for p in sorted(notebooks_folder().glob("*.ipynb"))
    ]
    close = difflib.get_close_matches(target, known, n=1)
    raise InputError(f"no batch or notebook named '{target}'", key="target", expected="one of " + ", ".join(known),
                     hint=f"Did you mean '{close[0]}'?" if close else None)  # fmt: skip


def listing() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The project's notebooks (name, title) and batches (name, number of runs or the error)."""
    notebooks = []
    for path in sorted(notebooks_folder().glob("*.ipynb")):
        first = next((c for c in _cells(path) if c["cell_type"] == "markdown"), None)
        text = "".join(first["source"]) if first else ""
        title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), "")
        notebooks.append((path.stem, title))
    batches = []
    for path in sorted(batches_folder().glob("*.yaml")):
        try:
            spec = read_yaml_mapping(path, what="batch file")
            alerts = " and alerts" if spec.get("alerts") is not None else ""
            batches.append(
                (path.stem, f"{len(spec.get('runs') or [])} runs{alerts}: {spec.get('title', '')}")
            )
        except InputError as exc:
            batches.append((path.stem, f"invalid: {exc}"))
    return notebooks, batches
