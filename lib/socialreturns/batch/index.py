"""The index page of a batch: what each report says, its headline figures, every run's status.

Per report one verdict sentence and the links to its business view and code view; per notebook
the headline figures in words and units (`socialreturns.batch.headlines`), the runs of one
notebook side by side (the IRR scenarios, under the assumptions that differ between them). The
page is a Jinja2 template with autoescape on: every value from the manifest (names, errors,
recorded texts) is escaped by the template, none by hand.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from socialreturns.batch import headlines, render, verdicts
from socialreturns.batch.spec import notebook_parameters
from socialreturns.inputs import InputError, project_root, write_atomically

_TEMPLATE = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 76rem; color: #222; padding: 0 1rem; line-height: 1.4; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { text-align: left; padding: .4rem .7rem; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.ok, td.skipped { color: #1a7f37; } td.failed, td.timeout, td.interrupted { color: #b42318; }
td.verdict { max-width: 44rem; } td.list { max-width: 40rem; }
.error { color: #555; font-size: .85rem; max-width: 40rem; }
.lede { font-size: 1.05rem; } .small { color: #555; font-size: .85rem; }
</style></head><body>
<h1>{{ title }}</h1>
<p class="lede">Reports as of <b>{{ as_of }}</b>{% if period %}, on data from <b>{{ period }}</b>{% endif %}.
Each report opens in its business view; the code view beside it shows how every figure was computed.</p>
<h2>What each report says</h2>
<table><thead><tr><th>Report</th><th>Verdict</th><th>Views</th></tr></thead>
<tbody>
{% for row in rows %}
<tr><td>
  {%- if row.link %}<a href='{{ row.link }}'>{{ row.title }}</a>{% else %}{{ row.title }}{% endif %}
</td><td class='verdict'>
  {%- if row.status in ("ok", "skipped") %}{{ row.verdict }}{% else %}<span class='{{ row.status }}'>{{ row.status }}</span>
  {%- if row.error %}<div class='error'>{{ row.error }}</div>{% endif %}
  {%- if row.last_good %} <a href='{{ row.last_good }}'>last good report</a>{% endif %}{% endif -%}
</td><td>
  {%- if row.link %}<a href='{{ row.link }}'>report</a>{% endif %}
  {%- if row.code %} · <a href='{{ row.code }}'>code</a>{% endif -%}
</td></tr>
{% endfor %}
</tbody></table>
{% for table in tables %}
<h2>{{ table.heading }}</h2>
<table><thead><tr><th></th>
  {%- for column in table.columns %}<th class='num'>{% if column.link %}<a href='{{ column.link }}'>{{ column.title }}</a>{% else %}{{ column.title }}{% endif %}</th>{% endfor -%}
</tr></thead><tbody>
{% if table.assumptions %}
<tr><th colspan='{{ table.columns | length + 1 }}'>Assumptions</th></tr>
{% for label, values in table.assumptions %}
<tr><td>{{ label }}</td>{% for value in values %}<td class='num'>{{ value }}</td>{% endfor %}</tr>
{% endfor %}
<tr><th colspan='{{ table.columns | length + 1 }}'>Results</th></tr>
{% endif %}
{% for label, values in table.figures %}
<tr><td>{{ label }}</td>{% for value in values %}<td class='{{ "list" if "; " in value else "num" }}'>{{ value }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table>
{% endfor %}
<h2>Runs</h2>
<table><thead><tr><th>Report</th><th>Status</th><th>Time</th><th>Finished (UTC)</th></tr></thead>
<tbody>
{% for row in rows %}
<tr><td>
  {%- if row.link %}<a href='{{ row.link }}'>{{ row.title }}</a>{% else %}{{ row.title }}{% endif %}
  {%- if row.last_good %} (<a href='{{ row.last_good }}'>last good</a>){% endif -%}
</td><td class='{{ row.status }}'>{{ row.status }}
  {%- if row.error %}<div class='error'>{{ row.error }}</div>{% endif -%}
</td><td>{{ "%.1f" | format(row.seconds) }} s</td><td>{{ row.ended[:16] | replace("T", " ") }}</td></tr>
{% endfor %}
</tbody></table>
<p class="small">Commit {{ commit }}. Written {{ written }} UTC. What produced each report:
<a href="manifest.json">manifest.json</a>.</p>
</body></html>
"""


_ENVIRONMENT = jinja2.Environment(
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
_PAGE = _ENVIRONMENT.from_string(_TEMPLATE)


def headline_figures(manifest: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per notebook, its runs' scalar recorded figures: ``{notebook: {run: {figure: value}}}``.
    Tables and lists stay in the manifest; numbers and short texts make the headline."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, run in manifest.get("runs", {}).items():
        scalars = {k: v for k, v in (run.get("records") or {}).items()
                   if isinstance(v, int | float | str) and not isinstance(v, bool)}  # fmt: skip
        if scalars:
            out.setdefault(Path(run["notebook"]).stem, {})[name] = scalars
    return out


def _notebook(run: Mapping[str, Any]) -> Path:
    path = Path(str(run.get("notebook", "")))
    return path if path.is_absolute() else project_root() / path


def _good(run: Mapping[str, Any]) -> bool:
    return run.get("status") in ("ok", "skipped") and bool(run.get("records"))


def _rows(folder: Path, manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per run: its title, business view and code view links (and last good report),
    status, error, verdict, time, end."""
    rows = []
    runs = manifest.get("runs", {})
    for name in run_order(manifest):
        run = runs[name]
        link = Path(run["html"]).name if run.get("html") else None
        code = render.code_path(folder / link) if link else None
        stem, parameters = Path(str(run.get("notebook", name))).stem, run.get("parameters") or {}
        rows.append({
            "name": name, "stem": stem, "title": render.notebook_title(_notebook(run), name, parameters), "link": link,
            "code": code.name if code is not None and code.is_file() else None,
            "last_good": Path(run["last_good"]["html"]).name if (run.get("last_good") or {}).get("html") else None,
            "status": run["status"], "error": run.get("error"), "seconds": run.get("seconds") or 0,
            "ended": str(run.get("ended") or ""),
            "verdict": verdicts.verdict(stem, run.get("records") or {}, parameters) if _good(run) else "",
        })  # fmt: skip
    return rows


def _words(stem: str) -> tuple[Mapping[str, str], Any] | None:
    """A notebook's own words for its assumptions (``ASSUMPTION_LABELS`` and ``shown_assumption``
    of ``socialreturns.<stem>``, as its page's assumptions table), None when it has none."""
    try:
        module = importlib.import_module(f"socialreturns.{stem}")
    except ImportError:
        return None
    labels, shown = getattr(module, "ASSUMPTION_LABELS", None), getattr(module, "shown_assumption", None)
    return (labels, shown) if isinstance(labels, Mapping) and callable(shown) else None


def _assumptions(runs: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    """The parameters that differ between runs of one notebook, labelled and shown as the
    notebook's page shows them (`_words`), else by its parameters cell."""
    first = next(iter(runs.values()))
    try:
        cell = notebook_parameters(_notebook(first))
    except InputError:
        return []
    words = _words(_notebook(first).stem)
    rows = []
    for p in cell:
        values = [(r.get("parameters") or {}).get(p.name, p.default) for r in runs.values()]
        if p.name in render.RUNNER_SET or p.name == "scenario" or all(v == values[0] for v in values):
            continue
        currencies = [str((r.get("parameters") or {}).get("currency", "")) for r in runs.values()]
        if words is not None and p.name in words[0]:
            shown = [words[1](p.name, v, c) for v, c in zip(values, currencies, strict=True)]
            rows.append((words[0][p.name][:1].upper() + words[0][p.name][1:], shown))
        else:
            shown = [render.shown_value(v, p.help, c) for v, c in zip(values, currencies, strict=True)]
            rows.append((render.label(p), shown))
    return rows


def run_order(manifest: Mapping[str, Any]) -> list[str]:
    """The manifest's run names in its batch file's order (``source``; runs finish in any order,
    so the manifest's own order is the order they ended in), the executive summary first; runs
    the batch file does not name (or a batch file that cannot be read) keep the manifest's order
    after them."""
    names = list(manifest.get("runs", {}))
    try:
        from socialreturns.batch.spec import load_batch

        listed = [r.name for r in load_batch(str(manifest["source"])).runs]
    except (InputError, KeyError, OSError, TypeError, ValueError):
        listed = []
    rank = {n: i for i, n in enumerate(listed)}
    runs = manifest.get("runs", {})
    return sorted(names, key=lambda n: (Path(str(runs[n].get("notebook", n))).stem != "executive_summary",
                                        rank.get(n, len(rank)), names.index(n)))  # fmt: skip


def _tables(manifest: Mapping[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per notebook, its runs' headline figures side by side (the IRR scenarios with the
    assumptions that differ between them)."""
    by_stem: dict[str, dict[str, Mapping[str, Any]]] = {}
    for name in run_order(manifest):
        run = manifest["runs"][name]
        if _good(run):
            by_stem.setdefault(Path(str(run.get("notebook", name))).stem, {})[name] = run
    titles = {r["name"]: (r["title"], r["link"]) for r in rows}
    tables = []
    for stem, runs in by_stem.items():
        figures = headlines.contract(stem)
        columns, values = [], []
        for name, run in runs.items():
            full, link = titles[name]
            columns.append({"title": full.split(": ", 1)[1] if len(runs) > 1 and ": " in full else full,
                            "link": link})  # fmt: skip
            values.append(dict(headlines.headline(stem, run.get("records") or {}, run.get("parameters") or {},
                                                  figures)))  # fmt: skip
        labels = list(dict.fromkeys(k for v in values for k in v))
        if not labels:
            continue
        report = titles[next(iter(runs))][0].split(": ")[0]
        tables.append({
            "heading": f"{report}: {len(runs)} scenarios side by side" if len(runs) > 1 else report,
            "columns": columns, "assumptions": _assumptions(runs) if len(runs) > 1 else [],
            "figures": [(label, [v.get(label, "") for v in values]) for label in labels],
        })  # fmt: skip
    return tables


def _period(manifest: Mapping[str, Any]) -> str:
    """The data's period, from the data overview's records (empty without one)."""
    for run in manifest.get("runs", {}).values():
        records = run.get("records") or {}
        if records.get("first_date") and records.get("last_date"):
            return f"{records['first_date']} to {records['last_date']}"
    return ""


def write_index(folder: Path, manifest: Mapping[str, Any]) -> Path:
    """``index.html``: per run its title, verdict and the links to its business and code views;
    per notebook its headline figures formatted by their units (`socialreturns.batch.headlines`),
    runs side by side (the IRR scenarios, with the assumptions that differ); then every run's
    status, time and end."""
    git = manifest.get("git", {})
    commit = (git.get("commit") or "unknown")[:12] + (" (uncommitted changes)" if git.get("dirty") else "")
    # the executive summary first ("read it first"), then the runs in the batch file's order
    rows = _rows(folder, manifest)
    page = _PAGE.render(
        title=str(manifest.get("title")),
        as_of=str(manifest.get("as_of")),
        period=_period(manifest),
        commit=commit,
        written=f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}",
        rows=rows,
        tables=_tables(manifest, rows),
    )
    return write_atomically(folder / "index.html", page)
