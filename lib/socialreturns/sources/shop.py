"""Shopify's orders export (``shopify-orders``): our ``orders`` and ``customers`` in one import.

Shopify (Admin > Orders > Export > CSV for Excel, Numbers or other spreadsheet programs) writes
one row per line item: the order's ``Name``, ``Email`` and ``Created at`` on each, its totals
(``Financial Status``, ``Currency``, ``Subtotal``, ``Shipping``, ``Taxes``, ``Total``,
``Refunded Amount``, ``Cancelled at``, ``Id``) on its first row only. The column list follows
the public parsers of that export (e.g. the TypeScript row types of jadwro/allegro_csv_parser
and laplace-live/shopify-csv-converter): ``Name, Email, Financial Status, Paid at, Fulfillment
Status, Fulfilled at, Accepts Marketing, Currency, Subtotal, Shipping, Taxes, Total, Discount
Code, Discount Amount, Shipping Method, Created at, Lineitem quantity, Lineitem name, Lineitem
price, Lineitem compare at price, Lineitem sku, ..., Cancelled at, ..., Refunded Amount, ...,
Id, ...``.

What is taken (``data/IMPORT.md``):

* one order per ``Name``; ``timestamp`` is ``Created at`` (``2023-11-04 12:19:55 -0700``) in UTC;
* ``revenue`` is ``Subtotal`` (line items after discounts, without shipping and, when prices
  exclude it, tax) less the refunded share: the export does not split ``Refunded Amount`` into
  goods, tax and shipping, so the refund is taken as the same share of the subtotal as of the
  total. When prices include tax (``Total`` = ``Subtotal`` + ``Shipping``), ``Taxes`` is taken
  off the subtotal;
* ``gross_margin`` is ``revenue`` times ``--margin-rate`` (the table requires it);
* cancelled orders (``Cancelled at`` set, or ``voided``) and orders without an e-mail are
  dropped and logged (``orders.customer_id`` may not be empty);
* ``customer_id`` is a salted SHA-256 of the lower-cased e-mail (no address is written);
  ``acquisition_date`` the day of the customer's first order; ``acquisition_channel`` is
  ``unknown`` (a shop export does not say which channel brought a customer).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from socialreturns.data import load_table
from socialreturns.data.times import TIMESTAMP_DTYPE, out_of_range, range_error
from socialreturns.inputs import MAX_SHOWN, InputError

from .log import EXAMPLES, ImportLog
from .read import Export, column_for, normalise_header, parse_numbers, read_export, refuse_float_ids

if TYPE_CHECKING:
    from .catalog import ImportOptions

TITLE = "a Shopify orders export"
HEADER = ("Name, Email, Financial Status, Paid at, ..., Currency, Subtotal, Shipping, Taxes, Total, "
          "Discount Code, ..., Created at, Lineitem quantity, Lineitem name, Lineitem price, ..., "
          "Cancelled at, ..., Refunded Amount, ..., Id, ...")  # fmt: skip
#: The columns read (others are logged as unused); the first five identify the export.
REQUIRED = ("Name", "Email", "Financial Status", "Created at", "Lineitem quantity", "Currency",
            "Subtotal", "Shipping", "Taxes", "Total")  # fmt: skip
OPTIONAL = ("Refunded Amount", "Cancelled at", "Id")
SALT_ENV = "SOCIALRETURNS_SALT"
ACQUISITION_CHANNEL = "unknown"
CANCELLED_STATUSES = frozenset({"voided"})
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"


def is_header(names: list[str]) -> bool:
    """Does a line with these normalised cells look like Shopify's orders header?"""
    return all(normalise_header(n) in names for n in REQUIRED[:5])


def salt_of(given: str | None) -> str:
    """The salt of the customer hash: ``given`` (``--salt``), else ``$SOCIALRETURNS_SALT``.

    Raises
    ------
    InputError
        When neither is set: an unsalted hash of an e-mail is reversed by hashing a list of
        addresses, so it would not keep them out of the data folder.
    """
    salt = given if given else os.environ.get(SALT_ENV, "")
    if not salt:
        raise InputError("needs a salt to key customers by a hash of their e-mail", key="salt",
                         expected=f"--salt SECRET or the environment variable {SALT_ENV}",
                         hint="A hash without a salt can be reversed by hashing a list of e-mail addresses; "
                         "keep the same secret salt for every import into one data folder, so that a "
                         "customer keeps one id")  # fmt: skip
    return salt


def customer_ids(emails: pd.Series, salt: str) -> pd.Series:
    """``C`` + the first 16 hex digits of SHA-256(salt, NUL, lower-cased stripped e-mail)."""
    prefix = salt.encode("utf-8") + b"\x00"
    keys = emails.str.strip().str.lower()
    codes, uniques = pd.factorize(keys)
    hashed = np.array(
        ["C" + hashlib.sha256(prefix + str(u).encode("utf-8")).hexdigest()[:16] for u in uniques],
        dtype=object,
    )
    return pd.Series(hashed[codes], index=emails.index, dtype="string")


def _columns(export: Export) -> dict[str, str | None]:
    cols: dict[str, str | None] = {n: column_for(export, [n]) for n in (*REQUIRED, *OPTIONAL)}
    missing = [n for n in REQUIRED if cols[n] is None]
    if missing:
        raise InputError(f"is {TITLE} without the column(s) {', '.join(missing)}", file=export.path,
                         column=missing[0], expected=f"the header {HEADER}",
                         hint="Export all columns (Admin > Orders > Export > CSV for Excel)")  # fmt: skip
    return cols


def _times(export: Export, column: str, rows: pd.Index) -> pd.Series:
    """``Created at`` of ``rows`` (``2023-11-04 12:19:55 -0700``) in UTC."""
    raw = export.frame.loc[rows, column]
    parsed = pd.to_datetime(raw, format=_TIME_FORMAT, errors="coerce", utc=True)
    iso = pd.to_datetime(raw.where(parsed.isna()), format="ISO8601", errors="coerce", utc=True)
    parsed = parsed.fillna(iso)
    bad = parsed.isna()
    if bad.any():
        raise InputError(f"{int(bad.sum())} value(s) cannot be read as times", file=export.path, column=column,
                         rows=export.lines(rows[bad.to_numpy()][:50]), values=list(raw[bad].head(MAX_SHOWN)),
                         expected="times such as 2023-11-04 12:19:55 -0700 (with the shop's UTC offset)")  # fmt: skip
    out = out_of_range(parsed)
    if out.any():
        raise range_error(
            parsed, out, column=column, rows=export.lines(rows[out.to_numpy()]), file=export.path
        )
    return parsed.astype(TIMESTAMP_DTYPE)


def _orders_of(export: Export, log: ImportLog) -> pd.DataFrame:
    """One row per order of one file: name, e-mail, time, currency, amounts, cancelled."""
    frame = export.frame
    cols = _columns(export)
    used = {c for c in cols.values() if c}
    log.columns_unused[str(export.path)] = [c for c in frame.columns if c not in used]
    if cols["Id"]:
        refuse_float_ids(export, [cols["Id"]])
    name = frame[str(cols["Name"])]
    empty = name == ""
    log.drop("no order Name", export.lines(frame.index[empty]))
    first = frame.index[~empty & ~name.duplicated()]  # each order's first row holds its totals
    if not len(first):
        raise InputError("has a header but no orders", file=export.path,
                         expected=f"rows under the header on line {export.header_line}")  # fmt: skip
    # Email and Created at are on every row of an order; take the first one given
    email = frame[str(cols["Email"])].where(~empty).replace("", pd.NA)
    emails = email.groupby(name, sort=False).first().reindex(name[first]).to_numpy()
    amounts = {}
    for role in ("Subtotal", "Shipping", "Taxes", "Total", "Refunded Amount"):
        if cols[role]:
            numbers = parse_numbers(export, str(cols[role])).loc[first]
            amounts[role] = numbers
    absent = amounts["Subtotal"].isna()
    if absent.any():
        raise InputError(f"{int(absent.sum())} order(s) without a Subtotal on their first row", file=export.path,
                         column=cols["Subtotal"], rows=export.lines(first[absent.to_numpy()]),
                         values=list(name[first][absent.to_numpy()].head(MAX_SHOWN)),
                         expected="each order's totals on its first line item row (the export as Shopify wrote it)")  # fmt: skip
    cancelled = frame.loc[first, str(cols["Financial Status"])].str.lower().isin(CANCELLED_STATUSES)
    if cols["Cancelled at"]:
        cancelled |= frame.loc[first, str(cols["Cancelled at"])] != ""
    return pd.DataFrame({
        "line": first, "name": name[first].to_numpy(), "email": emails,
        "timestamp": _times(export, str(cols["Created at"]), first).to_numpy(),
        "currency": frame.loc[first, str(cols["Currency"])].str.upper().to_numpy(),
        "status": frame.loc[first, str(cols["Financial Status"])].str.lower().to_numpy(),
        "cancelled": cancelled.to_numpy(), "file": str(export.path),
        **{role.lower().replace(" ", "_"): v.fillna(0.0).to_numpy() for role, v in amounts.items()},
    })  # fmt: skip


def _revenue(orders: pd.DataFrame, log: ImportLog) -> pd.Series:
    """Subtotal without tax, less the refunded share of the order (see the module's docstring)."""
    subtotal = orders["subtotal"].copy()
    included = (orders["taxes"] > 0) & (
        (orders["subtotal"] + orders["shipping"] - orders["total"]).abs() < 0.005
    )
    if included.any():
        subtotal[included] -= orders.loc[included, "taxes"]
        log.notes.append(f"{int(included.sum())} order(s) with prices including tax (Total = Subtotal + "
                         "Shipping): Taxes taken off the Subtotal")  # fmt: skip
    refunded = orders.get("refunded_amount", pd.Series(0.0, index=orders.index)).clip(lower=0.0)
    share = (refunded / orders["total"].where(orders["total"] > 0)).fillna(0.0).clip(upper=1.0)
    share[orders["status"] == "refunded"] = 1.0  # refunded in full, whatever the amount column says
    partly, full = (share > 0) & (share < 1), share >= 1
    if partly.any():
        log.notes.append(f"{int(partly.sum())} partly refunded order(s) reduced by the refunded share of their "
                         f"Total (e.g. {', '.join(orders.loc[partly, 'name'].head(EXAMPLES))})")  # fmt: skip
    if full.any():
        log.notes.append(f"{int(full.sum())} order(s) refunded in full kept with revenue 0 "
                         f"(e.g. {', '.join(orders.loc[full, 'name'].head(EXAMPLES))})")  # fmt: skip
    return (subtotal * (1.0 - share)).clip(lower=0.0).round(6)


def _one_currency(orders: pd.DataFrame, given: str | None, paths: Sequence[Path]) -> str:
    currencies = sorted(set(orders["currency"]) - {""} | ({given} if given else set()))
    if len(currencies) > 1:
        first = orders[orders["currency"] != currencies[0]].iloc[0]
        raise InputError(f"has orders in more than one currency ({', '.join(currencies)}; e.g. {first['name']} "
                         f"in {first['currency']})", file=", ".join(str(p) for p in paths), column="Currency",
                         expected="one currency per data folder (FX tables are not supported yet)",
                         hint="Export each currency's orders into their own data folder")  # fmt: skip
    if not currencies:
        raise InputError("does not say its currency (the Currency column is empty)",
                         file=", ".join(str(p) for p in paths), column="Currency",
                         expected="the shop's currency on each order's first row, or --currency")  # fmt: skip
    return currencies[0]


def _with_known(customers: pd.DataFrame, folder: Path | None, log: ImportLog) -> pd.DataFrame:
    """Customers already in ``folder`` keep their acquisition date when it is earlier (their first
    order came in an earlier import), their acquisition channel and their referrer."""
    path = Path(folder) / "customers.csv" if folder else None
    if path is None or not path.is_file():
        return customers
    known = load_table("customers", path).drop_duplicates("customer_id").set_index("customer_id")
    seen = customers["customer_id"].isin(known.index).to_numpy()
    if not seen.any():
        return customers
    customers = customers.copy()
    old = known.loc[customers.loc[seen, "customer_id"]]
    dates = pd.DataFrame({"new": customers.loc[seen, "acquisition_date"].to_numpy(),
                          "old": old["acquisition_date"].to_numpy()})  # fmt: skip
    customers.loc[seen, "acquisition_date"] = dates.min(axis=1).to_numpy()
    customers.loc[seen, "acquisition_channel"] = old["acquisition_channel"].to_numpy()
    customers.loc[seen, "referred_by"] = old["referred_by"].to_numpy()
    log.notes.append(f"{int(seen.sum())} customer(s) already in {path.name} keep their earlier acquisition date, "
                     "acquisition channel and referrer")  # fmt: skip
    return customers


def convert(paths: Sequence[Path], options: ImportOptions, log: ImportLog) -> Mapping[str, pd.DataFrame]:
    """The ``orders`` and ``customers`` of Shopify orders exports (`catalog.Convert`).

    ``options`` gives ``salt`` (else ``$SOCIALRETURNS_SALT``), ``margin_rate`` (gross margin as a
    share of revenue, 0 to 1; required, as ``orders.gross_margin`` is) and ``currency``.

    Raises
    ------
    InputError
        No salt or margin rate, a file that is not a Shopify orders export, ids a spreadsheet
        turned into floats, unreadable amounts or times, an order in two files, a second currency.
    """
    salt = salt_of(options.salt)
    rate = options.margin_rate
    if rate is None or not 0.0 <= float(rate) <= 1.0:
        raise InputError("needs the gross margin rate" if rate is None else f"has a margin rate of {rate}",
                         key="margin_rate", expected="--margin-rate between 0 and 1 (gross margin as a share "
                         "of revenue, e.g. 0.55): orders.gross_margin is required and the export has no costs")  # fmt: skip
    frames = []
    for path in paths:
        export = read_export(path, is_header, what=TITLE, expected=f"the header {HEADER}")
        log.files.append(export.describe())
        log.rows_read += len(export.frame)
        frames.append(_orders_of(export, log))
    orders = pd.concat(frames, ignore_index=True)
    twice = orders["name"].duplicated(keep=False)
    if twice.any():
        raise InputError(f"the files overlap: {int(twice.sum())} orders are in more than one file (e.g. "
                         f"{orders.loc[twice, 'name'].iloc[0]})", file=", ".join(sorted(set(orders.loc[twice, 'file']))),
                         expected="files covering different orders",
                         hint="Import one export per period; importing a newer export again replaces the earlier rows")  # fmt: skip
    labels = orders["file"].map(lambda f: Path(f).name) + " line " + orders["line"].astype(str)
    cancelled = orders["cancelled"]
    log.drop("cancelled or voided order", list(labels[cancelled]), list(orders.loc[cancelled, "name"]))
    nomail = ~cancelled & orders["email"].isna()
    log.drop(
        "no e-mail (orders.customer_id may not be empty)",
        list(labels[nomail]),
        list(orders.loc[nomail, "name"]),
    )
    kept = orders[~cancelled & ~nomail].copy()
    log.currency = _one_currency(kept, options.currency, paths)
    kept["customer_id"] = customer_ids(kept["email"], salt)
    kept["revenue"] = _revenue(kept, log)
    kept["gross_margin"] = (kept["revenue"] * float(rate)).round(6)
    log.notes.append(f"gross_margin = revenue x {float(rate)} (--margin-rate); customers keyed by a salted "
                     f"SHA-256 of the e-mail; acquisition_channel '{ACQUISITION_CHANNEL}' (not in a shop export)")  # fmt: skip
    out = kept.rename(columns={"name": "order_id"}).sort_values(["timestamp", "order_id"], kind="stable")
    customers = out.groupby("customer_id", sort=True).agg(acquisition_date=("timestamp", "min")).reset_index()
    customers["acquisition_date"] = customers["acquisition_date"].dt.normalize()
    customers = customers.assign(acquisition_channel=ACQUISITION_CHANNEL, referred_by=pd.NA,
                                 currency=log.currency)  # fmt: skip
    customers = _with_known(customers, options.folder, log)
    columns = ["order_id", "customer_id", "timestamp", "revenue", "gross_margin"]
    return {"orders": out[columns].assign(currency=log.currency).reset_index(drop=True),
            "customers": customers[["customer_id", "acquisition_date", "acquisition_channel", "referred_by",
                                    "currency"]]}  # fmt: skip
