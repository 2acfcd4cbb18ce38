"""A run's kernel (`socialreturns.batch.kernel`): warmed with the notebook's own imports, yet each
notebook still runs as in a fresh kernel; the ranges checked upfront, read from their cache."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat

from conftest import ROOT
from socialreturns import batch, parameters
from socialreturns.batch import contracts, headlines, kernel, spec


def _notebook(path, *cells, parameters_cell="x: int = 1  # a number"):
    nb = nbformat.v4.new_notebook()
    first = nbformat.v4.new_code_cell(parameters_cell)
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first, *(nbformat.v4.new_markdown_cell(c[3:]) if c.startswith("md:") else nbformat.v4.new_code_cell(c)
                         for c in cells)]  # fmt: skip
    nb.metadata["kernelspec"] = {
        "name": "socialreturns",
        "display_name": "socialreturns",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


def test_notebook_imports_are_the_top_level_import_statements(tmp_path):
    path = _notebook(
        tmp_path / "imports.ipynb",
        "import os, json.decoder\nfrom socialreturns import data as d, plots",
        "md:import markdown_is_not_code",
        "%matplotlib inline\nimport behind_a_magic",  # not Python: left to the run
        "from . import relative\nfrom os.path import *\nif x:\n    import nested",
        "from socialreturns.notebook import record\nimport os",
    )
    assert kernel.notebook_imports(path) == [
        "os", "json.decoder", "socialreturns:data", "socialreturns:plots", "socialreturns.notebook:record",
    ]  # fmt: skip


def test_each_run_starts_fresh_though_its_modules_are_preloaded(tmp_path):
    # A leaves a global, a module attribute and a matplotlib setting behind; B, run after it by
    # the same single worker, must see none of them, and its own imports bind no name early.
    a = _notebook(
        tmp_path / "a.ipynb",
        "import matplotlib\nimport socialreturns\nfrom socialreturns.notebook import record",
        "leak = 42\nsocialreturns.leaked = True\nmatplotlib.rcParams['lines.linewidth'] = 9.0\nrecord('set', leak)",
    )
    b = _notebook(
        tmp_path / "b.ipynb",
        "import sys",
        "sys.modules['socialreturns.notebook'].record('seen', {'leak': 'leak' in globals(), "
        "'finance bound': 'finance' in globals(), 'finance loaded': 'socialreturns.finance' in sys.modules, "
        "'module attribute': hasattr(sys.modules['socialreturns'], 'leaked')})",
        "import matplotlib\nfrom socialreturns import finance\nfrom socialreturns.notebook import record\n"
        "record('linewidth', matplotlib.rcParams['lines.linewidth'])\nrecord('npv', finance.npv(0.0, [-1.0, 2.0]))",
    )
    runs = (batch.make_run(a), batch.make_run(b))
    result = batch.run_batch(batch.Batch("fresh", "fresh", runs), out=tmp_path / "reports", as_of="2026-01-31",
                             workers=1, progress=False)  # fmt: skip
    assert [o.status for o in result.outcomes] == ["ok", "ok"], [o.error for o in result.outcomes]
    first, second = (o.records for o in result.outcomes)
    assert first == {"set": 42}
    assert second["seen"] == {"leak": False, "finance bound": False, "finance loaded": True,
                              "module attribute": False}  # fmt: skip
    assert second["linewidth"] != 9.0 and second["npv"] == 1.0


def test_a_missing_import_fails_in_its_own_cell(tmp_path):
    # the preload skips what it cannot import; the notebook's cell reports it, with its name
    path = _notebook(tmp_path / "missing.ipynb", "x + 1", "import no_such_module_anywhere")
    result = batch.run_batch(batch.Batch("missing", "missing", (batch.make_run(path),)), out=tmp_path / "reports",
                             as_of="2026-01-31", progress=False)  # fmt: skip
    (outcome,) = result.outcomes
    assert outcome.status == "failed" and "ModuleNotFoundError" in outcome.error
    assert "no_such_module_anywhere" in outcome.error
    failed = nbformat.read(str(tmp_path / "reports" / "missing" / "2026-01-31" / "missing.failed.ipynb"), 4)
    errors = [o.ename for c in failed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == ["ModuleNotFoundError"]


def test_the_cached_ranges_are_the_domain_ranges_and_a_bad_entry_is_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path / ".cache" / "socialreturns"))
    for stem in parameters.DOMAINS:
        assert spec.cached_ranges(stem) == parameters.notebook_ranges(stem)  # computed, then stored
        assert spec.cached_ranges(stem) == parameters.notebook_ranges(stem)  # read back
    (entry,) = (tmp_path / ".cache" / "socialreturns" / "parameters").glob("roi-*.json")
    entry.write_text(json.dumps({"n_bootstrap": {"expected": "anything", "surprise": 1}}))
    assert spec.cached_ranges("roi") == parameters.notebook_ranges("roi")
    assert "surprise" not in entry.read_text()  # replaced by the true ranges


def test_the_worker_validates_notebooks_without_the_iri_grammar():
    code = (
        "import sys\nimport socialreturns.batch.__main__\nimport nbformat\n"
        "nb = nbformat.v4.new_notebook()\nnb.cells.append({'cell_type': 'code'})\n"
        "try:\n    nbformat.validate(nb)\nexcept nbformat.ValidationError:\n    print('refused')\n"
        "print('rfc3987_syntax' in sys.modules and sys.modules['rfc3987_syntax'] is not None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.split() == ["refused", "False"], out.stderr


def test_a_chart_is_drawn_only_as_often_as_its_png_needs(tmp_path):
    # matplotlib's REPL hook used to draw every figure in full before the inline backend drew
    # it again for its PNG; the kernel's extension drops that hook (`theme.one_draw_per_figure`)
    path = _notebook(
        tmp_path / "chart.ipynb",
        "import io\nimport matplotlib.figure\nimport matplotlib.pyplot as plt\n"
        "from socialreturns.notebook import record\ndraws = []\nreal = matplotlib.figure.Figure.draw\n"
        "matplotlib.figure.Figure.draw = lambda self, renderer: draws.append(1) or real(self, renderer)",
        "plt.plot([1, 2, 3], [3, 1, 2]);",
        "shown = len(draws)\nfig = plt.figure()\nfig.add_subplot().plot([1, 2, 3], [3, 1, 2])\n"
        "fig.savefig(io.BytesIO(), format='png', bbox_inches='tight')\nplt.close(fig)\n"
        "record('draws', {'shown': shown, 'png': len(draws) - shown})",
    )
    result = batch.run_batch(batch.Batch("chart", "chart", (batch.make_run(path),)), out=tmp_path / "reports",
                             as_of="2026-01-31", progress=False)  # fmt: skip
    (outcome,) = result.outcomes
    assert outcome.status == "ok", outcome.error
    assert outcome.records["draws"]["shown"] == outcome.records["draws"]["png"] >= 1
    executed = nbformat.read(str(tmp_path / "reports" / "chart" / "2026-01-31" / "chart.ipynb"), 4)
    assert ["image/png" in o.get("data", {}) for o in executed.cells[2].outputs] == [True]


def test_the_index_reads_the_contracts_from_their_cache_without_pandas(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path / "cache"))
    for stem in (*parameters.DOMAINS, "executive_summary", "no_such_notebook"):
        imported = contracts.imported_contract(stem)
        for _ in range(2):  # computed and stored, then read back
            cached = headlines.contract(stem)
            assert (cached is None) == (imported is None), stem
            if imported is not None:
                assert cached.notebook == imported.notebook and list(cached) == list(imported)
    (entry,) = (tmp_path / "cache" / "contracts").glob("irr_forecast-*.json")
    entry.write_text(json.dumps({"notebook": "irr_forecast", "figures": [{"name": "npv"}]}))
    assert list(headlines.contract("irr_forecast")) == list(contracts.imported_contract("irr_forecast"))
    code = ("import sys\nfrom socialreturns.batch import headlines\n"
            "print(headlines.contract('irr_forecast').npv.unit, 'pandas' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.split() == ["currency", "False"], out.stderr
