"""No markup from data survives into any report: brand, platform, channel and campaign names and
mention texts that hold HTML are shown as text in every HTML page a batch writes (issue 18)."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
import yaml

from conftest import NOTEBOOKS, SAMPLE
from socialreturns import batch, markup

#: What a hostile export or post puts where a name or a text belongs.
BRAND = "<img src=x onerror=alert('brand')>"
PLATFORM = "<svg onload=alert('platform')>"
CHANNEL = "<script>alert('channel')</script>"
CAMPAIGN = "\"><img src=y onerror=alert('campaign')>"
POST = "</div></td></tr></table><h1>INJECTED</h1>"

#: Markup of ours never holds these: a tag or an event handler found here came from the data.
LIVE = re.compile(
    r"<img src=[xy]\b|<svg\b|<script>alert|<h1>INJECTED|<[a-z]+\b[^<>]*\son(?:error|load)\s*=", re.IGNORECASE
)


def _hostile_sample(folder):
    """A copy of the sample with hostile names and posts (one brand, platform, channel, campaign)."""
    folder.mkdir()
    for path in SAMPLE.iterdir():
        shutil.copy(path, folder / path.name)
    mentions = pd.read_parquet(folder / "mentions.parquet")
    mentions["brand"] = mentions["brand"].replace({"Kestrel": BRAND})
    mentions["platform"] = mentions["platform"].replace({"reddit": PLATFORM})
    negative = mentions["text"].str.contains("refund|broke|worst", case=False, regex=True)
    mentions.loc[negative, "text"] = mentions.loc[negative, "text"] + " " + POST
    mentions.to_parquet(folder / "mentions.parquet", index=False)
    touch = pd.read_parquet(folder / "touchpoints.parquet")
    spend = pd.read_csv(folder / "spend.csv")
    campaign = spend.groupby("campaign")["spend"].sum().idxmax()
    for frame in (touch, spend):
        frame["channel"] = frame["channel"].replace({"pinterest": CHANNEL})
        frame["campaign"] = frame["campaign"].replace({campaign: CAMPAIGN})
    touch.to_parquet(folder / "touchpoints.parquet", index=False)
    spend.to_csv(folder / "spend.csv", index=False)
    customers = pd.read_csv(folder / "customers.csv")
    customers["acquisition_channel"] = customers["acquisition_channel"].replace({"pinterest": CHANNEL})
    customers.to_csv(folder / "customers.csv", index=False)
    return folder


def test_the_markdown_escape_neutralises_markup():
    for hostile in (BRAND, PLATFORM, CHANNEL, CAMPAIGN, POST, "[click](javascript:alert(1))", "a\n# heading"):
        text = markup.escape_markdown(hostile)
        assert "<" not in text and ">" not in text and "\n" not in text
        assert "](" not in text  # no link can form
    assert markup.escape_html(BRAND) == "&lt;img src=x onerror=alert(&#x27;brand&#x27;)&gt;"


@pytest.mark.slow
def test_no_markup_from_data_survives_in_any_report(tmp_path):
    data_dir = _hostile_sample(tmp_path / "hostile")
    small = {"roi": {"n_bootstrap": 20}, "irr_forecast": {"n_bootstrap": 20, "n_sims": 200}}
    runs = [
        {"notebook": p.stem, "parameters": {**({"data_dir": str(data_dir)} if p.stem != "executive_summary" else {}),
                                           **small.get(p.stem, {})}}
        for p in NOTEBOOKS
    ]  # fmt: skip
    spec = tmp_path / "hostile.yaml"
    spec.write_text(yaml.safe_dump({"title": f"Hostile names {BRAND}", "runs": runs}), encoding="utf-8")
    result = batch.run_batch(batch.load_batch(spec), out=tmp_path / "reports", as_of="2026-01-31", workers=2,
                             progress=False)  # fmt: skip
    assert [o.status for o in result.outcomes] == ["ok"] * len(NOTEBOOKS), [o.error for o in result.outcomes]
    pages = sorted(result.folder.glob("*.html"))
    assert len(pages) == 2 * len(NOTEBOOKS) + 1  # each report's business and code views, and the index
    seen = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        live = LIVE.findall(text)
        assert not live, f"{page.name}: live markup from data: {live[:3]}"
        seen |= {name for name, marker in [("brand", "alert(&#x27;brand"), ("channel", "alert(&#x27;channel"),
                                            ("post", "&lt;h1&gt;INJECTED"), ("platform", "alert(&#x27;platform")]
                 if marker in text or marker.replace("&#x27;", "'") in text}  # fmt: skip
    # the hostile names did reach the reports, as text
    assert seen == {"brand", "channel", "post", "platform"}, seen
