"""Spend as the ad tools export it: Meta (English, French), Google Ads, LinkedIn (CSV, UTF-16), TikTok."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..truth import BRAND, CURRENCY
from .layout import money, split_cents, write


def _halves(rows: pd.DataFrame) -> pd.Timestamp:
    """The day that splits a tool's rows into two exports (an earlier one and a later one)."""
    return rows["date"].min() + (rows["date"].max() - rows["date"].min()) / 2


def _meta(spend: pd.DataFrame, out: Path, rng: np.random.Generator) -> list[Path]:
    """Facebook and Instagram: the first half an English workbook (XLSX: days as dates, amounts as
    numbers) with a placement breakdown, one row per placement; the second a French CSV with
    ``;`` and decimal commas."""
    rows = spend[spend["channel"].isin(["facebook", "instagram"])]
    split = _halves(rows)
    first, second = rows[rows["date"] < split], rows[rows["date"] >= split]
    placed = []
    for r in first.itertuples():
        for placement, amount in zip(("Feed", "Stories"), split_cents(r.spend, 2, rng), strict=True):
            placed.append({"Reporting starts": r.date.to_pydatetime(), "Reporting ends": r.date.to_pydatetime(),
                           "Campaign name": r.campaign, "Platform": r.channel, "Placement": placement,
                           "Amount spent (EUR)": amount, "Impressions": int(amount * 180), "Reach": int(amount * 120),
                           "Link clicks": int(amount * 2), "Results": "", "Result indicator": ""})  # fmt: skip
    english = out / "meta_ads_first_en.xlsx"
    pd.DataFrame(placed).to_excel(english, index=False, sheet_name="Raw Data Report")
    french = pd.DataFrame({
        "Début des rapports": second["date"].dt.strftime("%Y-%m-%d"), "Fin des rapports": second["date"].dt.strftime("%Y-%m-%d"),
        "Nom de la campagne": second["campaign"], "Plateforme": second["channel"],
        "Montant dépensé (EUR)": money(second["spend"], decimal=",", thousands=" "),
        "Impressions": money(second["spend"] * 175, decimal=",", thousands=" ").str[:-3],
        "Couverture": (second["spend"] * 110).astype(int),
    })  # fmt: skip
    return [english, write(out / "meta_ads_second_fr.csv", french, sep=";", encoding="utf-8-sig")]


def _google(spend: pd.DataFrame, out: Path, rng: np.random.Generator) -> tuple[Path, int]:
    """YouTube as a Google Ads day report, with removed campaigns' days without cost (dropped)."""
    rows = spend[spend["channel"] == "youtube"]
    removed = rows.sample(n=min(12, len(rows)), random_state=int(rng.integers(1 << 31)))
    frame = pd.concat([
        pd.DataFrame({"Campaign status": "Enabled", "Campaign": rows["campaign"], "Campaign type": "Video",
                      "Day": rows["date"].dt.strftime("%Y-%m-%d"), "Currency code": CURRENCY,
                      "Budget": money(rows["spend"] * 1.5), "Impr.": money(rows["spend"] * 900, thousands=",").str[:-3],
                      "Clicks": (rows["spend"] * 3).astype(int), "CTR": "1.16%",
                      "Cost": money(rows["spend"], thousands=","), "Conversions": " --"}),
        pd.DataFrame({"Campaign status": "Removed", "Campaign": "yo_retired_" + removed["campaign"], "Campaign type": "Video",
                      "Day": removed["date"].dt.strftime("%Y-%m-%d"), "Currency code": CURRENCY, "Budget": " --",
                      "Impr.": "0", "Clicks": 0, "CTR": " --", "Cost": " --", "Conversions": " --"}),
    ]).sort_values(["Day", "Campaign"], kind="stable")  # fmt: skip
    first, last = rows["date"].min(), rows["date"].max()
    cost = money(pd.Series([rows["spend"].sum()]), thousands=",").iloc[0]
    trailer = [["Total: Campaigns", "", "", "", CURRENCY, " --", "", "", "", f'"{cost}"', " --"],
               ["Total: Account", "", "", "", CURRENCY, " --", "", "", "", f'"{cost}"', " --"]]  # fmt: skip
    path = write(out / "google_ads_youtube_day.csv", frame, trailer=trailer,
                  preamble=["Campaign report", f"{first:%B %-d, %Y} - {last:%B %-d, %Y}"])  # fmt: skip
    return path, len(removed)


def _linkedin(spend: pd.DataFrame, out: Path) -> list[Path]:
    """LinkedIn: a CSV for the first half, UTF-16 with tabs for the second."""
    rows = spend[spend["channel"] == "linkedin"]
    split = _halves(rows)
    paths = []
    for name, part, sep, encoding in (("linkedin_first.csv", rows[rows["date"] < split], ",", "utf-8"),
                                      ("linkedin_second.tsv", rows[rows["date"] >= split], "\t", "utf-16")):  # fmt: skip
        if part.empty:
            continue
        frame = pd.DataFrame({
            "Start Date (in UTC)": [f"{d.month}/{d.day}/{d.year}" for d in part["date"]], "Account Name": BRAND,
            "Campaign Group Name": "Always on", "Campaign Name": part["campaign"],
            "Campaign ID": [str(500000000 + sum(map(ord, c)) * 7919 % 99999999) for c in part["campaign"]],
            "Currency": CURRENCY, "Total Spent": money(part["spend"], thousands=",", prefix="€"),
            "Impressions": (part["spend"] * 300).astype(int), "Clicks": (part["spend"] * 2).astype(int),
        })  # fmt: skip
        preamble = ["Campaign Performance Report", f"Report Start: {part['date'].min():%m/%d/%Y}",
                    f"Report End: {part['date'].max():%m/%d/%Y}", "Time Granularity: Daily",
                    f"Account: 508123456 ({BRAND})", ""]  # fmt: skip
        paths.append(write(out / name, frame, sep=sep, encoding=encoding, preamble=preamble))
    return paths


def spend_exports(
    spend: pd.DataFrame, out: Path, folder: Path, rng: np.random.Generator
) -> tuple[dict, list, int]:
    spend = spend.assign(date=pd.to_datetime(spend["date"]))
    files = {"meta-ads": tuple(_meta(spend, out, rng))}
    google, removed = _google(spend, out, rng)
    files["google-ads"] = (google,)
    files["linkedin-ads"] = tuple(_linkedin(spend, out))
    tiktok = spend[spend["channel"] == "tiktok"]
    files["tiktok-ads"] = (write(out / "tiktok_ads.csv", pd.DataFrame({
        "Date": tiktok["date"].dt.strftime("%Y-%m-%d"), "Campaign name": tiktok["campaign"],
        "Cost": tiktok["spend"].map("{:.2f}".format), "Impressions": (tiktok["spend"] * 500).astype(int),
        "Clicks": (tiktok["spend"] * 4).astype(int)})),)  # fmt: skip
    covered = {"facebook", "instagram", "youtube", "linkedin", "tiktok"}
    by_hand = spend[~spend["channel"].isin(covered)]
    folder.mkdir(parents=True, exist_ok=True)
    by_hand.assign(date=by_hand["date"].dt.strftime("%Y-%m-%d")).to_csv(folder / "spend.csv", index=False)
    files["by hand"] = (folder / "spend.csv",)
    commands = [("meta-ads", *map(str, files["meta-ads"])), ("google-ads", str(google)),
                ("linkedin-ads", *map(str, files["linkedin-ads"])),
                ("tiktok-ads", *map(str, files["tiktok-ads"]), "--currency", CURRENCY)]  # fmt: skip
    return files, commands, removed
