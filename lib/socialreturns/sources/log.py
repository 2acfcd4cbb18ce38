"""What an import did, kept in ``DIR/import_log.json``: nothing lost without a line saying so.

Each import appends one entry: the source, each file with its SHA-256, encoding, delimiter and
header line, the rows read and written, the rows dropped with the reason and the first
examples, the rows of earlier imports it replaced, the columns of the export it did not use,
and notes (summed breakdown rows, mapped channels). The folder's currency is kept at the top
level, so that a later import in another currency stops instead of mixing them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from socialreturns.inputs import InputError

LOG_NAME = "import_log.json"
EXAMPLES = 5  # dropped rows quoted per reason


@dataclass
class Dropped:
    """Rows left out for one reason, with the first few as examples (``"line 12: 'Total'"``)."""

    reason: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class ImportLog:
    """The record of one import (one source, one or more files). Amounts are not logged."""

    source: str
    tables: list[str]
    files: list[dict[str, object]] = field(default_factory=list)
    rows_read: int = 0
    rows_written: int = 0
    written: dict[str, int] = field(default_factory=dict)  # rows written per table
    rows_dropped: list[Dropped] = field(default_factory=list)
    rows_replaced: int = 0
    #: rows folded into another row (reason -> count): a breakdown's rows summed, an order's
    #: further line items, a session's further events; with ``rows_dropped`` and the primary
    #: table's ``written`` they add up to ``rows_read``
    rows_combined: dict[str, int] = field(default_factory=dict)
    columns_unused: dict[str, list[str]] = field(default_factory=dict)
    currency: str | None = None
    notes: list[str] = field(default_factory=list)
    imported_at: str = ""

    def drop(self, reason: str, labels: Sequence[str], values: Sequence[object] = ()) -> None:
        """Record ``labels`` (``line N`` of a file) as dropped for ``reason``."""
        if not len(labels):
            return
        entry = next((d for d in self.rows_dropped if d.reason == reason), None)
        if entry is None:
            entry = Dropped(reason)
            self.rows_dropped.append(entry)
        entry.count += len(labels)
        shown = (
            [f"{lab}: {val!r}" for lab, val in zip(labels, values, strict=False)] if len(values) else labels
        )
        entry.examples.extend(list(shown)[: max(0, EXAMPLES - len(entry.examples))])

    def combine(self, reason: str, count: int) -> None:
        """Record ``count`` rows folded into other rows for ``reason``."""
        if count:
            self.rows_combined[reason] = self.rows_combined.get(reason, 0) + int(count)

    @property
    def dropped(self) -> int:
        """Rows dropped in all."""
        return sum(d.count for d in self.rows_dropped)

    def to_dict(self) -> dict[str, object]:
        """The entry as written to the log file."""
        return asdict(self)


def read_log(folder: Path) -> dict[str, object]:
    """The folder's import log: ``{"currency": ..., "imports": [...]}`` (empty if none yet).

    Raises
    ------
    InputError
        When the file is not the JSON this module writes.
    """
    path = Path(folder) / LOG_NAME
    if not path.is_file():
        return {"currency": None, "imports": []}
    try:
        log = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"is not valid JSON ({exc})", file=path,
                         expected="the import log socialreturns writes",
                         hint="Move it away to start a new log") from None  # fmt: skip
    if not isinstance(log, dict) or not isinstance(log.get("imports"), list):
        raise InputError("is not an import log", file=path, expected='{"currency": ..., "imports": [...]}')
    return log


def appended(log: dict[str, object], entry: ImportLog) -> str:
    """The log's JSON text with ``entry`` appended and the folder's currency set."""
    out = dict(log)
    out["currency"] = entry.currency or log.get("currency")
    out["imports"] = [*log["imports"], entry.to_dict()]  # type: ignore[misc]
    return json.dumps(out, indent=2, ensure_ascii=False, default=str) + "\n"
