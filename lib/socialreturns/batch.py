"""Batch runs: validated, parallel, isolated and atomic notebook runs, with a manifest and an index.

papermill executes one notebook. Around it, this module does what scheduled runs need:

* **Validation before any kernel starts.** A batch file (``params/batches/<name>.yaml``) lists
  runs: a notebook, parameter files (overrides only; the notebook's ``parameters`` cell holds
  the defaults), an output name and an optional timeout. Every key and value type is checked
  against the notebook's parameters cell, every file must exist, output names must be unique.
  The parameters cell is read with `ast` here rather than with papermill's inspection, which
  needs papermill imported (two to three seconds): a typo must fail at once. A test keeps the
  two readings equal.
* **Isolation.** Each run executes in its own worker process (``python -m socialreturns.batch
  --worker``) in a new session; a run that passes its timeout, or a batch interrupted with
  Ctrl-C, has its worker and kernel processes killed (psutil), never left running.
* **Atomic outputs.** A run writes into a temporary file and replaces its report only on
  success (`socialreturns.notebook.execute`); a failed run's notebook is kept beside it as
  ``<name>.failed.ipynb`` and ``.failed.html``.
* **A manifest** (``manifest.json``) says what produced every report: resolved parameters,
  input files with SHA-256, git commit and dirty flag, package versions, times, status and the
  recorded figures. A run whose fingerprint (notebook, parameters, library and inputs) matches
  its last success is skipped unless forced.

Notebooks that declare an ``as_of`` or ``manifest`` parameter get them from the runner (the
report date, and the path of this batch's manifest); those declaring ``manifest`` run after
all the others (the executive summary).
"""

from __future__ import annotations

import ast
import concurrent.futures as futures
import dataclasses
import datetime as dt
import difflib
import hashlib
import html
import io
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from socialreturns import __version__
from socialreturns.inputs import InputError, project_root, read_yaml_mapping, resolve, write_atomically

RUNNER_PARAMETERS = ("as_of", "manifest")
BATCH_KEYS = ("title", "hide_code", "cell_timeout_seconds", "timeout_seconds", "runs")
RUN_KEYS = ("notebook", "params", "parameters", "name", "timeout_seconds", "hide_code")
DEFAULT_TIMEOUT_SECONDS = 1800.0
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
DEFAULT_CELL_TIMEOUT_SECONDS = 600
#: Packages whose versions go into the manifest.
PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "nltk", "vaderSentiment",
            "papermill", "nbconvert", "ipykernel", "pyarrow", "pandera")  # fmt: skip
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "list": (list,), "dict": (dict,),
}  # fmt: skip


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
        tok.start[0]: tok.string.lstrip("#").strip()
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

    Every key must be a parameter of the notebook and every value of its declared type (an int
    is a fine float). Dates that YAML parsed as dates become ISO strings, the notebooks'
    convention (papermill would pass them on inconsistently).

    Raises
    ------
    InputError
        Naming the file (``source``), the key and the closest known key, or the expected type.
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
        declared = spec[key].type.split("[")[0].strip()
        allowed = _TYPES.get(declared)
        if allowed and (not isinstance(value, allowed) or (declared != "bool" and isinstance(value, bool))):
            raise InputError(f"has the value {value!r} of type {type(value).__name__}", file=source,
                             key=str(key), expected=f"a value of type {declared} (default {spec[key].default!r})")  # fmt: skip
        out[str(key)] = value
    return out


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

    @property
    def final(self) -> bool:
        """Runs after every other run of the batch (it reads the batch's manifest)."""
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


def _number(value: Any, key: str, source: Path, *, whole: bool = False) -> float:
    ok = isinstance(value, int if whole else int | float) and not isinstance(value, bool) and value > 0
    if not ok:
        raise InputError(f"is {value!r}", file=source, key=key,
                         expected="a positive whole number of seconds" if whole else "a positive number of seconds")  # fmt: skip
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


def load_batch(path: str | Path) -> Batch:
    """Read and validate a batch file: every run's notebook, parameter files and values, unique
    output names. Nothing is executed.

    Raises
    ------
    InputError
        Naming the batch file (or the parameter file), the key and what was expected.
    """
    path = resolve(path)
    spec = read_yaml_mapping(path, what="batch file")
    for key in spec:
        if key not in BATCH_KEYS:
            close = difflib.get_close_matches(str(key), BATCH_KEYS, n=1)
            raise InputError(f"unknown key '{key}'", file=path, key=str(key), expected="one of " + ", ".join(BATCH_KEYS),
                             hint=f"Did you mean '{close[0]}'?" if close else None)  # fmt: skip
    entries = spec.get("runs")
    if not isinstance(entries, list) or not entries:
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
        run = make_run(entry["notebook"], params_files=files, parameters=inline, name=name,
                       timeout_seconds=timeout, source=path)  # fmt: skip
        runs.append(dataclasses.replace(run, hide_code=hide_run))
    names = [r.name for r in runs]
    for name in names:
        if names.count(name) > 1:
            raise InputError(f"two runs write the output '{name}'", file=path, key="name",
                             expected="a unique name per run (add name: to one of them)")  # fmt: skip
    cell_timeout = int(_number(spec.get("cell_timeout_seconds", DEFAULT_CELL_TIMEOUT_SECONDS),
                               "cell_timeout_seconds", path, whole=True))  # fmt: skip
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


# --------------------------------------------------------------------------- provenance


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(parameters: Mapping[str, Any]) -> list[Path]:
    """The files a run reads: every string parameter naming an existing file, and the files of
    every string parameter naming a folder (not recursive, hidden files left out)."""
    found: list[Path] = []
    for key, value in parameters.items():
        if key in RUNNER_PARAMETERS or not isinstance(value, str) or not value.strip():
            continue
        path = resolve(value)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith("."))
    return found


def _library_digest() -> str:
    """SHA-256 over the package's source files: the library "version" while it is developed."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def git_state() -> dict[str, Any]:
    """The repository's commit and whether its tree has uncommitted changes (None outside git)."""
    root = project_root()
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()  # fmt: skip
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, timeout=10, check=True).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}


def versions() -> dict[str, str | None]:
    """Python's and the main packages' versions."""
    from importlib import metadata

    out: dict[str, str | None] = {"python": sys.version.split()[0], "socialreturns": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def resolved_parameters(run: Run, runner: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults from the parameters cell, then the run's overrides, then the runner's values."""
    values = {p.name: p.default for p in notebook_parameters(run.notebook)}
    return values | run.overrides | {k: v for k, v in runner.items() if k in run.declared}


def fingerprint(
    run: Run,
    parameters: Mapping[str, Any],
    inputs: Sequence[Mapping[str, Any]],
    library: str,
    *,
    hide_code: bool = False,
) -> str:
    """What decides whether a run must run again: its notebook, parameters, library, inputs and
    whether its HTML shows the code."""
    parts = {
        "notebook": sha256(run.notebook),
        "hide_code": hide_code,
        "parameters": {k: v for k, v in parameters.items() if k not in RUNNER_PARAMETERS},
        "library": [__version__, library],
        "inputs": [[i["path"], i["sha256"]] for i in inputs],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


# --------------------------------------------------------------------------- executing one run


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
    on_event: Callable[[dict[str, Any]], None] = lambda event: None,
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


# --------------------------------------------------------------------------- the batch runner


@dataclasses.dataclass
class Outcome:
    """What happened to one run."""

    name: str
    status: str  # ok, failed, timeout, interrupted, skipped
    seconds: float = 0.0
    error: str | None = None
    html: str | None = None
    output: str | None = None
    records: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class BatchResult:
    """Where a batch wrote its reports, and each run's outcome."""

    folder: Path
    manifest: Path
    index: Path
    outcomes: tuple[Outcome, ...]

    @property
    def ok(self) -> bool:
        return all(o.status in ("ok", "skipped") for o in self.outcomes)


def _relative(path: Path) -> str:
    """A path relative to the repository root when inside it (the manifest stays portable)."""
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return str(path)


def _name(path: str | None) -> str | None:
    """An output's file name: outputs sit beside the manifest."""
    return Path(path).name if path else None


def _writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise InputError(f"cannot be written ({exc.strerror or exc})", file=folder,
                         expected="a folder this user can write to (--out)") from None  # fmt: skip


def _write_json(path: Path, value: Any) -> None:
    write_atomically(path, json.dumps(value, indent=2, default=str))


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


def run_batch(
    batch: Batch,
    *,
    out: str | Path = "reports",
    as_of: str | None = None,
    workers: int | None = None,
    force: bool = False,
    hide_code: bool | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    progress: bool | None = None,
) -> BatchResult:
    """Run a validated batch into ``<out>/<batch name>/<as_of>/`` and write its manifest and index.

    Parameters
    ----------
    as_of
        The report date (ISO), the folder's name; today (UTC) by default.
    workers
        Runs executed at once (default: the number of cores).
    force
        Run even what is unchanged since its last success.
    executor, scheduler
        ``"local"`` worker processes, or ``"dask"``: tasks on the Dask cluster at ``scheduler``.
    progress
        A progress bar (True), log lines (False), or a bar only on a terminal (None).
    """
    as_of = as_of or dt.datetime.now(dt.UTC).date().isoformat()
    try:
        dt.date.fromisoformat(as_of)
    except ValueError:
        raise InputError(
            f"is not a date: {as_of!r}", key="--as-of", expected="an ISO date such as 2026-11-30"
        ) from None
    if executor not in ("local", "dask"):
        raise InputError(f"is {executor!r}", key="--executor", expected="'local' or 'dask'")
    if executor == "dask" and not scheduler:
        raise InputError(
            "is missing", key="--scheduler", expected="the Dask scheduler address, e.g. tcp://host:8786"
        )
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise InputError(f"is {workers}", key="--workers", expected="1 or more")
    folder = resolve(out) / batch.name / as_of
    _writable(folder)
    manifest_path = folder / "manifest.json"
    previous = {}
    if manifest_path.is_file():
        try:
            previous = json.loads(manifest_path.read_text(encoding="utf-8")).get("runs", {})
        except ValueError:
            previous = {}
    runner = {"as_of": as_of}
    if any(not r.final for r in batch.runs):  # a summary alone reads its default (the newest batch)
        runner["manifest"] = str(manifest_path)
    # the --hide-code option, else the run's own setting, else the batch's
    hides = {r.name: hide_code if hide_code is not None else r.hide_code if r.hide_code is not None
             else batch.hide_code for r in batch.runs}  # fmt: skip
    library = _library_digest()
    manifest: dict[str, Any] = {
        "batch": batch.name, "title": batch.title, "source": str(batch.source) if batch.source else None,
        "as_of": as_of, "git": git_state(), "versions": versions(),
        # runs keep their last entry until this invocation reaches them (an interrupted batch)
        "runs": {r.name: previous[r.name] for r in batch.runs if r.name in previous},
    }  # fmt: skip
    plans = []
    for run in batch.runs:
        parameters = resolved_parameters(run, runner)
        inputs = [
            {"path": _relative(p), "sha256": sha256(p), "bytes": p.stat().st_size}
            for p in input_files(parameters)
        ]
        plans.append(
            (
                run,
                parameters,
                inputs,
                fingerprint(run, parameters, inputs, library, hide_code=hides[run.name]),
            )
        )
    display = _Display(len(plans), progress)
    lock = threading.Lock()
    stop = threading.Event()
    outcomes: dict[str, Outcome] = {}

    def finish(run: Run, parameters: dict, inputs: list, print_: str, entry: dict[str, Any]) -> None:
        with lock:
            manifest["runs"][run.name] = {
                "notebook": _relative(run.notebook), "params_files": [_relative(p) for p in run.params_files],
                "parameters": parameters, "inputs": inputs, **entry,
            }  # fmt: skip
            _write_json(manifest_path, manifest)
        display.done(run.name)
        display.log(print_)

    def execute(run: Run, parameters: dict, inputs: list, key: str, client: Any = None) -> Outcome:
        started = dt.datetime.now(dt.UTC)
        display.log(f"start {run.name}")
        spec = {"name": run.name, "notebook": str(run.notebook), "parameters": run.overrides | {
            k: v for k, v in runner.items() if k in run.declared}, "out_dir": str(folder),
            "cell_timeout_seconds": batch.cell_timeout_seconds, "workers": workers,
            "hide_code": hides[run.name]}  # fmt: skip
        if client is None:
            result = run_isolated(spec, timeout_seconds=run.timeout_seconds, stop=stop,
                                  on_event=lambda e: display.cell(run.name, e))  # fmt: skip
        else:
            result = _dask_result(client, spec, run, folder, stop)
        ended = dt.datetime.now(dt.UTC)
        seconds = (ended - started).total_seconds()
        outcome = Outcome(run.name, result["status"], seconds, result.get("error"), result.get("html"),
                          result.get("output"), result.get("records") or {})  # fmt: skip
        entry = {"fingerprint": key if outcome.status == "ok" else None, "started": started.isoformat(),
                 "ended": ended.isoformat(), "seconds": round(seconds, 2), "status": outcome.status,
                 "error": outcome.error, "output": _name(outcome.output), "html": _name(outcome.html),
                 "git": manifest["git"], "records": outcome.records}  # fmt: skip
        if (
            outcome.status != "ok"
            and run.name in previous
            and previous[run.name].get("status") in ("ok", "skipped")
        ):
            entry["last_good"] = {
                k: previous[run.name].get(k) for k in ("ended", "fingerprint", "html", "records")
            }
        line = f"{outcome.status} {run.name} in {seconds:.1f} s"
        finish(run, parameters, inputs, line if outcome.error is None else f"{line}: {outcome.error}", entry)
        return outcome

    client = _dask_client(scheduler) if executor == "dask" else None
    try:
        for phase in (False, True):  # the executive summary (reads the manifest) runs last
            todo = []
            for run, parameters, inputs, key in plans:
                if run.final != phase:
                    continue
                last = previous.get(run.name, {})
                fresh = any(o.status != "skipped" for o in outcomes.values())
                if (not force and last.get("fingerprint") == key and last.get("status") in ("ok", "skipped")
                        and last.get("html") and (folder / last["html"]).is_file() and not (phase and fresh)):  # fmt: skip
                    outcomes[run.name] = Outcome(run.name, "skipped", 0.0, None, str(folder / last["html"]),
                                                 str(folder / last["output"]), last.get("records") or {})  # fmt: skip
                    finish(run, parameters, inputs, f"skipped {run.name}: unchanged since {last.get('ended')}",
                           {**{k: last.get(k) for k in ("fingerprint", "started", "ended", "seconds", "output",
                                                         "html", "git", "records")}, "status": "skipped", "error": None})  # fmt: skip
                    continue
                todo.append((run, parameters, inputs, key))
            with futures.ThreadPoolExecutor(max_workers=workers) as pool:
                pending = {pool.submit(execute, *plan, client): plan[0].name for plan in todo}
                try:
                    while pending:
                        done, _ = futures.wait(pending, timeout=0.2, return_when=futures.FIRST_COMPLETED)
                        for f in done:
                            outcomes[pending.pop(f)] = f.result()
                except KeyboardInterrupt:
                    stop.set()
                    for f in futures.as_completed(pending):
                        outcomes[pending[f]] = f.result()
                    raise
    finally:
        display.close()
        if client is not None:
            client.close()
        index = write_index(folder, manifest)
    ordered = tuple(outcomes[r.name] for r in batch.runs if r.name in outcomes)
    return BatchResult(folder, manifest_path, index, ordered)


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
            return {"status": "interrupted", "error": "interrupted (Ctrl-C): the task was cancelled"}
        time.sleep(0.2)
    try:
        result = future.result()
    except Exception as exc:  # a worker lost, a task error: the run failed, the batch goes on
        return {"status": "failed", "error": f"the Dask task failed: {type(exc).__name__}: {exc}"}
    files = result.pop("files", {})
    for name in sorted(files, key=lambda n: n.endswith(".html")):
        write_atomically(folder / name, files[name])
    for key in ("output", "html"):
        if result.get(key):
            result[key] = str(folder / Path(result[key]).name)
    return result


# --------------------------------------------------------------------------- the index page


def _figure(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return html.escape(str(value))
    if value != value:  # NaN
        return ""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def headline_figures(manifest: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per notebook, its runs' scalar recorded figures: ``{notebook: {run: {figure: value}}}``.
    Tables and lists stay in the manifest; numbers and short texts make the headline."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, run in manifest.get("runs", {}).items():
        scalars = {k: v for k, v in (run.get("records") or {}).items()
                   if isinstance(v, int | float | str) and not isinstance(v, bool)}  # fmt: skip
        if scalars:
            out.setdefault(Path(run["notebook"]).stem, {})[name] = scalars
    return out


def write_index(folder: Path, manifest: Mapping[str, Any]) -> Path:
    """``index.html``: every run with its status, time and report link, then per notebook a
    table of the headline figures with its runs side by side (e.g. the IRR scenarios)."""
    rows = []
    for name, run in manifest.get("runs", {}).items():
        link = Path(run["html"]).name if run.get("html") else None
        cell = f"<a href='{html.escape(link)}'>{html.escape(name)}</a>" if link else html.escape(name)
        if run.get("last_good", {}).get("html"):
            cell += f" (<a href='{html.escape(Path(run['last_good']['html']).name)}'>last good</a>)"
        error = f"<div class='error'>{html.escape(run['error'])}</div>" if run.get("error") else ""
        rows.append(f"<tr><td>{cell}</td><td class='{html.escape(run['status'])}'>{html.escape(run['status'])}"
                    f"{error}</td><td>{run.get('seconds') or 0:.1f} s</td><td>{html.escape(str(run.get('ended') or ''))[:19]}</td></tr>")  # fmt: skip
    tables = []
    for stem, runs in headline_figures(manifest).items():
        names = list(runs)
        figures = list(dict.fromkeys(k for r in runs.values() for k in r))
        links = {n: (manifest["runs"][n].get("html") or "") for n in names}
        head = "".join(
            f"<th class='num'><a href='{html.escape(links[n])}'>{html.escape(n)}</a></th>" for n in names
        )
        body = "".join(
            f"<tr><td>{html.escape(f)}</td>" + "".join(f"<td class='num'>{_figure(runs[n].get(f, ''))}</td>" for n in names) + "</tr>"
            for f in figures
        )  # fmt: skip
        tables.append(
            f"<h2>{html.escape(stem)}</h2><table><thead><tr><th>figure</th>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
    git = manifest.get("git", {})
    commit = (git.get("commit") or "unknown")[:12] + (" (uncommitted changes)" if git.get("dirty") else "")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(str(manifest.get("title")))}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; padding: 0 1rem; }}
table {{ border-collapse: collapse; margin-bottom: 1.5rem; }}
th, td {{ text-align: left; padding: .35rem .7rem; border-bottom: 1px solid #ddd; vertical-align: top; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.ok, td.skipped {{ color: #1a7f37; }} td.failed, td.timeout, td.interrupted {{ color: #b42318; }}
.error {{ color: #555; font-size: .85rem; max-width: 40rem; }}
</style></head><body>
<h1>{html.escape(str(manifest.get("title")))}</h1>
<p>As of {html.escape(str(manifest.get("as_of")))}. Commit {html.escape(commit)}.
Written {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. What produced each report:
<a href="manifest.json">manifest.json</a>.</p>
<table><thead><tr><th>Report</th><th>Status</th><th>Time</th><th>Finished (UTC)</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<h2 style="margin-top:2rem">Headline figures</h2>
{"".join(tables)}
</body></html>
"""
    return write_atomically(folder / "index.html", page)


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
            batches.append((path.stem, f"{len(spec.get('runs') or [])} runs: {spec.get('title', '')}"))
        except InputError as exc:
            batches.append((path.stem, f"invalid: {exc}"))
    return notebooks, batches


if __name__ == "__main__" and sys.argv[1:] == ["--worker"]:
    sys.exit(_worker())
