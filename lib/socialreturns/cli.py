"""The ``socialreturns`` command: thin subcommands over the library.

Bad input exits with status 2 and one paragraph on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from socialreturns import __version__, parameters
from socialreturns.inputs import InputError

if TYPE_CHECKING:
    from socialreturns.batch import BatchResult


def _synth(args: argparse.Namespace) -> int:
    from socialreturns import synth

    start = time.perf_counter()
    seed = synth.DEFAULT_SEED if args.seed is None else args.seed
    sample = synth.generate(seed=seed, scale=args.scale)
    paths = synth.write(sample, args.out)
    for name, path in paths.items():
        rows = len(getattr(sample, name)) if name in synth.FORMATS else None  # not truth.json, labels.csv
        size = path.stat().st_size / 1e6
        print(f"{name:12s} {'' if rows is None else f'{rows:>10,} rows'} {size:7.2f} MB  {path}")
    print(f"generated seed {seed} at scale {args.scale} in {time.perf_counter() - start:.1f} s")
    return 0


class _Notes(logging.Handler):
    """Collects the notes of the validation log (values normalised) to print with the tables."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.notes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.notes.append(record.getMessage())


def _validate(args: argparse.Namespace) -> int:
    from socialreturns import data

    as_of = parameters.check_iso_date("--as-of", args.as_of) if args.as_of else None
    notes = _Notes()
    log = logging.getLogger("socialreturns.data")
    log.addHandler(notes)
    propagate, log.propagate = log.propagate, False  # printed below, not twice on stderr
    try:
        tables = data.load_tables(args.data_dir, column_map=data.read_column_map(args.column_map))
    finally:
        log.removeHandler(notes)
        log.propagate = propagate
    described = data.describe_tables(tables, as_of=as_of)
    for row in described.itertuples():
        span = f"{row.first:%Y-%m-%d} to {row.last:%Y-%m-%d}"
        print(f"{row.table:12s} {row.rows:>10,} rows  {span}  {row.file}")
        mine = [n for n in notes.notes if n.startswith(f"{row.file},")]
        for warning in (*row.warnings, *mine):
            print(f"{'':12s} warning: {warning}")
    mentions = getattr(tables, "mentions", None)
    labels = data.load_labels(args.data_dir, mentions=mentions) if mentions is not None else None
    if labels is not None:  # people's sentiment labels, checked against the mentions
        print(f"{'labels':12s} {len(labels):>10,} rows  {labels.value_counts().to_dict()}")
    print("all tables valid")
    return 0


def _label_sample(args: argparse.Namespace) -> int:
    from socialreturns import data, sentiment
    from socialreturns.sentiment.labelling import SAMPLE_SIZE

    SAMPLE_SIZE.check("--size", args.size)  # before minutes of loading and scoring
    mentions = data.load_mentions(
        args.data_dir, column_map=data.read_column_map(args.column_map).get("mentions")
    )
    sample = sentiment.label_sample(mentions, sentiment.score(mentions["text"], n_jobs=args.jobs)["label"],
                                    size=args.size, seed=args.seed)  # fmt: skip
    path = sentiment.write_label_sample(sample, args.out)
    print(f"{len(sample):,} mentions to label written to {path}: fill in the label column "
          "(positive, neutral or negative) and save it as labels.csv in the data folder")  # fmt: skip
    return 0


def _run(args: argparse.Namespace) -> int:
    import yaml

    from socialreturns import batch

    target = batch.target_path(args.target)
    inline: dict[str, object] = {}
    for key, raw in args.parameter:
        inline[key] = yaml.safe_load(raw)
    if target.suffix == ".ipynb":
        run = batch.make_run(target, params_files=args.params, parameters=inline)
        plan = batch.Batch(target.stem, f"socialreturns: {target.stem}", (run,))
    else:
        if args.params:
            raise InputError("--params applies to a notebook, not to a batch", key="--params",
                             expected="parameter files listed in the batch file, or -p KEY VALUE for every run")  # fmt: skip
        plan = batch.load_batch(target, parameters=inline)  # -p: in every run whose notebook has it
    try:
        result = batch.run_batch(
            plan, out=args.out, as_of=args.as_of, workers=args.workers, force=args.force,
            hide_code=True if args.hide_code else None, executor=args.executor, scheduler=args.scheduler,
            zygote="warm" if target.suffix == ".ipynb" else "batch",  # a rerun forks from a warm zygote
        )  # fmt: skip
    except batch.Interrupted as stopped:
        if stopped.result is not None:
            _print_outcomes(stopped.result)
        raise
    _print_outcomes(result)
    return 0 if result.ok else 1


def _print_outcomes(result: BatchResult) -> None:
    width = max(len(o.name) for o in result.outcomes) if result.outcomes else 0
    for o in result.outcomes:
        where = o.html or o.output or ""
        print(f"{o.name:{width}}  {o.status:11s} {o.seconds:7.1f} s  {where}")
        if o.error:
            print(f"{'':{width}}  {o.error}")
    print(f"manifest: {result.manifest}")
    print(f"report index: {result.index}")


def _params(args: argparse.Namespace) -> int:
    from socialreturns import batch
    from socialreturns.parameters import notebook_ranges

    path = batch.notebook_path(args.notebook)
    ranges = notebook_ranges(path.stem)
    header = ("name", "type", "default", "range", "help")
    rows = [
        (p.name, p.type, repr(p.default), ranges[p.name].expected if p.name in ranges else "", p.help)
        for p in batch.notebook_parameters(path)
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(f"{v:{w}}" for v, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
    return 0


def _list(args: argparse.Namespace) -> int:
    from socialreturns import batch

    notebooks, batches = batch.listing()
    print("notebooks (socialreturns run NAME; socialreturns params NAME):")
    for name, title in notebooks:
        print(f"  {name:20s} {title}")
    print("batches (socialreturns run NAME):")
    for name, text in batches:
        print(f"  {name:20s} {text}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from socialreturns import sources

    if args.list:
        print(sources.listing())
        return 0
    if not args.source or not args.files or not args.out:
        raise InputError("needs a source, one or more files and --out", key="import",
                         expected="socialreturns import SOURCE FILE... --out DIR (sources: socialreturns import --list)")  # fmt: skip
    result = sources.import_files(
        args.source,
        args.files,
        args.out,
        channel=args.channel,
        currency=args.currency,
        salt=args.salt,
        margin_rate=args.margin_rate,
        brands=args.brand or (),
        profile=args.profile,
        platform=args.platform,
        channel_map=args.channel_map,
        referrals=args.referrals,
        product_costs=args.product_costs,
        fx=args.fx,
    )
    print(result.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``socialreturns`` command."""
    parser = argparse.ArgumentParser(
        prog="socialreturns",
        description="What a brand's social media returns: sample data, validation and reports.",
    )
    parser.add_argument("--version", action="version", version=f"socialreturns {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    # the seed's default is read when `synth` runs: importing the generator here loads pandas
    # (a second) in every command
    p = sub.add_parser("synth", help="generate sample data with known truth")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the bundled sample's seed)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="size multiplier; 20 gives about a million mentions (default 1)")  # fmt: skip
    p.add_argument("--out", required=True, help="folder to write the tables and truth.json to")
    p.set_defaults(func=_synth)

    p = sub.add_parser("validate", help="load and validate the five tables of a folder")
    p.add_argument("data_dir", help="folder with the tables (CSV or Parquet)")
    p.add_argument("--column-map", default="", help="YAML file mapping our columns to yours")
    p.add_argument("--as-of", default=None, metavar="DATE",
                   help="warn about rows dated after this day (ISO date; default today, UTC)")  # fmt: skip
    p.set_defaults(func=_validate)

    p = sub.add_parser("label-sample", help="write a stratified sample of mentions to label (CSV)")
    p.add_argument("data_dir", help="folder with the mentions table")
    p.add_argument("--out", required=True, help="CSV file to write, e.g. to_label.csv")
    p.add_argument("--size", type=int, default=300, help="mentions in the sample (default %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the draw (default %(default)s)")
    p.add_argument("--jobs", type=int, default=1, help="processes scoring the mentions (default 1)")
    p.add_argument("--column-map", default="", help="YAML file mapping our columns to yours")
    p.set_defaults(func=_label_sample)

    p = sub.add_parser("run", help="run a batch (params/batches/NAME.yaml) or one notebook; validated first")
    p.add_argument("target", metavar="BATCH_OR_NOTEBOOK", help="a batch or notebook name, or a path")
    p.add_argument(
        "--params",
        action="append",
        default=[],
        metavar="FILE",
        help="YAML file of parameter overrides for a notebook (repeatable; later files win)",
    )
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="one parameter (VALUE read as YAML); for a batch, set in every run whose notebook has it",
    )
    p.add_argument("--workers", type=int, default=None, help="runs at once (default: number of cores)")
    p.add_argument("--out", default="reports", help="reports folder (default %(default)s)")
    p.add_argument("--force", action="store_true", help="rerun what is unchanged since its last success")
    p.add_argument(
        "--as-of", default=None, metavar="DATE", help="report date, the output folder (default today, UTC)"
    )
    p.add_argument("--hide-code", action="store_true", help="leave code cells out of the HTML")
    p.add_argument("--executor", choices=("local", "dask"), default="local", help="where runs execute")
    p.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786"
    )
    p.set_defaults(func=_run)

    p = sub.add_parser(
        "import", help="import tool exports (ads, shop, GA4, clicks) into a data folder (--list: the sources)"
    )
    p.add_argument("source", nargs="?", help="the tool that wrote the files, e.g. google-ads")
    p.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="export files (CSV, tab-separated or XLSX; ga4: Parquet or JSON)",
    )
    p.add_argument("--out", default=None, metavar="DIR", help="data folder to merge the rows into")
    p.add_argument("--channel", default=None, help="our channel for every row (exports without a platform)")
    p.add_argument("--currency", default=None, help="ISO currency of exports that do not name it")
    p.add_argument("--salt", default=None, help="shop exports: secret salt of the customer hash "
                   "(default $SOCIALRETURNS_SALT)")  # fmt: skip
    p.add_argument(
        "--margin-rate", type=float, default=None, help="shop exports: gross margin share of revenue"
    )
    p.add_argument("--brand", action="append", default=None, metavar="NAME=@HANDLE,ID",
                   help="mentions: a brand and its accounts (repeat per brand)")  # fmt: skip
    p.add_argument("--profile", default=None, help="mentions: a built-in profile name or a YAML profile file")
    p.add_argument("--platform", default=None, help="mentions: our platform for exports that do not name one")
    p.add_argument("--channel-map", default=None, metavar="YAML",
                   help="ga4, utm-clicks: platforms and GA4 groups to our channels (over the defaults)")  # fmt: skip
    p.add_argument("--referrals", default=None, metavar="CSV",
                   help="shop exports: referral discount codes and the referring customer (e-mail or id)")  # fmt: skip
    p.add_argument("--product-costs", default=None, metavar="CSV",
                   help="shop exports: SKU and unit cost, for gross margin from costs")  # fmt: skip
    p.add_argument("--fx", default=None, metavar="CSV",
                   help="shop exports: date, currency, rate to convert a second currency")  # fmt: skip
    p.add_argument("--list", action="store_true", help="list the sources and the header each expects")
    p.set_defaults(func=_import)

    p = sub.add_parser("list", help="list the notebooks and batches")
    p.set_defaults(func=_list)

    p = sub.add_parser("params", help="print a notebook's parameters: name, type, default, range, help")
    p.add_argument("notebook", help="a notebook path, or a name such as data_overview")
    p.set_defaults(func=_params)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for invalid input)."""
    args = build_parser().parse_args(argv)
    try:
        if args.func is not _run:
            return args.func(args)
        from socialreturns.batch import interrupt

        # SIGINT and SIGTERM stop a batch whatever disposition was inherited (`batch.interrupt`)
        with interrupt.raising():
            return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(str(exc) or "interrupted", file=sys.stderr)
        return getattr(exc, "exit_status", 130)


if __name__ == "__main__":
    sys.exit(main())
