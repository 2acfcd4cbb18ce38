"""The executive summary: one page over a batch's reports, read from its ``manifest.json``.

Every figure comes from what the other notebooks recorded (`socialreturns.notebook.record`)
and links to the report it came from; a report missing from the batch, or failed, is named as
such rather than silently left out.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from socialreturns import irr_forecast, organisation, roi, ror, sentiment
from socialreturns.inputs import InputError, project_root, resolve
from socialreturns.markup import escape_markdown as md
from socialreturns.notebook import Figure, Figures

#: The figures the executive-summary notebook records (its record contract).
FIGURES = Figures("executive_summary", Figure("reports_summarised", "runs in the summarised batch", "count"))

#: Every recorded figure the summary reads, from the record contracts of the notebooks that
#: record them (a test runs a batch and checks each one was recorded).
READS: tuple[Figure, ...] = (
    roi.FIGURES.roas, roi.FIGURES.roi, roi.FIGURES.not_identified,
    irr_forecast.FIGURES.npv, irr_forecast.FIGURES.irr, irr_forecast.FIGURES.mirr,
    irr_forecast.FIGURES.payback_months, irr_forecast.FIGURES.prob_irr_above_hurdle,
    irr_forecast.FIGURES.prob_npv_positive,
    ror.FIGURES.ror_by_segment, ror.FIGURES.relationship_value_by_segment, ror.FIGURES.total_clv,
    ror.FIGURES.total_relationship_value, ror.FIGURES.share_active,
    sentiment.FIGURES.share_of_voice, sentiment.FIGURES.mention_share_of_voice, sentiment.FIGURES.net_sentiment,
    sentiment.FIGURES.validation, sentiment.FIGURES.crisis_episodes,
    sentiment.FIGURES.response_by_platform, sentiment.FIGURES.answered_share,
    sentiment.FIGURES.within_sla_share, sentiment.FIGURES.median_response_hours,
    organisation.FIGURES.as_of, organisation.FIGURES.care_open_questions, organisation.FIGURES.care_open_breached,
    organisation.FIGURES.care_open_routed, organisation.FIGURES.crisis_live, organisation.FIGURES.crisis_status,
)  # fmt: skip


def find_manifest(path: str = "", *, batch: str = "report", reports: str = "reports") -> Path | None:
    """The manifest to summarise: ``path`` if given, else the newest
    ``<reports>/<batch>/<date>/manifest.json``; None when there is none yet."""
    if path:
        found = resolve(path)
        if not found.is_file():
            raise InputError("no such manifest", key="manifest", file=found,
                             expected="the manifest.json of a batch run (socialreturns run)")  # fmt: skip
        return found
    candidates = sorted(resolve(reports).glob(f"{batch}/*/manifest.json"))
    return candidates[-1] if candidates else None


def read_manifest(path: Path | None) -> dict[str, Any]:
    """The manifest as a dict (no runs when ``path`` is None)."""
    if path is None:
        return {"runs": {}}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"is not valid JSON ({exc})", file=path, key="manifest",
                         expected="a manifest.json written by socialreturns run") from None  # fmt: skip


@dataclass(frozen=True)
class Section:
    """One part of the summary: a heading with links to its reports, a table and a note;
    ``kinds`` says what each table column holds, for `socialreturns.plots.table`."""

    heading: str
    table: pd.DataFrame
    note: str
    kinds: dict[str, str] = field(default_factory=dict)
    currency: str = ""

    def styled(self) -> Styler:
        """The table as the page shows it (`socialreturns.plots.table`: formatted by ``kinds``,
        amounts in ``currency``, its index as the first column)."""
        from socialreturns.plots import table

        return table(self.table, kinds=self.kinds, index=True, currency=self.currency)  # type: ignore[arg-type]


def _ordered(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The manifest's runs in its batch file's order, as the index lists them
    (`socialreturns.batch.index.run_order`)."""
    from socialreturns.batch.index import run_order

    runs = manifest.get("runs", {})
    return {n: runs[n] for n in run_order(manifest)}


def _runs(manifest: dict[str, Any], contract: Figures) -> dict[str, dict[str, Any]]:
    """The runs of the notebook whose record contract is ``contract``, by run name, in the
    batch file's order."""
    return {n: r for n, r in _ordered(manifest).items()
            if Path(r.get("notebook", "")).stem == contract.notebook}  # fmt: skip


def _title(name: str, run: dict[str, Any]) -> str:
    """A run's page title ("ROI", "IRR forecast: downside"), by the index's and the page's rule
    (`socialreturns.batch.render.notebook_title`)."""
    from socialreturns.batch import render

    path = Path(str(run.get("notebook", name)))
    return render.notebook_title(path if path.is_absolute() else project_root() / path, name,
                                 run.get("parameters") or {})  # fmt: skip


def _heading(title: str, runs: dict[str, dict[str, Any]]) -> str:
    """The section's heading with a link to each report, named by its page title (a notebook's
    several runs by their scenarios: "base, downside")."""
    names = {n: _title(n, r) for n, r in runs.items()}
    if len(runs) > 1:
        names = {n: t.split(": ", 1)[-1] for n, t in names.items()}
    links = [f"[{md(names[n])}]({Path(r['html']).name})" for n, r in runs.items() if r.get("html")]
    return f"### {title}" + (f" ({', '.join(links)})" if links else "")


def _currency(runs: dict[str, dict[str, Any]]) -> str:
    """The currency the runs' amounts are in (their ``currency`` parameter), "" when none says."""
    return next((str(r["parameters"]["currency"]) for r in runs.values()
                 if (r.get("parameters") or {}).get("currency")), "")  # fmt: skip


def _missing(runs: dict[str, dict[str, Any]], contract: Figures) -> str:
    if not runs:
        return f"No `{contract.notebook}` run in this batch."
    bad = [f"{n} ({r.get('status')})" for n, r in runs.items() if r.get("status") not in ("ok", "skipped")]
    return f"Not available: {', '.join(bad)} did not succeed; see the index." if bad else ""


def _records(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    good = [r for r in runs.values() if r.get("status") in ("ok", "skipped")]
    return good[0].get("records") or {} if good else {}


def _get(records: dict[str, Any], figure: Figure, default: Any = None) -> Any:
    return records.get(figure.name, default)


def _lower_first(text: str) -> str:
    """A sentence continued after a colon: "No crisis ..." as "no crisis ..."."""
    return text[:1].lower() + text[1:]


def _and(names: list[str]) -> str:
    """Names joined for a sentence: "organic and referral".

    >>> _and(["organic"]), _and(["a", "b", "c"])
    ('organic', 'a, b and c')
    """
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _default(name: str) -> Any:
    """The IRR notebook's default of parameter ``name`` (base's)."""
    return next(f.default for f in dataclasses.fields(irr_forecast.Parameters) if f.name == name)


def _against_base(run: dict[str, Any]) -> str:
    """What an IRR run's scenario changes from base, in words (`irr_forecast.against_base`)."""
    names = {f.name for f in dataclasses.fields(irr_forecast.Parameters)}
    given = {k: v for k, v in (run.get("parameters") or {}).items() if k in names}
    try:
        return irr_forecast.against_base(irr_forecast.Parameters(**given))
    except (TypeError, ValueError):  # a manifest of another version: the page names its assumptions
        return "see the report"


def _by_key(
    records: dict[str, Any], columns: dict[str, Figure], index: str, sort_by: str | None
) -> pd.DataFrame:
    """Recorded per-key figures (``{channel: value}``) as one table: ``columns`` maps a heading
    to a figure; sorted by ``sort_by``, largest first."""
    table = pd.DataFrame({head: _get(records, f, {}) for head, f in columns.items()}).rename_axis(index)
    table = table.astype(float) if not table.empty else table  # a figure not found is NaN, not None
    return table.sort_values(sort_by, ascending=False) if sort_by and not table.empty else table


def _not_identified(reasons: dict[str, str]) -> str:
    """The sentence naming the channels the ROI model cannot identify (shown without ROAS or
    ROI), with each reason; empty when there is none."""
    if not reasons:
        return ""
    said = "; ".join(f"**{md(channel)}**: {md(why)}" for channel, why in reasons.items())
    return f" Not identified, so no ROI finding is made for them: {said}."


def _crises(episodes: list[dict[str, Any]]) -> pd.DataFrame:
    """The recorded crisis episodes as a table by start day."""
    crises = pd.DataFrame(episodes)
    if crises.empty:
        return crises
    crises = crises[["start", "end", "peak", "excess_negative_mentions"]].astype(
        {"excess_negative_mentions": float}
    )
    crises[["start", "end", "peak"]] = crises[["start", "end", "peak"]].apply(
        lambda c: c.astype(str).str[:10]
    )
    return crises.set_index("start").rename(columns={"excess_negative_mentions": "excess negative mentions"})


def _response(by_platform: list[dict[str, Any]]) -> pd.DataFrame:
    """The recorded response gap per platform, with the summary's headings."""
    response = pd.DataFrame(by_platform)
    if response.empty:
        return response
    return response.set_index("platform")[
        ["questions", "answered_share", "median_response_hours", "within_sla_share"]
    ].set_axis(["questions", "answered", "median hours to answer", "answered within SLA"], axis=1)


def summarise(manifest: dict[str, Any]) -> dict[str, Section]:
    """The summary's sections, in page order: ``roi``, ``plan``, ``ror``, ``voice``, ``crises``,
    ``response`` and ``organisation``."""
    out: dict[str, Section] = {}
    figs = roi.FIGURES
    runs = _runs(manifest, figs)
    r = _records(runs)
    returns = _by_key(r, {"ROAS": figs.roas, "ROI": figs.roi}, "channel", "ROI")
    if not returns.empty:  # a channel without a return says why in words, not with a bare dash
        unknown = set(_get(r, figs.not_identified, {}))
        returns["finding"] = ["not identified: no ROI finding" if c in unknown else "" for c in returns.index]
    out["roi"] = Section(
        _heading("History: return on ad spend per channel", runs), returns,
        _missing(runs, figs) or "Over the whole data (the ROI report's period; the IRR reports' history "
        "is its last 12 months). ROAS: revenue per unit of spend (incremental, from the regression); "
        "ROI: ROAS times margin, less 1." + _not_identified(_get(r, figs.not_identified, {})),
        {"ROAS": "ratio", "ROI": "signed_percent", "finding": "text"},
    )  # fmt: skip
    plan = irr_forecast.FIGURES
    runs = _runs(manifest, plan)
    figures = {"NPV": plan.npv, "IRR": plan.irr, "MIRR": plan.mirr, "payback (months)": plan.payback_months,
               "P(IRR > hurdle)": plan.prob_irr_above_hurdle, "P(NPV > 0)": plan.prob_npv_positive}  # fmt: skip
    good = {n: x for n, x in runs.items() if x.get("status") in ("ok", "skipped")}
    rows = {_scenario(n, x): {"assumptions against base": _against_base(x),
                              **{head: _get(x.get("records") or {}, f) for head, f in figures.items()}}
            for n, x in good.items()}  # fmt: skip
    horizons = sorted({int((x.get("parameters") or {}).get("horizon_months") or _default("horizon_months"))
                       for x in good.values()})  # fmt: skip
    blank = (f" A payback shown as - lies beyond the {'- or '.join(map(str, horizons))}-month horizon."
             if any(row["payback (months)"] is None for row in rows.values()) else "")  # fmt: skip
    out["plan"] = Section(
        _heading("Future: the programme's returns per scenario", runs),
        pd.DataFrame(rows).T.rename_axis("scenario").infer_objects(),
        _missing(runs, plan) or "NPV at the cost of capital; IRR and MIRR annual; payback in months; "
        "the probabilities come from the Monte Carlo simulation." + blank,
        {"assumptions against base": "text", "NPV": "money", "IRR": "percent", "MIRR": "percent",
         "payback (months)": "months", "P(IRR > hurdle)": "percent", "P(NPV > 0)": "percent"},
        _currency(good),
    )  # fmt: skip
    rel = ror.FIGURES
    runs = _runs(manifest, rel)
    r = _records(runs)
    segments = _by_key(r, {"ROR": rel.ror_by_segment, "relationship value": rel.relationship_value_by_segment},
                       "segment", "ROR")  # fmt: skip
    free = [str(k) for k, v in _get(r, rel.ror_by_segment, {}).items() if v is None]
    unpaid = (f" The {_and(free)} segment{'' if len(free) == 1 else 's'} {'has' if len(free) == 1 else 'have'} no "
              "acquisition spend, so no ROR." if free else "")  # fmt: skip
    out["ror"] = Section(
        _heading("Relationships: return on relationship per segment", runs), segments,
        _missing(runs, rel) or "ROR: relationship value per unit of acquisition spend. "
        + ror.summary_note(r, _currency(runs))
        + unpaid,
        {"ROR": "ratio", "relationship value": "money"}, _currency(runs),
    )  # fmt: skip
    voice = sentiment.FIGURES
    runs = _runs(manifest, voice)
    r = _records(runs)
    out["voice"] = Section(
        _heading("Conversation: share of voice and net sentiment", runs),
        _by_key(r, {"reach share of voice": voice.share_of_voice,
                    "mention share of voice": voice.mention_share_of_voice, "net sentiment": voice.net_sentiment},
                "brand", "reach share of voice"),
        _missing(runs, voice) or "Reach share of voice: the brand's share of the people the category's mentions "
        "reached; mention share of voice: its share of the mentions; net sentiment is the positive minus the "
        "negative share of a brand's mentions. " + _get(r, voice.validation, "Not validated on this data."),
        {"reach share of voice": "percent", "mention share of voice": "percent", "net sentiment": "signed_percent"},
    )  # fmt: skip
    crises = _crises(_get(r, voice.crisis_episodes, []))
    out["crises"] = Section(
        _heading("Crisis episodes", runs), crises,
        _missing(runs, voice) or ("No crisis episode in the period." if crises.empty else
                                  f"{len(crises)} episode{'' if len(crises) == 1 else 's'} of unusually many "
                                  "negative mentions."),
        {"end": "text", "peak": "text", "excess negative mentions": "count"},
    )  # fmt: skip
    response = _response(_get(r, voice.response_by_platform, []))
    nan = float("nan")
    note = _missing(runs, voice) or (
        f"The brand answered {_get(r, voice.answered_share, nan):.0%} of its customers' questions, "
        f"{_get(r, voice.within_sla_share, nan):.0%} within the SLA; median response "
        f"{_get(r, voice.median_response_hours, nan):.1f} hours."
    )
    kinds = {"questions": "count", "answered": "percent", "median hours to answer": "hours",
             "answered within SLA": "percent"}  # fmt: skip
    out["response"] = Section(_heading("Listening and acting: the response gap", runs), response, note, kinds)
    out["organisation"] = _organisation(manifest)
    return out


def _organisation(manifest: dict[str, Any]) -> Section:
    """The care queue's size and the crisis status now, from the organisation report's records."""
    figs = organisation.FIGURES
    runs = _runs(manifest, figs)
    r = _records(runs)
    missing = _missing(runs, figs)
    table = pd.DataFrame() if missing else pd.DataFrame({
        "open questions": [_get(r, figs.care_open_questions)], "past the SLA": [_get(r, figs.care_open_breached)],
        "other posts for care": [_get(r, figs.care_open_routed)],
        "crisis live": ["yes" if _get(r, figs.crisis_live) else "no"],
    }, index=pd.Index([str(_get(r, figs.as_of, ""))[:16].replace("T", " ")], name="as of (UTC)"))  # fmt: skip
    note = missing or (
        f"The care queue holds **{_get(r, figs.care_open_questions, 0):,} open questions** "
        f"({_get(r, figs.care_open_breached, 0):,} past the SLA) and {_get(r, figs.care_open_routed, 0):,} other "
        f"posts for care. Crisis now: {_lower_first(str(_get(r, figs.crisis_status, '')))} The report lists what sales, "
        "legal, product, HR and the customer's advocates act on."
    )
    kinds = {"open questions": "count", "past the SLA": "count", "other posts for care": "count",
             "crisis live": "text"}  # fmt: skip
    return Section(_heading("The organisation: care queue and crisis now", runs), table, note, kinds)


#: The verdicts the summary opens with, in page order: (label, notebook stem).
VERDICTS = (("Fund the programme?", "irr_forecast"), ("Where the budget should go:", "roi"),
            ("Now:", "organisation"), ("What customers say:", "sentiment"), ("Relationships:", "ror"))  # fmt: skip


def verdicts(manifest: dict[str, Any]) -> str:
    """The summary's opening in sentences (Markdown): the data period and the as-of date, then
    one bullet per question with the same verdict sentence the index shows for each report
    (`socialreturns.batch.verdicts.verdict`); every IRR scenario gets its own sentence."""
    from socialreturns.batch import verdicts

    runs = {n: r for n, r in _ordered(manifest).items() if r.get("status") in ("ok", "skipped")}
    by_stem: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, run in runs.items():
        by_stem.setdefault(Path(str(run.get("notebook", name))).stem, []).append((name, run))
    data = [r.get("records") or {} for _, r in by_stem.get("data_overview", [])]
    period = (f"data from **{md(data[0]['first_date'])}** to **{md(data[0].get('last_date', '?'))}**, "
              if data and data[0].get("first_date") else "")  # fmt: skip
    lines = ["## In short", "", f"Reports of {period}as of **{md(manifest.get('as_of', '?'))}**.", ""]
    for label, stem in VERDICTS:
        found = [(n, verdicts.verdict(stem, r.get("records") or {}, r.get("parameters") or {}))
                 for n, r in by_stem.get(stem, [])]  # fmt: skip
        said = [(n, s) for n, s in found if s]
        if not said:
            lines.append(f"- **{label}** Not in this batch.")
        elif stem == "irr_forecast":
            lines.append(f"- **{label}**")
            lines.extend(f"    - *{md(_scenario(n, runs[n]))}* ({md(_against_base(runs[n]))}): {md(s)}"
                         for n, s in said)  # fmt: skip
        else:
            lines.append(f"- **{label}** {md(said[0][1])}")
    return "\n".join(lines)


def _scenario(name: str, run: dict[str, Any]) -> str:
    """The scenario of an IRR run as its page title names it (``downside``), by the one title
    rule (`socialreturns.batch.render.title`)."""
    from socialreturns.batch import render

    stem = Path(str(run.get("notebook", name))).stem
    scenario = (run.get("parameters") or {}).get("scenario") or _default("scenario")
    return render.title("", name, stem=stem, scenario=scenario).lstrip(": ")


def summarised_runs(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The batch's runs this summary summarises: all but executive summaries (a rerun of the batch
    finds the last summary in the manifest; it is not one of the reports it summarises).

    >>> summarised_runs({"runs": {"roi": {"notebook": "notebooks/roi.ipynb"},
    ...                           "executive_summary": {"notebook": "notebooks/executive_summary.ipynb"}}})
    {'roi': {'notebook': 'notebooks/roi.ipynb'}}
    """
    return {n: r for n, r in manifest.get("runs", {}).items()
            if Path(str(r.get("notebook", n))).stem != FIGURES.notebook}  # fmt: skip


def overview(manifest: dict[str, Any], path: Path | None) -> str:
    """The opening line: which batch, when, and how its runs went (`summarised_runs`)."""
    if path is None:
        return ("No batch manifest found under reports/: run `make report` (or `socialreturns run report`) "
                "first; this summary reads what that batch recorded.")  # fmt: skip
    runs = summarised_runs(manifest)
    ok = sum(r.get("status") in ("ok", "skipped") for n, r in runs.items())
    git = manifest.get("git") or {}
    commit = (git.get("commit") or "unknown")[:10] + (" with uncommitted changes" if git.get("dirty") else "")
    return (f"Batch **{manifest.get('batch')}** as of **{manifest.get('as_of')}**: {ok} of {len(runs)} reports "
            f"succeeded (commit {commit}). Every figure below links to the report it comes from.")  # fmt: skip
