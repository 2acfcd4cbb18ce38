"""The sentiment notebook's `Parameters` and its closing paragraph (`conclusions`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from socialreturns.inputs import InputError
from socialreturns.markup import escape_markdown as md
from socialreturns.notebook import Figure, Figures
from socialreturns.parameters import NotebookParameters, check_data_dir, check_iso_date, check_rules, param

from .brands import aliases
from .crisis import MAX_TEXT_CHARS, MIN_SEASONS
from .lexicon import read_overrides
from .scorer import N_JOBS

#: The figures the sentiment notebook records (its record contract; `socialreturns.summary` reads them).
FIGURES = Figures(
    "sentiment",
    Figure(
        "share_of_voice",
        "reach share of voice: share of the category's reach over the whole period",
        "fraction",
        per="brand",
    ),
    Figure(
        "mention_share_of_voice",
        "mention share of voice: share of the category's mentions over the whole period",
        "fraction",
        per="brand",
    ),
    Figure(
        "net_sentiment",
        "positive minus negative share of the brand's English mentions",
        "fraction",
        per="brand",
    ),
    Figure(
        "crisis_episodes", "episodes of unusually many negative mentions (start, end, peak, excess)", "table"
    ),
    Figure(
        "negative_mentions",
        "our brand's English mentions classed negative over the period (ROR leaves "
        "the same posts out of earned media value)",
        "count",
    ),
    Figure("answered_share", "share of customers' questions the brand answered", "fraction"),
    Figure("median_response_hours", "median time to answer an answered question", "hours"),
    Figure("within_sla_share", "share of questions answered within the SLA", "fraction"),
    Figure("response_by_platform", "the response gap per platform", "table"),
    Figure(
        "followup_net_sentiment",
        "net sentiment of the asker's next mention, answered or not",
        "fraction",
        per="answered",
    ),
    Figure(
        "f1_weighted",
        "cross-validated F1 of the classes used against people's labels, weighted by class size",
        "fraction",
    ),
    Figure("validation", "how the sentiment figures were validated, as a sentence", "text"),
)


@dataclass(frozen=True)
class Parameters(NotebookParameters):
    """Parameters of the sentiment notebook: the same names, types and defaults as its parameters
    cell, which documents each one (meaning and unit)."""

    notebook: ClassVar[str] = "sentiment"

    data_dir: str = "data/sample"
    brand: str = "Lumora"
    competitors: list[str] = param([], expected="brand names")
    brand_aliases: dict[str, list[str]] = param({}, expected="brand names mapped to lists of aliases "
                                                "(other handles, spellings)")  # fmt: skip
    period_start: str = ""
    period_end: str = ""
    freq: str = param("M", expected="'W' (weeks) or 'M' (months)", choices=("W", "M"))
    sla_hours: float = param(
        24.0, expected="a positive number of hours, at most 8,760 (a year)", gt=0, le=8760
    )
    spike_sensitivity: float = param(3.5, expected="1 to 20 robust standard deviations (3.5 raises about one "
                                     "false alarm in 4,000 days)", ge=1, le=20)  # fmt: skip
    lexicon_overrides: str = ""
    examples: int = param(5, expected="0 to 50 example mentions per episode", ge=0, le=50)
    redact_handles: bool = True
    max_text_chars: int = param(20_000, MAX_TEXT_CHARS)
    n_jobs: int = param(1, N_JOBS)

    def check(self) -> None:
        """The period runs forwards; competitors exclude our brand; the data folder exists."""
        start = check_iso_date("period_start", self.period_start)
        end = check_iso_date("period_end", self.period_end)
        check_rules(self, [
            ("period_end", start is None or end is None or end >= start,
             f"an ISO date on or after period_start ({self.period_start})"),
            ("competitors", self.brand not in self.competitors, f"brands other than {self.brand!r}"),
        ])  # fmt: skip
        aliases([], self.brand_aliases)  # names the brand and the alias that is not text
        check_data_dir(self.data_dir)

    def brands(self, mentions: pd.DataFrame) -> list[str]:
        """Our brand first, then the competitors: those named, else every other brand in ``mentions``."""
        others = self.competitors or sorted(b for b in mentions["brand"].unique() if b != self.brand)
        return [self.brand, *others]

    def aliases(self, mentions: pd.DataFrame) -> dict[str, list[str]]:
        """The spellings to mask before scoring (`brands.aliases`): every brand of ``mentions``
        (also those not analysed: a post about us may name any of them) and ours, with the
        ``brand_aliases`` added."""
        names = [self.brand, *self.competitors, *sorted(mentions["brand"].dropna().astype(str).unique())]
        return aliases(names, self.brand_aliases)

    def overrides(self) -> dict[str, float]:
        """The lexicon overrides file's word valences (none when ``lexicon_overrides`` is empty)."""
        return load_overrides(self.lexicon_overrides)


def load_overrides(lexicon_overrides: str) -> dict[str, float]:
    """The word valences of the ``lexicon_overrides`` parameter's YAML file (a path relative to the
    repository root; none when empty): the sentiment report's and ROR's, so both class alike.

    Raises
    ------
    InputError
        When the file does not exist or does not hold word valences (`read_overrides`).
    """
    from socialreturns.inputs import resolve

    if not lexicon_overrides:
        return {}
    path = resolve(lexicon_overrides)
    if not path.is_file():
        raise InputError("no such file", key="lexicon_overrides", file=path,
                         expected="a YAML file mapping words or phrases to valences")  # fmt: skip
    return read_overrides(path)


def _net(row: pd.Series) -> str:
    """Net sentiment with its interval when there is one: "+15% (90% interval +13% to +17%)"."""
    if pd.isna(row.get("net_sentiment_lower", float("nan"))):
        return f"{row['net_sentiment']:+.0%}"
    return f"{row['net_sentiment']:+.0%} ({row['net_sentiment_lower']:+.0%} to {row['net_sentiment_upper']:+.0%})"


def _voice_line(share: pd.DataFrame, brand: str, validation: str = "") -> str:
    reach = share["reach_share_of_voice"].notna().any()
    ranked = share.sort_values("rank", kind="stable").set_index("brand")
    own, leader = ranked.loc[brand], ranked.index[0]
    measure = "reach_share_of_voice" if reach else "mention_share_of_voice"
    standing = (
        "the largest voice in the category" if leader == brand
        else f"behind {md(leader)} ({ranked.loc[leader, measure]:.0%} of {'reach' if reach else 'mentions'})"
    )  # fmt: skip
    of_reach = f"{own['reach_share_of_voice']:.0%} of its reach" if reach else "no reach figures in the data"
    line = (f"- **Share of voice.** {md(brand)} has {own['mention_share_of_voice']:.0%} of the category's "
            f"mentions (mention share of voice) and {of_reach}, {standing}.")  # fmt: skip
    said = f" {validation}" if validation else ""
    if len(ranked) == 1:
        return line + f" Net sentiment {_net(own)}; no competitor in the data to compare with.{said}"
    best_net = ranked["net_sentiment"].idxmax()
    return line + f" Net sentiment {_net(own)} " + (
        "(the best of the category)." if best_net == brand
        else f"against {_net(ranked.loc[best_net])} for {md(best_net)}, the best."
    ) + said  # fmt: skip


def _crisis_lines(episodes: pd.DataFrame, words: pd.DataFrame, volume: pd.DataFrame | None) -> list[str]:
    if volume is not None and volume["score"].isna().all():
        return [f"- **Crisis.** The data cover {len(volume)} days: too few to tell a spike of negative mentions "
                f"from the weekly pattern ({MIN_SEASONS * 7} are needed)."]  # fmt: skip
    if episodes.empty:
        return ["- **Crisis.** No spike in negative mentions stood out from the expected level."]
    lines = []
    for k, e in enumerate(episodes.itertuples()):
        top = words.loc[words["episode"] == k, "word"].head(4).tolist()
        lines.append(
            f"- **Crisis {e.start:%Y-%m-%d} to {e.end:%Y-%m-%d}.** {e.excess_negative_mentions:,.0f} more "
            f"negative mentions than expected, peaking on {e.peak:%Y-%m-%d}"
            + (f"; the words that set it apart: {', '.join(md(w) for w in top)}." if top else ".")
        )
    return lines


def _listening_lines(gap: pd.DataFrame, followup: pd.DataFrame, brand: str, sla_hours: float) -> list[str]:
    g = gap.iloc[0]
    if not g["questions"]:
        return [f"- **Listening and acting.** No customer question to {md(brand)} in the data."]
    lines = [
        f"- **Listening and acting.** {md(brand)} answered {g['answered_share']:.0%} of {int(g['questions']):,} "
        f"customer questions, {g['within_sla_share']:.0%} within {sla_hours:g} hours"
        + (f" (median {g['median_response_hours']:.1f} hours when answered)." if g["answered"] else ".")
    ]
    f = followup.set_index("answered")
    if f["followed_up"].min() > 0:
        before = (
            f" Before their question the same groups read {f.loc[True, 'net_sentiment_before']:+.0%} and "
            f"{f.loc[False, 'net_sentiment_before']:+.0%}."
            if f["preceded"].min() > 0 else " Too few askers posted before their question to compare them then."
        )  # fmt: skip
        lines.append(
            f"- **Does answering pay?** Askers who got an answer were {f.loc[True, 'net_sentiment']:+.0%} "
            f"net positive in their next mention, those who did not {f.loc[False, 'net_sentiment']:+.0%}."
            + before
            + " This is an association, not a measured effect of answering: the brand may answer "
            "the easier questions or the calmer askers."
        )
    return lines


def conclusions(
    share: pd.DataFrame,
    episodes: pd.DataFrame,
    words: pd.DataFrame,
    gap: pd.DataFrame,
    followup: pd.DataFrame,
    *,
    brand: str,
    sla_hours: float,
    volume: pd.DataFrame | None = None,
    validation: str = "",
) -> str:
    """The notebook's closing paragraph, its figures computed here so that they stay true.

    ``share`` is `share_of_voice` over the whole period (``freq=None``), ``gap`` `response_gap`
    pooled (``freq=None, by_platform=False``), ``followup`` `followup_sentiment` and ``volume``
    `negative_volume` (to say when the data are too short to look for a crisis). Without reach
    figures the standing is by mention share; without questions the listening line says so.
    ``validation`` is `Classified.note`, said beside the net sentiment it qualifies.
    """
    lines = [_voice_line(share, brand, validation), *_crisis_lines(episodes, words, volume)]
    return "\n".join(lines + _listening_lines(gap, followup, brand, sla_hours))
