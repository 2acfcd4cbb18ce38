"""The organisation's routing: precision and recall per route against known truth, and the rules.

The floors below sit under figures measured on the generator's *held-out* templates
(`socialreturns.synth.routes`, split "heldout", seed 20241117, 4,000 posts), which the phrase
lists were never checked against. Measured at commit time (precision / recall):
care 0.80 / 0.86, complaint 0.81 / 0.99, purchase_intent 0.89 / 0.69, disclosure_missing
1.00 / 1.00, regulated_claim 1.00 / 0.98, product_feedback 0.88 / 0.84, employer 1.00 / 0.99,
crisis 1.00 / 1.00; the competitor of a switching post is named right in 0.94 of the routed
ones (typos in brand names are the misses). On the tuning templates every route reaches
precision 1.00 and recall of at least 0.96, so the held-out gap is the rules' real
generalisation loss.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from socialreturns import organisation, sentiment
from socialreturns.inputs import InputError
from socialreturns.organisation import patterns
from socialreturns.synth import routes as synth_routes
from socialreturns.synth.truth import BRAND, COMPETITORS

BRANDS = {b: [f"@{b.lower()}_help"] for b in (BRAND, *COMPETITORS)}
FLOORS = {  # route: (precision, recall) floors on the held-out set
    "care": (0.75, 0.82), "complaint": (0.77, 0.95), "purchase_intent": (0.85, 0.65),
    "disclosure_missing": (0.97, 0.97), "regulated_claim": (0.95, 0.94), "product_feedback": (0.83, 0.79),
    "employer": (0.95, 0.95), "crisis": (0.99, 0.99),
}  # fmt: skip


@pytest.fixture(scope="module")
def heldout() -> tuple[pd.DataFrame, pd.DataFrame]:
    mentions = synth_routes.labelled_mentions(20241117, 4000, split="heldout")
    routed = organisation.route(mentions, brands=BRANDS, creators=organisation.read_creators(),
                                episodes=synth_routes.crisis_episodes())  # fmt: skip
    return mentions, routed


def _precision_recall(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    hits = int((truth & predicted).sum())
    return hits / max(int(predicted.sum()), 1), hits / max(int(truth.sum()), 1)


@pytest.mark.parametrize("route", organisation.ROUTES)
def test_precision_and_recall_on_heldout_truth(heldout, route):
    mentions, routed = heldout
    truth = mentions[f"true_{route}"].to_numpy()
    assert truth.sum() >= 80, "the held-out set must hold enough examples of every route"
    precision, recall = _precision_recall(truth, routed[route].to_numpy())
    floor_p, floor_r = FLOORS[route]
    assert precision >= floor_p and recall >= floor_r, (route, round(precision, 3), round(recall, 3))


def test_switching_posts_name_the_competitor(heldout):
    mentions, routed = heldout
    switching = (mentions["true_competitor"] != "") & routed["purchase_intent"]
    assert switching.sum() >= 100
    assert (routed.loc[switching, "competitor"] == mentions.loc[switching, "true_competitor"]).mean() >= 0.9
    assert (routed.loc[mentions["true_competitor"] == "", "competitor"] == "").all()


def test_complaints_fixture():
    """A hand-written set in the genre of complaints to brands (tests/fixtures/complaints.csv, 148
    posts, 76 complaints; no real people). Measured: precision 0.94, recall 0.70, F1 0.81."""
    from conftest import ROOT

    fixture = pd.read_csv(ROOT / "tests" / "fixtures" / "complaints.csv")
    assert len(fixture) == 148 and set(fixture["complaint"]) == {0, 1}
    mentions = pd.DataFrame({"post_id": fixture.index.astype(str), "brand": "x", "text": fixture["text"]})
    routed = organisation.route(mentions, brands=["x"])
    precision, recall = _precision_recall(
        fixture["complaint"].to_numpy() == 1, routed["complaint"].to_numpy()
    )
    f1 = 2 * precision * recall / (precision + recall)
    assert precision >= 0.9 and recall >= 0.65 and f1 >= 0.76, (precision, recall, f1)


def _route(texts: list[str], **kwargs) -> pd.DataFrame:
    mentions = pd.DataFrame({"post_id": [f"p{i}" for i in range(len(texts))], "brand": "Lumora", "text": texts,
                             "author_id": kwargs.pop("authors", ["u1"] * len(texts))})  # fmt: skip
    return organisation.route(mentions, brands=kwargs.pop("brands", BRANDS), **kwargs)


def test_guards_keep_negated_and_settled_phrasings_off_every_list():
    routed = _route(["no questions, all good", "I'm not hiring", "the price was fair", "no problems at all",
                     "can't wait for the new lamp", "10/10 would recommend the Glow lamp"])  # fmt: skip
    assert routed["routes"].tolist() == [""] * 6


def test_reasons_name_the_rule_and_the_words():
    routed = _route(["@lumora_help my lamp stopped working", "where can I buy the Glow lamp",
                     "Lumora is hiring in Leeds", "thinking of switching to Kestrel"])  # fmt: skip
    assert routed.loc[0, "complaint_reason"] == "complaint/fault: 'stopped working'"
    assert routed.loc[0, "care_reason"] == "care/problem_addressed: 'stopped working'"
    assert routed.loc[1, "purchase_intent_reason"] == "purchase_intent/where_to_buy: 'where can i buy'"
    assert not routed.loc[1, "care"], "a question to the crowd is not the brand's to answer"
    assert routed.loc[2, "employer_reason"] == "employer/hiring: 'hiring'"
    assert routed.loc[3, "competitor"] == "Kestrel" and routed.loc[3, "routes"] == "purchase_intent"


def test_word_boundaries():
    routed = _route(["an adverse review in the public library", "debugging the bugle", "a pint of hiringtons ale"],
                    authors=["cr_mia"] * 3, creators=organisation.read_creators())  # fmt: skip
    assert routed["disclosure_missing"].all(), "'adverse' and 'public' are not #ad or #pub"
    assert not routed["product_feedback"].any() and not routed["employer"].any()


def test_disclosure_in_the_posts_language():
    texts = ["Meine neue Lampe von Lumora ist so schön und ich liebe sie #ad",
             "Werbung | Meine neue Lampe von Lumora ist so schön und ich liebe sie",
             "Ma nouvelle lampe est dans le salon et je l'adore, collaboration commerciale",
             "Mijn nieuwe lamp staat op het bureau en het is echt fijn #adv",
             "My new lamp is gorgeous, paid partnership with Lumora",
             "My new lamp is gorgeous and I love it"]  # fmt: skip
    creators = organisation.read_creators()
    routed = _route(texts, authors=["cr_jonas"] * 5 + ["u77"], creators=creators)
    assert routed["disclosure_missing"].tolist() == [True, False, False, False, False, False]
    assert "Jonas Berg" in routed.loc[0, "disclosure_missing_reason"]
    assert "language de" in routed.loc[0, "disclosure_missing_reason"]
    scores = sentiment.score(texts, progress=False)
    assert _route(texts, authors=["cr_jonas"] * 6, creators=creators, scores=scores)["disclosure_missing"].tolist() == [
        True, False, False, False, False, True]  # fmt: skip


def test_export_question_flag_and_crisis_window():
    mentions = pd.DataFrame({
        "post_id": ["a", "b", "c", "d"], "brand": ["Lumora", "Lumora", "Lumora", "Kestrel"],
        "text": ["nice lamp", "nice lamp", "nice lamp", "nice lamp"], "is_question": [True, False, False, False],
        "timestamp": pd.to_datetime(["2025-03-09 23:59", "2025-03-10 00:00", "2025-03-16 23:59", "2025-03-12 12:00"], utc=True),
    })  # fmt: skip
    routed = organisation.route(
        mentions, brands=["Lumora", "Kestrel"], episodes=synth_routes.crisis_episodes()
    )
    assert routed["care"].tolist() == [True, False, False, False]
    assert routed.loc[0, "care_reason"] == "care/is_question: flagged by the export"
    assert routed["crisis"].tolist() == [False, True, True, False]
    assert routed.loc[1, "crisis_reason"] == "crisis/episode: Lumora 2025-03-10 to 2025-03-16"


def test_negative_score_is_a_complaint_reason():
    texts = ["this is horrible, the worst", "I hate this, absolutely dreadful and sad"]
    routed = _route(texts, scores=sentiment.score(texts, progress=False))
    assert routed.loc[0, "complaint_reason"].startswith("complaint/service")
    assert routed.loc[1, "complaint_reason"].startswith("complaint/negative_score: compound -0.")


def test_repeated_texts_are_routed_alike():
    texts = ["@lumora_help refund please", "nice", "@lumora_help refund please"]
    routed = _route(texts)
    assert routed.loc[0].drop("post_id").equals(routed.loc[2].drop("post_id"))


def test_trie_matches_like_a_flat_alternation():
    rng = np.random.default_rng(3)
    words = ["re", "refund", "return", "it", "not", "working", "no", "now", "#ad", "ad"]
    phrases = sorted({" ".join(rng.choice(words, rng.integers(1, 3))) for _ in range(30)})
    texts = [" ".join(rng.choice(words + ["x", "y"], 6)) for _ in range(400)]
    trie = patterns.compile_route({"r": phrases}, {})
    flat = re.compile(
        patterns.START
        + "(?:"
        + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
        + ")"
        + patterns.END
    )
    assert [bool(trie.search(t)) for t in texts] == [bool(flat.search(t)) for t in texts]


def test_bad_input_names_what_is_wrong(tmp_path):
    with pytest.raises(InputError, match="column 'text'"):
        organisation.route(pd.DataFrame({"post_id": ["a"], "brand": ["x"]}), brands=["x"])
    with pytest.raises(InputError, match="key 'brands'"):
        _route(["x"], brands="Lumora")
    with pytest.raises(InputError, match="key 'scores'"):
        _route(["x", "y"], scores=sentiment.score(["x"], progress=False))
    bad = tmp_path / "creators.yaml"
    bad.write_text("creators:\n  - name: A\n    brand: Lumora\n    handles: [mia]\n")
    with pytest.raises(InputError, match=r"creators\[0\].handles.*without its @"):
        organisation.read_creators(bad)
    bad.write_text("creator: []\n")
    with pytest.raises(InputError, match="unknown key 'creator'"):
        organisation.read_creators(bad)
    claims = tmp_path / "claims.yaml"
    claims.write_text("categories:\n  health: ['cures {all}']\n")
    with pytest.raises(InputError, match="categories.health.*outside the rule syntax"):
        organisation.read_claims(claims)


def test_shipped_parameter_files_load():
    creators = organisation.read_creators()
    assert {c.brand for c in creators} == {"Lumora"} and len(creators) == 5
    claims = organisation.read_claims()
    assert set(claims.categories) == {"health", "financial"}


def test_generator_has_hard_negatives_and_multi_route_posts():
    mentions = synth_routes.labelled_mentions(5, 2000, split="tuning")
    truth = mentions[[f"true_{r}" for r in synth_routes.ROUTES]]
    assert (truth.sum(axis=1) == 0).mean() > 0.15
    assert (truth.sum(axis=1) >= 2).mean() > 0.05
    tuning = {t for _, t in synth_routes.TEMPLATES["tuning"]}
    assert not tuning & {t for _, t in synth_routes.TEMPLATES["heldout"]}
