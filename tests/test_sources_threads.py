"""Mentions from reply threads, the X archive and listening tools: the fixtures' exact mentions
(brands, answered_at and questions worked out by hand from the files), response rates and median
response times per brand by hand, the brands' own posts kept out, the damaged variants' messages."""

from __future__ import annotations

import hashlib
import json
import shutil

import pandas as pd
import pytest

from conftest import ROOT, SAMPLE
from socialreturns import cli, data, sentiment, sources
from socialreturns.inputs import InputError
from socialreturns.sources import threads

EXPORTS = ROOT / "tests" / "fixtures" / "exports"
THREADS = EXPORTS / "customer_support_threads.csv"
ARCHIVE = EXPORTS / "x_archive" / "tweets.js"
SALT = "pepper"
BRANDS = ["Lumora=@lumora", "Kestrel=@kestrel_audio"]


def _import(tmp_path, source, *paths, **kwargs):
    out = tmp_path / "data"
    kwargs = {"salt": SALT, "brands": BRANDS} | kwargs
    return out, sources.import_files(source, [str(p) for p in paths], out, **kwargs)


def _mentions(out):
    return pd.read_csv(out / "mentions.csv", dtype=str, keep_default_na=False).set_index("post_id")


# Worked out by hand from customer_support_threads.csv: the brand each customer post addresses,
# whether it asks (see the texts), and the addressed brand's first reply to it or to the same
# author's follow-up in its thread. 102, 104, 108, 111, 113, 116, 119 are the brands' own; 115
# names no brand.
BY_HAND = {
    "101": ("Lumora", "true", "2025-03-03T09:30:00Z"),  # help request; answered by 102
    "103": ("Lumora", "false", "2025-03-03T11:00:00Z"),  # "done, sent you a DM": a reply, no ask
    "105": ("Lumora", "true", ""),  # never answered
    "106": ("Lumora", "true", "2025-03-04T14:00:00Z"),  # the brand answered its follow-up 107
    "107": ("Lumora", "false", "2025-03-04T14:00:00Z"),
    "109": ("Lumora", "false", ""),  # praise
    "110": ("Kestrel", "true", "2025-03-06T11:00:00Z"),  # 24 h
    "112": ("Kestrel", "true", "2025-03-05T13:45:00Z"),  # 0.75 h
    "114": ("Kestrel", "true", ""),
    "117": ("Lumora", "true", ""),  # no handle: replies to the brand's post 116
    "118": ("Lumora", "true", "2025-03-07T15:00:00Z"),  # problem reported to the brand; 6 h
}


def test_reply_threads_to_mentions_by_hand(tmp_path):
    out, result = _import(tmp_path, "reply-threads", THREADS)
    got = _mentions(out)
    assert {i: (r.brand, r.is_question, r.answered_at) for i, r in got.iterrows()} == BY_HAND
    assert set(got["platform"]) == {"twitter"} and set(got["question_flag"]) == {"detected"}
    log = result.log
    assert (log.rows_read, log.written["mentions"]) == (19, 11)
    assert {d.reason: d.count for d in log.rows_dropped} == {threads.OWN_POSTS: 7, threads.UNADDRESSED: 1}
    assert any("8 question(s) in all" in n and "11 detected" in n for n in log.notes)


def test_response_rates_and_median_response_times_equal_the_hand_computation(tmp_path):
    out, _ = _import(tmp_path, "reply-threads", THREADS)
    mentions = data.load_table("mentions", out / "mentions.csv")
    gap = {b: sentiment.response_gap(mentions, brand=b, freq=None, by_platform=False).iloc[0]
           for b in ("Lumora", "Kestrel")}  # fmt: skip
    # Lumora: questions 101, 105, 106, 117, 118; answered after 0.5 h, 2 h, 6 h -> 3/5, median 2 h.
    assert (gap["Lumora"]["questions"], gap["Lumora"]["answered"]) == (5, 3)
    assert gap["Lumora"]["answered_share"] == pytest.approx(3 / 5)
    assert gap["Lumora"]["median_response_hours"] == pytest.approx(2.0)
    # Kestrel: questions 110, 112, 114; answered after 24 h and 0.75 h -> 2/3, median 12.375 h.
    assert (gap["Kestrel"]["questions"], gap["Kestrel"]["answered"]) == (3, 2)
    assert gap["Kestrel"]["answered_share"] == pytest.approx(2 / 3)
    assert gap["Kestrel"]["median_response_hours"] == pytest.approx((24 + 0.75) / 2)


def test_without_brands_the_outbound_authors_are_the_brands(tmp_path):
    out, result = _import(tmp_path, "reply-threads", THREADS, brands=())
    got = _mentions(out)
    assert got.loc["110", "brand"] == "kestrel_audio" and got.loc["101", "brand"] == "lumora"
    assert result.log.written["mentions"] == 11


def test_authors_are_salted_hashes_and_a_salt_is_required(tmp_path, monkeypatch):
    out, _ = _import(tmp_path, "reply-threads", THREADS)
    got = _mentions(out)
    assert got.loc["101", "author_id"] == "A" + hashlib.sha256(b"pepper\x00501").hexdigest()[:16]
    assert got.loc["103", "author_id"] == got.loc["101", "author_id"]
    monkeypatch.delenv("SOCIALRETURNS_SALT", raising=False)
    with pytest.raises(InputError, match="needs a salt") as err:
        _import(tmp_path, "reply-threads", THREADS, salt=None)
    assert err.value.key == "salt"


def test_float_ids_stop_naming_the_column(tmp_path):
    damaged = tmp_path / "twcs.csv"
    damaged.write_text(THREADS.read_text().replace("\n110,505,", "\n5.70306E+17,505,"))
    with pytest.raises(InputError, match="turned into floating-point numbers") as err:
        _import(tmp_path, "reply-threads", damaged)
    assert err.value.column == "tweet_id" and err.value.rows == ["line 11"]


def test_another_layout_stops_with_the_header_expected(tmp_path):
    with pytest.raises(InputError, match="is not a customer-support reply-thread export") as err:
        _import(tmp_path, "reply-threads", EXPORTS / "shopify_orders.csv")
    assert "in_response_to_tweet_id" in err.value.expected


def test_a_bad_brand_option_is_refused(tmp_path):
    with pytest.raises(InputError, match="does not name a brand and its accounts") as err:
        _import(tmp_path, "reply-threads", THREADS, brands=["Lumora"])
    assert err.value.key == "brand"


def test_imported_threads_validate_beside_the_sample_tables(tmp_path, capsys):
    folder = tmp_path / "folder"
    folder.mkdir()
    for path in SAMPLE.iterdir():
        if path.suffix in (".csv", ".parquet") and path.stem not in ("mentions", "labels"):
            shutil.copy(path, folder / path.name)
    args = ["import", "reply-threads", str(THREADS), "--out", str(folder), "--salt", SALT,
            "--brand", BRANDS[0], "--brand", BRANDS[1]]  # fmt: skip
    assert cli.main(args) == 0
    assert "reply-threads: 19 rows read from 1 file(s), 11 written" in capsys.readouterr().out
    assert cli.main(["validate", str(folder), "--as-of", "2026-11-30"]) == 0
    assert "all tables valid" in capsys.readouterr().out


# --------------------------------------------------------------------------- the X archive


def test_the_brands_archive_answers_mentions_already_in_the_folder(tmp_path):
    out, _ = _import(tmp_path, "meltwater", EXPORTS / "meltwater_mentions.tsv", brands=["Lumora=@lumora,12345",
                     "Kestrel=@kestrel_audio"])  # fmt: skip
    assert _mentions(out).loc["9001", "answered_at"] == ""
    _, result = _import(tmp_path, "twitter-archive", ARCHIVE, brands=["Lumora=@lumora,12345"])
    got = _mentions(out)
    # 9001 was answered by 9101 (09:40) and again by 9104 (next day): the first reply counts
    assert got.loc["9001", "answered_at"] == "2025-03-03T09:40:00Z"
    assert got.loc["9002", "answered_at"] == "2025-03-03T15:00:00Z"
    assert got.loc["9005", "answered_at"] == ""  # Kestrel's mention: not Lumora's to answer
    assert {d.reason: d.count for d in result.log.rows_dropped} == {threads.OWN_POSTS: 4}
    assert len(got) == 4


def test_a_persons_archive_gives_their_mentions_with_counts(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    tweets = json.loads(ARCHIVE.read_text().split("=", 1)[1])
    tweets[0]["tweet"].update(
        full_text="@lumora how do I reset my Glow?", favorite_count="7", retweet_count="2"
    )
    (folder / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps(tweets))
    with pytest.raises(InputError, match="account.js"):  # whose tweets they are is said there
        _import(tmp_path, "twitter-archive", folder / "tweets.js")
    account = [{"account": {"accountId": "777", "username": "dee_p"}}]
    (folder / "account.js").write_text("window.YTD.account.part0 = " + json.dumps(account))
    out, result = _import(tmp_path, "twitter-archive", folder / "tweets.js")
    got = _mentions(out)  # only the first tweet addresses a brand (the others reply to people)
    assert list(got.index) == ["9101"]
    assert tuple(got.loc["9101", ["brand", "likes", "shares", "is_question"]]) == ("Lumora", "7", "2", "true")
    assert got.loc["9101", "author_id"] == "A" + hashlib.sha256(b"pepper\x00777").hexdigest()[:16]
    assert result.log.rows_read == 4 and result.log.dropped == 3


@pytest.mark.parametrize(("text", "message"), [
    ("window.YTD.tweets.part0 = [{\"tweet\": {\"id\": 5.70306e+17, \"created_at\": \"Wed Oct 19 20:07:25 +0000 "
     "2022\", \"full_text\": \"@lumora hi\"}}]", "not a whole id"),
    ("[{\"tweet\": {}}]", "does not start with 'window.YTD"),
    ("window.YTD.tweets.part0 = [{\"tweet\": {\"id_str\": \"1\", \"created_at\": \"2022-10-19\"}}]",
     "cannot be read as times"),
    ("window.YTD.tweets.part0 = [{\"tweet\": {\"id_str\": \"1\", \"created_at\": \"Wed Oct 19 20:07:25 +0000 2022\", "
     "\"favorite_count\": \"1.2K\"}}]", "favorite_count '1.2K'"),
])  # fmt: skip
def test_damaged_archives_stop_with_one_clear_message(tmp_path, text, message):
    path = tmp_path / "tweets.js"
    path.write_text(text)
    shutil.copy(ARCHIVE.with_name("account.js"), tmp_path / "account.js")
    with pytest.raises(InputError, match=message):
        _import(tmp_path, "twitter-archive", path)


# --------------------------------------------------------------------------- listening tools


def test_meltwater_utf16_tabs(tmp_path):
    out, result = _import(tmp_path, "meltwater", EXPORTS / "meltwater_mentions.tsv",
                          brands=["Lumora=@lumora,12345", "Kestrel=@kestrel_audio"])  # fmt: skip
    got = _mentions(out)
    url = "https://www.example-reviews.com/lumora-glow"  # a news hit has no Tweet Id: its URL is its id
    assert sorted(got.index) == ["9001", "9002", "9005", url]
    assert tuple(got.loc["9001", ["brand", "platform", "reach", "is_question"]]) == (
        "Lumora",
        "twitter",
        "1250",
        "true",
    )
    assert tuple(got.loc["9005", ["brand", "timestamp", "is_question"]]) == (
        "Kestrel",
        "2025-03-05T20:45:00Z",
        "true",
    )
    assert (
        got.loc[url, "text"] == "The Lumora Glow is a bedside lamp that..."
    )  # no Hit Sentence: Opening Text
    assert result.log.files[0]["encoding"] == "utf-16" and result.log.files[0]["delimiter"] == "tabs"
    assert {d.reason: d.count for d in result.log.rows_dropped} == {
        threads.OWN_POSTS: 1
    }  # @lumora's own tweet


def test_brandwatch_under_its_report_lines(tmp_path):
    out, result = _import(tmp_path, "brandwatch", EXPORTS / "brandwatch_mentions.csv")
    got = _mentions(out)
    first = "https://twitter.com/ana_k/status/9001"
    assert tuple(got.loc[first, ["brand", "platform", "reach", "comments", "is_question"]]) == (
        "Lumora", "twitter", "900", "1", "true")  # fmt: skip
    assert got.loc["https://www.reddit.com/r/lamps/comments/abc/", "platform"] == "reddit"
    assert result.log.files[0]["header_line"] == 6 and len(got) == 3


def test_sprout_semicolons_cp1252(tmp_path):
    out, result = _import(
        tmp_path, "sprout-social", EXPORTS / "sprout_messages.csv", brands=["Lumora=@lumora"]
    )
    got = _mentions(out)
    assert tuple(got.loc["17890001", ["platform", "timestamp", "reach", "likes", "is_question"]]) == (
        "instagram", "2025-03-05T09:15:00Z", "1240", "3", "true")  # fmt: skip
    assert got.loc["555", "text"] == "Mi lámpara Lumora llegó rota, ¿cómo pido el cambio?"
    assert result.log.files[0]["encoding"] == "cp1252" and "9010" not in got.index  # the brand's own post


def test_a_yaml_profile_and_a_question_flag_from_the_export(tmp_path):
    export = tmp_path / "inbox.csv"
    export.write_text("Post,When,Said,By,Asked\np1,2025-03-01T10:00:00+01:00,@lumora love it,ann,no\n"
                      "p2,2025-03-01T11:00:00Z,@lumora hi,bob,yes\n")  # fmt: skip
    profile = tmp_path / "inbox.yaml"
    profile.write_text("name: inbox\ncolumns:\n  post_id: Post\n  timestamp: When\n  text: Said\n  author: By\n"
                       "  is_question: Asked\nplatform: instagram\n")  # fmt: skip
    out, result = _import(tmp_path, "listening", export, profile=str(profile), brands=["Lumora=@lumora"])
    got = _mentions(out)
    assert [
        tuple(r) for r in got[["timestamp", "platform", "is_question", "question_flag"]].itertuples()
    ] == [
        ("p1", "2025-03-01T09:00:00Z", "instagram", "false", "export"),
        ("p2", "2025-03-01T11:00:00Z", "instagram", "true", "export"),
    ]
    assert any("2 flagged by the export, 0 detected" in n for n in result.log.notes)


def test_a_profile_with_an_unknown_role_or_none_is_refused(tmp_path):
    profile = tmp_path / "bad.yaml"
    profile.write_text(
        "columns:\n  post_id: Post\n  timestamp: When\n  text: Said\n  author: By\n  mood: Feel\n"
    )
    with pytest.raises(InputError, match="names unknown roles: mood") as err:
        _import(tmp_path, "listening", THREADS, profile=str(profile))
    assert err.value.key == "columns.mood"
    with pytest.raises(InputError, match="needs a profile"):
        _import(tmp_path, "listening", THREADS)


def test_list_names_the_mentions_sources(capsys):
    assert cli.main(["import", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("twitter-archive", "reply-threads", "meltwater", "brandwatch", "sprout-social", "listening"):
        assert name in out
    assert "Hit Sentence" in out and "in_response_to_tweet_id" in out


def test_meltwater_float_tweet_ids_stop_naming_the_column(tmp_path):
    damaged = tmp_path / "meltwater.tsv"
    text = (
        (EXPORTS / "meltwater_mentions.tsv").read_text(encoding="utf-16").replace("\t9005\t", "\t9.005E+03\t")
    )
    damaged.write_text(text, encoding="utf-16")
    with pytest.raises(InputError, match="turned into floating-point numbers") as err:
        _import(tmp_path, "meltwater", damaged)
    assert err.value.column == "Tweet Id" and err.value.rows == ["line 6"]


def test_an_answer_before_its_post_is_refused(tmp_path):
    export = tmp_path / "inbox.csv"
    export.write_text("Post,When,Said,By,Replied\np1,2025-03-01 10:00,@lumora hi?,ann,2025-03-01 09:00\n")
    profile = tmp_path / "inbox.yaml"
    profile.write_text("columns: {post_id: Post, timestamp: When, text: Said, author: By, answered_at: Replied}\n"
                       "platform: facebook\n")  # fmt: skip
    with pytest.raises(InputError, match="1 post\\(s\\) answered before they were posted") as err:
        _import(tmp_path, "listening", export, profile=str(profile))
    assert err.value.rows == ["inbox.csv line 2"]


@pytest.mark.parametrize("fmt", ["%d/%m/%Y %H:%M", "ISO 8601"])
def test_local_times_of_a_profile_timezone_across_the_clock_changes(tmp_path, fmt):
    """Found while writing the round trip's inbox export (tests/test_sources_roundtrip.py): an
    inbox in local time without offset has posts in the hour repeated when the clocks go back
    (read as the first, summer time, not refused) and ISO times without offset, which are the
    profile's timezone, not UTC."""
    times = ["27/10/2024 01:30", "27/10/2024 02:30", "31/03/2024 02:30", "01/07/2024 12:00"]
    if fmt == "ISO 8601":
        times = [pd.Timestamp(pd.to_datetime(t, format="%d/%m/%Y %H:%M")).isoformat() for t in times]
    export = tmp_path / "inbox.csv"
    export.write_text(
        "Post,When,Said,By\n" + "".join(f"p{i},{t},@lumora hi,ann\n" for i, t in enumerate(times))
    )
    profile = tmp_path / "inbox.yaml"
    profile.write_text("columns: {post_id: Post, timestamp: When, text: Said, author: By}\nplatform: instagram\n"
                       "timezone: Europe/Berlin\n" + ("time_formats: ['%d/%m/%Y %H:%M']\n" if fmt != "ISO 8601" else ""))  # fmt: skip
    out, _ = _import(tmp_path, "listening", export, profile=str(profile), brands=["Lumora=@lumora"])
    assert list(_mentions(out)["timestamp"]) == [
        "2024-10-26T23:30:00Z",  # 01:30 CEST
        "2024-10-27T00:30:00Z",  # 02:30 happened twice: the first, CEST (the second would be 01:30Z)
        "2024-03-31T01:00:00Z",  # 02:30 never happened (02:00 CET jumped to 03:00 CEST): 03:00 CEST
        "2024-07-01T10:00:00Z",  # 12:00 CEST
    ]
