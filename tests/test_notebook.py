"""record()/read_records(), parameter checks and atomic notebook execution."""

from __future__ import annotations

import dataclasses
import json

import nbformat
import numpy as np
import pandas as pd
import pytest

from socialreturns import notebook, parameters
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


def test_check_iso_date():
    assert notebook.check_iso_date("end", "2025-06-30") == pd.Timestamp("2025-06-30", tz="UTC")
    assert notebook.check_iso_date("end", "") is None
    with pytest.raises(InputError) as info:
        notebook.check_iso_date("end", "30/06/2025")
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
