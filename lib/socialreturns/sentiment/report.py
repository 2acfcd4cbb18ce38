"""The sentiment notebook's `Parameters` and its closing paragraph (`conclusions`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from socialreturns.inputs import InputError
from socialreturns.markup import escape_markdown as md
from socialreturns.notebook import Figure, Figures
from socialreturns.parameters import NotebookParameters, check_data_dir, check_iso_date, check_rules, param

from .crisis import MAX_TEXT_CHARS
from .lexicon import read_overrides
from .scorer import N_JOBS

#: The figures the sentiment notebook records (its record contract; `socialreturns.summary` reads them).
FIGURES = Figures(
    "sentiment",
    Figure("share_of_voice", "share of the category's reach over the whole period", "fraction", per="brand"),
    Figure(
        "net_sentiment",
        "positive minus negative share of the brand's English mentions",
        "fraction",
        per="brand",
    ),
    Figure(
        "crisis_episodes", "episodes of unusually many negative mentions (start, end, peak, excess)", "table"
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
        "f1_weighted", "F1 of the predicted classes against human labels, weighted by class size", "fraction"
    ),
)


@dataclass(frozen=True)
class Parameters(NotebookParameters):
    """Parameters of the sentiment notebook: the same names, types and defaults as its parameters
    cell, which documents each one (meaning and unit)."""

    notebook: ClassVar[str] = "sentiment"

    data_dir: str = "data/sample"
    brand: str = "Lumora"
    competitors: list[str] = param([], expected="brand names")
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
    redact_handles: bool = False
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
        check_data_dir(self.data_dir)

    def brands(self, mentions: pd.DataFrame) -> list[str]:
        """Our brand first, then the competitors: those named, else every other brand in ``mentions``."""
        others = self.competitors or sorted(b for b in mentions["brand"].unique() if b != self.brand)
        return [self.brand, *others]

    def overrides(self) -> dict[str, float]:
        """The lexicon overrides file's word valences (none when ``lexicon_overrides`` is empty)."""
        from socialreturns.inputs import resolve

        if not self.lexicon_overrides:
            return {}
        path = resolve(self.lexicon_overrides)
        if not path.is_file():
            raise InputError("no such file", key="lexicon_overrides", file=path,
                             expected="a YAML file mapping words or phrases to valences")  # fmt: skip
        return read_overrides(path)


def conclusions(
    share: pd.DataFrame,
    episodes: pd.DataFrame,
    words: pd.DataFrame,
    gap: pd.DataFrame,
    followup: pd.DataFrame,
    *,
    brand: str,
    sla_hours: float,
) -> str:
    """The notebook's closing paragraph, its figures computed here so that they stay true.

    ``share`` is `share_of_voice` over the whole period (``freq=None``), ``gap`` `response_gap`
    pooled (``freq=None, by_platform=False``) and ``followup`` `followup_sentiment`.
    """
    ranked = share.sort_values("reach_share_of_voice", ascending=False).set_index("brand")
    own = ranked.loc[brand]
    leader = ranked.index[0]
    standing = (
        "the largest voice in the category" if leader == brand
        else f"behind {md(leader)} ({ranked.loc[leader, 'reach_share_of_voice']:.0%} of reach)"
    )  # fmt: skip
    best_net = ranked["net_sentiment"].idxmax()
    lines = [
        f"- **Share of voice.** {md(brand)} has {own['share_of_voice']:.0%} of the category's mentions and "
        f"{own['reach_share_of_voice']:.0%} of its reach, {standing}. Net sentiment {own['net_sentiment']:+.0%} "
        + ("(the best of the category)." if best_net == brand
           else f"against {ranked.loc[best_net, 'net_sentiment']:+.0%} for {md(best_net)}, the best."),
    ]  # fmt: skip
    if episodes.empty:
        lines.append("- **Crisis.** No spike in negative mentions stood out from the expected level.")
    for k, e in enumerate(episodes.itertuples()):
        top = words.loc[words["episode"] == k, "word"].head(4).tolist()
        lines.append(
            f"- **Crisis {e.start:%Y-%m-%d} to {e.end:%Y-%m-%d}.** {e.excess_negative_mentions:,.0f} more "
            f"negative mentions than expected, peaking on {e.peak:%Y-%m-%d}"
            + (f"; the words that set it apart: {', '.join(md(w) for w in top)}." if top else ".")
        )
    g = gap.iloc[0]
    f = followup.set_index("answered")
    lines.append(
        f"- **Listening and acting.** {md(brand)} answered {g['answered_share']:.0%} of {int(g['questions']):,} "
        f"customer questions, {g['within_sla_share']:.0%} within {sla_hours:g} hours (median "
        f"{g['median_response_hours']:.1f} hours when answered)."
    )
    if f["followed_up"].min() > 0:
        lines.append(
            f"- **Does answering pay?** Askers who got an answer were {f.loc[True, 'net_sentiment']:+.0%} "
            f"net positive in their next mention, those who did not {f.loc[False, 'net_sentiment']:+.0%}."
        )
    return "\n".join(lines)
