"""Shopify orders importer: the fixture's exact orders and customers (computed by hand from the
file), what is dropped and logged, no e-mail address written, the damaged variants' messages."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import pandas as pd
import pytest

from conftest import ROOT
from socialreturns import cli, data, sources
from socialreturns.inputs import InputError

EXPORTS = ROOT / "tests" / "fixtures" / "exports"
ORDERS = EXPORTS / "shopify_orders.csv"
SALT = "pepper"


def _id(email: str) -> str:
    """The customer id by hand: C + 16 hex digits of SHA-256(salt NUL lower-cased e-mail)."""
    return "C" + hashlib.sha256(f"{SALT}\x00{email}".encode()).hexdigest()[:16]


def _read(folder, table):
    """The table's rows as written: text cells, amounts as floats."""
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    for column in ("revenue", "gross_margin"):
        if column in frame:
            frame[column] = frame[column].astype(float)
    return [tuple(r) for r in frame.itertuples(index=False)]


def _import(tmp_path, *paths, **kwargs):
    out = tmp_path / "data"
    kwargs = {"salt": SALT, "margin_rate": 0.5} | kwargs
    result = sources.import_files("shopify-orders", list(paths or [ORDERS]), out, **kwargs)
    return out, result


def test_orders_and_customers_by_hand(tmp_path):
    out, result = _import(tmp_path)
    ada, bo, dee = _id("ada@example.com"), _id("bo.lind@example.com"), _id("dee@example.com")
    # #1001: Subtotal 59, 12:19:55 -0800 is 20:19:55 UTC. #1002: two line items, 59 + 2 x 10 less the
    # 10.00 code = 69; 23:30 -0800 is the next day in UTC. #1003 (ADA@, the same customer): 100, 31.00
    # refunded of 124.00 = a quarter, so 75; +0100. #1004 voided, #1005 no e-mail: dropped. #1006
    # refunded in full: 0. Margin half the revenue.
    assert _read(out, "orders") == [
        ("#1001", ada, "2025-01-04T20:19:55Z", 59.0, 29.5, "EUR", "shopify-orders"),
        ("#1002", bo, "2025-01-06T07:30:00Z", 69.0, 34.5, "EUR", "shopify-orders"),
        ("#1003", ada, "2025-01-10T08:00:00Z", 75.0, 37.5, "EUR", "shopify-orders"),
        ("#1006", dee, "2025-01-13T02:45:10Z", 0.0, 0.0, "EUR", "shopify-orders"),
    ]
    assert sorted(_read(out, "customers")) == sorted([
        (ada, "2025-01-04", "unknown", "", "EUR", "shopify-orders"),
        (bo, "2025-01-06", "unknown", "", "EUR", "shopify-orders"),
        (dee, "2025-01-13", "unknown", "", "EUR", "shopify-orders"),
    ])  # fmt: skip
    log = result.log
    assert (log.rows_read, log.written, log.currency) == (8, {"orders": 4, "customers": 3}, "EUR")
    reasons = {d.reason: (d.count, d.examples) for d in log.rows_dropped}
    assert reasons == {
        "cancelled or voided order": (1, ["shopify_orders.csv line 7: '#1004'"]),
        "no e-mail (orders.customer_id may not be empty)": (1, ["shopify_orders.csv line 8: '#1005'"]),
    }
    assert any(n.startswith("1 partly refunded order(s)") and "#1003" in n for n in log.notes)
    assert any(n.startswith("1 order(s) refunded in full") and "#1006" in n for n in log.notes)
    assert (
        "Lineitem name" in log.columns_unused[str(ORDERS)] and "Email" not in log.columns_unused[str(ORDERS)]
    )


def test_no_e_mail_address_is_written(tmp_path):
    out, _ = _import(tmp_path)
    written = b"".join(p.read_bytes() for p in out.iterdir())
    assert b"example.com" in ORDERS.read_bytes() and b"@" not in written
    emails = set(re.findall(rb"[\w.]+@example\.com", ORDERS.read_bytes().lower()))
    assert len(emails) == 4  # ada, bo.lind, cy, dee
    for email in emails:
        assert email not in written.lower()
    assert b"bo.lind" not in written.lower() and b"example.com" not in written.lower()


def test_another_salt_gives_other_ids_and_the_environment_salt_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALRETURNS_SALT", "other")
    out, _ = _import(tmp_path, salt=None)
    ids = {r[1] for r in _read(out, "orders")}
    assert "C" + hashlib.sha256(b"other\x00ada@example.com").hexdigest()[:16] in ids
    assert _id("ada@example.com") not in ids


def test_no_salt_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("SOCIALRETURNS_SALT", raising=False)
    with pytest.raises(InputError, match=r"needs a salt.*--salt SECRET or the environment variable "
                       r"SOCIALRETURNS_SALT.*can be reversed by hashing a list of e-mail"):  # fmt: skip
        _import(tmp_path, salt=None)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("rate", "message"), [(None, "needs the gross margin rate"), (1.5, "margin rate of 1.5")]
)
def test_a_margin_rate_is_required_between_0_and_1(tmp_path, rate, message):
    with pytest.raises(InputError, match=message + r".*--margin-rate between 0 and 1"):
        _import(tmp_path, margin_rate=rate)


def test_prices_including_tax_take_the_taxes_off(tmp_path):
    path = tmp_path / "orders.csv"
    text = ORDERS.read_text().splitlines()
    path.write_text(text[0] + "\n" + text[1].replace("4.90,11.21,75.11", "4.90,9.42,63.90") + "\n")
    out, result = _import(tmp_path, path)
    assert _read(out, "orders")[0][3] == 49.58  # 59.00 including 9.42 VAT
    assert any("prices including tax" in n for n in result.log.notes)


def test_a_second_currency_stops(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS.read_text().replace(",EUR,100.00,", ",USD,100.00,"))
    with pytest.raises(InputError, match=r"orders in more than one currency \(EUR, USD; e.g. #1003 in USD\)"):
        _import(tmp_path, path)
    out, _ = _import(tmp_path)
    usd = tmp_path / "usd.csv"
    usd.write_text(ORDERS.read_text().replace(",EUR,", ",USD,").replace("#10", "#20"))
    with pytest.raises(InputError, match=r"holds data in EUR; this import \(usd.csv\) is in USD"):
        sources.import_files("shopify-orders", [usd], out, salt=SALT, margin_rate=0.5)


def test_reimport_replaces_orders(tmp_path):
    out, _ = _import(tmp_path)
    once = _read(out, "orders")
    _, again = _import(tmp_path)
    assert _read(out, "orders") == once and again.log.rows_replaced == 4 + 3


@pytest.mark.parametrize(
    ("path", "column", "message"),
    [(EXPORTS / "meta_ads_en.csv", None,
      r"meta_ads_en.csv: is not a Shopify orders export.*line 1 reads 'Reporting starts,Reporting ends"),
     (EXPORTS / "shopify_orders_float_ids.csv", "Id",
      r"2 value\(s\) are ids a spreadsheet turned into floating-point numbers.*line 2 \('5.70306E\+12'\)")],
)  # fmt: skip
def test_damaged_exports_stop_with_one_clear_message(tmp_path, path, column, message):
    with pytest.raises(InputError, match=message) as err:
        _import(tmp_path, path)
    assert err.value.column == column
    assert not (tmp_path / "data").exists()


def test_unreadable_time_names_the_line(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS.read_text().replace("2025-01-10 09:00:00 +0100", "10/01/2025 9am"))
    with pytest.raises(InputError, match=r"1 value\(s\) cannot be read as times.*line 5.*-0700") as err:
        _import(tmp_path, path)
    assert err.value.column == "Created at"


def test_cli_import_into_the_sample_validates(sample_copy, capsys):
    args = [
        "import",
        "shopify-orders",
        str(ORDERS),
        "--out",
        str(sample_copy),
        "--salt",
        SALT,
        "--margin-rate",
        "0.5",
        "--referrals",
        str(EXPORTS / "shopify_referral_codes.csv"),
    ]
    assert cli.main(args) == 0
    # the referral table is logged among the files (with its SHA-256)
    assert "shopify-orders: 8 rows read from 2 file(s), 4 written" in capsys.readouterr().out
    assert cli.main(["validate", str(sample_copy), "--as-of", "2026-11-30"]) == 0
    assert "all tables valid" in capsys.readouterr().out
    orders = data.load_table("orders", sample_copy)
    assert orders.set_index("order_id").loc["#1003", "revenue"] == 75.0
    customers = data.load_table("customers", sample_copy).set_index("customer_id")
    assert customers.loc[_id("bo.lind@example.com"), "referred_by"] == _id("ada@example.com")
    log = json.loads((sample_copy / "import_log.json").read_text())
    assert log["imports"][0]["tables"] == ["orders", "customers"]


def test_cli_list_names_the_shop_source(capsys):
    assert cli.main(["import", "--list"]) == 0
    out = capsys.readouterr().out
    assert "shopify-orders" in out and "orders, customers" in out and "Lineitem quantity" in out


def test_a_later_import_keeps_the_customers_first_order_and_channel(tmp_path):
    first, later = tmp_path / "january.csv", tmp_path / "february.csv"
    lines = ORDERS.read_text().splitlines()
    first.write_text("\n".join(lines[:2]) + "\n")  # #1001 of ada, 2025-01-04
    later.write_text("\n".join([lines[0], *lines[4:6]]) + "\n")  # #1003 of ADA@, 2025-01-10
    out, _ = _import(tmp_path, first)
    customers = (out / "customers.csv").read_text().replace(",unknown,", ",instagram,")
    (out / "customers.csv").write_text(customers)  # as if set by hand after the first import
    _, result = _import(tmp_path, later)
    assert _read(out, "customers") == [
        (_id("ada@example.com"), "2025-01-04", "instagram", "", "EUR", "shopify-orders")
    ]
    assert [r[0] for r in _read(out, "orders")] == ["#1001", "#1003"]
    assert any("1 customer(s) already in customers.csv keep their earlier" in n for n in result.log.notes)


def _with_code(line: str, code: str) -> str:
    cells = next(csv.reader([line]))
    header = next(csv.reader([ORDERS.read_text().splitlines()[0]]))
    cells[header.index("Discount Code")] = code
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


@pytest.mark.parametrize("order", ["january first", "february first"])
def test_a_referral_code_on_a_later_order_is_no_referral_across_imports(tmp_path, order):
    """Found by the round trip (tests/test_sources_roundtrip.py, the orders imported month by
    month): ada's first order (#1001, January) had no code; her February order used dee's
    referral code. Whichever month is imported first, ada was not referred."""
    lines = ORDERS.read_text().splitlines()
    january, february = tmp_path / "january.csv", tmp_path / "february.csv"
    january.write_text("\n".join(lines[:2]) + "\n")  # #1001 of ada, 2025-01-04
    february.write_text("\n".join([lines[0], _with_code(lines[4], "dee-friend"), lines[5], lines[8]]) + "\n")
    first, second = (january, february) if order == "january first" else (february, january)
    out, _ = _import(tmp_path, first, referrals=REFERRALS)
    _import(tmp_path, second, referrals=REFERRALS)
    ada, dee = _id("ada@example.com"), _id("dee@example.com")
    assert sorted(_read(out, "customers")) == sorted([
        (ada, "2025-01-04", "unknown", "", "EUR", "shopify-orders"),
        (dee, "2025-01-13", "unknown", "", "EUR", "shopify-orders"),
    ])  # fmt: skip


# --------------------------------------------------------------------------- side tables

REFERRALS = EXPORTS / "shopify_referral_codes.csv"
COSTS = EXPORTS / "shopify_product_costs.csv"
FX = EXPORTS / "fx_rates.csv"


def test_referral_codes_set_referred_by(tmp_path):
    out, result = _import(tmp_path, referrals=REFERRALS)
    ada, bo, dee = _id("ada@example.com"), _id("bo.lind@example.com"), _id("dee@example.com")
    # bo's first order (#1002) used WINTER10 (the table writes it in lower case), ada's code
    assert sorted(_read(out, "customers")) == sorted([
        (ada, "2025-01-04", "unknown", "", "EUR", "shopify-orders"),
        (bo, "2025-01-06", "referral", ada, "EUR", "shopify-orders"),
        (dee, "2025-01-13", "unknown", "", "EUR", "shopify-orders"),
    ])  # fmt: skip
    assert any(n.startswith("1 customer(s) referred") for n in result.log.notes)
    assert "ada@example.com" not in (out / "customers.csv").read_text()
    assert (
        cli.main(["validate", str(out), "--as-of", "2026-11-30"]) == 2
    )  # the other three tables are missing


def test_a_referrer_who_is_not_a_customer_is_left_out(tmp_path):
    table = tmp_path / "codes.csv"
    table.write_text("code,referrer_email\nWINTER10,cy@example.com\n")  # cy's only order was voided
    out, result = _import(tmp_path, referrals=table)
    assert all(r[3] == "" for r in _read(out, "customers"))
    assert any(n.startswith("1 referral code use(s) left out") for n in result.log.notes)


def test_product_costs_give_the_gross_margin(tmp_path):
    out, result = _import(tmp_path, margin_rate=None, product_costs=COSTS)
    # #1001: 59 - 21.50. #1002: 69 - (21.50 + 2 x 3.25). #1003: 75 - (30 + 2 x 3.25) x 3/4 (a quarter
    # refunded) = 47.625. #1006: refunded in full, 0 - 3 x 3.25 x 0.
    assert [(r[0], r[3], r[4]) for r in _read(out, "orders")] == [
        ("#1001", 59.0, 37.5), ("#1002", 69.0, 41.0), ("#1003", 75.0, 47.625), ("#1006", 0.0, 0.0),
    ]  # fmt: skip
    notes = result.log.notes
    assert any("unit costs of shopify_product_costs.csv" in n for n in notes)
    assert any("1 row(s) of shopify_product_costs.csv without a SKU or cost" in n for n in notes)


def test_a_sku_without_a_cost_stops_or_falls_back_to_the_rate(tmp_path):
    table = tmp_path / "costs.csv"
    table.write_text("sku,unit_cost\nGL-01,21.50\nDL-03,30\n")
    with pytest.raises(InputError, match=r"no unit cost for the SKU\(s\) BP-02.*shopify_orders.csv line 4"):
        _import(tmp_path, margin_rate=None, product_costs=table)
    out, result = _import(tmp_path, margin_rate=0.5, product_costs=table)
    assert [(r[0], r[4]) for r in _read(out, "orders")] == [
        ("#1001", 37.5),
        ("#1002", 34.5),
        ("#1003", 37.5),
        ("#1006", 0.0),
    ]
    assert any("3 order(s) with SKUs without a cost by --margin-rate 0.5" in n for n in result.log.notes)


def test_neither_rate_nor_costs_is_refused(tmp_path):
    with pytest.raises(InputError, match="needs the gross margin rate or a product cost table") as err:
        _import(tmp_path, margin_rate=None)
    assert err.value.key == "margin_rate"


def _usd_orders(tmp_path):
    lines = ORDERS.read_text().splitlines()
    usd = [ln.replace("#100", "#200").replace(",EUR,", ",USD,") for ln in lines[1:4]]
    path = tmp_path / "us_store.csv"
    path.write_text("\n".join([lines[0], *usd]) + "\n")
    return path


def test_a_second_currency_is_converted_with_an_fx_table(tmp_path):
    out, result = _import(tmp_path, ORDERS, _usd_orders(tmp_path), fx=FX)
    orders = {r[0]: r for r in _read(out, "orders")}
    # #2001: 2025-01-04 UTC, the latest rate before is 2025-01-03's 0.95: 59 x 0.95. #2002: 2025-01-06
    # 07:30 UTC, that day's 0.96: 69 x 0.96. EUR orders unchanged.
    assert orders["#2001"][3:6] == (pytest.approx(56.05), pytest.approx(28.025), "EUR")
    assert orders["#2002"][3:6] == (pytest.approx(66.24), pytest.approx(33.12), "EUR")
    assert orders["#1001"][3] == 59.0 and result.log.currency == "EUR"
    assert any(n.startswith("2 order(s) in USD converted to EUR") for n in result.log.notes)


def test_a_currency_without_a_rate_stops(tmp_path):
    rates = tmp_path / "fx.csv"
    rates.write_text("date,currency,rate\n2025-01-05,USD,0.95\n")  # after #2001's day
    with pytest.raises(InputError, match=r"no rate for USD on or before 2025-01-04 \(order #2001") as err:
        _import(tmp_path, ORDERS, _usd_orders(tmp_path), fx=rates)
    assert err.value.key == "fx"
    rates.write_text("date,currency,rate\n2025-01-05,USD,0\n")
    with pytest.raises(InputError, match="rates that are missing, zero or negative"):
        _import(tmp_path, ORDERS, _usd_orders(tmp_path), fx=rates)
