"""The incremental model out of sample: fit without the last weeks, predict them (`holdout_check`).

The fit goes through `shared_fit`, so the ROI report and every IRR scenario (which draws its
model error from this check) read one holdout fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError
from socialreturns.roi.cache import shared_fit
from socialreturns.roi.design import _controls, _prepare
from socialreturns.roi.incremental import _design


@dataclass(frozen=True)
class Holdout:
    """Out-of-sample check of the incremental model; see `holdout_check`."""

    frame: pd.DataFrame  # date, actual, predicted, holdout (bool)
    mape: float  # mean absolute percentage error on the holdout (fraction)
    rmse: float  # root mean squared error on the holdout (currency per period)

    def to_frame(self) -> pd.DataFrame:
        """The headline as one row: ``mape``, ``rmse``."""
        return pd.DataFrame([{"mape": self.mape, "rmse": self.rmse}])


def holdout_check(
    spend: pd.DataFrame, revenue: pd.DataFrame, *, holdout_weeks: int = 8, **kwargs: object
) -> Holdout:
    """Fit `fit_incremental` without the last ``holdout_weeks`` and predict them.

    Returns the actual and predicted revenue per period for the whole span and the error on
    the held-out weeks. Keyword arguments go to `fit_incremental` (without the bootstrap);
    with ``experiments`` the prediction uses the calibrated coefficients, as `IncrementalFit.fitted`.
    """
    wide, y, freq = _prepare(spend, revenue, kwargs.get("channels"))  # type: ignore[arg-type]
    cut = y.index.max() - pd.Timedelta(weeks=holdout_weeks)
    if holdout_weeks < 1 or (y.index <= cut).sum() < 56 / (7 if freq == "W" else 1):
        raise InputError(f"is {holdout_weeks!r}", key="holdout_weeks",
                         expected="at least 1 week, leaving 8 weeks or more to fit")  # fmt: skip
    train_spend = spend[pd.to_datetime(spend["date"], utc=True) <= cut]
    train_rev = revenue[pd.to_datetime(revenue["date"], utc=True) <= cut]
    fit = shared_fit(train_spend, train_rev, **{**kwargs, "n_bootstrap": 0})
    c = _controls(y.index, freq, kwargs.get("controls"), fit_until=cut)  # type: ignore[arg-type]
    design = _design(wide.reindex(columns=fit.channels, fill_value=0.0), c, fit.decay, fit.half_saturation,
                     fit.hill_shape)  # fmt: skip
    if fit.experiments is None:
        predicted = design[fit.regression.params.index].to_numpy() @ fit.regression.params.to_numpy()
    else:  # calibrated: the media at their calibrated coefficients, the controls fitted to the rest
        media = fit.contributions().sum(axis=1).to_numpy()
        gamma, *_ = np.linalg.lstsq(fit.controls.to_numpy(), fit.revenue.to_numpy() - media, rcond=None)
        controls = list(fit.controls.columns)
        predicted = design[fit.channels].to_numpy() @ fit.coef + design[controls].to_numpy() @ gamma
    frame = pd.DataFrame({"date": y.index, "actual": y.to_numpy(), "predicted": predicted,
                          "holdout": y.index > cut})  # fmt: skip
    held = frame[frame["holdout"]]
    err = held["predicted"] - held["actual"]
    mape = float((err.abs() / held["actual"].abs()).mean())
    return Holdout(frame, mape, float(np.sqrt((err**2).mean())))
