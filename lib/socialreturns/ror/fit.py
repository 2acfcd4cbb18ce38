"""A maximum-likelihood fit (`ModelFit`) and the optimiser both models share.

Each model maximises its mean log-likelihood over log parameters with L-BFGS-B and analytic
gradients; standard errors come from the observed information by the delta method. A fit is
kept in the project's cache (`cached`), keyed by the customers' summary it read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize

from socialreturns import store
from socialreturns.inputs import InputError
from socialreturns.intervals import ALPHA, norm_ppf

#: The cache's domain under `store.cache_root` for the fitted models (`cached`).
DOMAIN = "ror-fits"


@dataclass(frozen=True)
class ModelFit:
    """A maximum-likelihood fit of the BG/NBD, MBG/NBD or Gamma-Gamma model.

    ``params`` is indexed by the model's parameter names; ``standard_errors`` come from the
    inverse of the observed information (the Hessian of the log-likelihood, by central differences
    of the analytic gradient, in log parameters, then by the delta method).
    """

    model: Literal["BG/NBD", "MBG/NBD", "Gamma-Gamma"]
    params: pd.Series
    standard_errors: pd.Series
    log_likelihood: float
    n_customers: int
    time_unit: str
    iterations: int

    def caption(self) -> str:
        """One line for the fit's table: the model, how many it was fitted on, the log-likelihood."""
        who = "repeat buyers" if self.model == "Gamma-Gamma" else "customers"
        return f"{self.model}: {self.n_customers:,} {who}, log-likelihood {self.log_likelihood:,.1f}"

    def conf_int(self, alpha: float = ALPHA) -> pd.DataFrame:
        """Confidence intervals with columns ``ci_lower`` and ``ci_upper``.

        Computed on the log scale (where the likelihood is closer to quadratic and the bounds stay
        positive): ``estimate * exp(±z * se / estimate)``.
        """
        z = norm_ppf(1 - alpha / 2)
        log_se = self.standard_errors / self.params
        return pd.DataFrame({
            "ci_lower": self.params * np.exp(-z * log_se),
            "ci_upper": self.params * np.exp(z * log_se),
        })  # fmt: skip

    def to_frame(self, alpha: float = ALPHA) -> pd.DataFrame:
        """One row per parameter: ``estimate``, ``std_error``, ``ci_lower``, ``ci_upper``."""
        frame = pd.DataFrame({"estimate": self.params, "std_error": self.standard_errors})
        frame = frame.join(self.conf_int(alpha))
        frame.index.name = "parameter"
        return frame


def cached(
    columns: tuple[str, ...],
) -> Callable[[Callable[[pd.DataFrame], ModelFit]], Callable[[pd.DataFrame], ModelFit]]:
    """Keep a model's fit of a customers' summary in the cache (`store.cached_frames`, domain
    ``ror-fits``): keyed by the fitting function, the summary's ``columns`` (the ones it reads,
    values and index), its time unit and the library's source digest, so the ROR report's four
    fits (two models on the calibration period, the chosen one and Gamma-Gamma on the whole) are
    computed once per order data. An entry that does not check out is refitted; a fit that
    raises is never kept, it raises again. ``SOCIALRETURNS_CACHE=off`` fits every time."""

    def wrap(fit: Callable[[pd.DataFrame], ModelFit]) -> Callable[[pd.DataFrame], ModelFit]:
        @functools.wraps(fit)
        def cached_fit(summary: pd.DataFrame) -> ModelFit:
            if store.cache_root(DOMAIN) is None or not set(columns) <= set(summary.columns):
                return fit(summary)  # no cache, or a summary the fit refuses with its own error
            key = store.frames_key("ror-fit", fit.__name__, summary[list(columns)],
                                   summary.attrs.get("time_unit", "W"))  # fmt: skip
            fresh: list[ModelFit] = []

            def compute() -> store.Computed:
                fresh.append(fit(summary))
                return _stored(fresh[0])

            frames, plain = store.cached_frames(DOMAIN, key, compute)
            return fresh[0] if fresh else _restored(frames["fit"], plain)

        return cached_fit

    return wrap


def _stored(fit: ModelFit) -> store.Computed:
    frame = pd.DataFrame({"estimate": fit.params, "std_error": fit.standard_errors})
    plain = {"model": fit.model, "log_likelihood": fit.log_likelihood, "n_customers": fit.n_customers,
             "time_unit": fit.time_unit, "iterations": fit.iterations}  # fmt: skip
    return {"fit": frame}, plain


def _restored(frame: pd.DataFrame, plain: dict) -> ModelFit:
    return ModelFit(model=plain["model"], params=frame["estimate"], standard_errors=frame["std_error"],
                    log_likelihood=float(plain["log_likelihood"]), n_customers=int(plain["n_customers"]),
                    time_unit=str(plain["time_unit"]), iterations=int(plain["iterations"]))  # fmt: skip


def _unique_rows(columns: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Collapse identical customers into one row with a weight (a big speed-up on real data)."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(float)


def _mean_neg_log_likelihood(terms, columns: list[np.ndarray], weight: np.ndarray):
    """The objective for `_maximise`: ``theta`` (log parameters) → the weighted mean negative
    log-likelihood and its gradient in ``theta``, from ``terms(params, *columns)`` (per-row
    log-likelihood and its gradient in the parameters). Infinite where the likelihood is not finite.
    """
    total = weight.sum()

    def neg(theta: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(theta)
        ll, grad = terms(params, *columns)
        value = -(weight @ ll) / total
        g = -(grad @ weight) / total * params
        return (float(value), g) if np.isfinite(value) else (np.inf, np.zeros_like(g))

    return neg


def _numeric_hessian(grad, theta: np.ndarray) -> np.ndarray:
    h = 1e-5 * np.maximum(1.0, np.abs(theta))
    hess = np.empty((theta.size, theta.size))
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = h[i]
        hess[i] = (grad(theta + step) - grad(theta - step)) / (2 * h[i])
    return (hess + hess.T) / 2


#: The largest standard error of a log parameter a fit may have: e^5, a factor of 150 either way,
#: is a likelihood too flat to pin the parameter down (real fits have 0.01 to 0.5). A flat ridge
#: (say, order values all equal) can end with a positive-definite Hessian and finite parameters
#: wherever the optimiser stops (log standard errors near 100): this catches it.
MAX_LOG_STANDARD_ERROR = 5.0


def _maximise(
    model: str,
    names: tuple[str, ...],
    neg_ll_and_grad,
    start: np.ndarray,
    n_customers: int,
    time_unit: str,
    *,
    expected: str,
    hint: str,
) -> ModelFit:
    """Minimise the mean negative log-likelihood over log parameters; errors from the Hessian."""
    result = optimize.minimize(
        neg_ll_and_grad, np.log(start), jac=True, method="L-BFGS-B",
        bounds=[(-15.0, 15.0)] * len(names), options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-9},
    )  # fmt: skip
    theta = result.x
    hess = _numeric_hessian(lambda t: neg_ll_and_grad(t)[1], theta) * n_customers
    converged = (result.success or np.max(np.abs(result.jac)) < 1e-5) and np.isfinite(result.fun)
    # An estimate that runs off towards 0 or infinity (e^±12) or a flat direction in the
    # likelihood (a Hessian that is not positive definite) means the data cannot pin the model down.
    finite_optimum = np.all(np.abs(theta) < 12) and np.all(np.isfinite(hess))
    if finite_optimum:
        finite_optimum = bool(np.all(np.linalg.eigvalsh(hess) > 0))
    if finite_optimum:  # a nearly flat direction: the optimiser may stop anywhere along it
        log_se = np.sqrt(np.diag(np.linalg.inv(hess)))
        finite_optimum = bool(np.all(log_se < MAX_LOG_STANDARD_ERROR))
    if not (converged and finite_optimum):
        shown = ", ".join(f"{n}={v:.3g}" for n, v in zip(names, np.exp(theta), strict=True))
        raise InputError(
            f"the {model} fit did not reach a finite maximum of the likelihood (stopped at {shown})",
            expected=expected,
            hint=hint,
        )
    params = pd.Series(np.exp(theta), index=list(names), name="estimate")
    return ModelFit(
        model=model,  # type: ignore[arg-type]
        params=params,
        standard_errors=pd.Series(params.to_numpy() * log_se, index=list(names), name="std_error"),
        log_likelihood=float(-result.fun * n_customers),
        n_customers=int(n_customers),
        time_unit=time_unit,
        iterations=int(result.nit),
    )


#: The models of repeat purchasing (`bgnbd`, `mbgnbd`): same parameters, same predictions' API.
PURCHASE_MODELS = ("BG/NBD", "MBG/NBD")


def _need(fit: ModelFit, *models: str) -> None:
    if fit.model not in models:
        raise InputError(f"got a {fit.model} fit", expected=f"a {' or '.join(models)} fit")
