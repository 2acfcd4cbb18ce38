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
REPORT_ORDER = ("data_overview",)


def _synth(args: argparse.Namespace) -> int:
    from socialreturns import synth

    start = time.perf_counter()
    sample = synth.generate(seed=args.seed, scale=args.scale)
    paths = synth.write(sample, args.out)
    for name, path in paths.items():
        rows = len(getattr(sample, name)) if name != "truth" else None
        size = path.stat().st_size / 1e6
        print(f"{name:12s} {'' if rows is None else f'{rows:>10,} rows'} {size:7.2f} MB  {path}")
    print(
        f"generated seed {args.seed} at scale {args.scale} in {time.perf_counter() - start:.1f} s"
    )
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


def _report(args: argparse.Namespace) -> int:
    from socialreturns import notebook

    root = project_root()
    out = Path(args.out).resolve()
    paths = [Path(p) for p in args.notebooks] or notebooks_in(root / "notebooks")
    results = []
    for path in paths:
        print(f"running {path.name} ...", flush=True)
        result = notebook.execute(path, out / f"{path.stem}.ipynb")
        line = f"  {result.status} in {result.seconds:.1f} s: {result.html or result.output}"
        print(line if result.error is None else f"{line}\n  {result.error}", flush=True)
        results.append(result)
    index = notebook.index_page(results, "socialreturns reports", out / "index.html")
    print(f"report index: {index}")
    return 0 if all(r.status == "ok" for r in results) else 1


def _params(args: argparse.Namespace) -> int:
    from socialreturns import notebook

    path = Path(args.notebook)
    if not path.suffix:
        path = project_root() / "notebooks" / f"{args.notebook}.ipynb"
    table = notebook.notebook_parameters(path)
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
    p.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)"
    )
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
