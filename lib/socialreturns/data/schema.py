"""What the tables hold: their names, file formats, documented columns and pandera schemas.

The five tables every analysis reads are `TABLES`; `OPTIONAL_TABLES` are read when a folder
holds them (``experiments``: lift tests that calibrate the ROI model).

``data/README.md`` documents every column; `SCHEMAS` is that documentation as code (kind, may it
be empty, must it be 0 or more, must it be unique), and `_schema` turns one table's entry into the
pandera schema a parsed table is validated with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa

TABLES = ("mentions", "spend", "touchpoints", "orders", "customers")
OPTIONAL_TABLES = ("experiments",)
FORMATS = (".csv", ".parquet", ".csv.gz")

Kind = Literal["str", "int", "float", "bool", "timestamp", "date"]

#: Largest accepted magnitude of an amount (spend, revenue, gross_margin, in the data's currency)
#: or a count (likes, shares, comments, reach). A trillion is more than any brand's yearly spend
#: or revenue and more than a hundred times the world's population, so a larger value is a unit
#: or export error (cents read as units, an overflow); it would make the models' sums overflow or
#: their ratios absurd rather than fail.
MAX_ABS_NUMBER = 1e12


@dataclass(frozen=True)
class Col:
    """One documented column: its kind, whether it may be empty, and its value rules."""

    kind: Kind
    nullable: bool = False
    nonnegative: bool = False
    unique: bool = False


SCHEMAS: dict[str, dict[str, Col]] = {
    "mentions": {
        "post_id": Col("str", unique=True),
        "timestamp": Col("timestamp"),
        "platform": Col("str"),
        "brand": Col("str"),
        "author_id": Col("str"),
        "customer_id": Col("str", nullable=True),
        "text": Col("str", nullable=True),
        "likes": Col("int", nonnegative=True),
        "shares": Col("int", nonnegative=True),
        "comments": Col("int", nonnegative=True),
        "reach": Col("int", nonnegative=True),
        "is_question": Col("bool"),
        "answered_at": Col("timestamp", nullable=True),
    },
    "spend": {
        "date": Col("date"),
        "channel": Col("str"),
        "campaign": Col("str"),
        "spend": Col("float", nonnegative=True),
    },
    "touchpoints": {
        "customer_id": Col("str"),
        "timestamp": Col("timestamp"),
        "channel": Col("str"),
        "campaign": Col("str", nullable=True),
    },
    "orders": {
        "order_id": Col("str", unique=True),
        "customer_id": Col("str"),
        "timestamp": Col("timestamp"),
        "revenue": Col("float", nonnegative=True),
        "gross_margin": Col("float"),
    },
    "customers": {
        "customer_id": Col("str", unique=True),
        "acquisition_date": Col("date"),
        "acquisition_channel": Col("str"),
        "referred_by": Col("str", nullable=True),
    },
    # lift tests; the measured lift may be negative, its standard error must be positive
    # (checked in `validate._check_rules`)
    "experiments": {
        "channel": Col("str"),
        "start_date": Col("date"),
        "end_date": Col("date"),
        "incremental_revenue": Col("float"),
        "standard_error": Col("float"),
    },
}

_EXPECTED = {
    "str": "text",
    "int": "whole numbers",
    "float": "numbers (a dot as decimal separator, no currency sign)",
    "bool": "true/false (also 1/0, yes/no)",
    "timestamp": "ISO 8601 timestamps such as 2025-03-01T14:05:00Z (no offset means UTC)",
    "date": "ISO 8601 dates such as 2025-03-01",
}


@dataclass(frozen=True)
class Tables:
    """The five validated tables and the files they came from."""

    mentions: pd.DataFrame
    spend: pd.DataFrame
    touchpoints: pd.DataFrame
    orders: pd.DataFrame
    customers: pd.DataFrame
    sources: dict[str, Path] = field(default_factory=dict)


def _schema(name: str) -> pa.DataFrameSchema:
    """The pandera schema of a parsed table (types, empties, signs, uniqueness)."""
    dtypes = {
        "str": "string",
        "int": "Int64",
        "float": "float64",
        "bool": "boolean",
        "timestamp": pd.DatetimeTZDtype(tz="UTC"),
        "date": pd.DatetimeTZDtype(tz="UTC"),
    }
    columns = {
        column: pa.Column(
            dtypes[col.kind],
            checks=[pa.Check.ge(0, error="not negative")] if col.nonnegative else [],
            nullable=col.nullable,
            unique=col.unique,
            coerce=False,
        )
        for column, col in SCHEMAS[name].items()
    }
    return pa.DataFrameSchema(columns, name=name, strict=False)
