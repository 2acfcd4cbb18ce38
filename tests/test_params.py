"""Every parameter file under params/ matches its notebook's parameters cell."""

from __future__ import annotations

import pytest
import yaml

from conftest import ROOT
from socialreturns import batch, data

FILES = sorted(p for p in (ROOT / "params").glob("*/*.yaml") if p.parent.name not in ("batches", "lexicons"))
TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_parameter_file_matches_notebook(path):
    nb = ROOT / "notebooks" / f"{path.parent.name}.ipynb"
    assert nb.is_file(), f"{path} has no notebook {nb.name}"
    spec = {p.name: p for p in batch.notebook_parameters(nb)}
    values = yaml.safe_load(path.read_text()) or {}
    for key, value in values.items():
        assert key in spec, f"{path}: unknown parameter {key}"
        wanted = TYPES[spec[key].type.split("[")[0].split(" ")[0]]
        assert isinstance(value, wanted), f"{path}: {key} should be {spec[key].type}"


def test_example_column_map_is_valid():
    mapping = data.read_column_map(ROOT / "params" / "column_map.example.yaml")
    assert mapping["orders"]["order_id"] == "Order Number"
