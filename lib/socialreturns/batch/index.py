"""The index page of a batch: every report with its status, and the headline figures side by side.

The page is a Jinja2 template with autoescape on: every value from the manifest (names, errors,
recorded texts) is escaped by the template, none by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from socialreturns.inputs import write_atomically

_TEMPLATE = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; padding: 0 1rem; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { text-align: left; padding: .35rem .7rem; border-bottom: 1px solid #ddd; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.ok, td.skipped { color: #1a7f37; } td.failed, td.timeout, td.interrupted { color: #b42318; }
.error { color: #555; font-size: .85rem; max-width: 40rem; }
</style></head><body>
<h1>{{ title }}</h1>
<p>As of {{ as_of }}. Commit {{ commit }}.
Written {{ written }} UTC. What produced each report:
<a href="manifest.json">manifest.json</a>.</p>
<table><thead><tr><th>Report</th><th>Status</th><th>Time</th><th>Finished (UTC)</th></tr></thead>
<tbody>
{% for row in rows %}
<tr><td>
  {%- if row.link %}<a href='{{ row.link }}'>{{ row.name }}</a>{% else %}{{ row.name }}{% endif %}
  {%- if row.last_good %} (<a href='{{ row.last_good }}'>last good</a>){% endif -%}
</td><td class='{{ row.status }}'>{{ row.status }}
  {%- if row.error %}<div class='error'>{{ row.error }}</div>{% endif -%}
</td><td>{{ "%.1f" | format(row.seconds) }} s</td><td>{{ row.ended[:19] }}</td></tr>
{% endfor %}
</tbody></table>
<h2 style="margin-top:2rem">Headline figures</h2>
{% for table in tables %}
<h2>{{ table.stem }}</h2><table><thead><tr><th>figure</th>
  {%- for name in table.names %}<th class='num'><a href='{{ table.links[name] }}'>{{ name }}</a></th>{% endfor -%}
</tr></thead><tbody>
{% for figure in table.figures %}
<tr><td>{{ figure }}</td>
  {%- for name in table.names %}<td class='num'>{{ table.runs[name].get(figure, '') | figure }}</td>{% endfor -%}
</tr>
{% endfor %}
</tbody></table>
{% endfor %}
</body></html>
"""


def _figure(value: Any) -> str:
    """A recorded figure as the index shows it: thousands separated, else four significant digits."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if value != value:  # NaN
        return ""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


_ENVIRONMENT = jinja2.Environment(
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
_ENVIRONMENT.filters["figure"] = _figure
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


def _status_rows(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per run: its report link (and last good one), status, error, time, end."""
    return [
        {
            "name": name,
            "link": Path(run["html"]).name if run.get("html") else None,
            "last_good": Path(run["last_good"]["html"]).name
            if run.get("last_good", {}).get("html")
            else None,
            "status": run["status"],
            "error": run.get("error"),
            "seconds": run.get("seconds") or 0,
            "ended": str(run.get("ended") or ""),
        }
        for name, run in manifest.get("runs", {}).items()
    ]


def write_index(folder: Path, manifest: Mapping[str, Any]) -> Path:
    """``index.html``: every run with its status, time and report link, then per notebook a
    table of the headline figures with its runs side by side (e.g. the IRR scenarios)."""
    tables = [
        {
            "stem": stem,
            "names": list(runs),
            "runs": runs,
            "figures": list(dict.fromkeys(k for r in runs.values() for k in r)),
            "links": {n: (manifest["runs"][n].get("html") or "") for n in runs},
        }
        for stem, runs in headline_figures(manifest).items()
    ]
    git = manifest.get("git", {})
    commit = (git.get("commit") or "unknown")[:12] + (" (uncommitted changes)" if git.get("dirty") else "")
    page = _PAGE.render(
        title=str(manifest.get("title")),
        as_of=str(manifest.get("as_of")),
        commit=commit,
        written=f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}",
        rows=_status_rows(manifest),
        tables=tables,
    )
    return write_atomically(folder / "index.html", page)
