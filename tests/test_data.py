"""The data contract: every table loads, and every kind of bad input gets one clear error."""

from __future__ import annotations

from dataclasses import replace as dataclass_replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE
from socialreturns import data
from socialreturns.inputs import InputError


def _edit_csv(path: Path, line: int, old: str, new: str) -> None:
    """Replace text on one line of a CSV file (line 1 is the header)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1], (old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def _one_paragraph(error: InputError) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_sample_loads_with_documented_types():
    tables = data.load_tables(SAMPLE)
    for name in data.TABLES:
        frame = getattr(tables, name)
        assert list(frame.columns[: len(data.SCHEMAS[name])]) == list(data.SCHEMAS[name])
        assert len(frame) > 0
    assert str(tables.orders["timestamp"].dt.tz) == "UTC"
    assert str(tables.spend["date"].dt.tz) == "UTC"
    assert (tables.spend["date"] == tables.spend["date"].dt.normalize()).all()
    assert tables.mentions["is_question"].dtype == "boolean"
    assert tables.mentions["reach"].dtype == "Int64"


def test_csv_and_parquet_give_the_same_table(tmp_path):
    orders = pd.read_csv(SAMPLE / "orders.csv", dtype=str)
    orders.to_parquet(tmp_path / "orders.parquet")
    from_csv = data.load_orders(SAMPLE)
    from_parquet = data.load_orders(tmp_path)
    pd.testing.assert_frame_equal(from_csv, from_parquet)


def test_timestamps_are_converted_to_utc(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order_id,customer_id,timestamp,revenue,gross_margin\n"
        "A,c1,2025-03-01T10:00:00+02:00,10,4\n"
        "B,c1,2025-03-01 10:00:00,10,4\n"
        "C,c1,2025-03-01T10:00:00Z,10,4\n"
    )
    orders = data.load_orders(tmp_path)
    assert list(orders["timestamp"].dt.hour) == [8, 10, 10]
    assert str(orders["timestamp"].dt.tz) == "UTC"


def test_missing_folder_names_the_path(tmp_path):
    with pytest.raises(InputError) as info:
        data.load_orders(tmp_path / "nowhere")
    assert "nowhere" in _one_paragraph(info.value)


def test_missing_table_file_names_what_was_looked_for(tmp_path):
    with pytest.raises(InputError) as info:
        data.load_orders(tmp_path)
    text = _one_paragraph(info.value)
    assert "orders.csv" in text and "orders.parquet" in text and str(tmp_path) in text


def test_misspelled_column_suggests_the_close_match(sample_copy):
    _edit_csv(sample_copy / "orders.csv", 1, "revenue", "revenu")
    with pytest.raises(InputError) as info:
        data.load_tables(sample_copy)
    error = info.value
    assert error.file.endswith("orders.csv") and error.column == "revenue"
    text = _one_paragraph(error)
    assert "Did you mean 'revenu'?" in text and "column_map" in text


def test_missing_column_without_close_match(tmp_path):
    (tmp_path / "spend.csv").write_text("date,channel,campaign,amount_eur\n2025-01-01,fb,x,1\n")
    with pytest.raises(InputError) as info:
        data.load_spend(tmp_path)
    assert info.value.column == "spend"
    assert "Did you mean" not in _one_paragraph(info.value)


def test_column_map_loads_a_users_export(tmp_path):
    orders = pd.read_csv(SAMPLE / "orders.csv", dtype=str).rename(
        columns={"order_id": "Order Number", "revenue": "Total (EUR)"}
    )
    orders.to_csv(tmp_path / "orders.csv", index=False)
    mapped = data.load_orders(tmp_path, column_map={"order_id": "Order Number", "revenue": "Total (EUR)"})
    pd.testing.assert_frame_equal(mapped, data.load_orders(SAMPLE))


def test_column_map_with_unknown_column_names_the_key():
    with pytest.raises(InputError) as info:
        data.load_orders(SAMPLE, column_map={"revenu": "Total"})
    assert info.value.key == "column_map.orders.revenu"
    assert "Did you mean 'revenue'?" in _one_paragraph(info.value)


def test_column_map_file_with_unknown_table(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("order:\n  order_id: Number\n")
    with pytest.raises(InputError) as info:
        data.read_column_map(path)
    assert info.value.key == "order" and "Did you mean 'orders'?" in _one_paragraph(info.value)


def test_column_map_file_with_bad_yaml_gives_the_line(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("orders:\n  order_id: [unclosed\n")
    with pytest.raises(InputError) as info:
        data.read_column_map(path)
    assert "line" in _one_paragraph(info.value) and str(path) in str(info.value)


def test_unparsable_date_names_line_and_value(sample_copy):
    _edit_csv(sample_copy / "orders.csv", 3, "2024-11-01T", "01/11/2024 ")
    with pytest.raises(InputError) as info:
        data.load_orders(sample_copy)
    error = info.value
    assert error.column == "timestamp" and error.rows == ["line 3"]
    text = _one_paragraph(error)
    assert "01/11/2024" in text and "ISO 8601" in text


def test_negative_spend_is_refused(sample_copy):
    path = sample_copy / "spend.csv"
    line2 = path.read_text().splitlines()[1]
    amount = line2.rsplit(",", 1)[1]
    _edit_csv(path, 2, "," + amount, ",-" + amount)
    with pytest.raises(InputError) as info:
        data.load_spend(sample_copy)
    assert info.value.column == "spend" and info.value.rows == ["line 2"]
    assert "negative" in _one_paragraph(info.value)


def test_negative_revenue_is_refused(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order_id,customer_id,timestamp,revenue,gross_margin\nA,c1,2025-03-01,10,4\nB,c1,2025-03-02,-5,-2\n"
    )
    with pytest.raises(InputError) as info:
        data.load_orders(tmp_path)
    assert info.value.column == "revenue" and info.value.rows == ["line 3"]


def test_text_in_a_number_column(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order_id,customer_id,timestamp,revenue,gross_margin\nA,c1,2025-03-01,€10,4\n"
    )
    with pytest.raises(InputError) as info:
        data.load_orders(tmp_path)
    assert info.value.column == "revenue" and "'€10'" in _one_paragraph(info.value)


def test_duplicate_ids_are_refused(sample_copy):
    path = sample_copy / "orders.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines + [lines[5]]))
    with pytest.raises(InputError) as info:
        data.load_orders(sample_copy)
    error = info.value
    assert error.column == "order_id" and "duplicate" in _one_paragraph(error)
    assert error.rows == ["line 6", f"line {len(lines) + 1}"]


def test_orders_of_unknown_customers(sample_copy):
    _edit_csv(sample_copy / "orders.csv", 2, "C0000001", "C9999999")
    with pytest.raises(InputError) as info:
        data.load_tables(sample_copy)
    error = info.value
    assert error.file.endswith("orders.csv") and error.column == "customer_id"
    assert "C9999999" in _one_paragraph(error) and "customers.csv" in str(error)


def test_orders_before_acquisition(tmp_path):
    (tmp_path / "customers.csv").write_text(
        "customer_id,acquisition_date,acquisition_channel,referred_by\nc1,2025-03-05,organic,\n"
    )
    (tmp_path / "orders.csv").write_text(
        "order_id,customer_id,timestamp,revenue,gross_margin\nA,c1,2025-03-01T09:00:00Z,10,4\n"
    )
    with pytest.raises(InputError) as info:
        data.load_tables(tmp_path, tables=("orders", "customers"))
    assert info.value.column == "timestamp" and "acquisition_date" in str(info.value)


@pytest.mark.parametrize("content", ["", "order_id,customer_id,timestamp,revenue,gross_margin\n"])
def test_empty_table(tmp_path, content):
    (tmp_path / "orders.csv").write_text(content)
    with pytest.raises(InputError) as info:
        data.load_orders(tmp_path)
    assert str(tmp_path / "orders.csv") in _one_paragraph(info.value)
    assert "row" in str(info.value)


def test_undecodable_text_gives_the_line(tmp_path):
    body = "customer_id,acquisition_date,acquisition_channel,referred_by\n"
    body += "c1,2025-03-05,organic,\nc2,2025-03-05,caf\xe9,\n"
    (tmp_path / "customers.csv").write_bytes(body.encode("latin-1"))
    with pytest.raises(InputError) as info:
        data.load_customers(tmp_path)
    text = _one_paragraph(info.value)
    assert "UTF-8" in text and info.value.rows == [3]


def test_malformed_csv(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order_id,customer_id,timestamp,revenue,gross_margin\nA,c1,2025-03-01,10,4,9,9\n"
    )
    with pytest.raises(InputError) as info:
        data.load_orders(tmp_path)
    assert "CSV" in _one_paragraph(info.value)


def test_empty_required_cell(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order_id,customer_id,timestamp,revenue,gross_margin\nA,,2025-03-01,10,4\n"
    )
    with pytest.raises(InputError) as info:
        data.load_orders(tmp_path)
    assert info.value.column == "customer_id" and "empty" in _one_paragraph(info.value)


def test_bad_boolean(sample_copy, tmp_path):
    mentions = pd.read_parquet(sample_copy / "mentions.parquet")
    mentions["is_question"] = mentions["is_question"].astype(str)
    mentions.loc[3, "is_question"] = "maybe"
    mentions.to_parquet(tmp_path / "mentions.parquet")
    with pytest.raises(InputError) as info:
        data.load_mentions(tmp_path)
    assert info.value.column == "is_question" and info.value.rows == ["row 3"]


def test_answer_before_question_is_refused(sample_copy, tmp_path):
    mentions = pd.read_parquet(sample_copy / "mentions.parquet")
    answered = mentions.index[mentions["answered_at"].notna()][0]
    mentions.loc[answered, "answered_at"] = mentions.loc[answered, "timestamp"] - pd.Timedelta(hours=1)
    mentions.to_parquet(tmp_path / "mentions.parquet")
    with pytest.raises(InputError) as info:
        data.load_mentions(tmp_path)
    assert info.value.column == "answered_at" and info.value.rows == [f"row {answered}"]


def test_relative_paths_resolve_against_the_repository_root(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert len(data.load_spend("data/sample")) == len(data.load_spend(SAMPLE))


def test_require_brand_names_the_key_the_brand_and_the_brands_found():
    mentions = pd.DataFrame({"brand": ["Lumora", "Brightwell", "Kestrel", "Lumora"]})
    data.require_brand(mentions, "Lumora")
    with pytest.raises(InputError) as info:
        data.require_brand(mentions, "Lumoraa", key="competitors")
    error = info.value
    assert error.key == "competitors"
    text = _one_paragraph(error)
    assert text.startswith("key 'competitors': no mentions of the brand 'Lumoraa'.")
    assert "Expected one of Brightwell, Kestrel, Lumora." in text and "Did you mean 'Lumora'?" in text
    with pytest.raises(InputError) as info:
        data.require_brand(mentions, "Acme")
    assert info.value.key == "brand" and "Did you mean" not in _one_paragraph(info.value)


# --------------------------------------------------------------------------- damaged exports (issue 18)


def _append_csv(path: Path, line: str) -> int:
    """Append one row to a CSV file; returns its line number (the header is line 1)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def test_sample_loads_at_one_timestamp_resolution():
    tables = data.load_tables(SAMPLE)
    for name in data.TABLES:
        for column, col in data.SCHEMAS[name].items():
            if col.kind in ("timestamp", "date"):
                assert getattr(tables, name)[column].dtype == data.TIMESTAMP_DTYPE, (name, column)


def test_a_duplicated_header_is_refused_naming_the_column(sample_copy):
    path = sample_copy / "orders.csv"
    lines = path.read_text().splitlines()
    # a second revenue column, as an export with a repeated field gives: pandas alone would
    # rename it revenue.1 and the analyses would read the wrong one
    path.write_text("\n".join([lines[0] + ",revenue"] + [line + ",0" for line in lines[1:]]) + "\n")
    with pytest.raises(InputError) as info:
        data.load_tables(sample_copy)
    error = info.value
    assert error.file == str(path) and error.column == "revenue"
    assert "appears 2 times (columns 4, 6)" in _one_paragraph(error)


def test_a_column_map_onto_an_existing_column_is_refused(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order_id,customer_id,timestamp,revenue,Total\nA,c1,2025-03-01,10,12\n".replace(
            "revenue,Total", "revenue,gross_margin,Total"
        ).replace("10,12", "10,4,12")
    )
    with pytest.raises(InputError) as info:
        data.load_orders(tmp_path, column_map={"revenue": "Total"})
    assert info.value.column == "revenue" and "appears 2 times" in _one_paragraph(info.value)


@pytest.mark.parametrize(
    ("table", "column", "old", "new"),
    [
        ("orders", "revenue", ",15.59,", ",inf,"),
        ("orders", "gross_margin", ",6.57", ",-inf"),
        ("orders", "revenue", ",15.59,", ",1e300,"),
        ("spend", "spend", ",28.31", ",2e12"),
        ("spend", "spend", ",28.31", ",Infinity"),
    ],
)
def test_infinite_or_absurd_amounts_are_refused(sample_copy, table, column, old, new):
    _edit_csv(sample_copy / f"{table}.csv", 2, old, new)
    with pytest.raises(InputError) as info:
        data.load_tables(sample_copy)
    error = info.value
    assert error.file == str(sample_copy / f"{table}.csv") and error.column == column
    assert error.rows == ["line 2"]
    assert "infinite or larger than 1e+12" in _one_paragraph(error)


def test_an_absurd_count_in_parquet_is_refused(sample_copy, tmp_path):
    mentions = pd.read_parquet(sample_copy / "mentions.parquet")
    mentions["reach"] = mentions["reach"].astype(float)
    mentions.loc[7, "reach"] = float("inf")
    mentions.to_parquet(tmp_path / "mentions.parquet")
    with pytest.raises(InputError) as info:
        data.load_mentions(tmp_path)
    assert info.value.column == "reach" and info.value.rows == ["row 7"]


def test_the_amount_bound_is_documented():
    readme = (SAMPLE.parent / "README.md").read_text()
    assert f"{data.MAX_ABS_NUMBER:.0e}" in readme and "1990" in readme and "2100" in readme


@pytest.mark.parametrize(
    ("table", "column", "old", "new", "line"),
    [
        ("orders", "timestamp", "2024-11-01T05", "2300-11-01T05", 3),
        ("customers", "acquisition_date", "2024-11-01", "1900-01-01", 2),
    ],
)
def test_timestamps_out_of_range_are_refused(sample_copy, table, column, old, new, line):
    _edit_csv(sample_copy / f"{table}.csv", line, old, new)
    with pytest.raises(InputError) as info:  # not pandas' OutOfBoundsDatetime
        data.load_tables(sample_copy)
    error = info.value
    assert error.column == column and error.rows == [f"line {line}"]
    text = _one_paragraph(error)
    assert new[:4] in text and "1990-01-01 to before 2100-01-01" in text


def test_invisible_characters_in_names_are_normalised_and_noted(sample_copy, tmp_path, caplog):
    mentions = pd.read_parquet(sample_copy / "mentions.parquet")
    lumora = mentions.index[mentions["brand"] == "Lumora"][:3]
    mentions.loc[lumora[0], "brand"] = "Lu\u200bmora"  # zero-width space
    mentions.loc[lumora[1], "brand"] = "\ufeffLumora"  # byte-order mark
    mentions.loc[lumora[2], "brand"] = "Ｌｕｍｏｒａ"  # full-width letters
    mentions.to_parquet(tmp_path / "mentions.parquet")
    with caplog.at_level("WARNING", logger="socialreturns.data"):
        loaded = data.load_mentions(tmp_path)
    assert set(loaded["brand"]) == set(data.load_mentions(sample_copy)["brand"])  # no second Lumora
    notes = [r.getMessage() for r in caplog.records if r.name == "socialreturns.data"]
    assert len(notes) == 1 and "column 'brand': 3 value(s) changed" in notes[0]
    assert str(tmp_path / "mentions.parquet") in notes[0]


def test_control_characters_in_a_csv_name_are_stripped(sample_copy, caplog):
    _edit_csv(sample_copy / "spend.csv", 2, "youtube", "you\x07tube")
    with caplog.at_level("WARNING", logger="socialreturns.data"):
        spend = data.load_spend(sample_copy)
    assert spend.loc[0, "channel"] == "youtube"
    assert any("column 'channel': 1 value(s)" in r.getMessage() for r in caplog.records)


def test_free_text_is_kept_as_written(sample_copy, tmp_path, caplog):
    mentions = pd.read_parquet(sample_copy / "mentions.parquet")
    mentions.loc[0, "text"] = "love it \U0001f469\u200d\U0001f4bb\nreally"  # emoji joiner, line break
    mentions.to_parquet(tmp_path / "mentions.parquet")
    with caplog.at_level("WARNING", logger="socialreturns.data"):
        loaded = data.load_mentions(tmp_path)
    assert loaded.loc[0, "text"] == mentions.loc[0, "text"] and not caplog.records


def test_nul_bytes_in_text_are_refused(sample_copy, tmp_path):
    mentions = pd.read_parquet(sample_copy / "mentions.parquet")
    mentions.loc[4, "text"] = "great\x00lamp"
    mentions.to_parquet(tmp_path / "mentions.parquet")
    with pytest.raises(InputError) as info:
        data.load_mentions(tmp_path)
    error = info.value
    assert error.column == "text" and error.rows == ["row 4"]
    assert "NUL byte" in _one_paragraph(error) and "UTF-16" in str(error)


def test_nul_bytes_in_a_csv_name_are_refused(sample_copy):
    _edit_csv(sample_copy / "spend.csv", 3, "youtube", "you\x00tube")
    with pytest.raises(InputError) as info:
        data.load_spend(sample_copy)
    assert info.value.column == "channel" and info.value.rows == ["line 3"]


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolons (;)"), ("\t", "tabs")])
def test_a_csv_with_another_delimiter_names_it(sample_copy, sep, name):
    path = sample_copy / "orders.csv"
    lines = path.read_text().splitlines()[:50]
    # as a European spreadsheet exports: semicolons and decimal commas
    path.write_text("\n".join(line.replace(",", sep).replace(".", ",") for line in lines) + "\n")
    with pytest.raises(InputError) as info:
        data.load_orders(sample_copy)
    text = _one_paragraph(info.value)
    assert info.value.file == str(path) and f"is separated by {name}, not by commas" in text
    assert f"sep={sep!r}" in text


def test_customers_without_orders_are_refused_as_ror_would(sample_copy):
    from socialreturns import ror

    line = _append_csv(sample_copy / "customers.csv", "C9999999,2025-01-01,organic,")
    customers = pd.read_csv(sample_copy / "customers.csv", dtype=str)
    with pytest.raises(InputError):  # the notebook's own check refuses this folder...
        ror.check_customers(customers, data.load_orders(sample_copy))
    with pytest.raises(InputError) as info:  # ...so loading (and `validate`) does too
        data.load_tables(sample_copy)
    error = info.value
    assert error.file == str(sample_copy / "customers.csv") and error.column == "customer_id"
    assert error.rows == [f"line {line}"] and "without any order" in _one_paragraph(error)


def test_spend_outside_the_orders_days_is_refused(sample_copy):
    line = _append_csv(sample_copy / "spend.csv", "2026-12-15,youtube,late_campaign,10.0")
    with pytest.raises(InputError) as info:
        data.load_tables(sample_copy)
    error = info.value
    assert error.file == str(sample_copy / "spend.csv") and error.column == "date"
    assert error.rows == [f"line {line}"] and "2024-11-01 to 2026-10-31" in _one_paragraph(error)


def test_validate_tables_runs_the_cross_table_rules_on_frames():
    tables = data.load_tables(SAMPLE, tables=("orders", "customers"))
    data.validate_tables(tables)
    fewer = dataclass_replace(tables, orders=tables.orders.iloc[1:])  # C0000001's only order
    with pytest.raises(InputError) as info:
        data.validate_tables(fewer)
    assert info.value.column == "customer_id" and info.value.values[:1] == ["C0000001"]


def test_describe_tables_warns_of_dates_after_the_as_of_date():
    tables = data.load_tables(SAMPLE, tables=("spend", "orders"))
    described = data.describe_tables(tables, as_of="2026-10-30").set_index("table")
    assert described.loc["orders", "rows"] == len(tables.orders)
    assert str(described.loc["spend", "first"].date()) == "2024-11-03"
    assert str(described.loc["orders", "last"].date()) == "2026-10-31"
    (warning,) = described.loc["orders", "warnings"]
    late = int((tables.orders["timestamp"] >= pd.Timestamp("2026-10-31", tz="UTC")).sum())
    assert warning.startswith(f"{late} row(s) with timestamp after the as-of date 2026-10-30")
    assert data.describe_tables(tables, as_of="2026-10-31")["warnings"].map(len).sum() == 0


# --------------------------------------------------------------------------- timestamp resolution


def test_parquet_at_microseconds_loads_as_the_csv_does(tmp_path):
    from_csv = data.load_orders(SAMPLE)
    raw = pd.read_csv(SAMPLE / "orders.csv", dtype=str)
    raw["timestamp"] = pd.to_datetime(raw["timestamp"], utc=True).astype("datetime64[us, UTC]")
    raw.to_parquet(tmp_path / "orders.parquet")
    pd.testing.assert_frame_equal(data.load_orders(tmp_path), from_csv)


def test_as_utc_brings_any_resolution_to_one():
    stamps = pd.Series(pd.to_datetime(["2025-03-01T10:00:00Z", "2025-03-02T11:30:00Z"], utc=True))
    for unit in ("s", "ms", "us", "ns"):
        got = data.as_utc(stamps.astype(f"datetime64[{unit}, UTC]"))
        assert got.dtype == data.TIMESTAMP_DTYPE
        pd.testing.assert_series_equal(got, stamps.astype(data.TIMESTAMP_DTYPE))
    naive = data.as_utc(pd.Series(pd.to_datetime(["2025-03-01 10:00"])).astype("datetime64[us]"))
    assert str(naive[0]) == "2025-03-01 10:00:00+00:00"
    with pytest.raises(InputError) as info:
        data.as_utc(pd.Series(pd.to_datetime(["2300-01-01"], utc=True)), column="orders.timestamp")
    assert info.value.column == "orders.timestamp" and info.value.rows == [0]


@pytest.mark.parametrize(("touch_unit", "order_unit"), [("ns", "us"), ("us", "ns"), ("ms", "s")])
def test_journeys_from_frames_of_mixed_resolutions(touch_unit, order_unit):
    from socialreturns import roi

    tables = data.load_tables(SAMPLE, tables=("touchpoints", "orders"))
    expected = roi.build_journeys(tables.touchpoints, tables.orders)
    touch = tables.touchpoints.assign(
        timestamp=tables.touchpoints["timestamp"].astype(f"datetime64[{touch_unit}, UTC]")
    )
    orders = tables.orders.assign(
        timestamp=tables.orders["timestamp"].astype(f"datetime64[{order_unit}, UTC]")
    )
    if "s" in (touch_unit, order_unit):  # whole seconds in the sample: nothing lost by the cast
        assert (orders["timestamp"].astype(data.TIMESTAMP_DTYPE) == tables.orders["timestamp"]).all()
    pd.testing.assert_frame_equal(roi.build_journeys(touch, orders), expected)


@pytest.mark.parametrize("with_missing", [False, True])
def test_is_member_finds_what_isin_finds(with_missing):
    rng = np.random.default_rng(3)
    values = pd.Series(
        [f"C{i:05d}" for i in rng.integers(0, 3_000, 5_000)], dtype="str", index=rng.permutation(5_000)
    )
    of = pd.Series([f"C{i:05d}" for i in rng.integers(0, 3_000, 2_000)], dtype="str")
    if with_missing:
        values.iloc[::7] = None
        of.iloc[::11] = None
    found = data.is_member(values, of)
    pd.testing.assert_series_equal(found, values.isin(of))
    assert 0 < found.sum() < len(values)
    np.testing.assert_array_equal(data.is_member(pd.Index(values), pd.Index(of)), pd.Index(values).isin(of))
