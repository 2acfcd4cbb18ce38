"""The batch runner: validation before any kernel, isolation, timeouts, atomic outputs, the
manifest, incremental skips, the index page, Ctrl-C and the Dask executor."""

from __future__ import annotations

import ast
import errno
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time

import nbformat
import psutil
import pytest
import yaml

from conftest import NOTEBOOKS, ROOT
from socialreturns import batch, cli, summary
from socialreturns.inputs import InputError

# --------------------------------------------------------------------------- helpers

TINY = {
    # records a figure; fails on request (for the atomic-replacement test)
    "ok": (
        "from socialreturns.notebook import record\nrecord('answer', 40 + x)",
        "assert not fail, 'asked to fail'",
    ),  # fmt: skip
    "raises": ("raise ValueError('the data is bad in a way this notebook explains')",),
    "hangs": ("import os, time\nopen(pid_file, 'w').write(str(os.getpid()))\ntime.sleep(600)",),
    "dies": ("import os\nos._exit(1)",),
    "prints": ("print('y' * x * 1000)",),
    # changes its own input file, as another process might during a run
    "edits": ("open(data_file, 'a').write(append)",),
}
PARAMETERS = (
    'x: int = 2  # a number\nfail: bool = False  # raise on purpose\npid_file: str = ""  # kernel pid\n'
    'data_file: str = ""  # an input\nappend: str = ""  # text to append to it\nreference: str = ""  # an input'
)


def _notebook(folder, name):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(PARAMETERS)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *(nbformat.v4.new_code_cell(s) for s in TINY[name])]
    nb.metadata["kernelspec"] = {
        "name": "socialreturns",
        "display_name": "socialreturns",
        "language": "python",
    }
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return path


def _batch_file(folder, runs, **top):
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump({"title": "tiny", **top, "runs": runs}, sort_keys=False))
    return path


def _cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "socialreturns.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, **kwargs)  # fmt: skip


# --------------------------------------------------------------------------- validation (no kernels)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_parameters_cell_reads_as_papermill_reads_it(path):
    import papermill as pm

    theirs = pm.inspect_notebook(str(path))
    ours = batch.notebook_parameters(path)
    assert [p.name for p in ours] == list(theirs)
    for p in ours:
        t = theirs[p.name]
        # papermill keeps a line's "# fmt: skip" pragma in its help; we leave it out
        assert (p.type, p.help) == (
            t["inferred_type_name"],
            t["help"].removesuffix("# fmt: skip").rstrip(),
        ), p.name
        assert p.default == ast.literal_eval(t["default"]), p.name


def test_yaml_dates_become_iso_strings(tmp_path):
    roi = ROOT / "notebooks" / "roi.ipynb"
    values = batch.validate_parameters(
        roi, batch.read_parameter_file(ROOT / "params" / "roi" / "first_year.yaml")
    )
    assert values == {"start_date": "2024-11-01", "end_date": "2025-10-31"}
    path = tmp_path / "p.yaml"
    path.write_text("start_date: 2024-11-01\n")  # unquoted: YAML reads a date
    assert batch.validate_parameters(roi, batch.read_parameter_file(path)) == {"start_date": "2024-11-01"}


def test_the_report_batch_covers_every_notebook():
    report = batch.load_batch(ROOT / "params" / "batches" / "report.yaml")
    names = [r.name for r in report.runs]
    assert {r.notebook.stem for r in report.runs} == {p.stem for p in NOTEBOOKS}
    assert {"irr_forecast-base", "irr_forecast-optimistic", "irr_forecast-downside"} <= set(names)
    assert [r.name for r in report.runs if r.final] == ["organisation", "executive_summary"]
    assert report.runs[names.index("irr_forecast-downside")].overrides["cost_of_capital_annual"] > 0


class _TimedExecutor:
    """An executor that runs nothing: each run takes ``seconds[name]`` and is recorded with its
    start and end (time.monotonic), as the batch's pool calls it."""

    def __init__(self, seconds):
        self.seconds, self.times, self.lock = seconds, {}, __import__("threading").Lock()

    def run(self, spec, run, *, stop, on_event):
        start = time.monotonic()
        time.sleep(self.seconds.get(run.name, 0.05))
        with self.lock:
            self.times[run.name] = (start, time.monotonic())
        return {"status": "ok", "error": None, "html": None, "output": None, "records": {}}

    def close(self):
        pass


def test_a_run_that_reads_the_manifest_starts_once_the_runs_it_names_have_ended(tmp_path):
    report = batch.load_batch(ROOT / "params" / "batches" / "report.yaml")
    organisation = next(r for r in report.runs if r.name == "organisation")
    assert organisation.after == ("roi", "irr_forecast")
    from socialreturns.batch import runner

    state = runner._BatchRun(report, tmp_path, as_of="2026-12-01", workers=2, force=True, hide_code=None,
                             progress=False, stop=batch.interrupt.StopSignals())  # fmt: skip
    executor = _TimedExecutor({"ror": 2.0})
    state.run(executor)
    times = executor.times
    assert set(times) == {r.name for r in report.runs}
    ended = {name: end for name, (_, end) in times.items()}
    # organisation waits for the ROI and every IRR run, not for ror, still running on the other worker
    assert times["organisation"][0] >= max(
        v for k, v in ended.items() if k.startswith(("roi", "irr_forecast"))
    )
    assert times["organisation"][0] < times["ror"][1] - 1.0
    # the summary names no runs: it waits for every one, organisation included
    assert times["executive_summary"][0] >= max(v for k, v in ended.items() if k != "executive_summary")
    manifest = json.loads(state.manifest_path.read_text())
    assert all(manifest["runs"][r.name]["status"] == "ok" for r in report.runs)


@pytest.mark.parametrize(
    ("after", "message"),
    [
        ("rio", r"tiny.yaml, key 'after': runs\[2\] has after: 'rio'.*a run listed before it.*: roi\."),
        (["roi", "executive_summary"], r"key 'after'.*a run listed before it"),
        ([], r"key 'after'.*a run listed before it"),
    ],
)
def test_after_names_runs_listed_before_it(tmp_path, after, message):
    runs = [
        {"notebook": "roi"},
        {"notebook": "organisation", "after": after},
        {"notebook": "executive_summary"},
    ]
    with pytest.raises(InputError, match=message):
        batch.load_batch(_batch_file(tmp_path, runs))


def test_after_is_only_for_a_notebook_that_reads_the_manifest(tmp_path):
    runs = [{"notebook": "roi"}, {"notebook": "ror", "after": "roi"}]
    with pytest.raises(InputError, match=r"tiny.yaml, key 'after'.*\(ror\) has after:.*does not read"):
        batch.load_batch(_batch_file(tmp_path, runs))


@pytest.mark.parametrize(
    ("params", "runs_extra", "message"),
    [
        (
            "margin_rat: 0.4\n",
            {},
            r"scenario.yaml, key 'margin_rat': unknown parameter .* Did you mean 'margin_rate'\?",
        ),
        ('margin_rate: "40%"\n', {}, r"scenario.yaml, key 'margin_rate'.*of type float"),
        ("margin_rate: [0.4\n", {}, r"scenario.yaml: is not valid YAML on line 2"),
        ("manifest: old.json\n", {"notebook": "executive_summary"}, r"key 'manifest'.*batch runner provides"),
        ("", {"notebook": "irr_forcast"}, r"irr_forcast.ipynb: no such notebook.*irr_forecast"),
        ("", {"params": "nowhere.yaml"}, r"nowhere.yaml: no such parameter file"),
        ("", {"timeout_seconds": "soon"}, r"key 'runs\[1\].timeout_seconds'.*positive number of seconds"),
        ("", {"timeout": 60}, r"unknown key 'timeout'.*Did you mean 'timeout_seconds'\?"),
        ("", {"name": "index"}, r"key 'name': the output name 'index' is the batch's own index file"),
        ("", {"name": "../plan"}, r"key 'name': runs\[1\] has the name '../plan'.*file name"),
        # ranges, from the notebook's Parameters, before any kernel (issue 18)
        ("n_bootstrap: 1000000000\n", {}, r"scenario.yaml, key 'n_bootstrap': is 1000000000.*20 to 5,000"),
        ("n_sims: 100000000\n", {}, r"scenario.yaml, key 'n_sims'.*100 to 200,000 simulations"),
        ("horizon_months: 100000\n", {}, r"scenario.yaml, key 'horizon_months'.*1 to 120 months"),
        ("setup_cost: .inf\n", {}, r"scenario.yaml, key 'setup_cost': is inf.*0 to 1e12"),
        ("setup_cost: .nan\n", {}, r"scenario.yaml, key 'setup_cost': is nan.*0 to 1e12"),
        ("spend_plan: {tiktok: 1.0e+300}\n", {}, r"scenario.yaml, key 'spend_plan'.*0 to 1e12 per channel"),
        ("spend_plan: {tiktok: -.inf}\n", {}, r"scenario.yaml, key 'spend_plan'.*0 to 1e12 per channel"),
        ("", {"parameters": {"n_bootstrap": 0}}, r"tiny.yaml, key 'n_bootstrap': is 0.*20 to 5,000"),
        ("", {"timeout_seconds": float("inf")}, r"key 'runs\[1\].timeout_seconds'.*at most 604,800"),
        # anchors and aliases, with the line
        ("a: &x 1\nmargin_rate: *x\n", {}, r"scenario.yaml: uses an anchor or alias on line 1"),
        ("spend_plan:\n  tiktok: 1\n  <<: *x\n", {}, r"scenario.yaml: uses an anchor or alias on line 3"),
    ],
)
def test_bad_batches_are_refused_before_any_kernel(tmp_path, params, runs_extra, message):
    (tmp_path / "scenario.yaml").write_text(params)
    run = {"notebook": "irr_forecast", "params": str(tmp_path / "scenario.yaml"), **runs_extra}
    with pytest.raises(InputError, match=message):
        batch.load_batch(_batch_file(tmp_path, [run]))


def test_names_and_types_are_checked_before_the_domain_module_is_imported(tmp_path):
    # a typo fails from the parameters cell alone; only values that passed need the ranges
    code = (
        "import sys\nfrom socialreturns import batch\nfrom socialreturns.inputs import InputError\n"
        "try:\n    batch.validate_parameters(batch.notebook_path('roi'), {'n_bootstrp': 10})\n"
        "except InputError:\n    pass\nprint(sorted(m for m in sys.modules if m in ('pandas', 'socialreturns.roi')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr
    with pytest.raises(InputError, match="key 'n_bootstrap'.*20 to 5,000"):
        batch.validate_parameters(batch.notebook_path("roi"), {"n_bootstrap": 10**9})


def test_an_alias_in_the_batch_file_is_refused(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text("title: tiny\nruns:\n  - &run {notebook: roi}\n  - *run\n")
    with pytest.raises(InputError, match="tiny.yaml: uses an anchor or alias on line 3"):
        batch.load_batch(path)


def test_two_runs_writing_one_output_are_refused(tmp_path):
    runs = [{"notebook": "irr_forecast", "params": "params/irr_forecast/base.yaml", "name": "plan"},
            {"notebook": "irr_forecast", "params": "params/irr_forecast/downside.yaml", "name": "plan"}]  # fmt: skip
    with pytest.raises(InputError, match="tiny.yaml, key 'name': two runs write the output 'plan'"):
        batch.load_batch(_batch_file(tmp_path, runs))
    with pytest.raises(InputError, match="unknown key 'workers'"):
        batch.load_batch(_batch_file(tmp_path, runs[:1], workers=2))


@pytest.mark.parametrize("value", [0, -5, 1.5, "2 MB", True])
def test_a_bad_output_cap_is_refused(tmp_path, value):
    with pytest.raises(InputError, match="key 'max_output_bytes'.*positive whole number of bytes"):
        batch.load_batch(_batch_file(tmp_path, [{"notebook": "roi"}], max_output_bytes=value))
    assert batch.load_batch(_batch_file(tmp_path, [{"notebook": "roi"}])).max_output_bytes == 2_000_000


@pytest.mark.slow
def test_the_batch_output_cap_reaches_the_reports(tmp_path):
    runs = [{"notebook": str(_notebook(tmp_path, "prints")), "name": "loud"}]
    tiny = batch.load_batch(_batch_file(tmp_path, runs, max_output_bytes=1000))
    result = batch.run_batch(tiny, out=tmp_path / "reports", as_of="2026-01-31", progress=False)
    assert result.ok, result.outcomes[0].error
    page = (result.folder / "loud.html").read_text()
    assert "[output truncated: 2 kB over the 1 kB limit]" in page and "y" * 1001 not in page


def test_a_wrong_key_stops_the_cli_with_one_line_and_nothing_written(tmp_path):
    (tmp_path / "scenario.yaml").write_text("hurdle_rate: 0.2\n")
    path = _batch_file(
        tmp_path,
        [{"notebook": "roi"}, {"notebook": "irr_forecast", "params": str(tmp_path / "scenario.yaml")}],
    )
    out = _cli("run", str(path), "--out", str(tmp_path / "reports"))
    assert out.returncode == 2, out.stderr
    line = out.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "scenario.yaml" in line and "'hurdle_rate'" in line and "hurdle_rate_annual" in line
    assert not (tmp_path / "reports").exists()


def test_an_unwritable_output_folder_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    tiny = batch.Batch("tiny", "tiny", (batch.make_run(_notebook(tmp_path, "ok")),))
    with pytest.raises(InputError, match=r"file/tiny/2026-01-31: cannot be written.*--out"):
        batch.run_batch(tiny, out=blocker, as_of="2026-01-31", progress=False)
    with pytest.raises(InputError, match="key '--as-of'.*ISO date"):
        batch.run_batch(tiny, out=tmp_path, as_of="31/01/2026", progress=False)


def test_list_and_params_commands():
    out = _cli("list")
    assert out.returncode == 0 and "executive_summary" in out.stdout and "report" in out.stdout
    out = _cli("params", "sentiment")
    assert out.returncode == 0
    assert re.search(r"^spike_sensitivity +float +3\.5 +1 to 20 robust standard deviations", out.stdout, re.M)
    assert re.search(r"^max_text_chars +int +20000 +1,000 to 1,000,000 characters", out.stdout, re.M)


def test_input_files_and_fingerprint(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("x\n1\n")
    (data / ".hidden").write_text("ignored")
    (tmp_path / "extra.yaml").write_text("k: 1\n")
    found = batch.input_files({"data_dir": str(data), "overrides": str(tmp_path / "extra.yaml"), "brand": "Lumora",
                               "manifest": str(tmp_path / "extra.yaml")})  # fmt: skip
    assert found == [data / "a.csv", tmp_path / "extra.yaml"]
    assert batch.sha256(data / "a.csv") == hashlib.sha256(b"x\n1\n").hexdigest()
    run = batch.make_run(_notebook(tmp_path, "ok"))
    inputs = [{"path": "data/a.csv", "sha256": batch.sha256(data / "a.csv")}]
    key = batch.fingerprint(run, {"x": 2}, inputs, "lib")
    assert key == batch.fingerprint(
        run, {"x": 2, "as_of": "2027-01-01"}, inputs, "lib"
    )  # the date is the folder
    assert key != batch.fingerprint(run, {"x": 3}, inputs, "lib")
    assert key != batch.fingerprint(run, {"x": 2}, [{**inputs[0], "sha256": "0" * 64}], "lib")
    assert key != batch.fingerprint(run, {"x": 2}, inputs, "lib2")
    assert key != batch.fingerprint(run, {"x": 2}, inputs, "lib", hide_code=True)


def test_summary_sections_from_a_manifest():
    manifest = {"batch": "report", "as_of": "2026-11-30", "git": {"commit": "abc", "dirty": False}, "runs": {
        "roi": {"notebook": "notebooks/roi.ipynb", "status": "ok", "html": "roi.html",
                "records": {"roas": {"tiktok": 3.0, "linkedin": 1.5}, "roi": {"tiktok": 0.2, "linkedin": -0.4}}},
        "irr_forecast-base": {"notebook": "notebooks/irr_forecast.ipynb", "status": "ok", "html": "b.html",
                              "records": {"npv": 10.0, "irr": 0.3}},
        "irr_forecast-downside": {"notebook": "notebooks/irr_forecast.ipynb", "status": "failed", "html": None,
                                  "records": {}},
    }}  # fmt: skip
    sections = summary.summarise(manifest)
    assert (
        sections["roi"].table.index.tolist() == ["tiktok", "linkedin"]
        and "[ROI](roi.html)" in sections["roi"].heading  # named by the page's title, not the run's key
    )
    assert sections["roi"].table["finding"].tolist() == ["", ""]  # both identified
    plan = sections["plan"].table
    assert (
        plan.loc["base", "NPV"] == 10.0
        and plan.loc["base", "assumptions against base"] == "base's assumptions"
    )
    assert "[base](b.html)" in sections["plan"].heading
    assert "irr_forecast-downside (failed)" in sections["plan"].note
    assert "No `sentiment` run" in sections["voice"].note and sections["voice"].table.empty
    assert "2 of 3 reports succeeded" in summary.overview(manifest, ROOT / "manifest.json")


# --------------------------------------------------------------------------- execution


@pytest.mark.slow
def test_a_batch_isolates_failures_kills_hung_kernels_and_writes_a_manifest(tmp_path):
    for name in TINY:
        _notebook(tmp_path, name)
    pid_file = tmp_path / "kernel.pid"
    runs = [
        {"notebook": str(tmp_path / "ok.ipynb"), "parameters": {"x": 2}},
        {"notebook": str(tmp_path / "raises.ipynb")},
        {
            "notebook": str(tmp_path / "hangs.ipynb"),
            "parameters": {"pid_file": str(pid_file)},
            "timeout_seconds": 20,  # room for the kernel to start on a loaded machine
        },
        {"notebook": str(tmp_path / "dies.ipynb")},
    ]
    path = _batch_file(tmp_path, runs)
    out = _cli(
        "run", str(path), "--out", str(tmp_path / "reports"), "--as-of", "2026-01-31", "--workers", "2"
    )
    assert out.returncode == 1, out.stderr
    folder = tmp_path / "reports" / "tiny" / "2026-01-31"
    manifest = json.loads((folder / "manifest.json").read_text())
    status = {name: run["status"] for name, run in manifest["runs"].items()}
    assert status == {"ok": "ok", "raises": "failed", "hangs": "timeout", "dies": "failed"}
    kernel_pid = int(pid_file.read_text())
    assert not psutil.pid_exists(kernel_pid) or psutil.Process(kernel_pid).status() == psutil.STATUS_ZOMBIE
    assert "DeadKernelError" in manifest["runs"]["dies"]["error"]
    failed_page = (folder / "raises.failed.html").read_text()
    assert "the data is bad in a way this notebook explains" in failed_page and "Traceback" in failed_page
    ok = manifest["runs"]["ok"]
    assert ok["records"] == {"answer": 42} and ok["parameters"] == {
        "x": 2,
        "fail": False,
        "pid_file": "",
        "data_file": "",
        "append": "",
        "reference": "",
    }
    assert ok["git"]["commit"] and set(ok) >= {"inputs", "started", "ended", "fingerprint", "notebook"}
    assert manifest["versions"]["papermill"] and manifest["as_of"] == "2026-01-31"
    assert not list(folder.glob(".*"))  # no temporary debris
    index = (folder / "index.html").read_text()
    assert "href='ok.html'" in index and "timeout" in index and "<td class='num'>42</td>" in index
    for line in ("ok  ", "timeout", "report index:"):
        assert line in out.stdout


@pytest.mark.slow
def test_a_failed_rerun_keeps_the_good_report_and_unchanged_runs_are_skipped(tmp_path):
    nb = _notebook(tmp_path, "ok")
    good = batch.Batch("tiny", "tiny", (batch.make_run(nb, name="plan"),))
    first = batch.run_batch(good, out=tmp_path, as_of="2026-01-31", progress=False)
    assert first.ok and first.outcomes[0].status == "ok"
    html = first.folder / "plan.html"
    before = html.read_bytes()
    again = batch.run_batch(good, out=tmp_path, as_of="2026-01-31", progress=False)
    assert again.outcomes[0].status == "skipped" and again.outcomes[0].records == {"answer": 42}
    broken = batch.Batch("tiny", "tiny", (batch.make_run(nb, name="plan", parameters={"fail": True}),))
    failed = batch.run_batch(broken, out=tmp_path, as_of="2026-01-31", progress=False)
    assert (
        not failed.ok
        and failed.outcomes[0].status == "failed"
        and "asked to fail" in failed.outcomes[0].error
    )
    assert html.read_bytes() == before  # the last good report stays
    assert (failed.folder / "plan.failed.html").is_file()
    entry = json.loads(failed.manifest.read_text())["runs"]["plan"]
    assert entry["last_good"]["html"] == "plan.html" and entry["last_good"]["records"] == {"answer": 42}
    forced = batch.run_batch(good, out=tmp_path, as_of="2026-01-31", progress=False, force=True)
    assert forced.outcomes[0].status == "ok"


@pytest.mark.slow
def test_a_full_disk_while_writing_the_manifest_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    from socialreturns import cli, inputs

    spec = _batch_file(tmp_path, [{"notebook": str(_notebook(tmp_path, "ok")), "name": "plan"}])
    args = ["run", str(spec), "--out", str(tmp_path / "reports"), "--as-of", "2026-01-31", "--force"]
    assert cli.main(args) == 0
    folder = tmp_path / "reports" / "tiny" / "2026-01-31"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real = os.fsync

    def full_for_the_manifest(fd):  # the disk fills while the manifest's temporary file is written
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(folder / ".manifest.json.")):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(inputs.os, "fsync", full_for_the_manifest)
    capsys.readouterr()
    assert cli.main(args) == 2
    err = capsys.readouterr().err  # the progress log, then one line
    assert (
        err.splitlines()[-1] == f"error: no space left on {folder / 'manifest.json'}."
        and "Traceback" not in err
    )
    assert (folder / "manifest.json").read_bytes() == before["manifest.json"]
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_ctrl_c_stops_the_workers_and_keeps_the_good_report(tmp_path):
    _notebook(tmp_path, "ok")
    _notebook(tmp_path, "hangs")
    pid_file = tmp_path / "kernel.pid"
    path = _batch_file(tmp_path, [{"notebook": str(tmp_path / "ok.ipynb"), "name": "plan"}])
    reports = tmp_path / "reports"
    assert _cli("run", str(path), "--out", str(reports), "--as-of", "2026-01-31").returncode == 0
    good = (reports / "tiny" / "2026-01-31" / "plan.html").read_bytes()
    path = _batch_file(tmp_path, [{"notebook": str(tmp_path / "hangs.ipynb"), "name": "plan",
                                   "parameters": {"pid_file": str(pid_file)}}])  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "socialreturns.cli", "run", str(path), "--out", str(reports),
                             "--as-of", "2026-01-31"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pid_file.exists(), "the hanging notebook never started"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    kernel_pid = int(pid_file.read_text())
    assert not psutil.pid_exists(kernel_pid) or psutil.Process(kernel_pid).status() == psutil.STATUS_ZOMBIE
    folder = reports / "tiny" / "2026-01-31"
    assert (folder / "plan.html").read_bytes() == good
    assert json.loads((folder / "manifest.json").read_text())["runs"]["plan"]["status"] == "interrupted"
    assert not list(folder.glob(".*"))


@pytest.mark.slow
def test_runs_execute_on_a_dask_cluster(tmp_path):
    from dask.distributed import LocalCluster

    nb = _notebook(tmp_path, "ok")
    runs = (
        batch.make_run(nb, name="one", parameters={"x": 1}),
        batch.make_run(nb, name="two", parameters={"x": 5}),
    )
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = batch.run_batch(batch.Batch("tiny", "tiny", runs), out=tmp_path / "reports", as_of="2026-01-31",
                                 executor="dask", scheduler=cluster.scheduler_address, progress=False)  # fmt: skip
    assert [o.status for o in result.outcomes] == ["ok", "ok"]
    assert [o.records for o in result.outcomes] == [{"answer": 41}, {"answer": 45}]
    for name in ("one", "two"):
        page = (result.folder / f"{name}.code.html").read_text(encoding="utf-8")
        executed = nbformat.read(str(result.folder / f"{name}.ipynb"), as_version=4)
        # the code view renders that run's notebook: its injected parameters and every code cell
        assert "celltag_injected-parameters" in page
        assert page.count('class="jp-Cell jp-CodeCell') == sum(c.cell_type == "code" for c in executed.cells)
    assert os.path.samefile(result.manifest.parent, result.folder)


@pytest.mark.slow
def test_the_summary_alone_reads_its_default_manifest(tmp_path):
    alone = batch.Batch("summary", "summary", (batch.make_run("executive_summary"),))
    result = batch.run_batch(alone, out=tmp_path, as_of="2026-01-31", progress=False)
    assert result.ok, result.outcomes
    entry = json.loads(result.manifest.read_text())["runs"]["executive_summary"]
    assert entry["parameters"]["manifest"] == ""  # not this one-run batch's own manifest


def test_batch_parameters_from_the_command_line_reach_every_run_that_has_them(tmp_path):
    # `socialreturns run report -p data_dir mydata -p currency USD`: one batch on another folder
    path = ROOT / "params" / "batches" / "report.yaml"
    plain = batch.load_batch(path)
    mine = batch.load_batch(path, parameters={"data_dir": "mydata", "currency": "USD"})
    for before, after in zip(plain.runs, mine.runs, strict=True):
        expected = dict(before.overrides)
        expected |= {k: v for k, v in (("data_dir", "mydata"), ("currency", "USD")) if k in before.declared}
        assert after.overrides == expected and after.name == before.name
    with_data = [r.name for r in mine.runs if "data_dir" in r.declared]
    assert len(with_data) >= 5 and all(mine.runs[i].overrides["data_dir"] == "mydata"
                                       for i, r in enumerate(mine.runs) if r.name in with_data)  # fmt: skip
    with pytest.raises(InputError, match="no notebook of the batch has the parameter 'data_dri'") as err:
        batch.load_batch(path, parameters={"data_dri": "mydata"})
    assert err.value.key == "data_dri"


def test_cli_run_batch_refuses_an_unknown_parameter_and_params_files(capsys):
    assert cli.main(["run", "report", "-p", "data_dri", "mydata"]) == 2
    assert "no notebook of the batch has the parameter 'data_dri'" in capsys.readouterr().err
    assert cli.main(["run", "report", "--params", "params/irr_forecast/base.yaml"]) == 2
    assert "--params applies to a notebook, not to a batch" in capsys.readouterr().err
