"""The sentiment notebook's `Parameters` and its closing paragraph (`conclusions`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from socialreturns.inputs import InputError

from .lexicon import read_overrides


@dataclass(frozen=True)
class Parameters:
    """Parameters of the sentiment notebook (mirrors its ``parameters`` cell)."""

    data_dir: str
    brand: str
    competitors: list[str]
    period_start: str
    period_end: str
    freq: str
    sla_hours: float
    spike_sensitivity: float
    lexicon_overrides: str
    examples: int
    redact_handles: bool
    n_jobs: int

    def __post_init__(self) -> None:
        from socialreturns.notebook import check_data_dir, check_iso_date, check_rules, check_types

        check_types(self)
        start = check_iso_date("period_start", self.period_start)
        end = check_iso_date("period_end", self.period_end)
        rules = [
            ("period_end", start is None or end is None or end >= start,
             f"an ISO date on or after period_start ({self.period_start})"),
            ("competitors", self.brand not in self.competitors, f"brands other than {self.brand!r}"),
            ("freq", self.freq in ("W", "M"), "'W' (weeks) or 'M' (months)"),
            ("sla_hours", self.sla_hours > 0, "a positive number of hours"),
            ("spike_sensitivity", 1 <= self.spike_sensitivity <= 20,
             "1 to 20 robust standard deviations (3.5 raises about one false alarm in 4,000 days)"),
            ("examples", 0 <= self.examples <= 50, "0 to 50 example mentions per episode"),
            ("n_jobs", 1 <= self.n_jobs <= 64, "1 to 64 processes"),
        ]  # fmt: skip
        check_rules(self, rules)
        check_data_dir(self.data_dir)

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
        else f"behind {leader} ({ranked.loc[leader, 'reach_share_of_voice']:.0%} of reach)"
    )  # fmt: skip
    best_net = ranked["net_sentiment"].idxmax()
    lines = [
        f"- **Share of voice.** {brand} has {own['share_of_voice']:.0%} of the category's mentions and "
        f"{own['reach_share_of_voice']:.0%} of its reach, {standing}. Net sentiment {own['net_sentiment']:+.0%} "
        + ("(the best of the category)." if best_net == brand
           else f"against {ranked.loc[best_net, 'net_sentiment']:+.0%} for {best_net}, the best."),
    ]  # fmt: skip
    if episodes.empty:
        lines.append("- **Crisis.** No spike in negative mentions stood out from the expected level.")
    for k, e in enumerate(episodes.itertuples()):
        top = words.loc[words["episode"] == k, "word"].head(4).tolist()
        lines.append(
            f"- **Crisis {e.start:%Y-%m-%d} to {e.end:%Y-%m-%d}.** {e.excess_negative_mentions:,.0f} more "
            f"negative mentions than expected, peaking on {e.peak:%Y-%m-%d}"
            + (f"; the words that set it apart: {', '.join(top)}." if top else ".")
        )
    g = gap.iloc[0]
    f = followup.set_index("answered")
    lines.append(
        f"- **Listening and acting.** {brand} answered {g['answered_share']:.0%} of {int(g['questions']):,} "
        f"customer questions, {g['within_sla_share']:.0%} within {sla_hours:g} hours (median "
        f"{g['median_response_hours']:.1f} hours when answered)."
    )
    if f["followed_up"].min() > 0:
        lines.append(
            f"- **Does answering pay?** Askers who got an answer were {f.loc[True, 'net_sentiment']:+.0%} "
            f"net positive in their next mention, those who did not {f.loc[False, 'net_sentiment']:+.0%}."
        )
    return "\n".join(lines)
