"""Labels in: the stratified sample to label (`label_sample`, ``socialreturns label-sample``), the
file a spreadsheet opens cleanly, and ``labels.csv`` read back with named errors (`load_labels`)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from conftest import SAMPLE
from socialreturns import cli, data, sentiment
from socialreturns.inputs import InputError


def _mentions(sizes: dict[tuple[str, str], int]) -> tuple[pd.DataFrame, pd.Series]:
    rows, labels = [], []
    for (brand, lexicon), n in sizes.items():
        for i in range(n):
            rows.append(
                {"post_id": f"{brand}{lexicon}{i}", "platform": "x", "brand": brand, "text": f"text {i}"}
            )
            labels.append(lexicon)
    return pd.DataFrame(rows), pd.Series(labels)


def test_the_sample_is_proportional_to_each_stratum():
    # 60 / 30 / 10 mentions, 10 drawn: 6, 3 and 1 (largest remainders)
    mentions, lexicon = _mentions({("A", "positive"): 60, ("A", "negative"): 30, ("B", "neutral"): 10})
    sample = sentiment.label_sample(mentions, lexicon, size=20, seed=1)
    assert sample.groupby("brand").size().to_dict() == {"A": 18, "B": 2}
    assert sample["post_id"].str.contains("Apositive").sum() == 12
    assert sample["post_id"].is_unique and (sample["label"] == "").all()
    assert list(sample.columns) == ["post_id", "platform", "brand", "text", "label"]
    again = sentiment.label_sample(mentions, lexicon, size=20, seed=1)
    assert again.equals(sample)
    assert not sentiment.label_sample(mentions, lexicon, size=20, seed=2).equals(sample)


def test_the_sample_takes_everything_when_there_is_little():
    mentions, lexicon = _mentions({("A", "positive"): 7, ("B", "neutral"): 5})
    assert len(sentiment.label_sample(mentions, lexicon, size=300)) == 12


def test_the_sample_size_is_bounded():
    mentions, lexicon = _mentions({("A", "positive"): 7})
    with pytest.raises(InputError) as error:
        sentiment.label_sample(mentions, lexicon, size=5)
    assert error.value.key == "size"


def test_the_file_opens_cleanly_in_a_spreadsheet(tmp_path):
    sample = pd.DataFrame({"post_id": ["M1", "M2", "M3"], "platform": ["x", "y", "z"], "brand": ["A", "B", "C"],
                           "text": ["=HYPERLINK(\"http://evil\")", "-1 star, 😡", "fine, \"quoted\"\nline"],
                           "label": ["", "", ""]})  # fmt: skip
    path = sentiment.write_label_sample(sample, tmp_path / "to_label.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark: Excel reads UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["post_id", "platform", "brand", "text", "label"]
    assert rows[1][3] == '\'=HYPERLINK("http://evil")' and rows[2][3] == "'-1 star, 😡"
    assert rows[3][3] == 'fine, "quoted"\nline'
    assert all(
        line.startswith(b'"') for line in raw[3:].split(b"\r\n") if line and not line.startswith(b"line")
    )


def test_the_sample_redacts_personal_data():
    mentions = pd.DataFrame({"post_id": ["M1"] * 1, "platform": ["x"], "brand": ["A"],
                             "text": ["@jo_doe mail me at jo.doe@example.com"]})  # fmt: skip
    sample = sentiment.label_sample(mentions, pd.Series(["neutral"]), size=20)
    assert sample.loc[0, "text"] == "@[user] mail me at [email]"


def test_labels_read_back_from_a_filled_sample(tmp_path):
    sample = pd.DataFrame({"post_id": ["M1", "M2", "-3", "M4"], "platform": "x", "brand": "A",
                           "text": "t", "label": ""})  # fmt: skip
    path = sentiment.write_label_sample(sample, tmp_path / "labels.csv")
    text = path.read_text(encoding="utf-8-sig").splitlines()
    text[1] = text[1].replace(',""', ',"  Positive "')
    text[2] = text[2].replace(',""', ',"negative"')
    text[3] = text[3].replace(',""', ',"NEUTRAL"')  # the post id "-3" was written as "'-3"
    path.write_text("\ufeff" + "\r\n".join(text) + "\r\n", encoding="utf-8")
    labels = data.load_labels(tmp_path, mentions=pd.DataFrame({"post_id": ["M1", "M2", "-3", "M4"]}))
    assert labels.to_dict() == {"M1": "positive", "M2": "negative", "-3": "neutral"}  # M4 not labelled yet
    assert labels.index.name == "post_id"


def test_no_labels_file_is_none(tmp_path):
    assert data.load_labels(tmp_path) is None


@pytest.mark.parametrize(
    ("content", "column", "text"),
    [
        ("post_id,label\nM1,positive\nM2,great\n", "label", "3 ('great')"),
        ("post_id,label\nM1,positive\nM1,negative\n", "post_id", "more than once"),
        ("post_id,label\nM1,positive\nM9,negative\n", "post_id", "3 ('M9')"),
        ("post_id,label\nM1,\nM2,\n", "label", "no labelled row"),
        ("post_id,sentiment\nM1,positive\n", "label", "no column 'label'"),
    ],
)
def test_bad_labels_are_named(tmp_path, content, column, text):
    (tmp_path / "labels.csv").write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        data.load_labels(tmp_path, mentions=pd.DataFrame({"post_id": ["M1", "M2"]}))
    assert error.value.column == column and text in str(error.value)


def test_label_sample_command_writes_the_sample(tmp_path, capsys):
    out = tmp_path / "to_label.csv"
    mentions = pd.read_parquet(SAMPLE / "mentions.parquet").iloc[:3000]
    (folder := tmp_path / "data").mkdir()
    mentions.to_parquet(folder / "mentions.parquet")  # a folder holding only mentions
    assert cli.main(["label-sample", str(folder), "--out", str(out), "--size", "120"]) == 0
    sample = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(sample) == 120 and set(sample["post_id"]) <= set(mentions["post_id"])
    assert set(sample["brand"]) == set(mentions["brand"]) and (sample["label"] == "").all()
    assert "120 mentions to label" in capsys.readouterr().out


def test_label_sample_command_refuses_a_bad_size(tmp_path, capsys):
    assert cli.main(["label-sample", str(SAMPLE), "--out", str(tmp_path / "x.csv"), "--size", "3"]) == 2
    assert "size" in capsys.readouterr().err
