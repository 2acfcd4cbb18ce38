"""Orders and customers as a Shopify orders export, with its referral-code and product-cost tables.

One row per line item, the order's totals on its first row; ``Created at`` in the shop's time
zone with its offset; e-mails in the case the customer typed them that time. Beside the
sample's orders the export holds what a real one does and an import must leave out or keep:
cancelled and voided orders, POS orders without an e-mail, partly refunded orders (the refund taken as the same share of the subtotal as of the
total), and, from the second year, prices including tax.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from socialreturns.sources.shop import customer_ids

from ..truth import CURRENCY
from .layout import write

SHOP_TIMEZONE = "Europe/Berlin"
VAT = 0.19
#: The shop's products: SKU, list price and unit cost (currency). ``LU-000`` is a free sample.
PRODUCTS = pd.DataFrame({
    "sku": [f"LU-{i:03d}" for i in range(13)],
    "name": ["Sample card", "Bulb", "Cable", "Shade", "Clip", "Filter", "Dimmer", "Tip", "Case", "Strap", "Stand",
             "Remote", "Sensor"],
    "price": [0.0, 2.50, 3.00, 3.50, 4.00, 4.50, 5.00, 2.00, 6.00, 3.20, 4.80, 5.50, 2.80],
    "cost_ratio": [0.0, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.25, 0.75, 0.80],
})  # fmt: skip
PRODUCTS["cost"] = (PRODUCTS["price"] * PRODUCTS["cost_ratio"]).round(4)
HEADER = ("Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
          "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,"
          "Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,"
          "Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing City,Billing Country,Shipping Name,"
          "Shipping City,Shipping Country,Notes,Cancelled at,Payment Method,Refunded Amount,Vendor,"
          "Outstanding Balance,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value").split(",")  # fmt: skip


@dataclass(frozen=True)
class ShopExport:
    """The files (two halves of the orders export, the referral codes, the product costs), the ``orders`` and ``customers`` a correct import gives, the sample's
    customer ids to the import's (``ids``) and the extra rows by kind (``counts``)."""

    files: tuple[Path, Path, Path, Path]
    orders: pd.DataFrame
    customers: pd.DataFrame
    ids: pd.Series
    counts: dict[str, int] = field(default_factory=dict)


def _emails(customers: pd.Series) -> pd.Series:
    return customers.str.lower() + "@example.com"


def _lines(goods: pd.Series, cogs: pd.Series) -> pd.DataFrame:
    """Per order the product and quantity whose cost comes closest to ``cogs`` while the line
    items cost at least ``goods`` (the rest is the order's discount)."""
    products = PRODUCTS[PRODUCTS["price"] > 0]
    price = products["price"].to_numpy()[None, :]
    quantity = np.maximum(1, np.ceil(np.round(goods.to_numpy()[:, None] / price, 6)))
    error = np.abs(quantity * products["cost"].to_numpy()[None, :] - cogs.to_numpy()[:, None])
    best = error.argmin(axis=1)
    rows = np.arange(len(goods))
    return pd.DataFrame({"sku": products["sku"].to_numpy()[best], "quantity": quantity[rows, best].astype(int),
                         "price": products["price"].to_numpy()[best], "cost": products["cost"].to_numpy()[best]},
                        index=goods.index)  # fmt: skip


def _extra(orders: pd.DataFrame, rng: np.random.Generator, n: int, kind: str) -> pd.DataFrame:
    """``n`` orders that are not in the sample: copies of drawn orders an hour after them."""
    drawn = orders.sample(n=n, random_state=int(rng.integers(1 << 31))).copy()
    drawn["timestamp"] = drawn["timestamp"] + pd.Timedelta(hours=1)
    return drawn.assign(kind=kind, order_id=[f"X{kind[:3]}{i}" for i in range(n)])


def _amounts(orders: pd.DataFrame, split: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    """Subtotal, shipping, taxes, total and refunds of each order; the revenue and share an import
    computes from them (``data/IMPORT.md``: the refund's share of the total, taken off the subtotal)."""
    out = orders.copy()
    partly = (out["kind"] == "sample") & (rng.random(len(out)) < 0.03)
    share = np.where(partly, rng.uniform(0.1, 0.5, len(out)), 0.0)
    goods = (out["revenue"] / (1 - share)).round(2).where(out["kind"] == "sample", out["revenue"])
    inclusive = (out["timestamp"] >= split).to_numpy()  # the shop switched to prices including tax
    taxes = (goods * VAT).round(2)
    out["subtotal"] = np.where(inclusive, goods + taxes, goods).round(2)
    out["taxes"] = taxes
    out["shipping"] = np.where(goods < 50, 4.90, 0.0)
    out["total"] = (goods + taxes + out["shipping"]).round(2)
    out["refunded"] = np.where(partly, (out["total"] * (1 - out["revenue"] / goods)).round(2), 0.0)
    out.loc[out["kind"] == "refunded", "refunded"] = out["total"]
    out["status"] = np.select([partly, out["kind"] == "refunded", out["kind"] == "voided"],
                              ["partially_refunded", "refunded", "voided"], "paid")  # fmt: skip
    out["goods"] = goods
    net = out["subtotal"] - np.where(inclusive, out["taxes"], 0.0)
    out["share"] = np.where(out["kind"] == "refunded", 1.0, (out["refunded"] / out["total"]).clip(upper=1.0))
    out["revenue_imported"] = (net * (1 - out["share"])).clip(lower=0).round(6)
    return out


def _codes(orders: pd.DataFrame, customers: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """Each order's discount code: the referrer's code on a referred customer's first order
    (in the case the customer typed it), a friend's code on a few later orders, a promotion on
    some others, else none."""
    referrer = customers.set_index("customer_id")["referred_by"].replace("", pd.NA)
    first = ~orders["customer_id"].duplicated() & (orders["kind"] == "sample")
    by = orders["customer_id"].map(referrer).where(first)
    code = ("FRIEND-" + by.str.slice(1)).where(by.notna(), "")
    lower = rng.random(len(code)) < 0.3
    code = code.where(~lower, code.str.lower())
    # a friend's code used again on a later order: a first order's code alone makes a referral
    again = ~first & (orders["kind"] == "sample") & (rng.random(len(code)) < 0.03)
    friends = "FRIEND-" + pd.Series(referrer.dropna().unique(), dtype=object).str.slice(1).to_numpy()
    code = code.where(~again.to_numpy(), rng.choice(friends, len(code)) if len(friends) else code)
    promo = (code == "") & (rng.random(len(code)) < 0.08)
    return code.where(~promo, rng.choice(["WINTER10", "SPRING5", "WELCOME"], len(code)))


def _rows(orders: pd.DataFrame, lines: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The export's rows: the order's line, then a free sample line for some orders."""
    local = orders["timestamp"].dt.tz_convert(SHOP_TIMEZONE).dt.strftime("%Y-%m-%d %H:%M:%S %z")
    email = orders["email"]
    shout = rng.random(len(email)) < 0.2  # the same customer types the address in another case
    email = email.where(~shout, email.str.capitalize().str.replace("example.com", "Example.COM"))
    email = email.where(orders["kind"] != "pos", "")
    first = pd.DataFrame({
        "Name": orders["name"], "Email": email, "Financial Status": orders["status"], "Paid at": local,
        "Fulfillment Status": "fulfilled", "Accepts Marketing": "no", "Currency": CURRENCY,
        **{col: orders[key].map("{:.2f}".format) for col, key in (("Subtotal", "subtotal"), ("Shipping", "shipping"),
                                                                  ("Taxes", "taxes"), ("Total", "total"))},
        "Discount Code": orders["code"],
        "Discount Amount": (lines["quantity"] * lines["price"] - orders["goods"]).clip(lower=0).map("{:.2f}".format),
        "Shipping Method": "Standard", "Created at": local, "Lineitem quantity": lines["quantity"],
        "Lineitem name": lines["sku"].map(PRODUCTS.set_index("sku")["name"]), "Lineitem price": lines["price"].map("{:.2f}".format),
        "Lineitem sku": lines["sku"], "Lineitem requires shipping": "true", "Lineitem taxable": "true",
        "Billing Country": "DE", "Shipping Country": "DE",
        "Cancelled at": local.where(orders["kind"] == "cancelled", ""), "Payment Method": "Shopify Payments",
        "Refunded Amount": orders["refunded"].map("{:.2f}".format), "Vendor": "Lumora", "Outstanding Balance": "0.00",
        "Id": [str(5703065000000 + i) for i in range(len(orders))], "Risk Level": "Low", "Source": "web",
        "Tax 1 Name": "VAT 19%", "Tax 1 Value": orders["taxes"].map("{:.2f}".format),
        "_order": np.arange(len(orders)), "_line": 0,
    })  # fmt: skip
    sample = orders.index[rng.random(len(orders)) < 0.35]
    second = pd.DataFrame({"Name": orders.loc[sample, "name"], "Email": email[sample], "Created at": local[sample],
                           "Lineitem quantity": 1, "Lineitem name": "Sample card", "Lineitem price": "0.00",
                           "Lineitem sku": "LU-000", "Vendor": "Lumora", "_order": first.loc[sample, "_order"], "_line": 1})  # fmt: skip
    rows = pd.concat([first, second]).sort_values(["_order", "_line"], kind="stable")
    rows = rows.drop(columns=["_order", "_line"]).reindex(columns=HEADER).astype(object)
    return rows.where(rows.notna(), "")


def shop_export(orders: pd.DataFrame, customers: pd.DataFrame, out: Path, *, salt: str,
                rng: np.random.Generator) -> ShopExport:  # fmt: skip
    """Write ``shopify_orders_1.csv`` and ``_2.csv`` (the earlier and the later half of the
    orders), ``referral_codes.csv`` and ``products_export.csv``."""
    ids = customer_ids(_emails(customers["customer_id"]).set_axis(customers["customer_id"].to_numpy()), salt)
    sample = orders.sort_values(["timestamp", "order_id"], kind="stable").assign(kind="sample")
    n = max(3, len(sample) // 200)
    extra = [_extra(sample, rng, n, k) for k in ("cancelled", "voided", "pos")]
    stranger = extra[0].head(2).assign(customer_id=["Cnew1", "Cnew2"])  # cancelled, so never customers
    extra[0] = pd.concat([stranger, extra[0].iloc[2:]])
    every = pd.concat([sample, *extra]).sort_values("timestamp", kind="stable").reset_index(drop=True)
    every["name"] = ["#" + str(1001 + i) for i in range(len(every))]
    every["email"] = _emails(every["customer_id"])
    split = every["timestamp"].min() + pd.DateOffset(years=1)
    every = _amounts(every, split, rng)
    every["code"] = _codes(every, customers, rng)
    target = ((every["revenue"] - every["gross_margin"]) * every["goods"] / every["revenue"]).where(
        every["revenue"] > 0, every["goods"] * 0.6
    )
    lines = _lines(every["goods"], target)
    rows = _rows(every, lines, rng)
    # exported month by month: two files, imported one after the other
    half = rows["Name"].map(every.set_index("name")["timestamp"]) >= every["timestamp"].quantile(0.5)
    parts = [write(out / f"shopify_orders_{i}.csv", rows[half == bool(i - 1)]) for i in (1, 2)]
    referrers = customers.loc[customers["referred_by"] != "", "referred_by"].drop_duplicates()
    codes = pd.DataFrame({"Discount Code": "FRIEND-" + referrers.str.slice(1), "Referrer Email": _emails(referrers),
                          "Programme": "friends"})  # fmt: skip
    referrals = write(out / "referral_codes.csv", codes)
    products = PRODUCTS.assign(Handle=PRODUCTS["name"].str.lower(), Title=PRODUCTS["name"]).rename(
        columns={"sku": "Variant SKU", "price": "Variant Price", "cost": "Cost per item"}
    )
    costs = write(out / "products_export.csv", products[["Handle", "Title", "Variant SKU", "Variant Price",
                                                         "Cost per item"]].assign(Status="active"))  # fmt: skip
    kept = every[every["kind"] == "sample"]
    cogs = lines.loc[kept.index, "quantity"] * lines.loc[kept.index, "cost"]
    expected = pd.DataFrame({
        "order_id": kept["name"], "customer_id": kept["customer_id"].map(ids), "timestamp": kept["timestamp"],
        "revenue": kept["revenue_imported"], "gross_margin": (kept["revenue_imported"] - cogs * (1 - kept["share"])).round(6),
        "sample_order_id": kept["order_id"],
    }).reset_index(drop=True)  # fmt: skip
    referred = customers["referred_by"] != ""
    expected_customers = pd.DataFrame({
        "customer_id": customers["customer_id"].map(ids), "acquisition_date": customers["acquisition_date"],
        "acquisition_channel": np.where(referred, "referral", "unknown"),
        "referred_by": customers["referred_by"].map(ids).where(referred),
    })  # fmt: skip
    counts = {f"shopify {k} orders": n for k in ("cancelled", "voided", "pos")}
    counts["shopify line item rows"] = len(rows)
    return ShopExport((*parts, referrals, costs), expected, expected_customers, ids, counts)
