"""The side tables of a shop import: referral codes, product costs and exchange rates.

* **Referral codes** (``--referrals``): a CSV of discount codes and the customer each one
  belongs to (``Discount Code`` or ``code``; ``Referrer Email``, ``email``, or
  ``referrer_id`` / ``customer_id``). A customer whose first order used such a code gets
  ``referred_by`` = the referrer's id (an e-mail is hashed with the import's salt, as customers
  are) and ``acquisition_channel`` ``referral``.
* **Product costs** (``--product-costs``): a CSV of SKU and unit cost in the shop's currency;
  Shopify's own products export (``Variant SKU``, ``Cost per item``) is read as it is. An
  order's gross margin is its revenue less the cost of its line items, less the refunded share
  as revenue is.
* **Exchange rates** (``--fx``): a CSV of ``date, currency, rate``, the rate being units of the
  folder's currency per unit of ``currency``. An order in another currency is converted at the
  rate of its UTC day, or the latest rate before it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from socialreturns.inputs import MAX_SHOWN, InputError

from .log import EXAMPLES, ImportLog
from .read import column_for, normalise_header, parse_dates, parse_numbers, read_export

CODE = ("Discount Code", "discount_code", "code", "referral code", "referral_code")
REFERRER = (
    "Referrer Email",
    "referrer_email",
    "referrer",
    "email",
    "Referrer ID",
    "referrer_id",
    "customer_id",
)
SKU = ("Variant SKU", "sku", "Lineitem sku")
COST = ("Cost per item", "unit_cost", "unit cost", "cost")
FX = (("date",), ("currency",), ("rate",))


def _has(names: list[str], *groups: tuple[str, ...]) -> bool:
    return all(any(normalise_header(n) in names for n in group) for group in groups)


def read_referrals(path: Path, log: ImportLog) -> pd.DataFrame:
    """``code`` (upper case) and ``referrer`` (an e-mail or an id, as written) of a referral table.

    Raises
    ------
    InputError
        No code or referrer column, a code given twice with two referrers.
    """
    export = read_export(path, lambda names: _has(names, CODE, REFERRER), what="a referral code table",
                         expected="the columns Discount Code and Referrer Email (or referrer_id)")  # fmt: skip
    log.files.append(export.describe())
    code, referrer = str(column_for(export, CODE)), str(column_for(export, REFERRER))
    table = pd.DataFrame({"code": export.frame[code].str.upper(), "referrer": export.frame[referrer]})
    table = table[(table["code"] != "") & (table["referrer"] != "")].drop_duplicates()
    twice = table["code"].duplicated(keep=False)
    if twice.any():
        raise InputError(f"gives the code {table.loc[twice, 'code'].iloc[0]!r} two referrers", file=path, column=code,
                         rows=export.lines(table.index[twice][:MAX_SHOWN]), expected="one referrer per code")  # fmt: skip
    return table.reset_index(drop=True)


def read_costs(path: Path, log: ImportLog) -> pd.Series:
    """Unit cost per SKU (the shop's currency) of a product-cost table; rows without a cost are
    left out (noted).

    Raises
    ------
    InputError
        No SKU or cost column, unreadable or negative costs, a SKU with two costs.
    """
    export = read_export(path, lambda names: _has(names, SKU, COST), what="a product cost table",
                         expected="the columns SKU (or Variant SKU) and unit_cost (or Cost per item)")  # fmt: skip
    log.files.append(export.describe())
    sku, cost = str(column_for(export, SKU)), str(column_for(export, COST))
    costs = parse_numbers(export, cost)
    if (costs < 0).any():
        bad = costs.index[(costs < 0).to_numpy()]
        raise InputError("holds negative unit costs", file=path, column=cost, rows=export.lines(bad[:MAX_SHOWN]),
                         expected="unit costs of 0 or more")  # fmt: skip
    table = pd.DataFrame({"sku": export.frame[sku], "cost": costs})
    missing = (table["sku"] == "") | table["cost"].isna()
    if missing.any():
        log.notes.append(f"{int(missing.sum())} row(s) of {path.name} without a SKU or cost left out")
    table = table[~missing].drop_duplicates()
    twice = table["sku"].duplicated(keep=False)
    if twice.any():
        raise InputError(f"gives the SKU {table.loc[twice, 'sku'].iloc[0]!r} two costs", file=path, column=sku,
                         rows=export.lines(table.index[twice][:MAX_SHOWN]), expected="one unit cost per SKU")  # fmt: skip
    return table.set_index("sku")["cost"]


def read_fx(path: Path, log: ImportLog) -> pd.DataFrame:
    """``date`` (UTC day), ``currency`` (upper case) and ``rate`` (> 0) of an exchange-rate table,
    sorted by date.

    Raises
    ------
    InputError
        Missing columns, unreadable dates or rates, a rate that is not positive.
    """
    export = read_export(path, lambda names: _has(names, *FX), what="an exchange-rate table",
                         expected="the columns date, currency, rate (units of the folder's currency per unit)")  # fmt: skip
    log.files.append(export.describe())
    date, currency, rate = (str(column_for(export, names)) for names in FX)
    rates = parse_numbers(export, rate)
    bad = ~(rates > 0)
    if bad.any():
        raise InputError("holds rates that are missing, zero or negative", file=path, column=rate,
                         rows=export.lines(rates.index[bad.to_numpy()][:MAX_SHOWN]),
                         values=list(export.frame.loc[bad, rate].head(MAX_SHOWN)), expected="rates above 0")  # fmt: skip
    table = pd.DataFrame({"date": parse_dates(export, date, ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y")),
                          "currency": export.frame[currency].str.upper(), "rate": rates})  # fmt: skip
    return table.sort_values("date", kind="stable").reset_index(drop=True)


def convert_currency(orders: pd.DataFrame, target: str, fx: pd.DataFrame, log: ImportLog,
                     amounts: tuple[str, ...]) -> pd.DataFrame:  # fmt: skip
    """``orders`` with the ``amounts`` of orders in another currency than ``target`` converted
    at the rate of their UTC day or the latest before it, and ``currency`` set to ``target``.

    Raises
    ------
    InputError
        An order whose currency has no rate on or before its day.
    """
    other = (orders["currency"] != target).to_numpy()
    if not other.any():
        return orders
    day = orders["timestamp"].dt.tz_convert("UTC").dt.normalize().astype(fx["date"].dtype)
    wanted = pd.DataFrame(
        {"date": day[other], "currency": orders.loc[other, "currency"], "row": np.flatnonzero(other)}
    )
    found = pd.merge_asof(wanted.sort_values("date"), fx, on="date", by="currency", direction="backward")
    missing = found["rate"].isna()
    if missing.any():
        first = orders.iloc[int(found.loc[missing, "row"].iloc[0])]
        raise InputError(f"has no rate for {first['currency']} on or before {first['timestamp']:%Y-%m-%d} (order "
                         f"{first['name']}; {int(missing.sum())} order(s) in all)", key="fx", column="rate",
                         expected=f"a rate per day (or an earlier day) for each currency other than {target}",
                         hint="Add the missing days to the exchange-rate table")  # fmt: skip
    rate = pd.Series(found["rate"].to_numpy(), index=found["row"].to_numpy()).sort_index()
    out = orders.copy()
    positions = rate.index.to_numpy()
    for column in amounts:
        if column in out.columns:
            values = out[column].to_numpy(dtype="float64", copy=True)
            values[positions] = values[positions] * rate.to_numpy()
            out[column] = values
    converted = sorted(set(orders.loc[other, "currency"]))
    log.notes.append(f"{int(other.sum())} order(s) in {', '.join(converted)} converted to {target} by the exchange-"
                     f"rate table (the rate of the order's UTC day, or the latest before it; e.g. "
                     f"{', '.join(orders.loc[other, 'name'].head(EXAMPLES))})")  # fmt: skip
    return out.assign(currency=target)
