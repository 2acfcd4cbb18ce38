"""Committed notebooks are clean narratives: no outputs, no definitions, a documented
parameters cell first."""

from __future__ import annotations

import ast
import json
import re

import pytest

from conftest import NOTEBOOKS

IDS = [p.stem for p in NOTEBOOKS]


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def test_there_are_notebooks():
    assert "data_overview" in IDS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_outputs_or_execution_counts(path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name}: outputs committed"
            assert cell.get("execution_count") is None, f"{path.name}: execution count committed"


#: Logic that belongs in the library: definitions, loops, branches, exception handling, inline
#: conditionals, ``and``/``or`` between values, and filters inside comprehensions.
_LOGIC = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.AsyncFor, ast.While,
    ast.If, ast.IfExp, ast.Try, ast.BoolOp, ast.Match, ast.With,
)  # fmt: skip


def _logic(source: str) -> list[str]:
    """What in one code cell is logic that belongs in the library, as ``Node at line N``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, _LOGIC):
            found.append(f"{type(node).__name__} at line {node.lineno}")
        elif isinstance(node, ast.comprehension) and node.ifs:
            found.append(f"comprehension filter at line {node.ifs[0].lineno}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    pass",
        "for x in y:\n    pass",
        "if a:\n    b = 1",
        "z = [b for b in brands if b != 'x']",
        "z = {k: v for k, v in d.items() if v}",
        "z = a or [1]",
        "z = a and b",
        "z = 1 if a else 2",
        "try:\n    x = 1\nexcept Exception:\n    pass",
        "f = lambda x: x",
    ],
)
def test_the_logic_check_catches(source):
    assert _logic(source), source


def test_the_logic_check_passes_plain_calls():
    assert _logic("fit = roi.fit_incremental(tables.spend, revenue, alpha=params.alpha)\nfit.summary()") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_definitions_loops_or_branches(path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            found = _logic(_source(cell))
            assert not found, f"{path.name}: {', '.join(found)} in a notebook cell belongs in the library"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_parameters_cell_is_first_and_documented(path):
    code = [c for c in _cells(path) if c["cell_type"] == "code"]
    first = code[0]
    assert "parameters" in first.get("metadata", {}).get("tags", []), "first code cell untagged"
    assert all("parameters" not in c.get("metadata", {}).get("tags", []) for c in code[1:])
    lines = [line for line in _source(first).splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert re.match(r"^\w+: [\w\[\], |]+ = .+  # \S.*$", line), (
            f"{path.name}: parameter line must read 'name: type = value  # meaning (unit)': {line!r}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_cell_is_the_title_and_rerun_command(path):
    first = _cells(path)[0]
    assert first["cell_type"] == "markdown" and _source(first).startswith("# ")
    assert "Rerun" in _source(first)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_kernel_is_the_projects(path):
    meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert meta["kernelspec"]["name"] == "socialreturns"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_valid_nbformat(path):
    import nbformat

    nbformat.validate(nbformat.read(str(path), as_version=4))
