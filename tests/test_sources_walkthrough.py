"""The README's "Your own data" walkthrough: exports imported into one folder, the folder
validated, and a batch run on it with ``-p data_dir`` (slow: real notebook runs)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from conftest import ROOT
from socialreturns import cli, data
from socialreturns.notebook import read_records

EXPORTS = ROOT / "tests" / "fixtures" / "exports"


@pytest.mark.slow
def test_exports_imported_then_a_batch_runs_on_the_folder(sample_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOCIALRETURNS_SALT", "pepper")
    folder = sample_copy
    # the sample stands for the tables no fixture covers; its touchpoints as CSV, which imports merge into
    touch = pd.read_parquet(folder / "touchpoints.parquet")
    (folder / "touchpoints.parquet").unlink()
    touch.assign(timestamp=touch["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
        folder / "touchpoints.csv", index=False
    )
    imports = [
        ["meta-ads", str(EXPORTS / "meta_ads_en.xlsx")],
        ["shopify-orders", str(EXPORTS / "shopify_orders.csv"), "--product-costs", str(EXPORTS / "shopify_product_costs.csv"),
         "--referrals", str(EXPORTS / "shopify_referral_codes.csv")],
        ["ga4", str(EXPORTS / "ga4_events.parquet")],  # the folder has orders: purchases are not used
        ["utm-clicks", str(EXPORTS / "utm_clicks.csv")],
    ]  # fmt: skip
    for args in imports:
        assert cli.main(["import", *args, "--out", str(folder)]) == 0
    assert cli.main(["validate", str(folder), "--as-of", "2026-11-30"]) == 0
    log = json.loads((folder / "import_log.json").read_text())
    assert [e["source"] for e in log["imports"]] == ["meta-ads", "shopify-orders", "ga4", "utm-clicks"]
    spec = tmp_path / "mine.yaml"
    spec.write_text(yaml.safe_dump({"title": "mine", "runs": [{"notebook": "data_overview"}]}))
    capsys.readouterr()
    out = tmp_path / "reports"
    status = cli.main(["run", str(spec), "-p", "data_dir", str(folder), "-p", "currency", "EUR", "--out", str(out),
                       "--as-of", "2026-11-30", "--workers", "1"])  # fmt: skip
    assert status == 0, capsys.readouterr()
    executed = next(out.rglob("data_overview*.ipynb"))
    rows = read_records(executed)["rows"]
    for table in ("spend", "touchpoints", "orders", "customers"):
        assert rows[table] == len(data.load_table(table, folder / f"{table}.csv"))


#: Every mentions source's fixture, in the order a user might import them into one folder.
MENTION_IMPORTS = [
    ["reply-threads", str(EXPORTS / "customer_support_threads.csv")],
    ["meltwater", str(EXPORTS / "meltwater_mentions.tsv")],
    ["twitter-archive", str(EXPORTS / "x_archive" / "tweets.js")],
    ["brandwatch", str(EXPORTS / "brandwatch_mentions.csv")],
    ["sprout-social", str(EXPORTS / "sprout_messages.csv")],
]


@pytest.mark.slow
def test_every_mentions_fixture_imported_then_the_listening_reports_run(
    sample_copy, tmp_path, monkeypatch, capsys
):
    """The five mentions sources' fixtures imported into one folder whose other tables are the
    sample's (its own mentions and labels removed); the folder validates, and the sentiment and
    organisation reports run on it and count every mention the imports wrote."""
    monkeypatch.setenv("SOCIALRETURNS_SALT", "pepper")
    folder = sample_copy
    (folder / "mentions.parquet").unlink()
    (folder / "labels.csv").unlink()  # the sample's labels name the sample's posts
    brands = ["--brand", "Lumora=@lumora,12345", "--brand", "Kestrel=@kestrel_audio"]
    for args in MENTION_IMPORTS:
        assert cli.main(["import", *args, *brands, "--out", str(folder)]) == 0, args
    assert cli.main(["validate", str(folder), "--as-of", "2026-11-30"]) == 0
    log = json.loads((folder / "import_log.json").read_text())
    assert [e["source"] for e in log["imports"]] == [a[0] for a in MENTION_IMPORTS]
    mentions = data.load_table("mentions", folder / "mentions.csv")
    assert set(mentions["brand"]) == {"Lumora", "Kestrel"} and len(mentions) >= 15
    spec = tmp_path / "listening.yaml"
    spec.write_text(yaml.safe_dump({"title": "listening", "runs": [{"notebook": "sentiment"},
                                                                   {"notebook": "organisation"}]}))  # fmt: skip
    capsys.readouterr()
    out = tmp_path / "reports"
    status = cli.main(["run", str(spec), "-p", "data_dir", str(folder), "--out", str(out), "--as-of", "2026-11-30",
                       "--workers", "1"])  # fmt: skip
    assert status == 0, capsys.readouterr()
    voice = read_records(next(out.rglob("sentiment*.ipynb")))["mention_share_of_voice"]
    by_brand = mentions["brand"].value_counts(normalize=True)
    assert voice == pytest.approx(by_brand.to_dict(), abs=1e-12)
    assert read_records(next(out.rglob("organisation*.ipynb")))["routed"]
