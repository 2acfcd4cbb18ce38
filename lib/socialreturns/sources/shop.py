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

from .log import EXAMPLES, ImportLog, read_log
from .read import Export, column_for, normalise_header, parse_numbers, read_export, refuse_float_ids
from .shop_tables import convert_currency, read_costs, read_fx, read_referrals

if TYPE_CHECKING:
    from .catalog import ImportOptions

TITLE = "a Shopify orders export"
HEADER = ("Name, Email, Financial Status, Paid at, ..., Currency, Subtotal, Shipping, Taxes, Total, "
          "Discount Code, ..., Created at, Lineitem quantity, Lineitem name, Lineitem price, ..., "
          "Cancelled at, ..., Refunded Amount, ..., Id, ...")  # fmt: skip
#: The columns read (others are logged as unused); the first five identify the export.
REQUIRED = ("Name", "Email", "Financial Status", "Created at", "Lineitem quantity", "Currency",
            "Subtotal", "Shipping", "Taxes", "Total")  # fmt: skip
OPTIONAL = ("Refunded Amount", "Cancelled at", "Id", "Discount Code", "Lineitem sku")
AMOUNTS = ("subtotal", "shipping", "taxes", "total", "refunded_amount")
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


def _lines_of(export: Export, name: pd.Series) -> pd.DataFrame:
    """The line items of one file: order name, SKU and quantity (for product costs)."""
    cols = _columns(export)
    if not cols["Lineitem sku"]:
        raise InputError("has no Lineitem sku column, which product costs need", file=export.path,
                         column="Lineitem sku", expected=f"the header {HEADER}")  # fmt: skip
    quantity = parse_numbers(export, str(cols["Lineitem quantity"])).fillna(0.0)
    lines = pd.DataFrame({"name": name, "sku": export.frame[str(cols["Lineitem sku"])], "quantity": quantity})
    return lines[name != ""].assign(line=lambda f: f.index)


def _orders_of(export: Export, log: ImportLog) -> pd.DataFrame:
    """One row per order of one file: name, e-mail, time, currency, amounts, cancelled, the
    discount code."""
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
    log.combine("a further line item of an order (one order per Name)", int((~empty).sum()) - len(first))
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
        "discount_code": (frame.loc[first, str(cols["Discount Code"])].str.upper().to_numpy() if cols["Discount Code"]
                          else ""),
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
    orders["refunded_share"] = share  # the same share of the goods' cost comes back (product costs)
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
    """Customers already in ``folder`` keep the earlier acquisition date (their first order came
    in an earlier import), and the channel and referrer of their first order: a referral code on
    what is only this import's first order of a customer who bought before is not a referral.

    When this import holds the customer's first order (an earlier month imported after a later
    one), its referral code (or none) replaces what an earlier shop import derived from a later
    order. A channel set by hand or by another source is kept, unless it is ``unknown``.
    """
    path = Path(folder) / "customers.csv" if folder else None
    if path is None or not path.is_file():
        return customers
    known = load_table("customers", path).drop_duplicates("customer_id").set_index("customer_id")
    seen = customers["customer_id"].isin(known.index).to_numpy()
    if not seen.any():
        return customers
    customers = customers.copy()
    old = known.loc[customers.loc[seen, "customer_id"]]
    new_date = customers.loc[seen, "acquisition_date"].to_numpy()
    old_date = old["acquisition_date"].to_numpy()
    customers.loc[seen, "acquisition_date"] = np.minimum(new_date, old_date)
    old_channel = old["acquisition_channel"].astype("string").to_numpy()
    new_channel = customers.loc[seen, "acquisition_channel"].astype("string").to_numpy()
    by_shop = (
        (old["source"].astype("string").fillna("") == log.source).to_numpy() if "source" in old else False
    )
    unknown = old_channel == ACQUISITION_CHANNEL
    take_new = ((new_date < old_date) & (by_shop | unknown)) | ((new_date == old_date) & unknown)
    customers.loc[seen, "acquisition_channel"] = np.where(take_new, new_channel, old_channel)
    old_referrer = pd.Series(old["referred_by"].to_numpy(), dtype="string")
    new_referrer = pd.Series(customers.loc[seen, "referred_by"].to_numpy(), dtype="string")
    customers.loc[seen, "referred_by"] = new_referrer.where(take_new, old_referrer).to_numpy()
    log.notes.append(f"{int(seen.sum())} customer(s) already in {path.name} keep their earlier acquisition date, and "
                     f"the channel and referrer of their first order ({int((new_date > old_date).sum())} had bought "
                     "before this import's orders)")  # fmt: skip
    return customers


def _margin_rate(options: ImportOptions) -> float | None:
    rate = options.margin_rate
    if rate is None and options.product_costs is None:
        raise InputError("needs the gross margin rate or a product cost table", key="margin_rate",
                         expected="--margin-rate between 0 and 1 (gross margin as a share of revenue, e.g. 0.55) or "
                         "--product-costs FILE (SKU, unit cost): orders.gross_margin is required and the export "
                         "has no costs")  # fmt: skip
    if rate is not None and not 0.0 <= float(rate) <= 1.0:
        raise InputError(
            f"has a margin rate of {rate}", key="margin_rate", expected="--margin-rate between 0 and 1"
        )
    return None if rate is None else float(rate)


def _currency(
    kept: pd.DataFrame, options: ImportOptions, paths: Sequence[Path], log: ImportLog
) -> pd.DataFrame:
    """One currency: the orders' own, or with ``--fx`` the folder's (``--currency``, the import
    log's, else the most frequent order currency) with the other orders converted."""
    if options.fx is None:
        log.currency = _one_currency(kept, options.currency, paths)
        return kept
    fx = read_fx(options.fx, log)
    folder = read_log(options.folder) if options.folder else {}
    counts = kept["currency"][kept["currency"] != ""].value_counts()
    target = options.currency or folder.get("currency") or (str(counts.index[0]) if len(counts) else None)
    if not target:
        raise InputError("does not say its currency (the Currency column is empty)", file=", ".join(map(str, paths)),
                         column="Currency", expected="the shop's currency on each order's first row, or --currency")  # fmt: skip
    log.currency = str(target)
    return convert_currency(kept.replace({"currency": {"": log.currency}}), log.currency, fx, log, AMOUNTS)


def _gross_margin(kept: pd.DataFrame, lines: pd.DataFrame | None, rate: float | None, options: ImportOptions,
                  log: ImportLog) -> pd.Series:  # fmt: skip
    """Revenue less the cost of the line items (refunded share taken off alike), or revenue x rate."""
    if lines is None or options.product_costs is None:
        log.notes.append(f"gross_margin = revenue x {rate} (--margin-rate)")
        return (kept["revenue"] * float(rate or 0.0)).round(6)
    costs = read_costs(options.product_costs, log)
    lines = lines[lines["name"].isin(kept["name"])]
    unit = lines["sku"].map(costs)
    unknown = unit.isna()
    without = set(lines.loc[unknown, "name"])
    if unknown.any() and rate is None:
        raise InputError(f"has no unit cost for the SKU(s) {', '.join(sorted(set(lines.loc[unknown, 'sku']))[:MAX_SHOWN])}",
                         file=options.product_costs, column="sku", rows=list(lines.loc[unknown, "label"].head(MAX_SHOWN)),
                         expected="a unit cost for every SKU sold", hint="Add them, or pass --margin-rate as well "
                         "for the orders whose costs are not known")  # fmt: skip
    cogs = (unit.fillna(0.0) * lines["quantity"]).groupby(lines["name"]).sum()
    margin = kept["revenue"] - kept["name"].map(cogs).fillna(0.0) * (1.0 - kept["refunded_share"])
    by_rate = kept["name"].isin(without)
    margin[by_rate] = kept.loc[by_rate, "revenue"] * float(rate or 0.0)
    log.notes.append(f"gross_margin = revenue less the unit costs of {options.product_costs.name} times the line "
                     "items' quantities (less the refunded share)"
                     + (f"; {int(by_rate.sum())} order(s) with SKUs without a cost by --margin-rate {rate}"
                        if by_rate.any() else ""))  # fmt: skip
    return margin.round(6)


def _referred(customers: pd.DataFrame, first: pd.DataFrame, salt: str, options: ImportOptions,
              log: ImportLog) -> pd.DataFrame:  # fmt: skip
    """``referred_by`` and ``acquisition_channel`` ``referral`` of customers whose first order used
    a referral code; referrers who are not customers (here or in the folder) are left out (noted)."""
    if options.referrals is None:
        return customers
    table = read_referrals(options.referrals, log)
    email = table["referrer"].str.contains("@", regex=False)
    referrer = table["referrer"].astype("string").copy()
    referrer[email] = customer_ids(table.loc[email, "referrer"].astype("string"), salt)
    code_to = pd.Series(referrer.to_numpy(), index=table["code"])
    by = (
        first.set_index("customer_id")["discount_code"]
        .map(code_to)
        .reindex(customers["customer_id"])
        .to_numpy()
    )
    out = customers.copy()
    by = pd.Series(by, index=out.index, dtype="string")
    folder = Path(options.folder) / "customers.csv" if options.folder else None
    known = set(out["customer_id"])
    if folder is not None and folder.is_file():
        known |= set(load_table("customers", folder)["customer_id"])
    self_or_unknown = by.notna() & ((by == out["customer_id"]) | ~by.isin(known))
    if self_or_unknown.any():
        log.notes.append(f"{int(self_or_unknown.sum())} referral code use(s) left out: the referrer is the customer "
                         "or not a customer of this import or the folder")  # fmt: skip
    by = by.mask(self_or_unknown)
    out["referred_by"] = by
    out.loc[by.notna().to_numpy(), "acquisition_channel"] = "referral"
    log.notes.append(f"{int(by.notna().sum())} customer(s) referred: their first order used a code of "
                     f"{options.referrals.name} (referred_by = the referrer's id, acquisition_channel 'referral')")  # fmt: skip
    return out


def _read_orders(
    paths: Sequence[Path], log: ImportLog, with_lines: bool
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    frames, lines = [], []
    for path in paths:
        export = read_export(path, is_header, what=TITLE, expected=f"the header {HEADER}")
        log.files.append(export.describe())
        log.rows_read += len(export.frame)
        frames.append(_orders_of(export, log))
        if with_lines:
            name = export.frame[str(column_for(export, ["Name"]))]
            items = _lines_of(export, name)
            lines.append(items.assign(label=path.name + " line " + items["line"].astype(str)))
    orders = pd.concat(frames, ignore_index=True)
    twice = orders["name"].duplicated(keep=False)
    if twice.any():
        raise InputError(f"the files overlap: {int(twice.sum())} orders are in more than one file (e.g. "
                         f"{orders.loc[twice, 'name'].iloc[0]})", file=", ".join(sorted(set(orders.loc[twice, 'file']))),
                         expected="files covering different orders",
                         hint="Import one export per period; importing a newer export again replaces the earlier rows")  # fmt: skip
    return orders, pd.concat(lines, ignore_index=True) if with_lines else None


def _refuse_ga4_orders(folder: Path | None) -> None:
    """The shop's orders and GA4's purchase events are the same orders: never both in a folder."""
    path = Path(folder) / "orders.csv" if folder else None
    if path is None or not path.is_file():
        return
    frame = pd.read_csv(path, dtype="str", usecols=lambda c: c == "source", keep_default_na=False)
    if "source" in frame.columns and (frame["source"] == "ga4").any():
        raise InputError("holds orders from GA4's purchase events, which the shop's orders would count twice",
                         file=path, column="source", expected="a folder whose orders come from one source",
                         hint="Import the shop export first (GA4 purchases are then not used), or into a new "
                         "folder")  # fmt: skip


def convert(paths: Sequence[Path], options: ImportOptions, log: ImportLog) -> Mapping[str, pd.DataFrame]:
    """The ``orders`` and ``customers`` of Shopify orders exports (`catalog.Convert`).

    ``options`` gives ``salt`` (else ``$SOCIALRETURNS_SALT``), ``margin_rate`` (gross margin as a
    share of revenue, 0 to 1) or ``product_costs`` (a SKU and unit cost table; one of the two is
    required, as ``orders.gross_margin`` is), ``referrals`` (codes to referrers), ``fx`` (rates
    for orders in a second currency) and ``currency``.

    Raises
    ------
    InputError
        No salt, margin rate or cost table, a file that is not a Shopify orders export, ids a
        spreadsheet turned into floats, unreadable amounts or times, an order in two files, a
        second currency without an exchange-rate table, a SKU without a cost.
    """
    salt = salt_of(options.salt)
    rate = _margin_rate(options)
    _refuse_ga4_orders(options.folder)
    orders, lines = _read_orders(paths, log, options.product_costs is not None)
    labels = orders["file"].map(lambda f: Path(f).name) + " line " + orders["line"].astype(str)
    cancelled = orders["cancelled"]
    log.drop("cancelled or voided order", list(labels[cancelled]), list(orders.loc[cancelled, "name"]))
    nomail = ~cancelled & orders["email"].isna()
    log.drop(
        "no e-mail (orders.customer_id may not be empty)",
        list(labels[nomail]),
        list(orders.loc[nomail, "name"]),
    )
    kept = _currency(orders[~cancelled & ~nomail].copy(), options, paths, log)
    kept["customer_id"] = customer_ids(kept["email"], salt)
    kept["gross_revenue"] = kept["subtotal"]
    kept["revenue"] = _revenue(kept, log)
    kept["gross_revenue"] = kept["gross_revenue"].where(
        kept["revenue"] <= kept["gross_revenue"], kept["revenue"]
    )
    kept["gross_margin"] = _gross_margin(kept, lines, rate, options, log)
    log.notes.append(f"customers keyed by a salted SHA-256 of the e-mail; acquisition_channel "
                     f"'{ACQUISITION_CHANNEL}' (not in a shop export)")  # fmt: skip
    out = kept.rename(columns={"name": "order_id"}).sort_values(["timestamp", "order_id"], kind="stable")
    first = out.drop_duplicates("customer_id")
    customers = first[["customer_id", "timestamp", "discount_code"]].rename(
        columns={"timestamp": "acquisition_date"}
    )
    customers = customers.sort_values("customer_id").reset_index(drop=True)
    customers["acquisition_date"] = customers["acquisition_date"].dt.normalize()
    customers = customers.assign(acquisition_channel=ACQUISITION_CHANNEL, referred_by=pd.NA,
                                 currency=log.currency)  # fmt: skip
    customers = _referred(customers, first, salt, options, log)
    customers = _with_known(customers, options.folder, log)
    columns = ["order_id", "customer_id", "timestamp", "revenue", "gross_margin"]
    return {"orders": out[columns].assign(currency=log.currency).reset_index(drop=True),
            "customers": customers[["customer_id", "acquisition_date", "acquisition_channel", "referred_by",
                                    "currency"]]}  # fmt: skip
