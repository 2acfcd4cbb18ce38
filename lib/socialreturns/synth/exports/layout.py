"""The shared habits of tools' exports: amounts as text, CSV with lines above and below."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd


def money(values: pd.Series, *, decimal: str = ".", thousands: str = "", prefix: str = "") -> pd.Series:
    """Amounts as text with two decimals, a thousands separator and a currency sign."""
    out = []
    for v in values.to_numpy(dtype=float):
        whole, cents = divmod(round(abs(v) * 100), 100)
        digits = f"{whole:,}".replace(",", thousands)
        out.append(f"{'-' if v < 0 else ''}{prefix}{digits}{decimal}{cents:02d}")
    return pd.Series(out, index=values.index, dtype=object)


def write(path: Path, frame: pd.DataFrame, *, sep: str = ",", encoding: str = "utf-8",
           preamble: Sequence[str] = (), trailer: Sequence[Sequence[str]] = ()) -> Path:  # fmt: skip
    """A CSV as a tool writes it: lines above the header, rows, summary lines below."""
    body = frame.to_csv(index=False, sep=sep, lineterminator="\r\n")
    lines = [*preamble, body.rstrip("\r\n"), *(sep.join(cells) for cells in trailer)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def split_cents(amount: float, parts: int, rng: np.random.Generator) -> list[float]:
    """``amount`` split into ``parts`` amounts in whole cents that add up to it exactly."""
    cents = round(amount * 100)
    cuts = np.sort(rng.integers(0, cents + 1, size=parts - 1))
    return [c / 100 for c in np.diff(np.concatenate([[0], cuts, [cents]]))]
