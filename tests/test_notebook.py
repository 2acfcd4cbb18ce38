"""record()/read_records(), parameter checks, atomic notebook execution, crash-safe and
self-contained outputs, the output cap."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import stat

import nbformat
import numpy as np
import pandas as pd
import pytest

from conftest import external_references
from socialreturns import inputs, notebook, parameters
from socialreturns.inputs import InputError


def _write_notebook(path, *sources, parameters="x: int = 1  # a number"):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *(nbformat.v4.new_code_cell(s) for s in sources)]
    nb.metadata["kernelspec"] = {"name": "socialreturns", "display_name": "socialreturns",
                                 "language": "python"}  # fmt: skip
    nbformat.write(nb, str(path))
    return path


@pytest.mark.slow
def test_record_and_read_back(tmp_path):
    src = _write_notebook(
        tmp_path / "rec.ipynb",
        "import numpy as np, pandas as pd\nfrom socialreturns.notebook import record",
        "record('count', np.int64(x) + 41)\nrecord('rate', 0.25)\nrecord('missing', float('nan'))",
        "record('by_channel', pd.Series({'a': 1.5, 'b': 2.0}))\n"
        "record('table', pd.DataFrame({'k': ['u', 'v'], 'n': [1, 2]}))\n"
        "record('when', pd.Timestamp('2025-01-02', tz='UTC'))\nrecord('rate', 0.5)",
    )
    result = notebook.execute(src, tmp_path / "out.ipynb", parameters={"x": 1})
    assert result.status == "ok", result.error
    records = notebook.read_records(tmp_path / "out.ipynb")
    assert records == {
        "count": 42,
        "rate": 0.5,
        "missing": None,
        "by_channel": {"a": 1.5, "b": 2.0},
        "table": [{"k": "u", "n": 1}, {"k": "v", "n": 2}],
        "when": "2025-01-02T00:00:00+00:00",
    }
    assert result.records == records
    # Scrapbook's format: a display output with its mimetype and metadata.
    nb = json.loads((tmp_path / "out.ipynb").read_text())
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    scraps = [o for o in outputs if notebook.SCRAP_MIMETYPE in o.get("data", {})]
    assert len(scraps) == 7 and scraps[0]["metadata"]["scrapbook"]["name"] == "count"
    assert "scrapbook" not in result.html.read_text()


@pytest.mark.slow
def test_failed_rerun_keeps_the_last_good_report(tmp_path):
    src = _write_notebook(tmp_path / "nb.ipynb", "assert x < 5, 'x too large'")
    out = tmp_path / "report" / "nb.ipynb"
    good = notebook.execute(src, out, parameters={"x": 1})
    assert good.status == "ok"
    good_html = out.with_suffix(".html").read_bytes()
    bad = notebook.execute(src, out, parameters={"x": 9})
    assert bad.status == "failed" and "x too large" in bad.error
    assert out.with_suffix(".html").read_bytes() == good_html
    assert "x = 1" in out.read_text()
    failed_html = (tmp_path / "report" / "nb.failed.html").read_text()
    assert "AssertionError" in failed_html
    assert not list((tmp_path / "report").glob(".*"))  # no temporary files left behind


def test_jsonable_refuses_unknown_types():
    with pytest.raises(TypeError, match="cannot store a object"):
        notebook._jsonable(object())
    assert notebook._jsonable({"a": np.float32(0.5), "b": [np.int8(3)]}) == {"a": 0.5, "b": [3]}
    assert notebook._jsonable(pd.NaT) is None


@dataclasses.dataclass(frozen=True)
class _Params:
    name: str
    rate: float
    count: int
    channels: list[str]
    weights: dict[str, float]
    end: str | None = None

    def __post_init__(self):
        parameters.check_types(self)


def test_check_types_accepts_good_values():
    _Params("a", 1, 2, ["x"], {"x": 0.5})  # an int is a fine float


@pytest.mark.parametrize(
    ("kwargs", "key", "expected"),
    [
        ({"rate": "0.09"}, "rate", "float"),
        ({"count": 2.5}, "count", "int"),
        ({"count": True}, "count", "int"),
        ({"channels": "facebook"}, "channels", "list[str]"),
        ({"weights": {"x": "high"}}, "weights", "dict[str, float]"),
        ({"end": 20250101}, "end", "str | None"),
    ],
)
def test_check_types_names_key_and_type(kwargs, key, expected):
    values = {"name": "a", "rate": 0.1, "count": 1, "channels": [], "weights": {}} | kwargs
    with pytest.raises(InputError) as info:
        _Params(**values)
    assert info.value.key == key and expected in str(info.value)


def test_utc_day():
    assert notebook.utc_day("end", "2025-06-30") == pd.Timestamp("2025-06-30", tz="UTC")
    assert notebook.utc_day("end", "") is None
    with pytest.raises(InputError) as info:
        notebook.utc_day("end", "30/06/2025")
    assert info.value.key == "end" and "2025-06-30" in str(info.value)


def test_missing_notebook_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as info:
        notebook.execute(tmp_path / "nope.ipynb", tmp_path / "out.ipynb")
    assert "nope.ipynb" in str(info.value)


def test_unknown_kernel_is_an_input_error(tmp_path):
    src = _write_notebook(tmp_path / "nb.ipynb", "1 + 1")
    with pytest.raises(InputError) as info:
        notebook.execute(src, tmp_path / "out.ipynb", kernel_name="no-such-kernel")
    assert info.value.key == "kernel_name" and "make setup" in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == ["nb.ipynb"]


@pytest.mark.slow
def test_cell_timeout_fails_the_run_and_keeps_it_for_debugging(tmp_path):
    src = _write_notebook(tmp_path / "nb.ipynb", "import time\ntime.sleep(30)")
    result = notebook.execute(src, tmp_path / "out.ipynb", cell_timeout_seconds=2, html=False)
    assert result.status == "failed" and "Timeout" in result.error
    assert result.output.name == "out.failed.ipynb" and result.output.is_file()
    assert not (tmp_path / "out.ipynb").exists()


# --------------------------------------------------------------------------- crash-safe outputs


def _executed(path, text):
    """An executed notebook as papermill leaves it: one cell printing ``text``, one image."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(text)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=text),
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<table><tr><td>cell</td></tr></table>", "text/plain": "frame"}
        ),  # fmt: skip
        nbformat.v4.new_output("display_data", data={"image/png": _PNG, "text/plain": "<Figure>"}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# A report\n\n[a local link](data.csv)"), cell]
    nbformat.write(nb, str(path))
    return path


# a 1x1 red pixel
_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="


def _keep(tmp_path, text, **kwargs):
    out = tmp_path / "report" / "nb.ipynb"
    out.parent.mkdir(exist_ok=True)
    tmp = _executed(tmp_path / "executed.ipynb", text)
    defaults = {"html": True, "hide_code": False, "max_output_bytes": notebook.MAX_OUTPUT_BYTES}
    return notebook._keep(tmp_path / "nb.ipynb", tmp, out, 1.0, None, **(defaults | kwargs))


class _Faults:
    """os functions that raise ENOSPC at their n-th call (a full disk at one chosen step)."""

    def __init__(self, monkeypatch, name, n):
        self.calls, real = 0, getattr(os, name)

        def faulty(*args, **kwargs):
            self.calls += 1
            if self.calls == n:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(*args, **kwargs)

        monkeypatch.setattr(inputs.os, name, faulty)


# each step of write_together: writing the notebook, the HTML; keeping each old file; each rename
STEPS = [("fsync", 1), ("fsync", 2), ("link", 1), ("link", 2), ("replace", 1), ("replace", 2)]


@pytest.mark.parametrize(("step", "n"), STEPS, ids=[f"{s}-{n}" for s, n in STEPS])
def test_a_full_disk_at_any_step_keeps_the_last_good_pair(tmp_path, monkeypatch, step, n):
    good = _keep(tmp_path, "old figures")
    folder = good.output.parent
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert set(before) == {"nb.ipynb", "nb.html", "nb.code.html"}
    _Faults(monkeypatch, step, n)
    with pytest.raises(inputs.WriteError) as info:
        _keep(tmp_path, "new figures")
    message = str(info.value)
    assert re.fullmatch(rf"no space left on {re.escape(str(folder))}/nb\.(ipynb|html|code\.html)\.", message)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # no temporary file left


def test_a_backup_by_rename_is_restored_where_hard_links_fail(tmp_path, monkeypatch):
    good = _keep(tmp_path, "old figures")
    before = {p.name: p.read_bytes() for p in good.output.parent.iterdir()}
    monkeypatch.setattr(inputs.os, "link", lambda *a: (_ for _ in ()).throw(OSError(errno.EPERM, "no links")))
    _Faults(monkeypatch, "replace", 5)  # three backups by rename, the notebook in, then the HTML fails
    with pytest.raises(inputs.WriteError, match="no space left on .*nb.html"):
        _keep(tmp_path, "new figures")
    assert {p.name: p.read_bytes() for p in good.output.parent.iterdir()} == before


def test_a_first_pair_that_fails_leaves_nothing(tmp_path, monkeypatch):
    _Faults(monkeypatch, "replace", 2)
    with pytest.raises(inputs.WriteError):
        _keep(tmp_path, "figures")
    assert list((tmp_path / "report").iterdir()) == []


def test_write_atomically_on_a_full_disk(tmp_path, monkeypatch):
    path = tmp_path / "manifest.json"
    path.write_text("{}")
    _Faults(monkeypatch, "fsync", 1)
    with pytest.raises(inputs.WriteError) as info:
        inputs.write_atomically(path, "{" + '"runs": 1' * 1000 + "}")
    assert str(info.value) == f"no space left on {path}." and info.value.file == str(path)
    assert isinstance(info.value, InputError) and info.value.__cause__ is None
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"] and path.read_text() == "{}"


def test_other_write_errors_name_the_path(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(inputs.WriteError, match=r"cannot write .*index.html \(I/O error\)"):
        inputs.write_atomically(tmp_path / "index.html", "<html>")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_reports_are_readable_as_the_umask_allows(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        result = _keep(tmp_path, "figures")
        index = inputs.write_atomically(tmp_path / "report" / "index.html", "<html>")
    finally:
        os.umask(old)
    for path in (result.output, result.html, index):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


# --------------------------------------------------------------------------- self-contained reports


def test_reports_load_nothing_from_the_network(tmp_path):
    result = _keep(tmp_path, "figures")
    page = result.html.read_text()
    assert external_references(page) == []
    assert "require.js" not in page and "mathjax" not in page.lower() and "cdnjs" not in page
    assert "<td>cell</td>" in page and 'src="data:image/png;base64,' in page and 'href="data.csv"' in page
    # the check finds what nbconvert's own lab template loads
    from nbconvert import HTMLExporter

    stock, _ = HTMLExporter(template_name="lab").from_notebook_node(
        nbformat.read(str(result.output), as_version=4)
    )
    assert any("require" in ref for ref in external_references(stock))


# --------------------------------------------------------------------------- output cap


def test_cap_outputs_cuts_text_and_drops_rich_outputs_but_keeps_records():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    scrap = {"name": "table", "data": ["x" * 50] * 100, "encoder": "json", "version": 1}
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="é" * 3000),  # 6000 bytes
        nbformat.v4.new_output("execute_result", data={"text/html": "<b>" * 2000, "text/plain": "short"}),
        nbformat.v4.new_output("display_data", data={"image/png": "A" * 5000}),
        nbformat.v4.new_output("display_data", data={notebook.SCRAP_MIMETYPE: scrap}),
        nbformat.v4.new_output("stream", name="stdout", text="fine"),
    ]
    nb.cells = [cell]
    assert notebook.cap_outputs(nb, max_output_bytes=1000) == 3
    stream, rich, image, record, fine = cell.outputs
    assert stream.text == "é" * 500 + "\n[output truncated: 6 kB over the 1 kB limit]\n"
    assert rich.data == {"text/plain": "short"}
    assert image.data == {"text/plain": "[output truncated: 5 kB over the 1 kB limit]"}
    assert record.data[notebook.SCRAP_MIMETYPE] == scrap and fine.text == "fine"


@pytest.mark.slow
def test_a_cell_printing_20_mb_is_cut_to_the_limit(tmp_path):
    src = _write_notebook(tmp_path / "nb.ipynb", "print('x' * 20_000_000)\nfrom socialreturns.notebook import record",
                          "record('after', 1)")  # fmt: skip
    result = notebook.execute(src, tmp_path / "out.ipynb")
    assert result.status == "ok", result.error
    assert result.output.stat().st_size < 2_200_000 and result.html.stat().st_size < 2_600_000
    assert "[output truncated: 20 MB over the 2 MB limit]" in result.html.read_text()
    assert result.records == {"after": 1}
    small = notebook.execute(src, tmp_path / "small.ipynb", max_output_bytes=10_000, html=False)
    assert small.output.stat().st_size < 20_000


def test_a_full_disk_while_papermill_writes_the_copy(tmp_path, monkeypatch):
    import papermill

    src = _write_notebook(tmp_path / "nb.ipynb", "1 + 1")
    good = _keep(tmp_path, "old figures")
    before = {p.name: p.read_bytes() for p in good.output.parent.iterdir()}

    def full(notebook, output, **kwargs):
        with open(output, "w") as fh:
            fh.write('{"cells": [')  # half a notebook, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(papermill, "execute_notebook", full)
    with pytest.raises(inputs.WriteError, match=r"^no space left on .*report/\.nb\.\w+\.ipynb\.$"):
        notebook.execute(src, good.output)
    assert {p.name: p.read_bytes() for p in good.output.parent.iterdir()} == before


@pytest.mark.parametrize("value", [0, -1, 2.5, True])
def test_a_bad_output_cap_is_an_input_error(tmp_path, value):
    src = _write_notebook(tmp_path / "nb.ipynb", "1 + 1")
    with pytest.raises(InputError, match="key 'max_output_bytes'.*positive whole number of bytes"):
        notebook.execute(src, tmp_path / "out.ipynb", max_output_bytes=value)


def test_a_page_is_titled_by_its_report_and_scenario_escaped():
    from socialreturns.batch.render import code_view, page_title

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Intro\n# Returns of <b>us</b> & co: the question\n## section"),
                nbformat.v4.new_markdown_cell("# a second heading")]  # fmt: skip
    assert page_title(nb, "irr_forecast-stress", stem="irr_forecast") == "Returns of <b>us</b> & co: stress"
    assert page_title(nb, "roi", stem="roi") == "Returns of <b>us</b> & co"
    assert page_title(nbformat.v4.new_notebook(), "roi", stem="roi") == "roi"
    nb.metadata["papermill"] = {"parameters": {"scenario": "worst case"}}  # the run's scenario wins
    assert (
        page_title(nb, "irr_forecast-stress", stem="irr_forecast") == "Returns of <b>us</b> & co: worst case"
    )
    page = code_view(nb, name="irr_forecast-stress", stem="irr_forecast")
    assert "<title>Returns of &lt;b&gt;us&lt;/b&gt; &amp; co: worst case (code)</title>" in page
    assert "title" not in nb.metadata  # the executed notebook itself is left as it was


def test_the_business_view_leaves_out_code_parameters_and_warnings(tmp_path):
    from socialreturns.batch import render

    source = _write_notebook(tmp_path / "nb.ipynb", parameters='rate: float = 0.09  # cost of capital (annual rate, fraction)\n'
                             'label: str = "<b>base</b>"  # the scenario\'s name')  # fmt: skip
    nb = nbformat.read(str(source), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# Returns: the question"))
    injected = nbformat.v4.new_code_cell('rate = 0.12\nlabel = "<script>x</script>"')
    injected.metadata["tags"] = ["injected-parameters"]
    note = nbformat.v4.new_markdown_cell("Parameters are checked first.")
    note.metadata["tags"] = ["code-view"]
    loud = nbformat.v4.new_code_cell("secret_code_line()", outputs=[
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: noisy"),
        nbformat.v4.new_output("stream", name="stdout", text="the finding"),
        nbformat.v4.new_output("display_data", data={notebook.SCRAP_MIMETYPE: {"name": "x"}})])  # fmt: skip
    silent = nbformat.v4.new_code_cell("import silent_module")
    nb.cells[2:2] = [injected, note, loud, silent]
    nb.metadata["papermill"] = {"parameters": {"rate": 0.12, "label": "<script>x</script>"}}
    pages = render.pages(nb, tmp_path / "run.html", notebook=source, name="nb-stress")
    page, code = pages[tmp_path / "run.html"], pages[tmp_path / "run.code.html"]
    assert "<title>Returns: stress</title>" in page and "<title>Returns: stress (code)</title>" in code
    nb.cells[
        1
    ].source += '\nscenario: str = "base"  # the scenario'  # a notebook with scenarios, run on its defaults
    assert "<title>Returns: base</title>" in render.business_view(nb, name="nb", stem="nb")
    assert "<b>Assumptions.</b>" in page or "<caption>Assumptions</caption>" in page
    own = nbformat.v4.new_code_cell("show_assumptions()", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": "<table><caption>Ours</caption></table>"})])  # fmt: skip
    own.metadata["tags"] = [render.OWN_ASSUMPTIONS_TAG]
    nb.cells.append(own)
    mine = render.business_view(nb, name="nb-stress", stem="nb")
    assert "<caption>Ours</caption>" in mine and "Assumptions" not in mine  # the notebook's own, not twice
    for hidden in (
        "secret_code_line",
        "silent_module",
        "FutureWarning",
        "Parameters are checked",
        "rate = 0.12",
    ):
        assert hidden not in page, hidden
        assert hidden.split()[0] in code or hidden == "FutureWarning: noisy", hidden
    assert "the finding" in page and "<script>x" not in page  # values shown as text
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", page)
    assert rows == [("Cost of capital (annual rate, fraction)", "12%", "9%"),
                    ("The scenario's name", "&lt;script&gt;x&lt;/script&gt;", "&lt;b&gt;base&lt;/b&gt;")]  # fmt: skip
    assert page.index("Assumptions") < page.index("the finding")  # under the title, before the findings
