"""The domain classifier: hashed character n-grams against scikit-learn's, training on the
sample's true labels against the lexicon, the choice between them, and the plain-data cache."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from conftest import ROOT, SAMPLE
from socialreturns import sentiment, synth
from socialreturns.inputs import InputError
from socialreturns.sentiment import classifier, model_store
from socialreturns.sentiment.classifier import CharTfidf, Validation, char_ngram_counts

# the callers mask brand names before scoring (sentiment.brands); here a local stand-in
_BRANDS = re.compile(r"(?<![\w@])@\w+|#\w+|\b(?:Lumora|Brightwell|Kestrel|Novalux)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def labelled():
    """4,000 sample mentions with text, masked, scored, with the generator's true labels."""
    mentions = pd.read_parquet(SAMPLE / "mentions.parquet").dropna(subset=["text"]).iloc[:4000]
    mentions = mentions.reset_index(drop=True)
    texts = mentions["text"].str.replace(_BRANDS, "BRAND", regex=True)
    truth = synth.load_truth(SAMPLE).sentiment_labels().reindex(mentions["post_id"]).to_numpy()
    return texts, truth, sentiment.score(texts)


@pytest.fixture(scope="module")
def model(labelled):
    texts, truth, scores = labelled
    return classifier.train(texts.iloc[:500], truth[:500], scores.iloc[:500])


def test_char_ngrams_by_hand():
    # " ab " has 3 bigrams, 2 trigrams and 1 four-gram (no five-gram)
    counts = char_ngram_counts(["AB", "x"])
    assert counts[0].sum() == 6 and counts[0].nnz == 6
    assert counts[1].sum() == 3  # " x", "x ", " x ": n-grams do not run into the next text
    same = char_ngram_counts(["Still  no\trefund", "still no refund"])
    assert (same[0] != same[1]).nnz == 0


def test_char_tfidf_is_scikit_learns_up_to_the_column_order():
    texts = ["still no refund", "no refund yet", "great lamp", "great support, no refund", "lamp is great"]
    ours = CharTfidf().fit(texts).transform(texts).toarray()
    theirs = TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    theirs = theirs.fit_transform([f" {t} " for t in texts]).toarray()
    assert ours.shape == theirs.shape
    for a, b in zip(ours, theirs, strict=True):
        assert np.sort(a) == pytest.approx(np.sort(b), abs=1e-12)
    # texts with no n-gram of the vocabulary, last or in between, are rows of zeros
    empty = CharTfidf().fit(texts).transform(["", "great lamp", "", "qqqq"]).toarray()
    assert (empty[[0, 2, 3]] == 0).all() and np.linalg.norm(empty[1]) == pytest.approx(1.0)


def test_validation_by_hand():
    v = Validation.of(
        ["positive", "positive", "negative", "neutral"], ["positive", "neutral", "negative", "neutral"]
    )
    assert v.n == 4 and v.accuracy == pytest.approx(0.75)
    assert v.rates.loc["positive", "neutral"] == pytest.approx(0.5)
    report = v.report()
    assert (
        report.loc["neutral", "precision"] == pytest.approx(0.5) and report.loc["positive", "recall"] == 0.5
    )


def test_the_model_beats_the_lexicon_on_the_samples_truth(model, labelled, monkeypatch):
    texts, truth, scores = labelled
    table = model.comparison()
    assert table.loc["model", "labels"] == table.loc["lexicon", "labels"] == 500
    assert table.loc["model", "accuracy"] > table.loc["lexicon", "accuracy"] + 0.05
    assert table.loc["model", "accuracy"] > 0.9 and model.better == "model"
    held_out = model.predict(texts.iloc[500:], scores.iloc[500:]).to_numpy()
    # in two processes (tasks of 700 texts here), the same classes
    monkeypatch.setattr(classifier, "_PREDICT_CHUNK", 700)
    assert model.predict(texts, scores, n_jobs=2).equals(model.predict(texts, scores))
    # the fast path (blocks times their coefficients) is scikit-learn's own prediction
    assert np.array_equal(
        held_out, model.pipeline.predict(classifier._frame(texts.iloc[500:], scores.iloc[500:]))
    )
    # the cross-validated accuracy is what the model does on mentions it never saw
    assert (held_out == truth[500:]).mean() == pytest.approx(model.validation.accuracy, abs=0.03)
    assert model.lexicon.accuracy == pytest.approx((scores["label"].to_numpy()[:500] == truth[:500]).mean())


def test_choose_takes_the_better_scorer(model, labelled):
    texts, _, scores = labelled
    none = sentiment.choose(None, texts, scores)
    assert none.scorer == "lexicon" and none.validation is None
    assert (none.labels == scores["label"]).all()
    chosen = sentiment.choose(model, texts, scores)
    assert chosen.scorer == "model" and chosen.validation is model.validation
    assert chosen.note == (f"Validated on 500 labelled mentions: accuracy {model.validation.accuracy:.0%} "
                           "(domain model, cross-validated).")  # fmt: skip
    assert none.note.startswith("Not validated on this data")
    swapped = sentiment.DomainModel(model.pipeline, model.lexicon, model.validation)
    worse = sentiment.choose(swapped, texts, scores)
    assert worse.scorer == "lexicon" and (worse.labels == scores["label"]).all()


@pytest.mark.parametrize(
    ("labels", "text"),
    [
        (["positive", "great"] * 10, "great"),
        (["positive"] * 10 + ["negative"] * 10, "neutral"),
    ],
)
def test_bad_labels_are_named(labels, text):
    scores = sentiment.score(["a text"] * len(labels))
    with pytest.raises(InputError, match=text) as error:
        classifier.train(["a text"] * len(labels), labels, scores)
    assert error.value.key == "labels"


def test_texts_and_scores_must_match():
    with pytest.raises(InputError, match="lexicon"):
        classifier.train(["a", "b"], ["positive", "negative"], sentiment.score(["a"]))


def test_the_cache_keeps_plain_data_and_gives_the_same_model(labelled, tmp_path, monkeypatch, caplog):
    texts, truth, scores = labelled
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path))
    args = (texts.iloc[:300], truth[:300], scores.iloc[:300])
    first = sentiment.shared_model(*args)
    [entry] = (tmp_path / "sentiment").iterdir()
    assert sorted(p.name for p in entry.iterdir()) == ["arrays.npz", "meta.json"]
    np.load(entry / "arrays.npz", allow_pickle=False).close()  # no object arrays, nothing to unpickle
    again = sentiment.shared_model(*args)
    frame = classifier._frame(texts, scores)
    assert np.array_equal(first.pipeline.predict_proba(frame), again.pipeline.predict_proba(frame))
    assert again.validation.matrix.equals(first.validation.matrix) and again.key == first.key == entry.name
    other = model_store.model_key(texts.iloc[:300], np.roll(truth[:300], 1), scores.iloc[:300])
    assert other != first.key
    # a tampered entry is not trusted: retrained and replaced
    meta = json.loads((entry / "meta.json").read_text())
    (entry / "arrays.npz").write_bytes(b"not the arrays")
    with caplog.at_level("WARNING"):
        redone = sentiment.shared_model(*args)
    assert "retraining" in caplog.text and json.loads((entry / "meta.json").read_text()) == meta
    assert np.array_equal(redone.pipeline.predict_proba(frame), first.pipeline.predict_proba(frame))


def test_no_cache_when_off(labelled, tmp_path, monkeypatch):
    texts, truth, scores = labelled
    monkeypatch.setenv("SOCIALRETURNS_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    assert model_store.model_root() is None
    assert sentiment.shared_model(texts.iloc[:100], truth[:100], scores.iloc[:100]).key


def test_a_cached_model_loads_with_the_network_blocked(labelled, tmp_path, monkeypatch):
    texts, truth, scores = labelled
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path))
    trained = sentiment.shared_model(texts.iloc[:300], truth[:300], scores.iloc[:300])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "offline"), str(ROOT / "lib")])}
    env["SOCIALRETURNS_OFFLINE_MARKER"] = str(tmp_path / "marker")
    env["SOCIALRETURNS_OFFLINE_LOG"] = str(log := tmp_path / "blocked.log")
    pd.DataFrame({"text": texts.iloc[:300], "label": truth[:300]}).to_csv(
        tmp_path / "labelled.csv", index=False
    )
    code = (
        "import pandas as pd\n"
        "from socialreturns import sentiment\n"
        "from socialreturns.sentiment import model_store\n"
        "model_store.train = None  # read back, not retrained\n"
        f"f = pd.read_csv({str(tmp_path / 'labelled.csv')!r})\n"
        "s = sentiment.score(f['text'])\n"
        "m = sentiment.shared_model(f['text'], f['label'], s)\n"
        "print(m.key, ''.join(c[0] for c in m.predict(f['text'], s)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    expected = "".join(c[0] for c in trained.predict(texts.iloc[:300], scores.iloc[:300]))
    assert run.stdout.split() == [trained.key, expected]
    assert (tmp_path / "marker").is_file() and not log.exists()


def test_domain_model_trains_on_the_labelled_mentions(labelled, tmp_path, monkeypatch):
    texts, truth, scores = labelled
    monkeypatch.setenv("SOCIALRETURNS_CACHE", str(tmp_path))
    mentions = pd.DataFrame({"post_id": [f"M{i}" for i in range(len(texts))]})
    assert sentiment.domain_model(mentions, texts, scores, None) is None
    # labels of 300 mentions, in another order, and one of a post not in these mentions (ignored)
    order = np.random.default_rng(0).permutation(300)
    labels = pd.Series(truth[order], index=pd.Index([f"M{i}" for i in order], name="post_id"))
    labels["elsewhere"] = "positive"
    model = sentiment.domain_model(mentions, texts, scores, labels)
    direct = sentiment.shared_model(texts.iloc[:300], truth[:300], scores.iloc[:300])
    assert model.validation.n == 300 and model.lexicon.matrix.equals(direct.lexicon.matrix)
    with pytest.raises(InputError, match="no post"):
        sentiment.domain_model(mentions, texts, scores, pd.Series(["positive"], index=["x"]))
