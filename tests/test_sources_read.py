"""Reading exports as tools write them: encodings, delimiters, preambles, numbers, dates, ids."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from socialreturns.inputs import InputError
from socialreturns.sources import parse_dates, parse_numbers, read_export, refuse_float_ids
from socialreturns.sources.read import decode, normalise_header


def _has(*names: str):
    wanted = {normalise_header(n) for n in names}
    return lambda cells: wanted <= set(cells)


def _write(tmp_path, text: str, encoding: str = "utf-8", name: str = "export.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


TEXT = 'Report title\nJan 1 - Jan 2\nDay,Campaign,Cost\n2025-01-01,Größe,"1,084.25"\n2025-01-02,B, --\n'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
def test_every_encoding_reads_the_same_cells(tmp_path, encoding):
    path = _write(tmp_path, TEXT, encoding)
    export = read_export(
        path, _has("Day", "Campaign", "Cost"), what="a report", expected="Day, Campaign, Cost"
    )
    assert export.header_line == 3 and export.preamble == ("Report title", "Jan 1 - Jan 2")
    assert list(export.frame.columns) == ["Day", "Campaign", "Cost"]
    assert export.frame["Campaign"].tolist() == ["Größe", "B"]
    assert list(export.frame.index) == [4, 5]  # line numbers in the file
    assert export.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert parse_numbers(export, "Cost").tolist()[0] == 1084.25
    assert np.isnan(parse_numbers(export, "Cost").tolist()[1])


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_found_on_the_header_line(tmp_path, delimiter):
    text = f"Title, with a comma\nDay{delimiter}Campaign{delimiter}Cost\n2025-01-01{delimiter}A{delimiter}5\n"
    export = read_export(
        _write(tmp_path, text), _has("Day", "Campaign", "Cost"), what="a report", expected="x"
    )
    assert export.delimiter == delimiter and export.frame.loc[3, "Cost"] == "5"


def test_blank_lines_keep_true_line_numbers(tmp_path):
    text = "Day,Campaign,Cost\n2025-01-01,A,5\n\n2025-01-02,B,6\n"
    export = read_export(_write(tmp_path, text), _has("Day", "Cost"), what="a report", expected="x")
    assert list(export.frame.index) == [2, 4]


def test_a_file_of_another_tool_names_its_first_line(tmp_path):
    path = _write(tmp_path, "Name,Email,Total\n#1001,a@example.com,5\n")
    with pytest.raises(InputError, match=r"is not a report: none of its first 60 lines .*'Name,Email,Total'"):
        read_export(path, _has("Day", "Cost"), what="a report", expected="Day, Cost")


def test_a_row_longer_than_the_header_is_refused_with_its_line(tmp_path):
    path = _write(tmp_path, "Title\nDay,Cost\n2025-01-01,5\n2025-01-02,1,234\n")
    with pytest.raises(
        InputError, match="is not well-formed: line 4 has 3 cells where the header has 2"
    ) as err:
        read_export(path, _has("Day", "Cost"), what="a report", expected="x")
    assert err.value.file == str(path) and err.value.rows == ["line 4"]


def test_a_column_named_twice_is_refused(tmp_path):
    path = _write(tmp_path, "Day,Cost,Cost\n2025-01-01,5,6\n")
    with pytest.raises(InputError, match="names the column 'Cost' twice in its header .line 1."):
        read_export(path, _has("Day", "Cost"), what="a report", expected="x")


def test_a_zip_that_is_no_workbook_and_binary_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="is a zip file but not an Excel workbook"):
        decode(b"PK\x03\x04rest", tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="NUL byte on line 2"):
        decode(b"a,b\n\x00\x01\x02", tmp_path / "x.csv")


def _column(tmp_path, values, delimiter=","):
    text = f"Day{delimiter}Cost\n" + "".join(f'2025-01-01{delimiter}"{v}"\n' for v in values)
    return read_export(_write(tmp_path, text), _has("Day", "Cost"), what="a report", expected="x")


@pytest.mark.parametrize(
    ("values", "delimiter", "expected"),
    [
        (["795,836", "1,200", "96"], ",", [795836, 1200, 96]),  # Google's quoted thousands
        (["1,084.25", "20.16", "0.00"], ",", [1084.25, 20.16, 0.0]),
        (["$174.03", "$1,205.50", "US$ 3.00"], ",", [174.03, 1205.5, 3.0]),
        (["€1.234,56", "99,5", "0,25"], ";", [1234.56, 99.5, 0.25]),  # a European file
        (["1.234,56", "12,5"], ",", [1234.56, 12.5]),  # decimal comma, whatever the delimiter
        (["1 234,56 €", "1\u202f000,00"], ";", [1234.56, 1000.0]),  # French spaces
        (["1.000", "95.000"], ";", [1000, 95000]),  # thousands dots in a ; file
        (["1.000", "2.5"], ",", [1.0, 2.5]),
        (["1.16%", "8.00%"], ",", [0.0116, 0.08]),
        (["EUR 12.50", "USD 3"], ",", [12.5, 3.0]),
    ],
)
def test_numbers_as_tools_write_them(tmp_path, values, delimiter, expected):
    got = parse_numbers(_column(tmp_path, values, delimiter), "Cost").tolist()
    assert got == pytest.approx(expected)


@pytest.mark.parametrize("missing", [" --", "--", "", "-"])
def test_missing_cells_are_nan(tmp_path, missing):
    assert np.isnan(parse_numbers(_column(tmp_path, ["5", missing]), "Cost").iloc[1])


def test_a_column_mixing_decimal_separators_is_refused(tmp_path):
    with pytest.raises(InputError, match="mix decimal commas and decimal points") as err:
        parse_numbers(_column(tmp_path, ["1,234.50", "1.234,50"]), "Cost")
    assert err.value.column == "Cost"


def test_text_in_a_number_column_names_its_line(tmp_path):
    with pytest.raises(InputError, match="1 value.s. cannot be read as numbers") as err:
        parse_numbers(_column(tmp_path, ["5", "five"]), "Cost")
    assert err.value.rows == ["line 3"] and err.value.values == ["five"]


def test_dates_are_read_one_way_per_column(tmp_path):
    text = "Day,Cost\n1/2/2025,1\n12/31/2025,2\n2025-03-04 00:00:00,3\n"
    export = read_export(_write(tmp_path, text), _has("Day", "Cost"), what="a report", expected="x")
    with pytest.raises(InputError, match="cannot be read as dates.*3/1/2025 .month first. or 2025-03-01"):
        parse_dates(export, "Day", ["%m/%d/%Y", "%Y-%m-%d"])
    export = read_export(_write(tmp_path, text.replace("2025-03-04 00:00:00", "3/4/2025")), _has("Day"),
                         what="a report", expected="x")  # fmt: skip
    days = parse_dates(export, "Day", ["%m/%d/%Y", "%Y-%m-%d"])
    assert days.tolist() == [pd.Timestamp(d, tz="UTC") for d in ("2025-01-02", "2025-12-31", "2025-03-04")]


def test_float_ids_are_refused_naming_the_column(tmp_path):
    text = "Day,Campaign ID,Cost\n2025-01-01,5.70306E+17,1\n2025-01-01,570306123456789012,1\n2025-01-01,5,70306E+17,1\n"
    text = text.replace("5,70306E+17,1", '"5,70306E+17",1')
    export = read_export(_write(tmp_path, text), _has("Day", "Cost"), what="a report", expected="x")
    with pytest.raises(
        InputError, match="2 value.s. are ids a spreadsheet turned into floating-point"
    ) as err:
        refuse_float_ids(export, ["Campaign ID"])
    assert err.value.column == "Campaign ID" and err.value.rows == ["line 2", "line 4"]
