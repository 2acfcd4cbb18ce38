"""Stopping a batch: SIGTERM, SIGINT inherited as ignored, SIGKILL of the batch, a second batch on
the same folder; and provenance: inputs that change during a run, paths relative to the root.

The CLI runs as a background job of a non-interactive shell, as CI may start it: there SIGINT is
inherited as ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import psutil
import pytest
from test_batch import _batch_file, _notebook

from conftest import ROOT
from socialreturns import batch
from socialreturns.batch import lock
from socialreturns.inputs import InputError

AS_OF = "2026-01-31"


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@contextlib.contextmanager
def _background(*args: str):
    """``socialreturns ARGS`` started by ``bash -c '... & wait'``: yields (shell, the CLI's pid);
    on the way out kills whatever of it is left (the test's processes never outlive it)."""
    command = " ".join(f"'{a}'" for a in [sys.executable, "-m", "socialreturns.cli", *args])
    shell = subprocess.Popen(["bash", "-c", f"{command} & wait $!"], cwd=ROOT, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        _wait_for(lambda: psutil.Process(shell.pid).children(), 10, "the CLI never started")
        cli = psutil.Process(shell.pid).children()[0]
        yield shell, cli.pid
    finally:
        with contextlib.suppress(psutil.NoSuchProcess):
            for p in [*psutil.Process(shell.pid).children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    p.kill()
        shell.kill()
        shell.communicate()


def _hanging_batch(tmp_path, names, *, queued=()):
    """A batch whose runs ``names`` hang (each kernel writes its pid to ``<name>.pid``) and whose
    runs ``queued`` are quick; with 2 workers, runs after the first two wait."""
    _notebook(tmp_path, "hangs")
    _notebook(tmp_path, "ok")
    runs = [{"notebook": str(tmp_path / "hangs.ipynb"), "name": n,
             "parameters": {"pid_file": str(tmp_path / f"{n}.pid")}} for n in names]  # fmt: skip
    runs += [{"notebook": str(tmp_path / "ok.ipynb"), "name": n} for n in queued]
    return _batch_file(tmp_path, runs)


def _good_report(tmp_path, name="a"):
    """Run ``name`` once successfully; return its folder and the bytes of its HTML."""
    _notebook(tmp_path, "ok")
    path = _batch_file(tmp_path, [{"notebook": str(tmp_path / "ok.ipynb"), "name": name}])
    out = subprocess.run([sys.executable, "-m", "socialreturns.cli", "run", str(path), "--out",
                          str(tmp_path / "reports"), "--as-of", AS_OF], cwd=ROOT, capture_output=True)  # fmt: skip
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "reports" / "tiny" / AS_OF
    return folder, (folder / f"{name}.html").read_bytes()


def _kernels(tmp_path, names):
    """The kernel and worker pids of the hanging runs ``names``, once every kernel is running."""
    files = [tmp_path / f"{n}.pid" for n in names]
    _wait_for(lambda: all(f.exists() and f.read_text() for f in files), 90, "the hanging runs never started")
    kernels = [int(f.read_text()) for f in files]
    return kernels + [psutil.Process(k).ppid() for k in kernels]


def test_a_background_shell_ignores_sigint():
    """The premise of the tests below: a job started with ``&`` in ``bash -c`` ignores SIGINT."""
    out = subprocess.run(
        ["bash", "-c", "grep SigIgn /proc/self/status & wait"], capture_output=True, text=True
    )
    assert int(out.stdout.split()[1], 16) & (1 << (signal.SIGINT - 1))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT-ignored"]
)
def test_a_stop_signal_from_a_background_shell_stops_the_batch(tmp_path, signum, status):
    folder, good = _good_report(tmp_path)
    path = _hanging_batch(tmp_path, ["a", "b"], queued=["c", "d", "e"])
    args = ("run", str(path), "--out", str(tmp_path / "reports"), "--as-of", AS_OF, "--workers", "2")
    with _background(*args) as (shell, cli):
        pids = _kernels(tmp_path, ["a", "b"])
        os.kill(cli, signum)
        _, err = shell.communicate(timeout=60)
    assert shell.returncode == status, err
    name = signal.Signals(signum).name
    assert (
        err.strip().splitlines()[-1]
        == f"interrupted by {name}: 2 runs stopped, 3 not started; good reports kept"
    )
    assert all(_gone(pid) for pid in pids), "a worker or kernel outlived the batch"
    assert (folder / "a.html").read_bytes() == good
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {n: r["status"] for n, r in manifest["runs"].items()} == {"a": "interrupted", "b": "interrupted"}
    assert name in manifest["runs"]["a"]["error"] and manifest["runs"]["a"]["last_good"]["html"] == "a.html"
    assert "running" not in manifest
    assert not list(folder.glob(".*"))  # no temporary file, no lock


@pytest.mark.slow
def test_a_killed_batch_leaves_no_worker_and_the_next_run_cleans_up(tmp_path):
    folder, good = _good_report(tmp_path)
    path = _hanging_batch(tmp_path, ["a"])
    with _background("run", str(path), "--out", str(tmp_path / "reports"), "--as-of", AS_OF) as (shell, cli):
        pids = _kernels(tmp_path, ["a"])
        os.kill(cli, signal.SIGKILL)
        shell.communicate(timeout=30)
        _wait_for(lambda: all(_gone(pid) for pid in pids), 10, "the worker or kernel outlived its batch")
    left = {p.name for p in folder.glob(".*")}
    assert lock.LOCK_NAME in left and any(n.startswith(".a.") for n in left), left
    assert json.loads((folder / "manifest.json").read_text())["running"]["a"]["started"]
    # the next batch: the same run, failing this time, so it keeps the good report it finds
    rerun = _batch_file(tmp_path, [{"notebook": str(tmp_path / "ok.ipynb"), "name": "a",
                                    "parameters": {"fail": True}}])  # fmt: skip
    out = subprocess.run([sys.executable, "-m", "socialreturns.cli", "run", str(rerun), "--out",
                          str(tmp_path / "reports"), "--as-of", AS_OF], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 1, out.stderr
    assert "took over the lock of an earlier batch that is no longer running" in out.stderr
    assert "1 runs left running marked interrupted (a)" in out.stderr
    assert not list(folder.glob(".*"))
    assert (folder / "a.html").read_bytes() == good
    entry = json.loads((folder / "manifest.json").read_text())["runs"]["a"]
    assert entry["status"] == "failed" and entry["last_good"]["html"] == "a.html"


@pytest.mark.slow
def test_a_second_batch_on_the_same_folder_is_refused(tmp_path):
    path = _hanging_batch(tmp_path, ["a"])
    folder = tmp_path / "reports" / "tiny" / AS_OF
    with _background("run", str(path), "--out", str(tmp_path / "reports"), "--as-of", AS_OF) as (shell, cli):
        _kernels(tmp_path, ["a"])
        second = _batch_file(tmp_path, [{"notebook": str(tmp_path / "ok.ipynb"), "name": "b"}])
        out = subprocess.run([sys.executable, "-m", "socialreturns.cli", "run", str(second), "--out",
                              str(tmp_path / "reports"), "--as-of", AS_OF], cwd=ROOT, capture_output=True,
                             text=True)  # fmt: skip
        assert out.returncode == 2, out.stderr
        line = out.stderr.strip()
        assert "\n" not in line and "another batch is writing this folder" in line
        assert f"pid {cli} on {socket.gethostname()}" in line and lock.LOCK_NAME in line
        assert not (folder / "b.ipynb").exists()
        os.kill(cli, signal.SIGTERM)
        shell.communicate(timeout=60)
    assert shell.returncode == 143


def test_the_lock_names_its_holder_and_a_stale_one_is_taken_over(tmp_path):
    held, note = lock.acquire(tmp_path)
    assert note is None
    info = json.loads((tmp_path / lock.LOCK_NAME).read_text())
    assert info["pid"] == os.getpid() and info["host"] == socket.gethostname()
    with pytest.raises(InputError, match=rf"another batch is writing this folder: pid {os.getpid()} on "):
        lock.acquire(tmp_path)
    held.release()
    assert not (tmp_path / lock.LOCK_NAME).exists()
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / lock.LOCK_NAME).write_text(json.dumps({**info, "pid": dead.pid}))
    held, note = lock.acquire(tmp_path)
    assert note and f"pid {dead.pid}" in note and "no longer running" in note
    held.release()
    # held on another host: never taken over, its pid cannot be checked from here
    (tmp_path / lock.LOCK_NAME).write_text(json.dumps({**info, "pid": dead.pid, "host": "elsewhere"}))
    with pytest.raises(InputError, match="on elsewhere"):
        lock.acquire(tmp_path)


def test_a_run_cleans_up_only_its_own_temporary_files(tmp_path):
    names = {}
    for run in ("s", "s.v2", "s.html"):
        for prefix, suffix in (
            (f".{run}.", ".ipynb"),
            (f".{run}.html.", ".tmp"),
            (f".{run}.failed.ipynb.", ".tmp"),
            (f".{run}.ipynb.", ".bak"),  # the previous report, kept while the new pair moves in
        ):
            fd, name = tempfile.mkstemp(dir=tmp_path, prefix=prefix, suffix=suffix)
            os.close(fd)
            names.setdefault(run, set()).add(os.path.basename(name))
    (tmp_path / lock.LOCK_NAME).write_text("{}")
    for run, files in names.items():
        assert {p.name for p in lock.run_temporary_files(tmp_path, run)} == files, run
    assert {p.name for p in lock.stale_temporary_files(tmp_path)} == set().union(*names.values())


def test_changed_inputs(tmp_path):
    data = tmp_path / "orders.csv"
    data.write_text("a\n1\n")
    inputs = [{"path": str(data), "sha256": batch.sha256(data)}]
    assert batch.changed_inputs(inputs) == []
    data.write_text("a\n2\n")
    assert batch.changed_inputs(inputs) == [str(data)]
    data.unlink()
    assert batch.changed_inputs(inputs) == [f"{data} (removed)"]


@pytest.mark.slow
def test_an_input_changed_during_a_run_fails_it_and_keeps_the_good_report(tmp_path):
    _notebook(tmp_path, "edits")
    data = tmp_path / "orders.csv"
    data.write_text("order_id\n1\n")
    runs = [{"notebook": str(tmp_path / "edits.ipynb"), "name": "plan",
             "parameters": {"data_file": str(data), "reference": "data/sample/truth.json"}}]  # fmt: skip
    first = batch.run_batch(
        batch.load_batch(_batch_file(tmp_path, runs)), out=tmp_path, as_of=AS_OF, progress=False
    )
    assert first.ok
    manifest = json.loads(first.manifest.read_text())
    entry = manifest["runs"]["plan"]
    # paths inside the project are relative to its root (this notebook and data live outside it)
    assert [i["path"] for i in entry["inputs"]] == [str(data), "data/sample/truth.json"]
    good = (first.folder / "plan.html").read_bytes()
    runs[0]["parameters"]["append"] = "2\n"  # the kernel changes its input, as another process might
    again = batch.run_batch(
        batch.load_batch(_batch_file(tmp_path, runs)), out=tmp_path, as_of=AS_OF, progress=False
    )
    (outcome,) = again.outcomes
    assert outcome.status == "failed" and outcome.error == f"input changed during the run: {data}"
    assert (again.folder / "plan.html").read_bytes() == good
    entry = json.loads(again.manifest.read_text())["runs"]["plan"]
    assert entry["last_good"]["html"] == "plan.html" and entry["error"] == outcome.error


def test_the_manifest_names_an_in_project_batch_file_relative_to_the_root(tmp_path):
    report = batch.load_batch(ROOT / "params" / "batches" / "report.yaml")
    from socialreturns.batch import runner

    state = runner._BatchRun(report, tmp_path, as_of=AS_OF, workers=1, force=False, hide_code=None,
                             progress=False, stop=batch.interrupt.StopSignals())  # fmt: skip
    assert state.manifest["source"] == "params/batches/report.yaml"
    inputs = {i["path"] for p in state.plans for i in p.inputs}
    assert "data/sample/orders.csv" in inputs and all(not os.path.isabs(p) for p in inputs)
