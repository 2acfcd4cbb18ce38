"""The organisation notebook's `Parameters`, its record contract `FIGURES`, the as-of moment,
the finance section (read from the batch's manifest) and the closing paragraph."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from socialreturns.data import as_utc
from socialreturns.inputs import InputError
from socialreturns.markup import escape_markdown as md
from socialreturns.notebook import Figure, Figures
from socialreturns.parameters import NotebookParameters, check_data_dir, check_iso_date, check_rules, param

from .lists import CLAIMS_FILE, CREATORS_FILE, Creator

#: The figures the organisation notebook records (its record contract; `socialreturns.summary` reads some).
FIGURES = Figures(
    "organisation",
    Figure("as_of", "the moment the lists are taken (UTC, ISO 8601)", "text"),
    Figure("routed", "mentions per route, whole data up to the as-of moment", "count", per="route"),
    Figure(
        "care_open_questions", "questions flagged by the export, open, posted in the care window", "count"
    ),
    Figure("care_open_breached", "of those, open longer than the SLA", "count"),
    Figure("care_open_routed", "other open posts routed to care by their words, in the care window", "count"),
    Figure("care_summary", "answer rate and time this period against the previous one", "table"),
    Figure("crisis_live", "a crisis episode is going on at the as-of moment", "flag"),
    Figure("crisis_status", "the crisis status at the as-of moment, as a sentence", "text"),
    Figure("sales_leads", "purchase-intent posts of the last period", "count"),
    Figure(
        "legal_review",
        "posts for legal review (undisclosed sponsored posts, regulated claims)",
        "count",
        per="route",
    ),  # fmt: skip
    Figure("product_themes", "themes of feature requests and bug reports", "table"),
    Figure("employer_net_sentiment", "net sentiment of the brand's employer posts, whole data", "fraction"),
    Figure("advocates", "positive mentions with the widest reach in the last period", "count"),
)


@dataclass(frozen=True)
class Parameters(NotebookParameters):
    """Parameters of the organisation notebook: the same names, types and defaults as its
    parameters cell, which documents each one (meaning and unit)."""

    notebook: ClassVar[str] = "organisation"

    data_dir: str = "data/sample"
    brand: str = "Lumora"
    brand_aliases: dict[str, list[str]] = param({}, expected="brand names mapped to lists of aliases "
                                                "(other handles, spellings)")  # fmt: skip
    as_of: str = ""
    manifest: str = ""
    creators_file: str = CREATORS_FILE
    claims_file: str = CLAIMS_FILE
    sla_hours: float = param(
        24.0, expected="a positive number of hours, at most 8,760 (a year)", gt=0, le=8760
    )
    care_window_days: float = param(30.0, expected="1 to 3,650 days", ge=1, le=3650)
    period_days: float = param(30.0, expected="1 to 3,650 days", ge=1, le=3650)
    quiet_days: float = param(14.0, expected="1 to 365 days", ge=1, le=365)
    spike_sensitivity: float = param(3.5, expected="1 to 20 robust standard deviations", ge=1, le=20)
    n_themes: int = param(6, expected="2 to 50 themes", ge=2, le=50)
    trend_days: float = param(90.0, expected="7 to 730 days", ge=7, le=730)
    hr_freq: str = param("Q", expected="'M' (months) or 'Q' (quarters)", choices=("M", "Q"))
    rows: int = param(15, expected="1 to 1,000 rows per list", ge=1, le=1000)

    def check(self) -> None:
        """The as-of date is an ISO date; the data folder exists."""
        check_iso_date("as_of", self.as_of)
        check_rules(self, [("brand", bool(self.brand.strip()), "the brand's name as in mentions.brand")])
        check_data_dir(self.data_dir)

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """The mentions, and the customers table (ROR data) when the data folder holds one."""
        from socialreturns import data

        mentions = data.load_tables(self.data_dir, tables=("mentions",)).mentions
        try:
            data.find_table("customers", self.data_dir)
        except InputError:
            return mentions, None
        return mentions, data.load_table("customers", self.data_dir)

    def brands(self, mentions: pd.DataFrame) -> list[str]:
        """Our brand first, then every other brand of ``mentions``."""
        return [
            self.brand,
            *sorted(b for b in mentions["brand"].dropna().astype(str).unique() if b != self.brand),
        ]

    def as_of_time(self, mentions: pd.DataFrame) -> pd.Timestamp:
        """The moment the lists are taken (UTC): the end of the ``as_of`` day, but never after the
        data's last mention (a report run after the data ends shows the lists as the data left
        them); the last mention when ``as_of`` is empty."""
        last = as_utc(mentions["timestamp"], column="timestamp").max()
        if pd.isna(last):
            raise InputError("mentions has no timestamp", column="timestamp", expected="at least one mention")
        if not self.as_of:
            return last
        day_end = pd.Timestamp(self.as_of, tz="UTC") + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        return min(day_end, last)

    def keep_handles(self, names: dict[str, list[str]], creators: tuple[Creator, ...]) -> frozenset[str]:
        """The handles lists keep: the brands' own (`sentiment.brand_handles`) and the paid creators'
        (public accounts paid to post); every other @handle is a private person's and redacted."""
        from socialreturns.sentiment import brand_handles

        return brand_handles(names) | {h.lower() for c in creators for h in c.handles}


def describe_as_of(as_of: pd.Timestamp, params: Parameters) -> str:
    """The opening sentence: when the lists are taken, and why when not at the report date's end."""
    said = f"Lists as of **{as_of:%Y-%m-%d %H:%M} UTC**"
    if params.as_of and as_of < pd.Timestamp(params.as_of, tz="UTC") + pd.Timedelta(hours=23, minutes=59):
        said += f", the data's last mention (the report date {params.as_of} is later)"
    return said + "."


def score_brand(mentions: pd.DataFrame, *, brand: str, aliases: dict[str, list[str]],
                as_of: pd.Timestamp, labels: pd.Series | None = None) -> pd.DataFrame:  # fmt: skip
    """The sentiment report's classes of ``brand``'s mentions up to ``as_of`` (UTC): every mention
    classed by `sentiment.classify_mentions` (every brand's names masked with ``aliases``, the
    domain model trained on ``labels`` when it measured better than the lexicon; the same function
    and cache entry as the sentiment report and ROR), so a crisis episode counts the same negative
    mentions here as there. Indexed like those rows of ``mentions``; ``label`` is the class used,
    ``lexicon_label`` and ``compound`` the lexicon's."""
    from socialreturns.sentiment import classify_mentions

    scores = classify_mentions(mentions, labels, names=aliases).scores
    rows = (mentions["brand"] == brand).to_numpy() & (
        as_utc(mentions["timestamp"], column="timestamp") <= as_of
    ).to_numpy()
    return scores[rows]


@dataclass(frozen=True)
class Crisis:
    """PR's view at the as-of moment: ``episodes`` (`sentiment.detect_spikes` on the data up to
    then), their distinctive ``words`` (`sentiment.episode_words`) and the ``status``
    (`teams.crisis_status`)."""

    episodes: pd.DataFrame
    words: pd.DataFrame
    status: Any


def crisis_now(mentions: pd.DataFrame, scores: pd.DataFrame, *, brand: str, as_of: pd.Timestamp,
               sensitivity: float = 3.5, quiet_days: float = 14) -> Crisis:  # fmt: skip
    """Crisis episodes of ``brand`` detected on its mentions up to ``as_of`` (what was known then)
    from ``scores`` (`score_brand`), and the status at ``as_of``; the episodes' words
    (`sentiment.episode_words`, the slow part) only when one is live or recent, the status quotes them."""
    from socialreturns.sentiment import detect_spikes, episode_words

    from .teams import crisis_status

    rows = mentions.loc[scores.index]
    episodes = detect_spikes(rows, brand=brand, scores=scores, sensitivity=sensitivity)
    status = crisis_status(episodes, as_of=as_of, quiet_days=quiet_days)
    if status.episode is None or status.sentence.startswith("No crisis episode in the last"):
        return Crisis(episodes, pd.DataFrame(), status)  # no live or recent episode: no words quoted
    words = episode_words(rows, scores, episodes, brand=brand)
    return Crisis(episodes, words, crisis_status(episodes, as_of=as_of, quiet_days=quiet_days, words=words))


def finance_headlines(manifest: str) -> dict[str, Any]:
    """The IRR and ROI reports' headline figures, as the executive summary reads them from the
    batch's manifest (`socialreturns.summary.summarise`: one number per concept).

    ``manifest`` is the batch's ``manifest.json`` (given by the runner); empty: no batch. Returns
    ``{"plan": Section, "roi": Section}``; a report not in the batch says so in its note.
    """
    from socialreturns import summary

    found = summary.find_manifest(manifest) if manifest else None
    sections = summary.summarise(summary.read_manifest(found))
    return {"plan": sections["plan"], "roi": sections["roi"]}


def _share(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:.0%}"


def care_answer(summary: pd.DataFrame) -> str:
    """Answering this period against the last (`care_summary`), one sentence."""
    this, previous = summary.iloc[0], summary.iloc[1]

    def hours(v: float) -> str:
        return "n/a" if pd.isna(v) else f"{v:.1f} hours"

    return (f"This period the brand answered {_share(this['answered_share'])} of {int(this['questions']):,} "
            f"questions (median {hours(this['median_response_hours'])}), against {_share(previous['answered_share'])} "
            f"of {int(previous['questions']):,} (median {hours(previous['median_response_hours'])}) the period "
            f"before.")  # fmt: skip


def employer_answer(by_period: pd.DataFrame, overall: pd.DataFrame, brand: str) -> str:
    """HR's answer in one sentence: volume and net sentiment of the employer posts."""
    if overall.empty or not int(overall["mentions"].iloc[0]):
        return f"No posts about working at {md(brand)} in the data."
    o = overall.iloc[0]
    net = "n/a" if pd.isna(o["net_sentiment"]) else f"{o['net_sentiment']:+.0%}"
    last = by_period.iloc[-1]
    return (f"**{int(o['mentions']):,} posts** about working at {md(brand)} (jobs, hiring, culture); net "
            f"sentiment **{net}** over the whole time, {int(last['mentions']):,} posts in the last period "
            f"({last['period']:%Y-%m-%d} on).")  # fmt: skip


def conclusions(*, care: str, crisis: str, sales: str, legal: str, product: str, hr: str,
                advocates: int, detractors: int) -> str:  # fmt: skip
    """The closing list: each team's answer, in the order of the report."""
    return "\n".join([
        f"- **Care:** {care}", f"- **PR:** {crisis}", f"- **Sales:** {sales}", f"- **Legal:** {legal}",
        f"- **Product:** {product}", f"- **HR:** {hr}",
        f"- **Voice of the customer:** {advocates} advocates to invite and {detractors} detractors to call back.",
    ])  # fmt: skip


#: Each route as the teams call it (`rules.ROUTES` order).
ROUTE_NAMES = {"care": "care (help, questions, problems)", "complaint": "complaint",
               "purchase_intent": "purchase intent", "disclosure_missing": "sponsored without an ad disclosure",
               "regulated_claim": "regulated claim", "product_feedback": "product feedback",
               "employer": "employer brand", "crisis": "crisis episode"}  # fmt: skip
_RULE = re.compile(r"^[a-z_]+/([a-z_]+)")


def for_reading(frame: pd.DataFrame) -> pd.DataFrame:
    """A list as a team reads it: ``route`` by its name (`ROUTE_NAMES`) and the ``reason`` or
    ``rule`` that fired without the route's code ("care/problem_addressed: 'won't pair'" reads
    "problem addressed: 'won't pair'"); other columns as they are.

    >>> for_reading(pd.DataFrame({"route": ["purchase_intent"], "reason": ["purchase_intent/where_to_buy: 'ship to'"]}))
                 route                   reason
    0  purchase intent  where to buy: 'ship to'
    """
    out = frame.copy()
    if "route" in out.columns:
        out["route"] = out["route"].map(lambda r: ROUTE_NAMES.get(str(r), str(r).replace("_", " ")))
    for column in ("reason", "rule"):
        if column in out.columns:
            out[column] = (
                out[column]
                .astype("string")
                .str.replace(_RULE, lambda m: m.group(1).replace("_", " "), regex=True)
            )
    return out


def listing(frame: pd.DataFrame, *, rows: int, caption: str) -> Any:
    """A team's list as a report table: its first ``rows`` rows `for_reading`, the caption saying
    how many of how many are shown when the list is longer (a Styler, see `plots.table`).

    >>> listing(pd.DataFrame({"post_id": ["a", "b", "c"]}), rows=2, caption="Open questions").caption
    'Open questions: the first 2 of 3.'
    """
    from socialreturns import plots  # the plotting stack only when a report draws its tables

    shown = f"{caption}: the first {rows:,} of {len(frame):,}" if len(frame) > rows else caption
    return plots.table(for_reading(frame.head(rows)), caption=shown)
