"""The parsed-table cache: a hit equals a fresh load; a changed file, mapping or library, or a
damaged entry, is read from the file again; bad files are never kept."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from socialreturns import data, store
from socialreturns.data import cache, load


@pytest.fixture
def reads(monkeypatch, tmp_path):
    """The cache in a fresh folder, and a list of the files actually parsed."""
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path / "cache"))
    parsed = []
    real = load._read_raw

    def read(path):
        parsed.append(path.name)
        return real(path)

    monkeypatch.setattr(load, "_read_raw", read)
    return parsed


def _fresh(name, source, column_map=None):
    return load._load_file(name, load.find_table(name, source), column_map)


def _entries(tmp_path):
    root = tmp_path / "cache" / cache.DOMAIN
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


@pytest.mark.parametrize("name", ["spend", "mentions"])  # a CSV and a Parquet file
def test_a_hit_is_the_fresh_load_without_parsing_again(reads, sample_copy, name):
    first = data.load_table(name, sample_copy)
    second = data.load_table(name, sample_copy)
    assert reads == [reads[0]]  # parsed once
    pd.testing.assert_frame_equal(second, _fresh(name, sample_copy), check_exact=True)
    assert second.dtypes.astype(str).tolist() == first.dtypes.astype(str).tolist()
    second.iloc[0, 0] = None  # a hit is a copy of its own: changing it changes no later load
    assert data.load_table(name, sample_copy).iloc[0, 0] == first.iloc[0, 0]


def test_a_changed_file_is_read_again(reads, sample_copy):
    before = data.load_spend(sample_copy)
    path = sample_copy / "spend.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head, cells = lines[1].rsplit(",", 1)
    lines[1] = f"{head},{float(cells) + 1000:.2f}\n"
    path.write_text("".join(lines), encoding="utf-8")
    after = data.load_spend(sample_copy)
    assert reads == ["spend.csv", "spend.csv"]
    assert after.loc[0, "spend"] == pytest.approx(before.loc[0, "spend"] + 1000)


def test_the_column_map_and_the_library_are_part_of_the_key(reads, sample_copy, monkeypatch):
    path = sample_copy / "spend.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("spend\n", "cost\n", 1), encoding="utf-8")
    mapped = data.load_spend(sample_copy, column_map={"spend": "cost"})
    assert "spend" in mapped.columns
    with pytest.raises(data.InputError, match="spend"):  # the same file without the mapping: its own error
        data.load_spend(sample_copy)
    monkeypatch.setattr("socialreturns.inputs.library_digest", lambda: "another version")
    data.load_spend(sample_copy, column_map={"spend": "cost"})
    assert reads == ["spend.csv"] * 3


def test_a_bad_file_raises_every_time_and_is_not_kept(reads, sample_copy, tmp_path):
    path = sample_copy / "spend.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",28.31\n", ",-28.31\n", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(data.InputError, match="negative"):
            data.load_spend(sample_copy)
    assert reads == ["spend.csv", "spend.csv"] and _entries(tmp_path) == []


@pytest.mark.parametrize("damage", ["bytes", "dtypes", "key", "missing"])
def test_a_damaged_entry_is_read_again_never_trusted(reads, sample_copy, tmp_path, caplog, damage):
    expected = data.load_spend(sample_copy)
    (entry,) = _entries(tmp_path)
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    if damage == "bytes":  # another table, same file name: its hash no longer matches
        expected.assign(spend=expected["spend"] * 2).to_parquet(entry / "table.parquet")
    elif damage == "dtypes":  # a frame whose hash is recorded but whose types are not the table's
        expected.assign(spend=expected["spend"].astype(str)).to_parquet(entry / "table.parquet")
        meta["sha256"]["table.parquet"] = store.sha256(entry / "table.parquet")
    elif damage == "key":
        meta["key"] = "0" * 64
    else:
        (entry / "table.parquet").unlink()
    (entry / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="socialreturns.store"):
        again = data.load_spend(sample_copy)
    pd.testing.assert_frame_equal(again, expected, check_exact=True)
    assert reads == ["spend.csv", "spend.csv"]
    assert any("not usable" in r.getMessage() for r in caplog.records)
    assert data.load_spend(sample_copy) is not None and reads == ["spend.csv", "spend.csv"]  # replaced: a hit


def test_what_a_load_logs_is_logged_again_on_a_hit(reads, sample_copy, caplog):
    path = sample_copy / "spend.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("youtube", "you\x07tube", 1)
    path.write_text("".join(lines), encoding="utf-8")
    notes = []
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="socialreturns.data"):
            data.load_spend(sample_copy)
        notes.append([r.getMessage() for r in caplog.records if r.name == "socialreturns.data"])
    assert reads == ["spend.csv"]
    assert len(notes[0]) == 1 and "column 'channel': 1 value(s)" in notes[0][0] and notes[1] == notes[0]
    assert str(path) in notes[1][0]


def test_off_means_no_cache(monkeypatch, sample_copy, tmp_path):
    monkeypatch.setenv("SOCIALRETURNS_CACHE", "off")
    calls = []
    real = load._read_raw
    monkeypatch.setattr(load, "_read_raw", lambda path: calls.append(path) or real(path))
    data.load_spend(sample_copy)
    data.load_spend(sample_copy)
    assert len(calls) == 2
