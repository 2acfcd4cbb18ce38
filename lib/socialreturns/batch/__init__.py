"""Batch runs: validated, parallel, isolated and atomic notebook runs, with a manifest and an index.

papermill executes one notebook. Around it, this package does what scheduled runs need:

* **Validation before any kernel starts.** A batch file (``params/batches/<name>.yaml``) lists
  runs: a notebook, parameter files (overrides only; the notebook's ``parameters`` cell holds
  the defaults), an output name and an optional timeout. Every key and value type is checked
  against the notebook's parameters cell, every file must exist, output names must be unique.
  The parameters cell is read with `ast` here rather than with papermill's inspection, which
  needs papermill imported (two to three seconds): a typo must fail at once. A test keeps the
  two readings equal.
* **Isolation.** Each run executes in its own worker process (``python -m socialreturns.batch
  --worker``) in a new session; a run that passes its timeout, or a batch stopped by SIGINT or
  SIGTERM, has its worker and kernel processes killed (psutil, by process group), never left
  running; a worker whose batch died (SIGKILL) kills its kernel and exits.
* **One batch per folder.** A lock file (``.socialreturns.lock``: pid, host, start) keeps a
  second batch out of a folder; a batch that died is cleaned up after by the next one.
* **Atomic outputs.** A run writes into a temporary file and replaces its report only on
  success (`socialreturns.notebook.execute`); a failed run's notebook is kept beside it as
  ``<name>.failed.ipynb`` and ``.failed.html``.
* **A manifest** (``manifest.json``) says what produced every report: resolved parameters,
  input files with SHA-256 (checked again after the run: a file changed meanwhile fails it),
  paths relative to the project root, git commit and dirty flag, package versions, times,
  status and the recorded figures. A run whose fingerprint (notebook, parameters, library and inputs) matches
  its last success is skipped unless forced.

Notebooks that declare an ``as_of`` or ``manifest`` parameter get them from the runner (the
report date, and the path of this batch's manifest); those declaring ``manifest`` run after
all the others (the executive summary).

Submodules:

* `spec`: notebooks' parameters cells, parameter files, batch files, validation, listing.
* `provenance`: hashes, input files, library digest, git state, versions, fingerprints.
* `interrupt`: SIGINT and SIGTERM, whatever their inherited disposition; `Interrupted`.
* `lock`: the output folder's lock, and the temporary files of runs.
* `worker`: one run in an isolated worker process (killed with its kernel), or as a Dask task.
* `kernel`: a run's kernel, started before papermill loads and warmed with the notebook's imports.
* `zygote`, `freshness`, `attach`: the fork server runs' kernels and workers are forked from, its key
  and freshness checks, and the process that stands for a forked child.
* `runner`: the batch runner (`run_batch`): skips, parallel runs, the manifest; `executor`, where
  its runs execute (local workers), and `progress`, its bar or log lines.
* `dask`: the Dask executor (runs as tasks on a cluster, their files stored here).
* `render`: a run's HTML pages: the business view (no code, an assumptions table) and the code view.
* `headlines`: the index's headline figures by their units; `verdicts`, one verdict per report;
  `contracts`, the record contracts they read, kept as plain data.
* `index`: the index page (``index.html``), a Jinja2 template.
"""

from socialreturns.batch.index import headline_figures, write_index
from socialreturns.batch.interrupt import Interrupted
from socialreturns.batch.provenance import (
    PACKAGES,
    changed_inputs,
    fingerprint,
    git_state,
    input_files,
    resolved_parameters,
    sha256,
    versions,
)
from socialreturns.batch.runner import BatchResult, Outcome, run_batch
from socialreturns.batch.spec import (
    BATCH_KEYS,
    DEFAULT_CELL_TIMEOUT_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    RUN_KEYS,
    RUNNER_PARAMETERS,
    Batch,
    Parameter,
    Run,
    batches_folder,
    listing,
    load_batch,
    make_run,
    notebook_parameters,
    notebook_path,
    notebooks_folder,
    read_parameter_file,
    target_path,
    validate_parameters,
)
from socialreturns.batch.worker import run_isolated, run_remote

__all__ = [
    "BATCH_KEYS",
    "DEFAULT_CELL_TIMEOUT_SECONDS",
    "DEFAULT_TIMEOUT_SECONDS",
    "PACKAGES",
    "RUNNER_PARAMETERS",
    "RUN_KEYS",
    "Batch",
    "BatchResult",
    "Interrupted",
    "Outcome",
    "Parameter",
    "Run",
    "batches_folder",
    "changed_inputs",
    "fingerprint",
    "git_state",
    "headline_figures",
    "input_files",
    "listing",
    "load_batch",
    "make_run",
    "notebook_parameters",
    "notebook_path",
    "notebooks_folder",
    "read_parameter_file",
    "resolved_parameters",
    "run_batch",
    "run_isolated",
    "run_remote",
    "sha256",
    "target_path",
    "validate_parameters",
    "versions",
    "write_index",
]
