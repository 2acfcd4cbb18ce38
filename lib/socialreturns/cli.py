"""The ``socialreturns`` command: thin subcommands over the library.

Bad input exits with status 2 and one paragraph on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from socialreturns import __version__
from socialreturns.data import InputError, project_root

#: Order of the reports on the index page; notebooks not listed follow alphabetically.
REPORT_ORDER = ("data_overview", "roi", "irr_forecast", "ror", "sentiment")


def _synth(args: argparse.Namespace) -> int:
    from socialreturns import synth

    start = time.perf_counter()
    sample = synth.generate(seed=args.seed, scale=args.scale)
    paths = synth.write(sample, args.out)
    for name, path in paths.items():
        rows = len(getattr(sample, name)) if name != "truth" else None
        size = path.stat().st_size / 1e6
        print(f"{name:12s} {'' if rows is None else f'{rows:>10,} rows'} {size:7.2f} MB  {path}")
    print(f"generated seed {args.seed} at scale {args.scale} in {time.perf_counter() - start:.1f} s")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from socialreturns import data

    tables = data.load_tables(args.data_dir, column_map=data.read_column_map(args.column_map))
    for name in data.TABLES:
        print(f"{name:12s} {len(getattr(tables, name)):>10,} rows  {tables.sources[name]}")
    print("all tables valid")
    return 0


def notebooks_in(folder: Path) -> list[Path]:
    """The report notebooks of a folder, in report order."""
    found = sorted(folder.glob("*.ipynb"))
    rank = {stem: i for i, stem in enumerate(REPORT_ORDER)}
    return sorted(found, key=lambda p: (rank.get(p.stem, len(rank)), p.stem))


#: Notebooks that the report runs once per parameter file in params/<notebook>/ (scenarios)
#: instead of once with their defaults.
SCENARIO_NOTEBOOKS = ("irr_forecast",)


def report_runs(root: Path) -> list[tuple[Path, Path | None]]:
    """What `make report` runs: every notebook with its defaults, and each scenario notebook
    once per scenario file (the three IRR scenarios)."""
    runs: list[tuple[Path, Path | None]] = []
    for path in notebooks_in(root / "notebooks"):
        scenarios = sorted((root / "params" / path.stem).glob("*.yaml"))
        if path.stem in SCENARIO_NOTEBOOKS and scenarios:
            runs.extend((path, s) for s in scenarios)
        else:
            runs.append((path, None))
    return runs


def _report(args: argparse.Namespace) -> int:
    from socialreturns import notebook

    root = project_root()
    out = Path(args.out).resolve()
    runs = [(Path(p), None) for p in args.notebooks] or report_runs(root)
    results = []
    for path, params_file in runs:
        values, name = {}, path.stem
        if params_file is not None:
            values = notebook.validate_parameters(
                path, notebook.read_parameter_file(params_file), source=params_file
            )
            name = f"{path.stem}-{params_file.stem}"
        print(f"running {name} ...", flush=True)
        result = notebook.execute(path, out / f"{name}.ipynb", parameters=values)
        line = f"  {result.status} in {result.seconds:.1f} s: {result.html or result.output}"
        print(line if result.error is None else f"{line}\n  {result.error}", flush=True)
        results.append(result)
    index = notebook.index_page(results, "socialreturns reports", out / "index.html")
    print(f"report index: {index}")
    return 0 if all(r.status == "ok" for r in results) else 1


def _notebook_path(name: str) -> Path:
    """A notebook given by path, or by name (``roi``) in the project's notebooks folder."""
    path = Path(name)
    if path.suffix != ".ipynb":
        path = project_root() / "notebooks" / f"{name}.ipynb"
    if not path.is_file():
        known = ", ".join(p.stem for p in notebooks_in(project_root() / "notebooks"))
        raise InputError("no such notebook", file=path, expected=f"a path or one of {known}")
    return path


def _run(args: argparse.Namespace) -> int:
    import yaml

    from socialreturns import notebook

    path = _notebook_path(args.notebook)
    values: dict[str, object] = {}
    names = []
    for params_file in args.params:
        values |= notebook.validate_parameters(
            path, notebook.read_parameter_file(params_file), source=params_file
        )
        names.append(Path(params_file).stem)
    for key, raw in args.parameter:
        values |= notebook.validate_parameters(path, {key: yaml.safe_load(raw)}, source="the -p option")
    out = Path(args.out) / f"{path.stem}{''.join('-' + n for n in names)}.ipynb"
    print(f"running {path.name} -> {out} ...", flush=True)
    result = notebook.execute(path, out, parameters=values)
    print(f"{result.status} in {result.seconds:.1f} s: {result.html or result.output}")
    if result.error:
        print(f"error: {result.error}", file=sys.stderr)
    return 0 if result.status == "ok" else 1


def _params(args: argparse.Namespace) -> int:
    from socialreturns import notebook

    table = notebook.notebook_parameters(_notebook_path(args.notebook))
    print(table.to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``socialreturns`` command."""
    parser = argparse.ArgumentParser(
        prog="socialreturns",
        description="What a brand's social media returns: sample data, validation and reports.",
    )
    parser.add_argument("--version", action="version", version=f"socialreturns {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    from socialreturns.synth import DEFAULT_SEED

    p = sub.add_parser("synth", help="generate sample data with known truth")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="size multiplier; 20 gives about a million mentions (default 1)")  # fmt: skip
    p.add_argument("--out", required=True, help="folder to write the tables and truth.json to")
    p.set_defaults(func=_synth)

    p = sub.add_parser("validate", help="load and validate the five tables of a folder")
    p.add_argument("data_dir", help="folder with the tables (CSV or Parquet)")
    p.add_argument("--column-map", default="", help="YAML file mapping our columns to yours")
    p.set_defaults(func=_validate)

    p = sub.add_parser("report", help="execute every notebook on the sample data, write HTML")
    p.add_argument("--out", default="reports", help="output folder (default %(default)s)")
    p.add_argument("notebooks", nargs="*", help="notebooks to run (default: all in notebooks/)")
    p.set_defaults(func=_report)

    p = sub.add_parser("run", help="run one notebook with parameter files; validated first")
    p.add_argument("notebook", help="a notebook path, or a name such as irr_forecast")
    p.add_argument(
        "--params",
        action="append",
        default=[],
        metavar="FILE",
        help="YAML file of parameter overrides (repeatable; later files win)",
    )
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="one parameter (VALUE read as YAML)",
    )
    p.add_argument("--out", default="reports", help="output folder (default %(default)s)")
    p.set_defaults(func=_run)

    p = sub.add_parser("params", help="print a notebook's parameters: name, type, default, help")
    p.add_argument("notebook", help="a notebook path, or a name such as data_overview")
    p.set_defaults(func=_params)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for invalid input)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
