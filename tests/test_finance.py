"""Finance functions: published spreadsheet examples, identities, and numpy-financial."""

from __future__ import annotations

import json

import numpy as np
import numpy_financial as npf
import pytest

from conftest import ROOT
from socialreturns import finance
from socialreturns.inputs import InputError

REF = json.loads((ROOT / "tests" / "reference" / "excel_finance.json").read_text())


def _ids(cases):
    return [c["example"] for c in cases]


@pytest.mark.parametrize("case", REF["npv"], ids=_ids(REF["npv"]))
def test_npv_excel_examples(case):
    assert finance.npv(case["rate"], case["values"]) == pytest.approx(case["result"], abs=case["abs"])


@pytest.mark.parametrize("case", REF["irr"], ids=_ids(REF["irr"]))
def test_irr_excel_examples(case):
    assert finance.irr(case["values"]) == pytest.approx(case["result"], abs=case["abs"])


@pytest.mark.parametrize("case", REF["mirr"], ids=_ids(REF["mirr"]))
def test_mirr_excel_examples(case):
    got = finance.mirr(case["values"], case["finance_rate"], case["reinvest_rate"])
    assert got == pytest.approx(case["result"], abs=case["abs"])


@pytest.mark.parametrize("case", REF["xnpv"], ids=_ids(REF["xnpv"]))
def test_xnpv_excel_examples(case):
    got = finance.xnpv(case["rate"], case["values"], case["dates"])
    assert got == pytest.approx(case["result"], abs=case["abs"])


@pytest.mark.parametrize("case", REF["xirr"], ids=_ids(REF["xirr"]))
def test_xirr_excel_examples(case):
    got = finance.xirr(case["values"], case["dates"])
    assert got == pytest.approx(case["result"], abs=case["abs"])
    assert finance.xnpv(got, case["values"], case["dates"]) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("case", REF["numpy_financial_irr"]["cases"])
def test_irr_numpy_financial_docstring(case):
    assert round(finance.irr(case["values"]), 5) == case["result"]


def _conventional(rng, n_rows=2000, n=40):
    """Random investment-then-return flows: one sign change each."""
    out = rng.uniform(0, 100, (n_rows, n))
    out[:, 0] = -rng.uniform(100, 3000, n_rows)
    out[:, 1:4] *= rng.random((n_rows, 3)) < 0.3  # some zeros early on
    return out


def test_npv_at_irr_is_zero():
    flows = _conventional(np.random.default_rng(1))
    rates = finance.irr(flows)
    assert np.isfinite(rates).all()
    residual = np.array([finance.npv(r, f) for r, f in zip(rates, flows, strict=True)])
    assert np.abs(residual).max() < 1e-9


def test_irr_2d_equals_1d_rows():
    flows = _conventional(np.random.default_rng(2), n_rows=50, n=12)
    together = finance.irr(flows)
    one_by_one = np.array([finance.irr(row) for row in flows])
    np.testing.assert_allclose(together, one_by_one, rtol=0, atol=1e-13)


def test_irr_agrees_with_numpy_financial():
    rng = np.random.default_rng(3)
    flows = np.vstack([
        _conventional(rng, n_rows=300, n=8),
        rng.normal(0, 100, (300, 8)),  # any sign pattern, several roots possible
    ])  # fmt: skip
    ours = finance.irr(flows)
    theirs = np.array([npf.irr(row) for row in flows])
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9, equal_nan=True)


def test_no_irr_is_nan():
    assert np.isnan(finance.irr([100, 50, 20]))
    assert np.isnan(finance.irr([-100, -50]))
    assert np.isnan(finance.irr([0, 0, 0]))
    assert finance.irr_roots([100, 50]).size == 0


def test_multiple_irrs():
    # -100 + 230/(1+r) - 132/(1+r)^2 = 0 at r = 10% and r = 20%.
    flows = [-100, 230, -132]
    np.testing.assert_allclose(finance.irr_roots(flows), [0.1, 0.2], atol=1e-12)
    assert finance.irr(flows) == pytest.approx(npf.irr(flows), abs=1e-12)
    assert finance.irr(flows) == pytest.approx(0.1, abs=1e-12)  # closest to zero


def test_mirr_vectorised_and_matches_numpy_financial():
    flows = _conventional(np.random.default_rng(4), n_rows=100, n=10)
    ours = finance.mirr(flows, 0.08, 0.05)
    theirs = np.array([npf.mirr(row, 0.08, 0.05) for row in flows])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert np.isnan(finance.mirr([100, 200], 0.1, 0.1))


def test_npv_matches_numpy_financial():
    flows = _conventional(np.random.default_rng(5), n_rows=20, n=15)
    np.testing.assert_allclose(finance.npv(0.07, flows), [npf.npv(0.07, f) for f in flows])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([-100, 30, 50, 40], 2.5),  # 80 recovered after 2 periods, 20 of the next 40
        ([-100, 100], 1.0),
        ([50, 10], 0.0),  # never negative
        ([-100, 10, 10], np.nan),  # never recovers
        ([-100, 60, -20, 80], 2.75),  # dips again: first time the total turns non-negative
    ],
)
def test_payback_period(values, expected):
    got = finance.payback_period(values)
    assert (np.isnan(got) and np.isnan(expected)) or got == pytest.approx(expected)


def test_discounted_payback_is_later_and_vectorised():
    flows = np.array([[-100, 55, 60.5], [-100, 60, 60]])
    got = finance.discounted_payback_period(0.1, flows)
    assert got[0] == pytest.approx(2.0)
    assert (got >= finance.payback_period(flows)).all()


def test_rate_conversion_compounds():
    monthly = finance.annual_to_periodic(0.09, 12)
    assert (1 + monthly) ** 12 == pytest.approx(1.09, rel=1e-14)
    assert monthly < 0.09 / 12  # compounding, not division
    assert finance.periodic_to_annual(monthly, 12) == pytest.approx(0.09, rel=1e-14)


def test_bad_inputs_name_the_key():
    with pytest.raises(InputError) as info:
        finance.xnpv(0.1, [1, 2, 3], ["2025-01-01", "2025-02-01"])
    assert info.value.key == "values"
    with pytest.raises(InputError) as info:
        finance.xnpv(0.1, [-1, 2], ["2025-02-01", "2025-01-01"])
    assert info.value.key == "dates"
    with pytest.raises(InputError) as info:
        finance.annual_to_periodic(0.1, 0)
    assert info.value.key == "rate_annual"


def test_irr_picks_the_root_nearest_zero_on_either_side():
    # Roots at r = -5% and r = +30%: numpy-financial returns the one nearer zero, -5%.
    x1, x2 = 1 / 0.95, 1 / 1.3  # x = 1 / (1 + r)
    flows = [x1 * x2, -(x1 + x2), 1.0]
    assert finance.irr(flows) == pytest.approx(-0.05, abs=1e-12)
    assert npf.irr(flows) == pytest.approx(-0.05, abs=1e-12)
    np.testing.assert_allclose(finance.irr_roots(flows), [-0.05, 0.3], atol=1e-12)


def test_irr_of_many_monthly_programmes_matches_numpy_financial():
    rng = np.random.default_rng(6)
    flows = rng.normal(60.0, 40.0, (500, 40))
    flows[:, 0] = -rng.uniform(500, 2500, 500)
    np.testing.assert_allclose(
        finance.irr(flows), [npf.irr(f) for f in flows], rtol=0, atol=1e-9, equal_nan=True
    )


def test_irr_without_a_bracket_solves_the_rows_together_to_the_same_bits():
    # Rows whose NPV the grid never sees cross zero (no IRR, or an even root) fall back to the
    # polynomial's roots, numpy-financial's method: solved together, rows of any degree (zeros
    # at either end) give exactly what one np.roots per row gives, as numpy-financial returns.
    rng = np.random.default_rng(14)
    flows = rng.normal(0, 100, (600, 13))
    flows[::5, -3:] = 0.0
    flows[::7, :2] = 0.0
    flows[::9, 1:-1] = 0.0  # degree 12 with ten zeros inside
    one_by_one = np.array([finance._irr_like_numpy_financial(np.trim_zeros(f, "b")) for f in flows])
    together = finance._irr_like_numpy_financial_rows(flows)
    np.testing.assert_array_equal(together, one_by_one)
    assert np.isnan(together).sum() > 50 and np.isfinite(together).sum() > 300
    # a downside-like programme: monthly nets around zero after a large set-up, many without IRR
    paths = np.hstack([np.full((400, 1), -4e5), rng.normal(-500, 3000, (400, 24))])
    theirs = np.array([npf.irr(f) for f in paths])
    np.testing.assert_allclose(finance.irr(paths), theirs, rtol=0, atol=1e-9, equal_nan=True)
    assert np.isnan(theirs).any()
