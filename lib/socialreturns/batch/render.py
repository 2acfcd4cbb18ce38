"""The HTML pages of an executed notebook: the business view, and the code view beside it.

``<run>.html`` is for business readers: the notebook's words, tables and charts, without code
cells, the parameters cell, papermill's injected-parameters cell or anything written to stderr
(warnings, logs), or cells tagged ``code-view``; under the title, an "Assumptions" table lists the parameters this run sets
differently from the notebook's defaults (its parameters cell). ``<run>.code.html`` is the whole
executed notebook with its code, for analysts. A failed run gets the code view only, as
``<run>.failed.html``, for debugging. Both pages are titled by the report and its scenario
("IRR forecast: downside"), never nbconvert's "Notebook", and load nothing from the network.

Escaping: outputs are the notebook's own (tables escaped by `socialreturns.plots.table`, texts by
`socialreturns.markup`); what this module writes into a page (the assumptions, the title) is
escaped here or by the page template.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from socialreturns.batch.spec import Parameter
from socialreturns.inputs import InputError
from socialreturns.markup import escape_html

SCRAP_MIMETYPE = "application/scrapbook.scrap.json+json"
#: Cells a business reader never sees: the parameters cell, the values papermill injected, and
#: cells tagged ``code-view`` (words about the code, such as "parameters are checked first").
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "code-view"})
#: A cell so tagged shows the notebook's own assumptions table (the IRR scenarios' against base),
#: which then stands in for the generic one (`assumptions_html`) instead of repeating it.
OWN_ASSUMPTIONS_TAG = "assumptions"
#: Parameters the batch runner sets (the report date, the batch's manifest): not assumptions.
RUNNER_SET = frozenset({"as_of", "manifest"})
#: The code view's file name ends so, beside the business view's ``.html``.
CODE_SUFFIX = ".code.html"

#: Blocks of nbconvert's "lab" template that load scripts from a CDN (require.js, MathJax,
#: Mermaid, widgets): emptied, so a report opened offline is whole and no open tells a third
#: party. The reports need none of them: tables are HTML, plots PNG, Markdown has no formulas.
_OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""

_ASSUMPTIONS_STYLE = (
    "<style>.sr-assumptions table{border-collapse:collapse;margin:.4rem 0 .4rem;width:auto}"
    ".sr-assumptions th,.sr-assumptions td{text-align:left!important;padding:.25rem .8rem!important;"
    "border-bottom:1px solid #ddd}.sr-assumptions caption{text-align:left;font-weight:bold;font-size:1.2rem;"
    "padding-bottom:.4rem;color:#222}.sr-assumptions p{color:#555;font-size:.9rem}</style>"
)


def _papermill_values(nb: Any) -> dict[str, Any]:
    """The values papermill injected into this run (its notebook metadata)."""
    return dict(nb.metadata.get("papermill", {}).get("parameters", {}) or {})


def _headings(nb: Any) -> list[str]:
    return [line[2:].strip() for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if line.startswith("# ")]  # fmt: skip


def title(report: str, name: str = "", *, stem: str = "", scenario: Any = None) -> str:
    """A report's title from its name (``report``: "IRR forecast"), its run's name and the
    notebook's ``stem``: "IRR forecast: downside" (`page_title`).

    >>> title("ROI", "roi-first_year", stem="roi"), title("ROI", "roi", stem="roi")
    ('ROI: first year', 'ROI')
    >>> title("IRR forecast", "irr_forecast", stem="irr_forecast", scenario="base")
    'IRR forecast: base'
    """
    if not isinstance(scenario, str) or not scenario.strip():
        scenario = name[len(stem) :].lstrip("-_ ") if stem and name.startswith(stem) else name
        scenario = "" if scenario in (report, stem) else scenario.replace("_", " ")
    return f"{report}: {scenario.strip()}" if scenario.strip() else report


def report_name(nb: Any, fallback: str = "report") -> str:
    """The report's name: the notebook's first ``# `` heading up to its colon ("IRR forecast: is
    the programme a good investment?" gives "IRR forecast"); ``fallback`` without a heading."""
    headings = _headings(nb)
    return headings[0].split(":")[0].strip() if headings else fallback


def page_title(nb: Any, name: str = "", *, stem: str = "") -> str:
    """A report's browser title: the report (`report_name`), then its scenario ("IRR forecast:
    downside"): the run's ``scenario`` parameter when the notebook has one, else the run's name
    without the notebook's ``stem`` ("roi-first_year" gives "first year"), else none. Plain
    text: the page template escapes it."""
    defaults = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    scenario = _papermill_values(nb).get("scenario")
    if scenario is None and defaults and "scenario" in defaults[0].source:
        scenario = _default_scenario(defaults[0].source)
    return title(report_name(nb, stem or name or "report"), name, stem=stem, scenario=scenario)


def _default_scenario(source: str) -> Any:
    import ast

    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name) and target.id == "scenario" and node.value is not None:
                return ast.literal_eval(node.value)
    return None


def notebook_title(notebook: Path, name: str, parameters: Mapping[str, Any]) -> str:
    """The title of the run ``name`` of the source ``notebook`` with its resolved ``parameters``
    (the index's titles, equal to the page's)."""
    import json

    report = notebook.stem
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        cells = []
    for cell in cells:
        source = "".join(cell.get("source", "")) if cell.get("cell_type") == "markdown" else ""
        heading = next((line[2:].strip() for line in source.splitlines() if line.startswith("# ")), None)
        if heading:
            report = heading.split(":")[0].strip()
            break
    return title(report, name, stem=notebook.stem, scenario=parameters.get("scenario"))


def _amount(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:,.2f}"


def shown_value(value: Any, help_text: str = "", currency: str = "") -> str:
    """A parameter's value as a business reader reads it, by what its help says it holds:
    fractions as percents, amounts with thousands separators and the currency, yes/no, lists
    joined, an empty value as "none".

    >>> shown_value(0.09, "cost of capital (annual rate, fraction)"), shown_value(250000.0, "cost (currency)", "EUR")
    ('9%', '250,000 EUR')
    >>> shown_value({"facebook": 7600, "tiktok": 6100}, "spend per month (currency)", "EUR")
    'facebook 7,600; tiktok 6,100 EUR'
    >>> shown_value([], "channels"), shown_value(True, "scale"), shown_value("", "file")
    ('none', 'yes', 'none')
    """
    unit = f" {currency}" if currency and "currency" in help_text else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if "fraction" in help_text and isinstance(value, float):
            return f"{value * 100:.4g}%"
        return f"{_amount(value)}{unit}" if unit or abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, Mapping):
        if not value:
            return "none"
        parts = "; ".join(f"{k} {shown_value(v)}" for k, v in value.items())
        return parts + unit
    if isinstance(value, list | tuple):
        return ", ".join(shown_value(v) for v in value) if value else "none"
    return str(value) if str(value) != "" else "none"


def label(parameter: Parameter) -> str:
    """A parameter's label for readers: its help text in the parameters cell, else its name."""
    text = parameter.help or parameter.name.replace("_", " ")
    return text[:1].upper() + text[1:]


def assumptions(nb: Any, defaults: Sequence[Parameter]) -> list[dict[str, str]]:
    """The parameters this run sets differently from the notebook's defaults, as text.

    Parameters
    ----------
    nb
        The executed notebook (papermill records the values it injected in its metadata).
    defaults
        The notebook's parameters cell (`socialreturns.batch.spec.notebook_parameters`).

    Returns
    -------
    list of dict
        One per changed parameter, in the cell's order: ``assumption`` (its help text),
        ``value`` (this run's), ``default``; the parameters the runner sets (the report date,
        the manifest) are left out.
    """
    given = _papermill_values(nb)
    currency = str(given.get("currency", next((p.default for p in defaults if p.name == "currency"), "")))
    rows = []
    for p in defaults:
        if p.name in RUNNER_SET or p.name not in given or given[p.name] == p.default:
            continue
        rows.append({"assumption": label(p), "value": shown_value(given[p.name], p.help, currency),
                     "default": shown_value(p.default, p.help, currency)})  # fmt: skip
    return rows


def assumptions_html(rows: Sequence[Mapping[str, str]], *, code_view: bool = True) -> str:
    """The "Assumptions" table (every value escaped), or one sentence when nothing was changed;
    ``code_view``: a code view beside the page lists every parameter."""
    listed = " The code view beside this page lists them all." if code_view else ""
    if not rows:
        return ("<div class='sr-assumptions'><p><b>Assumptions.</b> This report uses the notebook's "
                f"default parameters.{listed}</p></div>")  # fmt: skip
    body = "".join(
        f"<tr><td>{escape_html(r['assumption'])}</td><td>{escape_html(r['value'])}</td>"
        f"<td>{escape_html(r['default'])}</td></tr>"
        for r in rows
    )
    return (f"{_ASSUMPTIONS_STYLE}<div class='sr-assumptions'><table><caption>Assumptions</caption>"
            "<thead><tr><th>What this report assumes</th><th>Here</th><th>Default</th></tr></thead>"
            f"<tbody>{body}</tbody></table><p>Every other parameter keeps the notebook's default."
            f"{listed}</p></div>")  # fmt: skip


def _business_cells(nb: Any, assumptions_cell: Any) -> list[Any]:
    """The cells a business reader sees: markdown, and code cells' outputs without stderr and
    recorded figures (cells left without output are dropped); the assumptions after the title,
    unless a cell tagged `OWN_ASSUMPTIONS_TAG` shows the notebook's own."""
    cells = []
    for cell in nb.cells:
        if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                            and SCRAP_MIMETYPE not in o.get("data", {})]  # fmt: skip
            if not cell.outputs:
                continue
        elif cell.cell_type != "markdown":
            continue
        cells.append(cell)
    if any(OWN_ASSUMPTIONS_TAG in c.get("metadata", {}).get("tags", []) for c in cells):
        return cells
    at = next((i + 1 for i, c in enumerate(cells) if c.cell_type == "markdown"), 0)
    return [*cells[:at], assumptions_cell, *cells[at:]]


#: One exporter per view and process (its template environment compiled once): building one
#: and compiling the lab template took most of a page's second.
_EXPORTERS: dict[bool, Any] = {}


@functools.lru_cache(maxsize=2048)
def _clean_html(element: str) -> str:
    from nbconvert.filters.strings import clean_html

    return clean_html(element)


def _clean(element: str | bytes) -> str:
    """nbconvert's ``clean_html`` filter (bleach), remembered by its input: the pages of one
    notebook clean the same code, Markdown and tables again and again (a third of a page's time),
    and a zygote that rendered the project's notebooks (`warm_up`) hands what it cleaned to
    every worker it forks."""
    return _clean_html(element.decode() if isinstance(element, bytes) else str(element))


def _exporter(exclude_input: bool) -> Any:
    if exclude_input not in _EXPORTERS:
        import jinja2
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(
            template_name="lab",
            template_file="socialreturns.html.j2",
            extra_loaders=[jinja2.DictLoader({"socialreturns.html.j2": _OFFLINE_TEMPLATE})],
        )
        exporter.exclude_input = exclude_input
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        exporter.register_filter("clean_html", _clean)
        # the notebook validated once after the preprocessors, not after each of the dozen (most
        # of them disabled): a tenth of a second of two pages
        exporter.optimistic_validation = True
        _EXPORTERS[exclude_input] = exporter
    return _EXPORTERS[exclude_input]


def _export(nb: Any, *, title: str, exclude_input: bool) -> str:
    nb.metadata["title"] = title  # nbconvert's default is "Notebook" for every page
    body, _ = _exporter(exclude_input).from_notebook_node(nb)
    return body


def warm_up(notebooks: Sequence[Path] = ()) -> None:
    """Build both exporters and render a small page with each (templates, highlighting, the
    Markdown renderer loaded), then the code view of each of ``notebooks`` as its kernel would
    record it (their code and Markdown cleaned once, `_clean`), as a zygote does before it forks
    workers (`socialreturns.batch.zygote`)."""
    import nbformat
    from ipykernel.ipkernel import IPythonKernel

    cells = [nbformat.v4.new_markdown_cell("# Warm-up: *a* page"),
             nbformat.v4.new_code_cell("x = 1", outputs=[nbformat.v4.new_output(
                 "display_data", data={"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "1"})])]  # fmt: skip
    nb = nbformat.v4.new_notebook(cells=cells)
    for exclude_input in (True, False):
        _export(copy.deepcopy(nb), title="warm-up", exclude_input=exclude_input)
    for path in notebooks:
        try:
            source = nbformat.read(str(path), as_version=4)
        except (OSError, ValueError):  # its run reports it
            continue
        source.metadata["language_info"] = dict(IPythonKernel.language_info)  # its lexer, as executed
        _export(source, title="warm-up", exclude_input=False)


def code_view(nb: Any, *, name: str = "", stem: str = "") -> str:
    """The whole executed notebook with its code (recorded figures left out), as one page."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:  # recorded figures are data for machines, not for the page
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if SCRAP_MIMETYPE not in o.get("data", {})]
    return _export(nb, title=f"{page_title(nb, name, stem=stem)} (code)", exclude_input=False)


def business_view(
    nb: Any, *, defaults: Sequence[Parameter] = (), name: str = "", stem: str = "", code_view: bool = True
) -> str:
    """The page for business readers: no code, no parameters, no stderr; the assumptions table
    (`assumptions`) under the title."""
    import nbformat

    nb = copy.deepcopy(nb)
    table = nbformat.v4.new_code_cell(
        "", outputs=[nbformat.v4.new_output("display_data", data={"text/html": assumptions_html(
            assumptions(nb, defaults), code_view=code_view)})],
    )  # fmt: skip
    page = page_title(
        nb, name, stem=stem
    )  # before the parameters cell, which holds the default scenario, goes
    nb.cells = _business_cells(nb, table)
    return _export(nb, title=page, exclude_input=True)


def code_path(html_path: Path) -> Path:
    """Where the code view of the business page ``html_path`` goes (``<run>.code.html``)."""
    return html_path.with_name(html_path.name.removesuffix(".html") + CODE_SUFFIX)


def pages(
    nb: Any, html_path: Path, *, notebook: Path, name: str, failed: bool = False, code: bool = True
) -> dict[Path, str]:
    """The HTML files of one executed run, by path: the business view at ``html_path`` and the
    code view beside it (unless ``code`` is false); a failed run's code view alone at ``html_path``.

    ``notebook`` is the source notebook (its parameters cell holds the defaults the assumptions
    compare against); ``name`` the run's output name.
    """
    from socialreturns.batch.spec import notebook_parameters

    stem = notebook.stem
    if failed:
        return {html_path: code_view(nb, name=name, stem=stem)}
    try:
        defaults = notebook_parameters(notebook)
    except InputError:  # no parameters cell (or no source left): nothing to compare with
        defaults = []
    out = {html_path: business_view(nb, defaults=defaults, name=name, stem=stem, code_view=code)}
    if code:
        out[code_path(html_path)] = code_view(nb, name=name, stem=stem)
    return out
