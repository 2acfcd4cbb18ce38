"""Every parameter file under params/ matches its notebook's parameters cell."""

from __future__ import annotations

import ast
import importlib
import json

import pytest

from conftest import NOTEBOOKS, ROOT
from socialreturns import batch, data, parameters

# Reviewable lists the library reads (tested in their domain's tests), not notebook parameter files.
LISTS = {"organisation/creators.yaml", "organisation/claims.yaml"}
FILES = sorted(p for p in (ROOT / "params").glob("*/*.yaml")
               if p.parent.name not in ("batches", "lexicons") and f"{p.parent.name}/{p.name}" not in LISTS)  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_parameter_file_matches_notebook(path):
    nb = ROOT / "notebooks" / f"{path.parent.name}.ipynb"
    assert nb.is_file(), f"{path} has no notebook {nb.name}"
    values = batch.validate_parameters(nb, batch.read_parameter_file(path), source=path)
    assert values, f"{path} sets nothing"
    # the file's values, over the notebook's defaults, build valid parameters (types and ranges)
    module = importlib.import_module(f"socialreturns.{DOMAINS[nb.stem]}")
    defaults = {name: default for name, _, default in module.Parameters.declared()}
    module.Parameters(**(defaults | values))


def test_example_column_map_is_valid():
    mapping = data.read_column_map(ROOT / "params" / "column_map.example.yaml")
    assert mapping["orders"]["order_id"] == "Order Number"


#: Each notebook and the library module that owns its parameters and record contract.
DOMAINS = parameters.DOMAINS


def test_every_notebook_has_a_domain():
    assert {p.stem for p in NOTEBOOKS} == set(DOMAINS)


@pytest.mark.parametrize("stem", [s for s in DOMAINS if s != "executive_summary"])
def test_parameters_cell_and_parameters_class_agree(stem):
    cell = [
        (p.name, p.type, p.default) for p in batch.notebook_parameters(ROOT / "notebooks" / f"{stem}.ipynb")
    ]
    declared = importlib.import_module(f"socialreturns.{DOMAINS[stem]}").Parameters.declared()
    assert cell == declared


@pytest.mark.parametrize("stem", [s for s in DOMAINS if s != "executive_summary"])
def test_every_range_admits_its_default(stem):
    params = importlib.import_module(f"socialreturns.{DOMAINS[stem]}").Parameters
    defaults = {name: default for name, _, default in params.declared()}
    assert params.ranges(), f"{stem}: no parameter has a range"
    for name, rng in params.ranges().items():
        assert rng.holds(defaults[name]), f"{stem}.{name}: default {defaults[name]!r} outside {rng.expected}"
        assert rng.expected, name


@pytest.mark.parametrize("stem", [s for s in DOMAINS if s != "executive_summary"])
def test_every_numeric_parameter_has_a_finite_range(stem):
    import math
    import typing

    params = importlib.import_module(f"socialreturns.{DOMAINS[stem]}").Parameters
    ranges = params.ranges()
    for name, kind in typing.get_type_hints(params).items():
        if name == "notebook" or kind not in (int, float, dict[str, float]):
            continue
        rng = ranges.get(name)
        assert rng is not None, f"{stem}.{name} has no range"
        assert rng.choices or ((rng.ge, rng.gt) != (None, None) and (rng.le, rng.lt) != (None, None)), name
        bad = [math.inf, -math.inf, math.nan]
        for value in [{"x": b} for b in bad] if kind == dict[str, float] else bad:
            assert not rng.holds(value), (name, value)
    assert parameters.notebook_ranges(stem) == ranges  # what `socialreturns run` checks upfront


def _recorded(path) -> list[ast.expr]:
    """The first argument of every ``record(...)`` call in a notebook's code cells."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    calls = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record":
                    calls.append(node.args[0])
    return calls


@pytest.mark.parametrize("stem", list(DOMAINS))
def test_notebook_records_exactly_its_contract(stem):
    contract = importlib.import_module(f"socialreturns.{DOMAINS[stem]}").FIGURES
    assert contract.notebook == stem
    names = []
    for arg in _recorded(ROOT / "notebooks" / f"{stem}.ipynb"):
        # record(roi.FIGURES.roas, ...): the name comes from the contract, never a string literal
        assert isinstance(arg, ast.Attribute) and ast.unparse(arg.value).endswith("FIGURES"), ast.unparse(arg)
        names.append(arg.attr)
    assert sorted(names) == sorted(contract.names())
    assert all(f.meaning and f.unit for f in contract)
