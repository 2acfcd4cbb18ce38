"""The batch runner: a validated batch's runs in parallel, isolated, with a manifest and an index.

Runs execute through an executor, local worker processes (`socialreturns.batch.worker`) or tasks
on a Dask cluster (`socialreturns.batch.dask`), a few at a time. Each finished run goes into the
manifest at once (written atomically), so an interrupted batch leaves a true one. Notebooks that
declare an ``as_of`` or ``manifest`` parameter get them from the runner (the report date, and
the path of this batch's manifest); those declaring ``manifest`` run after all the others, one
at a time in batch order (the organisation report, then the executive summary, which reads it).
A run whose fingerprint matches its last success is skipped unless forced.

One batch at a time writes a folder (`socialreturns.batch.lock`). SIGINT and SIGTERM stop it
(`socialreturns.batch.interrupt`): queued runs are cancelled, running ones killed with their
kernels and recorded as interrupted, and `run_batch` raises `Interrupted`. Runs under way are
listed in the manifest's ``running``, so the next batch knows what a killed one left unfinished.
"""

from __future__ import annotations

import concurrent.futures as futures
import dataclasses
import datetime as dt
import json
import os
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from socialreturns.batch import lock
from socialreturns.batch.dask import _DaskExecutor
from socialreturns.batch.executor import _Executor, _LocalExecutor
from socialreturns.batch.index import write_index
from socialreturns.batch.interrupt import Interrupted, StopSignals
from socialreturns.batch.progress import _Display
from socialreturns.batch.provenance import (
    fingerprint,
    git_state,
    input_files,
    resolved_parameters,
    sha256,
    versions,
)
from socialreturns.batch.spec import Batch, Run
from socialreturns.inputs import InputError, library_digest, project_root, resolve, write_atomically


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


@dataclasses.dataclass(frozen=True)
class _Plan:
    """A run with its resolved parameters, the input files it reads, and its fingerprint."""

    run: Run
    parameters: dict[str, Any]
    inputs: list[dict[str, Any]]
    key: str


def _previous_manifest(manifest_path: Path) -> dict[str, Any]:
    """The manifest an earlier invocation left in the folder (empty if none or unreadable)."""
    if not manifest_path.is_file():
        return {}
    try:
        value = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _last_good(entry: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What a manifest entry says about its run's last good report (itself, or the one it kept)."""
    if not entry:
        return None
    if entry.get("status") in ("ok", "skipped"):
        return {k: entry.get(k) for k in ("ended", "fingerprint", "html", "records")}
    return entry.get("last_good")


class _BatchRun:
    """One invocation of `run_batch`: the manifest as it grows, the display and the outcomes."""

    def __init__(
        self,
        batch: Batch,
        folder: Path,
        *,
        as_of: str,
        workers: int,
        force: bool,
        hide_code: bool | None,
        progress: bool | None,
        stop: StopSignals,
        notes: Sequence[str] = (),
    ) -> None:
        self.batch, self.folder, self.workers, self.force = batch, folder, workers, force
        self.display = _Display(len(batch.runs), progress)
        for note in notes:
            self.display.log(note)
        self.manifest_path = folder / "manifest.json"
        self.previous = self._clean_up(_previous_manifest(self.manifest_path))
        self.from_runner = {"as_of": as_of}  # what notebooks declaring as_of or manifest get
        if any(not r.final for r in batch.runs):  # a summary alone reads its default (the newest batch)
            self.from_runner["manifest"] = _relative(self.manifest_path)
        # the --hide-code option, else the run's own setting, else the batch's
        self.hides = {r.name: hide_code if hide_code is not None else r.hide_code if r.hide_code is not None
                      else batch.hide_code for r in batch.runs}  # fmt: skip
        library = library_digest()
        self.manifest: dict[str, Any] = {
            "batch": batch.name, "title": batch.title, "source": _relative(batch.source) if batch.source else None,
            "as_of": as_of, "git": git_state(), "versions": versions(),
            # runs keep their last entry until this invocation reaches them (an interrupted batch)
            "runs": {r.name: self.previous[r.name] for r in batch.runs if r.name in self.previous},
            "running": {},  # name: notebook and start of each run under way; written only while any is
        }  # fmt: skip
        self.library = library
        self.plans = [self._plan(run, library) for run in batch.runs]
        self.lock = threading.Lock()
        self.signals, self.stop = stop, stop.event
        self.outcomes: dict[str, Outcome] = {}
        if self.cleaned:
            self._write()

    def _clean_up(self, previous: dict[str, Any]) -> dict[str, Any]:
        """Remove what a batch killed in this folder left (its temporary files), and mark the runs
        its manifest left running as interrupted; return the previous runs so corrected."""
        removed = lock.stale_temporary_files(self.folder)
        for path in removed:
            path.unlink(missing_ok=True)
        runs = dict(previous.get("runs") or {})
        left = previous.get("running") or {}
        for name, info in left.items():
            error = (f"the batch running it (started {info.get('started')}) ended before it finished;"
                     " its report was not replaced")  # fmt: skip
            runs[name] = {"notebook": info.get("notebook"), "params_files": [], "parameters": {}, "inputs": [],
                          "fingerprint": None, "started": info.get("started"), "ended": None, "seconds": None,
                          "status": "interrupted", "error": error, "output": None, "html": None,
                          "git": previous.get("git"), "records": {}}  # fmt: skip
            if good := _last_good((previous.get("runs") or {}).get(name)):
                runs[name]["last_good"] = good
        self.cleaned = bool(removed or left)
        if self.cleaned:
            names = ", ".join(p.name for p in removed) or "none"
            self.display.log(f"cleaned up after an earlier batch that did not finish: removed {len(removed)} "
                             f"temporary files ({names}); {len(left)} runs left running marked interrupted"
                             + (f" ({', '.join(left)})" if left else ""))  # fmt: skip
        return runs

    def _write(self) -> None:
        """The manifest file, at once (atomically); ``running`` only while runs are under way."""
        _write_json(self.manifest_path, {k: v for k, v in self.manifest.items() if k != "running" or v})

    def _plan(self, run: Run, library: str) -> _Plan:
        parameters = resolved_parameters(run, self.from_runner)
        inputs = [
            {"path": _relative(p), "sha256": sha256(p), "bytes": p.stat().st_size}
            for p in input_files(parameters)
        ]
        key = fingerprint(run, parameters, inputs, library, hide_code=self.hides[run.name])
        return _Plan(run, parameters, inputs, key)

    def run(self, executor: _Executor) -> BatchResult:
        """Every run, the executive summary (it reads the manifest) last; then the index page,
        also when stopped by a signal."""
        # the index reads each notebook's record contract from its domain module (pandas and
        # all, a second or more): imported while the runs execute, not after
        threading.Thread(target=_import_contracts, args=(self.batch,), name="contracts", daemon=True).start()
        try:
            self._run_all(executor)
            if self.batch.alerts is not None and not self.stop.is_set():
                self._alerts()
        finally:
            self.display.close()
            executor.close()
            index = write_index(self.folder, self.manifest)
        ordered = tuple(self.outcomes[r.name] for r in self.batch.runs if r.name in self.outcomes)
        ordered += (self.outcomes["alerts"],) if "alerts" in self.outcomes and self.batch.alerts else ()
        return BatchResult(self.folder, self.manifest_path, index, ordered)

    def _alerts(self) -> None:
        """The batch's alerts (`organisation.alerts.run_alerts`) beside the manifest, recorded in it
        as ``alerts``. Bad data fails this outcome (the reports stay); a failed send does not, it
        leaves its alerts pending for the next run."""
        from socialreturns.organisation.alerts import run_alerts

        started = dt.datetime.now(dt.UTC)
        self.display.log("start alerts")
        try:
            done = run_alerts(self.batch.alerts, self.folder, batch=self.batch.name)
        except Exception as exc:  # a scheduled run records what went wrong and carries on
            error = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
            seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
            entry, outcome = {"status": "failed", "error": error}, Outcome("alerts", "failed", seconds, error)
            line = f"failed alerts: {error}"
        else:
            entry = done.to_dict() | {"status": "ok"}
            outcome = Outcome("alerts", "ok", done.seconds, output=str(done.path))
            sent = "".join(
                f"; {k} sent {v['sent']}, pending {v['pending']}" for k, v in done.delivery.items()
            )
            line = f"ok alerts in {done.seconds:.1f} s: {done.alerts} standing, {done.new} new{sent}"
        self.outcomes["alerts"] = outcome
        with self.lock:
            self.manifest["alerts"] = {"started": started.isoformat(), **entry}
            self._write()
        self.display.log(line)

    def _waits_for(self, run: Run) -> set[str]:
        """The names of the runs ``run`` waits for: none, unless it reads the manifest; then the
        runs its ``after:`` names (by name or notebook), else every run that does not read the
        manifest and those that do listed before it (each sees those before it)."""
        if not run.final:
            return set()
        names = [r.name for r in self.batch.runs]
        if run.after is not None:
            return {r.name for r in self.batch.runs if r.name in run.after or r.notebook.stem in run.after}
        return {r.name for r in self.batch.runs if not r.final or names.index(r.name) < names.index(run.name)}

    def _run_all(self, executor: _Executor) -> None:
        """Every run, a few at a time in batch order, each as soon as a worker is free and the runs
        it waits for (`_waits_for`) have ended; on a stop signal the waiting ones are never started
        and those under way stopped (their workers and kernels killed) and recorded."""
        waiting = list(self.plans)
        with futures.ThreadPoolExecutor(max_workers=self.workers) as pool:
            running: dict[futures.Future[Outcome | None], str] = {}
            try:
                while (waiting or running) and not self.stop.is_set():
                    for plan in [p for p in waiting if self._waits_for(p.run) <= set(self.outcomes)]:
                        if len(running) >= self.workers:
                            break
                        waiting.remove(plan)
                        if not self._skipped(plan):
                            running[pool.submit(self._run_one, plan, executor)] = plan.run.name
                    if not running:
                        if waiting and not any(self._waits_for(p.run) <= set(self.outcomes) for p in waiting):
                            raise RuntimeError(
                                f"runs waiting for runs that never end: {[p.run.name for p in waiting]}"
                            )
                        continue
                    done, _ = futures.wait(running, timeout=0.2, return_when=futures.FIRST_COMPLETED)
                    for f in done:
                        self._collect(running.pop(f), f)
            except KeyboardInterrupt:  # a SIGINT handler other than ours was in place
                self.stop.set()
            for f in running:
                f.cancel()
            for f in futures.as_completed(running):
                self._collect(running[f], f)

    def _collect(self, name: str, future: futures.Future[Outcome | None]) -> None:
        outcome = None if future.cancelled() else future.result()
        if outcome is not None:  # None: stopped before it started
            self.outcomes[name] = outcome

    def interrupted(self) -> Interrupted | None:
        """What a stop signal did (runs stopped, runs not started), or None without one."""
        if not self.stop.is_set():
            return None
        stopped = sum(o.status == "interrupted" for o in self.outcomes.values())
        return Interrupted(self.signals.signum or 2, stopped=stopped,
                           not_started=len(self.plans) - len(self.outcomes))  # fmt: skip

    def _skipped(self, plan: _Plan) -> bool:
        """Skip (and record) a run unchanged since its last success, unless forced; a run that
        reads the manifest runs again when any run it waits for ran."""
        run, last = plan.run, self.previous.get(plan.run.name, {})
        fresh = any(self.outcomes[name].status != "skipped" for name in self._waits_for(run))
        if not (not self.force and last.get("fingerprint") == plan.key and last.get("status") in ("ok", "skipped")
                and last.get("html") and (self.folder / last["html"]).is_file() and not fresh):  # fmt: skip
            return False
        self.outcomes[run.name] = Outcome(run.name, "skipped", 0.0, None, str(self.folder / last["html"]),
                                          str(self.folder / last["output"]), last.get("records") or {})  # fmt: skip
        self._record(plan, f"skipped {run.name}: unchanged since {last.get('ended')}",
                     {**{k: last.get(k) for k in ("fingerprint", "started", "ended", "seconds", "output",
                                                   "html", "git", "records")}, "status": "skipped", "error": None})  # fmt: skip
        return True

    def _run_one(self, plan: _Plan, executor: _Executor) -> Outcome | None:
        """Execute one run (in a thread of the pool), record it in the manifest, return its outcome
        (None if the batch was stopped before it started)."""
        if self.stop.is_set():
            return None
        run = plan.run
        plan = self._plan(run, self.library)  # its inputs hashed now: the bytes its kernel reads
        started = dt.datetime.now(dt.UTC)
        with self.lock:
            self.manifest["running"][run.name] = {"notebook": _relative(run.notebook),
                                                  "started": started.isoformat()}  # fmt: skip
            self._write()
        self.display.log(f"start {run.name}")
        spec = {"name": run.name, "notebook": str(run.notebook), "parameters": run.overrides | {
            k: v for k, v in self.from_runner.items() if k in run.declared}, "out_dir": str(self.folder),
            "cell_timeout_seconds": self.batch.cell_timeout_seconds, "workers": self.workers,
            "hide_code": self.hides[run.name], "inputs": plan.inputs,
            "max_output_bytes": self.batch.max_output_bytes}  # fmt: skip
        result = executor.run(spec, run, stop=self.stop, on_event=lambda e: self.display.cell(run.name, e))
        ended = dt.datetime.now(dt.UTC)
        seconds = (ended - started).total_seconds()
        error = result.get("error")
        if result["status"] == "interrupted":
            error = f"interrupted by {self.signals.name}: {error}"
        outcome = Outcome(run.name, result["status"], seconds, error, result.get("html"),
                          result.get("output"), result.get("records") or {})  # fmt: skip
        line = f"{outcome.status} {run.name} in {seconds:.1f} s"
        self._record(plan, line if outcome.error is None else f"{line}: {outcome.error}",
                     self._entry(plan, outcome, started, ended))  # fmt: skip
        return outcome

    def _entry(
        self, plan: _Plan, outcome: Outcome, started: dt.datetime, ended: dt.datetime
    ) -> dict[str, Any]:
        """A run's manifest entry: what happened, and the last good report when it failed."""
        name, previous = plan.run.name, self.previous
        entry = {"fingerprint": plan.key if outcome.status == "ok" else None, "started": started.isoformat(),
                 "ended": ended.isoformat(), "seconds": round(outcome.seconds, 2), "status": outcome.status,
                 "error": outcome.error, "output": _name(outcome.output), "html": _name(outcome.html),
                 "git": self.manifest["git"], "records": outcome.records}  # fmt: skip
        if outcome.status != "ok" and (good := _last_good(previous.get(name))):
            entry["last_good"] = good
        return entry

    def _record(self, plan: _Plan, line: str, entry: dict[str, Any]) -> None:
        """Write a finished run into the manifest file at once, then show it done with ``line``."""
        run = plan.run
        with self.lock:
            self.manifest["runs"][run.name] = {
                "notebook": _relative(run.notebook), "params_files": [_relative(p) for p in run.params_files],
                "parameters": plan.parameters, "inputs": plan.inputs, **entry,
            }  # fmt: skip
            self.manifest["running"].pop(run.name, None)
            self._write()
        self.display.done(run.name)
        self.display.log(line)


def _import_contracts(batch: Batch) -> None:
    """What the index reads once the runs end, read now: each notebook's record contract and,
    for a notebook with several runs, its domain module (the words of its assumptions table,
    `socialreturns.batch.index`: importing ``socialreturns.irr_forecast`` is two seconds and more,
    which the batch's first seconds have spare while its runs wait for the zygote)."""
    import importlib

    from socialreturns.batch import headlines

    stems = [r.notebook.stem for r in batch.runs]
    for stem in dict.fromkeys(stems):
        try:
            headlines.contract(stem)
            if stems.count(stem) > 1:
                importlib.import_module(f"socialreturns.{stem}")
        except Exception:  # the index says so when it reads the contract itself
            continue


def _checked_options(
    as_of: str | None, executor: str, scheduler: str | None, workers: int | None
) -> tuple[str, int]:
    """`run_batch`'s report date (today, UTC, by default) and number of workers, once checked."""
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
    return as_of, workers


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
    zygote: str = "batch",
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
    zygote
        Local runs fork their workers and kernels from a zygote (`socialreturns.batch.zygote`):
        ``"batch"``, one started for this batch; ``"warm"``, the warm one that outlives the
        command (``socialreturns run NOTEBOOK``); each run still gets fresh processes.

    Raises
    ------
    InputError
        A bad option, an output folder that cannot be written, or one another batch is writing.
    Interrupted
        SIGINT or SIGTERM stopped the batch (``result`` holds what it did; good reports are kept).
    """
    as_of, workers = _checked_options(as_of, executor, scheduler, workers)
    folder = resolve(out) / batch.name / as_of
    with StopSignals() as stop:
        _writable(folder)
        held, note = lock.acquire(folder)
        try:
            # first: a zygote imports while the batch plans
            runs_on: _Executor = (_DaskExecutor(scheduler, folder) if executor == "dask"
                                  else _LocalExecutor(batch, workers, warm=zygote == "warm"))  # fmt: skip
            try:
                state = _BatchRun(batch, folder, as_of=as_of, workers=workers, force=force, hide_code=hide_code,
                                  progress=progress, stop=stop, notes=[note] if note else [])  # fmt: skip
            except BaseException:
                runs_on.close()
                raise
            result = state.run(runs_on)
        finally:
            held.release()
    if (stopped := state.interrupted()) is not None:
        stopped.result = result
        raise stopped
    return result
