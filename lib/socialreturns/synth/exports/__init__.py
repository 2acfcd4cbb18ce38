"""A dataset written out as the tools export it: the input of the import round trip.

`write_exports` takes our five tables (the bundled sample, or `sample.generate` at a small
scale) and writes each in the layout of the tool a real user would export it from
(``data/IMPORT.md``), so that ``socialreturns import`` can be tested on realistic volume, not
only on the hand-written fixtures:

* **spend**: facebook and instagram as Meta Ads Manager reports (the first half an English
  workbook with a Platform and Placement breakdown, one row per placement; the second a French
  CSV with ``;`` and decimal commas), youtube as a Google Ads day report (title and date-range
  lines, quoted thousands, `` --``, ``Total:`` lines, removed campaigns without cost), linkedin
  as Campaign Manager reports (preamble, M/D/YYYY, ``€`` amounts; the second half UTF-16 with
  tabs), tiktok as the Ads Manager web export (no currency column). Channels no importer covers
  (pinterest) are written by hand in our ``spend.csv``, which imports merge with;
* **orders and customers**: a Shopify orders export in two halves imported one after the other
  (one row per line item, totals on the first row, times in Europe/Berlin with their offset,
  e-mails in mixed case, partial refunds, cancelled and voided orders, POS orders without an
  e-mail, referral codes on first orders and a few later ones, promotion codes, prices including
  tax from the second year), its referral discount-code table and a product-cost table;
* **touchpoints**: a GA4 BigQuery events export (a session per touchpoint, its source on one of
  the three levels GA4 writes, ``user_id`` on the user's last session; direct, search and e-mail
  sessions beside them; the first days as Parquet, the rest as BigQuery's JSON) and a UTM click
  log of the tiktok and pinterest clicks, which GA4 also saw;
* **mentions**: the brand's inbox as a reply-thread CSV read through a profile (local time
  without offset, a ``Needs Reply`` flag, its replies as posts answering the questions) and the
  competitors' mentions as a Meltwater export (UTF-16, tabs, minute times, no likes).

Only synthetic data: e-mail addresses are ``@example.com``, handles are made from the sample's
pseudonymous author ids. `Exports.commands` are the ``socialreturns import`` calls that read
the files back, and `Exports.tables` the tables a correct import writes (customer ids hashed as
the shop import hashes them), for comparing against the original.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..templates import _HANDLES as HANDLES
from ..truth import BRAND, COMPETITORS
from .mentions import BRAND_ACCOUNT, archive_exports, mention_exports
from .shop import PRODUCTS, SHOP_TIMEZONE, shop_export
from .spend import spend_exports
from .tracking import tracking_exports


@dataclass(frozen=True)
class Exports:
    """What `write_exports` wrote.

    ``files``: per import (a source name, or ``by hand``) the files; ``commands``: the
    ``socialreturns import`` argument lists, in the order to run them (``--out`` not included);
    ``tables``: the tables a correct import of the files gives (our columns; customer ids as the
    shop import keys them); ``ids``: the sample's customer ids to those ids; ``brands``: the
    ``--brand`` values; ``counts``: the rows beside the sample's that an import must drop, and the
    line items written, by kind.
    """

    folder: Path
    files: Mapping[str, tuple[Path, ...]]
    commands: tuple[tuple[str, ...], ...]
    tables: Mapping[str, pd.DataFrame]
    ids: pd.Series
    brands: tuple[str, ...]
    counts: Mapping[str, int] = field(default_factory=dict)


def write_exports(tables: Mapping[str, pd.DataFrame], out: str | Path, folder: str | Path, *, salt: str,
                  seed: int = 0) -> Exports:  # fmt: skip
    """Write ``tables`` (our five tables, as `sample.generate` gives them) as tool exports.

    Parameters
    ----------
    tables
        ``spend``, ``orders``, ``customers``, ``touchpoints``, ``mentions`` in our columns.
    out
        Folder for the export files (created).
    folder
        The data folder the imports will write into: the spend of channels without an importer
        is written there by hand first (``spend.csv``), as a user would.
    salt
        The shop import's salt (``--salt``), for the GA4 ``user_id`` and the expected ids.
    seed
        Seed of the layout's own choices (placement splits, line items, refunds).

    Returns
    -------
    Exports
        The files, the import commands and the tables a correct import gives back.
    """
    out, folder = Path(out), Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    files, commands, removed = spend_exports(tables["spend"], out, folder, rng)
    shop = shop_export(tables["orders"], tables["customers"], out, salt=salt, rng=rng)
    files["shopify-orders"] = shop.files
    orders_1, orders_2, referrals, costs = map(str, shop.files)
    for part in (orders_1, orders_2):
        commands.append(
            ("shopify-orders", part, "--referrals", referrals, "--product-costs", costs, "--salt", salt)
        )
    ids = shop.ids
    tracking = tracking_exports(tables["touchpoints"], ids, out, rng=rng)
    files |= tracking.files
    commands += tracking.commands
    brands = (f"{BRAND}={HANDLES[BRAND]},{BRAND_ACCOUNT}", *(f"{c}={HANDLES[c]}" for c in COMPETITORS))
    mentions = mention_exports(tables["mentions"], out)
    files |= mentions.files
    commands += [
        (*c, "--salt", salt, *(a for b in brands for a in ("--brand", b))) for c in mentions.commands
    ]
    expected = {"spend": tables["spend"], "orders": shop.orders, "customers": shop.customers,
                "touchpoints": tracking.touchpoints, "mentions": mentions.mentions}  # fmt: skip
    counts = {
        "google-ads removed campaign days": removed,
        **shop.counts,
        **tracking.counts,
        **mentions.counts,
    }
    return Exports(out, files, tuple(commands), expected, ids, brands, counts)


__all__ = ["BRAND_ACCOUNT", "PRODUCTS", "SHOP_TIMEZONE", "Exports", "archive_exports", "write_exports"]
