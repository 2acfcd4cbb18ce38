"""Load and validate the five input tables; the one input-error type.

Every table is read from CSV (UTF-8) or Parquet, renamed through an optional column mapping,
parsed (timestamps to UTC, numbers, booleans) and validated with a pandera schema. Anything
wrong raises `InputError`, whose message is one paragraph naming the file, the column and the
first offending rows, and saying what was expected. ``data/README.md`` documents the tables.

Submodules:

* `schema`: the table names, file formats, documented columns (`Col`, `SCHEMAS`), `Tables`, and
  the pandera schema of each table.
* `read`: finding a table's file, reading it raw, renaming through a column mapping
  (`read_column_map`), parsing each column to its kind.
* `validate`: the pandera validation, rules within a table and across tables
  (`validate_tables`), and `describe_tables` for ``socialreturns validate``.
* `text`: names NFKC-normalised and stripped of invisible characters (logged), NUL bytes refused.
* `times`: the one timestamp type (``datetime64[ns, UTC]``), its accepted range, and `as_utc`
  for analyses bringing the frames they are passed to it.
* `load`: `load_table`, one `load_<table>` per table, `load_tables` for all five, and
  `load_experiments` for the optional lift tests.
* `cache`: each table parsed and validated once per file content, column mapping and library
  version, kept as Parquet (`cached_table`, through `store.cached_frames`).
* `labels`: `load_labels`, people's sentiment labels (``labels.csv``, optional).
* `checks`: `require_columns`, `require_brand` and `is_member`, for analyses checking the frames they are passed.
"""

# re-exported: the error type and path helpers live in the light `inputs` module, so that the
# command line can check parameters without importing pandas
from socialreturns.inputs import MAX_SHOWN, InputError, project_root, read_yaml_mapping, resolve

from .checks import is_member, require_brand, require_columns
from .labels import load_labels
from .load import (
    load_customers,
    load_experiments,
    load_mentions,
    load_orders,
    load_spend,
    load_table,
    load_tables,
    load_touchpoints,
)
from .read import find_table, read_column_map
from .schema import FORMATS, MAX_ABS_NUMBER, OPTIONAL_TABLES, SCHEMAS, TABLES, Col, Kind, Tables
from .text import clean_name
from .times import EARLIEST, LATEST, TIMESTAMP_DTYPE, as_utc
from .validate import describe_tables, validate_tables

__all__ = [
    "EARLIEST",
    "FORMATS",
    "LATEST",
    "MAX_ABS_NUMBER",
    "MAX_SHOWN",
    "OPTIONAL_TABLES",
    "SCHEMAS",
    "TABLES",
    "TIMESTAMP_DTYPE",
    "Col",
    "InputError",
    "Kind",
    "Tables",
    "as_utc",
    "clean_name",
    "describe_tables",
    "find_table",
    "load_customers",
    "load_experiments",
    "load_labels",
    "load_mentions",
    "load_orders",
    "load_spend",
    "load_table",
    "load_tables",
    "load_touchpoints",
    "project_root",
    "read_column_map",
    "read_yaml_mapping",
    "is_member",
    "require_brand",
    "require_columns",
    "resolve",
    "validate_tables",
]
