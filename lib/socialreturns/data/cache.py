"""The parsed-and-validated table cache: a table is read, parsed and validated once per file
content, column mapping and library version, then read back from Parquet.

`load_table` spends most of its time parsing CSV text cell by cell and validating it, for the same
file each run. `cached_table` keys the result by the file's SHA-256 (its bytes, not its date), its
path (``.csv.gz`` is read differently, and the warnings kept name the file), the table, the column mapping and the library's source
digest (`store.frames_key`), and keeps it under ``.cache/socialreturns/tables/<key>/``
(`store.cached_frames`; ``SOCIALRETURNS_CACHE`` moves it, ``off`` turns it off). A file that
changes gets a new key; an entry that does not check out (hash, dtypes) is re-read from the file,
never trusted. Only tables that loaded cleanly are kept: a bad file raises its `InputError` on
every load. The warnings a load logs (names changed by Unicode normalisation) are kept with the
entry and logged again on each hit, so a cached load says what a fresh one says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from socialreturns import store

#: The cache's domain under `store.cache_root`.
DOMAIN = "tables"
_LOGGER = "socialreturns.data"


class _Kept(logging.Handler):
    """Collects the records logged under `socialreturns.data` while a table loads."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[list[str | int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append([record.name, record.levelno, record.getMessage()])


def table_key(name: str, path: Path, column_map: Mapping[str, str] | None) -> str:
    """The cache key of table ``name`` read from ``path`` through ``column_map``."""
    # the path, not only the name: what a load logs names its file, and a hit says it again
    return store.frames_key(
        "table", name, str(path.resolve()), store.sha256(path), sorted((column_map or {}).items())
    )


def cached_table(
    name: str, path: Path, column_map: Mapping[str, str] | None, load: Callable[[], pd.DataFrame]
) -> pd.DataFrame:
    """``load()`` (the table ``name`` parsed and validated from ``path``), or its cached copy."""
    if store.cache_root(DOMAIN) is None:
        return load()
    logger = logging.getLogger(_LOGGER)
    computed = []

    def compute() -> store.Computed:
        kept = _Kept()
        logger.addHandler(kept)
        try:
            computed.append(load())
        finally:
            logger.removeHandler(kept)
        return {"table": computed[0]}, {"log": kept.records}

    frames, plain = store.cached_frames(DOMAIN, table_key(name, path, column_map), compute)
    if not computed:  # a hit: say again what loading the file said
        for logger_name, level, message in plain.get("log", []):
            logging.getLogger(str(logger_name)).log(int(level), "%s", message)
    return frames["table"]
