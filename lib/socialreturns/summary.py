"""The executive summary: one page over a batch's reports, read from its ``manifest.json``.

Every figure comes from what the other notebooks recorded (`socialreturns.notebook.record`)
and links to the report it came from; a report missing from the batch, or failed, is named as
such rather than silently left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from socialreturns.inputs import InputError, resolve


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


def _runs(manifest: dict[str, Any], notebook: str) -> dict[str, dict[str, Any]]:
    """The runs of one notebook in the manifest, by run name."""
    return {n: r for n, r in manifest.get("runs", {}).items() if Path(r.get("notebook", "")).stem == notebook}


def _heading(title: str, runs: dict[str, dict[str, Any]]) -> str:
    links = [f"[{name}]({Path(r['html']).name})" for name, r in runs.items() if r.get("html")]
    return f"### {title}" + (f" ({', '.join(links)})" if links else "")


def _missing(runs: dict[str, dict[str, Any]], notebook: str) -> str:
    if not runs:
        return f"No `{notebook}` run in this batch."
    bad = [f"{n} ({r.get('status')})" for n, r in runs.items() if r.get("status") not in ("ok", "skipped")]
    return f"Not available: {', '.join(bad)} did not succeed; see the index." if bad else ""


def _records(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    good = [r for r in runs.values() if r.get("status") in ("ok", "skipped")]
    return good[0].get("records") or {} if good else {}


def _by_key(
    records: dict[str, Any], columns: dict[str, str], index: str, sort_by: str | None
) -> pd.DataFrame:
    """Recorded per-key figures (``{channel: value}``) as one table: ``columns`` maps a heading
    to a record name; sorted by ``sort_by``, largest first."""
    table = pd.DataFrame({head: records.get(name, {}) for head, name in columns.items()}).rename_axis(index)
    return table.sort_values(sort_by, ascending=False) if sort_by and not table.empty else table


def summarise(manifest: dict[str, Any]) -> dict[str, Section]:
    """The summary's sections, in page order: ``roi``, ``plan``, ``ror``, ``voice``, ``crises``
    and ``response``."""
    out: dict[str, Section] = {}
    runs = _runs(manifest, "roi")
    r = _records(runs)
    out["roi"] = Section(
        _heading("History: return on ad spend per channel", runs),
        _by_key(r, {"ROAS": "roas", "ROI": "roi"}, "channel", "ROI"),
        _missing(runs, "roi") or "ROAS: revenue per unit of spend (incremental, from the regression); "
        "ROI: ROAS times margin, less 1.",
        {"ROAS": "ratio", "ROI": "signed_percent"},
    )  # fmt: skip
    runs = _runs(manifest, "irr_forecast")
    figures = {"NPV": "npv", "IRR": "irr", "MIRR": "mirr", "payback (months)": "payback_months",
               "P(IRR > hurdle)": "prob_irr_above_hurdle", "P(NPV > 0)": "prob_npv_positive"}  # fmt: skip
    rows = {n: {head: (x.get("records") or {}).get(key) for head, key in figures.items()}
            for n, x in runs.items() if x.get("status") in ("ok", "skipped")}  # fmt: skip
    out["plan"] = Section(
        _heading("Future: the programme's returns per scenario", runs),
        pd.DataFrame(rows).T.rename_axis("scenario"),
        _missing(runs, "irr_forecast") or "NPV at the cost of capital; IRR and MIRR annual; payback in months; "
        "the probabilities come from the Monte Carlo simulation.",
        {"NPV": "money", "IRR": "percent", "MIRR": "percent", "payback (months)": "months",
         "P(IRR > hurdle)": "percent", "P(NPV > 0)": "percent"},
    )  # fmt: skip
    runs = _runs(manifest, "ror")
    r = _records(runs)
    out["ror"] = Section(
        _heading("Relationships: return on relationship per segment", runs),
        _by_key(r, {"ROR": "ror_by_segment", "relationship value": "relationship_value_by_segment"}, "segment", None),
        _missing(runs, "ror") or f"Relationship value (loyalty, referrals, sharing; discounted) per unit of "
        f"acquisition spend. Customer lifetime value in total: {r.get('total_clv', float('nan')):,.0f}.",
        {"ROR": "ratio", "relationship value": "money"},
    )  # fmt: skip
    runs = _runs(manifest, "sentiment")
    r = _records(runs)
    out["voice"] = Section(
        _heading("Conversation: share of voice and net sentiment", runs),
        _by_key(r, {"share of voice": "share_of_voice", "net sentiment": "net_sentiment"}, "brand", "share of voice"),
        _missing(runs, "sentiment") or "Share of the category's reach; net sentiment is the positive minus the "
        "negative share of a brand's mentions.",
        {"share of voice": "percent", "net sentiment": "signed_percent"},
    )  # fmt: skip
    crises = pd.DataFrame(r.get("crisis_episodes", []))
    if not crises.empty:
        crises = crises[["start", "end", "peak", "excess_negative_mentions"]].astype(
            {"excess_negative_mentions": float}
        )
        crises[["start", "end", "peak"]] = crises[["start", "end", "peak"]].apply(
            lambda c: c.astype(str).str[:10]
        )
        crises = crises.set_index("start").rename(
            columns={"excess_negative_mentions": "excess negative mentions"}
        )
    out["crises"] = Section(
        _heading("Crisis episodes", runs), crises,
        _missing(runs, "sentiment") or ("No crisis episode in the period." if crises.empty else
                                        f"{len(crises)} episode(s) of unusually many negative mentions."),
        {"end": "text", "peak": "text", "excess negative mentions": "count"},
    )  # fmt: skip
    response = pd.DataFrame(r.get("response_by_platform", []))
    if not response.empty:
        response = response.set_index("platform")[
            ["questions", "answered_share", "median_response_hours", "within_sla_share"]
        ].set_axis(["questions", "answered", "median hours to answer", "answered within SLA"], axis=1)
    note = _missing(runs, "sentiment") or (
        f"The brand answered {r.get('answered_share', float('nan')):.0%} of its customers' questions, "
        f"{r.get('within_sla_share', float('nan')):.0%} within the SLA; median response "
        f"{r.get('median_response_hours', float('nan')):.1f} hours."
    )
    kinds = {"questions": "count", "answered": "percent", "median hours to answer": "hours",
             "answered within SLA": "percent"}  # fmt: skip
    out["response"] = Section(_heading("Listening and acting: the response gap", runs), response, note, kinds)
    return out


def overview(manifest: dict[str, Any], path: Path | None) -> str:
    """The opening line: which batch, when, and how its runs went."""
    if path is None:
        return ("No batch manifest found under reports/: run `make report` (or `socialreturns run report`) "
                "first; this summary reads what that batch recorded.")  # fmt: skip
    runs = manifest.get("runs", {})
    ok = sum(r.get("status") in ("ok", "skipped") for n, r in runs.items())
    git = manifest.get("git") or {}
    commit = (git.get("commit") or "unknown")[:10] + (" with uncommitted changes" if git.get("dirty") else "")
    return (f"Batch **{manifest.get('batch')}** as of **{manifest.get('as_of')}**: {ok} of {len(runs)} reports "
            f"succeeded (commit {commit}). Every figure below links to the report it comes from.")  # fmt: skip
