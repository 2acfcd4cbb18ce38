"""The data contract: every table loads, and every kind of bad input gets one clear error."""

from __future__ import annotations

from pathlib import Path

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
