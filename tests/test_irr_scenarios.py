"""The IRR scenarios are like for like and labelled: a name in the title, assumptions against base,
base's horizon, a stress case, and no other scenario's file named on a page."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import ROOT
from socialreturns import batch, irr_forecast

SCENARIOS = sorted((ROOT / "params" / "irr_forecast").glob("*.yaml"))


def _values(path):
    return batch.read_parameter_file(path)


def test_the_four_scenarios_are_there_and_in_the_report_batch():
    assert {p.stem for p in SCENARIOS} >= {"base", "optimistic", "downside", "stress"}
    report = yaml.safe_load((ROOT / "params" / "batches" / "report.yaml").read_text(encoding="utf-8"))
    files = {r.get("params") for r in report["runs"] if r["notebook"] == "irr_forecast"}
    assert files == {f"params/irr_forecast/{p.name}" for p in SCENARIOS}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_each_scenario_names_itself_and_keeps_bases_horizon(path):
    values = _values(path)
    assert values["scenario"] == path.stem
    assert values.get("horizon_months", irr_forecast.Parameters().horizon_months) == 24


def test_stress_lowers_roas_and_demand_and_nothing_else():
    stress = irr_forecast.Parameters(**_values(ROOT / "params" / "irr_forecast" / "stress.yaml"))
    assert stress.roas_scale < 1 and stress.demand_scale < 1
    table = irr_forecast.assumptions(stress).set_index("assumption")
    changed = table[table["differs"] == "yes"]
    assert set(changed.index) == {"ROAS scale on the fitted curves", "demand scale on the forecast"}
    assert changed.loc["ROAS scale on the fitted curves", ["base", "this scenario"]].tolist() == ["1", "0.6"]


def test_assumptions_of_base_differ_in_nothing():
    table = irr_forecast.assumptions(
        irr_forecast.Parameters(**_values(ROOT / "params" / "irr_forecast" / "base.yaml"))
    )
    assert (table["differs"] == "").all() and "scenario" not in set(table["assumption"])
    row = table.set_index("assumption").loc["spend plan per month"]
    assert (
        row["base"]
        == "facebook 7,600; instagram 7,300; tiktok 6,100; youtube 5,800 (total 26,800 EUR a month)"
    )


def test_downside_assumptions_read_in_units():
    down = irr_forecast.Parameters(**_values(ROOT / "params" / "irr_forecast" / "downside.yaml"))
    table = irr_forecast.assumptions(down).set_index("assumption")
    assert table.loc["cost of capital (annual)", ["base", "this scenario", "differs"]].tolist() == ["9.0%", "12.0%",
                                                                                                   "yes"]  # fmt: skip
    assert table.loc["set-up cost at month 0", "this scenario"] == "400,000 EUR"


def test_the_title_names_the_scenario_and_its_own_rerun_command():
    text = irr_forecast.title(irr_forecast.Parameters(scenario="stress"))
    assert text.startswith("# Scenario: stress\n")
    assert "`socialreturns run irr_forecast --params params/irr_forecast/stress.yaml`" in text
    mine = irr_forecast.title(irr_forecast.Parameters(scenario="finance *March*"))
    assert mine.startswith(r"# Scenario: finance \*March\*") and "params/irr_forecast/finance" not in mine


def test_the_notebook_names_no_scenario_file_of_its_own():
    cells = json.loads((ROOT / "notebooks" / "irr_forecast.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "".join("".join(c["source"]) for c in cells)
    for path in SCENARIOS:  # each page names only its own file, through irr_forecast.title
        assert path.name not in text
    assert "irr_forecast.title(params)" in text and "irr_forecast.assumptions(params)" in text
