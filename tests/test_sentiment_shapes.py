"""Real shapes do not crash the sentiment notebook (issue 15, point 5): a folder holding only
``mentions``, an export of a few days, no reach figures, no customer questions, one brand only,
brand names with spaces and punctuation.

One case runs for real through the project's runner (papermill, a Jupyter kernel); the others
execute the notebook's own code cells in this process, which is the same code without a kernel's
start-up, so that each shape costs a second or two.
"""

from __future__ import annotations

import ast
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest
import yaml

from conftest import NOTEBOOKS, SAMPLE
from socialreturns import batch, sentiment, synth
from socialreturns.batch.runner import Outcome

matplotlib.use("Agg")
NOTEBOOK = next(p for p in NOTEBOOKS if p.stem == "sentiment")
#: Brand names with spaces and punctuation, for the sample's four brands.
PUNCTUATED = {
    "Lumora": "Lumora & Co.",
    "Brightwell": "Ben & Jerry's",
    "Kestrel": "A.B. Co",
    "Bliss": "Blue Sky",
}


def _export(tmp_path: Path, *, days: int = 35, start: str = "2025-09-01", **change: object) -> Path:
    """A folder holding only ``mentions.parquet``: ``days`` days of the sample's mentions from
    ``start``, with the changes asked for (``reach=0``, ``questions=False``, ``brands=[...]``,
    ``rename={...}``, ``labels=500``: a ``labels.csv`` of that many mentions)."""
    mentions = pd.read_parquet(SAMPLE / "mentions.parquet")
    first = pd.Timestamp(start, tz="UTC")
    mentions = mentions[
        (mentions["timestamp"] >= first) & (mentions["timestamp"] < first + pd.Timedelta(days=days))
    ]
    if "reach" in change:
        mentions = mentions.assign(reach=change["reach"])
    if change.get("questions") is False:
        mentions = mentions.assign(is_question=False, answered_at=pd.NaT)
    if "brands" in change:
        mentions = mentions[mentions["brand"].isin(change["brands"])]
    if "rename" in change:
        rename = change["rename"]
        mentions = mentions.assign(brand=mentions["brand"].replace(rename))
        for old, new in rename.items():
            mentions = mentions.assign(text=mentions["text"].str.replace(old, new, regex=False))
    folder = tmp_path / "export"
    folder.mkdir()
    mentions = mentions.reset_index(drop=True)
    mentions.to_parquet(folder / "mentions.parquet", index=False)
    if change.get("labels"):  # a person's labelling round: `label_sample`'s draw, labelled as the truth
        drawn = sentiment.label_sample(mentions, pd.Series("", index=mentions.index), size=change["labels"])
        truth = synth.load_truth(SAMPLE).sentiment_labels()
        sentiment.write_label_sample(drawn.assign(label=drawn["post_id"].map(truth)), folder / "labels.csv")
    return folder


def _run_cells(data_dir: Path, **params: object) -> tuple[dict[str, object], dict[str, object]]:
    """Execute the notebook's code cells here, with its parameters cell and then ``params``; the
    namespace at the end and the figures recorded."""
    import matplotlib.pyplot as plt

    records: dict[str, object] = {}
    namespace: dict[str, object] = {"display": lambda *a, **k: None}
    for cell in nbformat.read(str(NOTEBOOK), as_version=4).cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, str(NOTEBOOK), "exec"), namespace)
        if last is not None:  # what the cell shows, as a kernel would display it
            namespace["_shown"] = eval(compile(ast.Expression(last.value), str(NOTEBOOK), "eval"), namespace)
            if "sentiment.conclusions(" in cell.source:  # the findings, shown first ("In short")
                namespace["_conclusions"] = namespace["_shown"]
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(data_dir=str(data_dir), **params)
        if "record" in namespace and not getattr(namespace["record"], "collects", False):
            collect = lambda figure, value: records.__setitem__(figure.name, value)  # noqa: E731
            collect.collects = True  # type: ignore[attr-defined]
            namespace["record"] = collect
    plt.close("all")
    return namespace, records


def _conclusions(namespace: dict[str, object]) -> str:
    """The notebook's findings: what its cell of `sentiment.conclusions` shows."""
    return namespace["_conclusions"].data


def test_an_export_of_a_few_days(tmp_path):
    namespace, records = _run_cells(_export(tmp_path, days=9))
    assert set(records) == set(sentiment.FIGURES.names())
    assert records["crisis_episodes"].empty
    text = _conclusions(namespace)
    assert "The data cover 9 days: too few to tell a spike" in text and "No spike" not in text
    assert sum(records["mention_share_of_voice"]) == pytest.approx(1.0)


def test_no_reach_figures(tmp_path):
    namespace, records = _run_cells(_export(tmp_path, reach=0))
    assert records["share_of_voice"].isna().all()  # a reach share of nothing is missing, not 0
    assert sum(records["mention_share_of_voice"]) == pytest.approx(1.0)
    assert "no reach figures in the data" in _conclusions(namespace)


def test_no_customer_questions(tmp_path):
    namespace, records = _run_cells(_export(tmp_path, questions=False))
    assert pd.isna(records["answered_share"]) and pd.isna(records["median_response_hours"])
    text = _conclusions(namespace)
    assert "No customer question to Lumora in the data." in text and "Does answering pay" not in text


def test_one_brand_only(tmp_path):
    namespace, records = _run_cells(_export(tmp_path, brands=["Lumora"]))
    assert records["mention_share_of_voice"].to_dict() == {"Lumora": 1.0}
    assert "no competitor in the data to compare with" in _conclusions(namespace)


def test_brand_names_with_spaces_and_punctuation(tmp_path):
    folder = _export(tmp_path, rename=PUNCTUATED)
    namespace, records = _run_cells(
        folder, brand="Lumora & Co.", brand_aliases={"A.B. Co": ["kestrel_audio"]}
    )
    assert set(records["net_sentiment"].index) == set(PUNCTUATED.values())
    # every brand name and handle is masked before scoring: the names are not scored as words
    masked = sentiment.mask(namespace["mentions"]["text"], namespace["names"])
    assert not masked.str.contains("Blue Sky|Ben & Jerry's|A.B. Co|@bluesky", regex=True).any()
    assert "Lumora &amp; Co\\." in _conclusions(namespace)  # escaped for Markdown


def _run_for_real(tmp_path: Path, folder: Path) -> Outcome:
    """The sentiment notebook on ``folder`` (brand "Lumora & Co.") through the project's runner:
    papermill in the project's kernel, as a scheduled batch runs it; its outcome, checked ok."""
    spec = tmp_path / "shapes.yaml"
    run = {"notebook": "sentiment", "parameters": {"data_dir": str(folder), "brand": "Lumora & Co."}}
    spec.write_text(yaml.safe_dump({"title": "real shapes", "runs": [run]}), encoding="utf-8")
    result = batch.run_batch(batch.load_batch(spec), out=tmp_path / "reports", as_of="2026-01-31", workers=1,
                             progress=False)  # fmt: skip
    outcome = result.outcomes[0]
    assert outcome.status == "ok", outcome.error
    return outcome


@pytest.mark.slow
def test_a_mentions_only_export_of_a_few_days_runs_for_real(tmp_path):
    """Through the project's runner, as the issue's real folder: only mentions, nine days, no reach
    figures, brand names with punctuation (the notebook crashed on it with a bare KeyError)."""
    outcome = _run_for_real(tmp_path, _export(tmp_path, days=9, reach=0, rename=PUNCTUATED))
    page = Path(outcome.html).read_text(encoding="utf-8")
    assert "Traceback" not in page and "too few to tell a spike" in page and "no reach figures" in page
    assert set(outcome.records["mention_share_of_voice"]) == set(PUNCTUATED.values())


def _true_net(mentions: pd.DataFrame, english: pd.Series) -> pd.Series:
    """Each brand's net sentiment by the generator's truth, over the English mentions given."""
    truth = mentions.loc[english.to_numpy(), "post_id"].map(synth.load_truth(SAMPLE).sentiment_labels())
    brand = mentions.loc[english.to_numpy(), "brand"]
    return ((truth == "positive").groupby(brand).mean() - (truth == "negative").groupby(brand).mean()).rename(
        "net"
    )


@pytest.mark.slow
def test_a_labelled_mentions_only_export_runs_for_real_with_intervals_and_its_validation(tmp_path):
    """The issue's done-when: a mentions-only folder of a month of real-shaped posts (no reach,
    punctuated brand names) with 500 labels reports per-brand net sentiment with intervals and
    its validation sentence, through the project's runner; each brand's net within 0.1 of the
    truth of the same mentions (measured: within 0.04)."""
    folder = _export(tmp_path, days=30, reach=0, rename=PUNCTUATED, labels=500)
    outcome = _run_for_real(tmp_path, folder)
    assert outcome.records["validation"].startswith("Validated on 500 labelled mentions: accuracy")
    page = Path(outcome.html).read_text(encoding="utf-8")
    assert "net sentiment with its 90% interval. Validated on 500 labelled mentions" in page
    mentions = pd.read_parquet(folder / "mentions.parquet")
    english = sentiment.score(sentiment.mask(mentions["text"], sentiment.aliases(PUNCTUATED.values())))[
        "english"
    ]
    truth = _true_net(mentions, english)
    for brand, net in outcome.records["net_sentiment"].items():
        assert net == pytest.approx(truth[brand], abs=0.1), brand
