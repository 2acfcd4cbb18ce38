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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_definitions_loops_or_branches(path):
    for cell in _cells(path):
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(_source(cell))
        for node in ast.walk(tree):
            assert not isinstance(
                node,
                ast.FunctionDef
                | ast.AsyncFunctionDef
                | ast.ClassDef
                | ast.Lambda
                | ast.For
                | ast.While
                | ast.If
                | ast.Try,
            ), f"{path.name}: {type(node).__name__} in a notebook cell belongs in the library"


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
