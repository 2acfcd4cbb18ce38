"""The record contracts the index reads (`socialreturns.batch.headlines.contract`), kept as plain
data by the library's source.

A contract is declared in its domain module (``socialreturns.irr_forecast.FIGURES``), whose import
loads pandas, scipy and matplotlib: one or two seconds of a core in the command that writes the
index, while a run's kernel needs that core. Like the parameter ranges
(`socialreturns.batch.spec.cached_ranges`), each is kept as JSON in ``.cache/socialreturns/contracts/``
keyed by the library's source digest, so a change to any module reads the contract afresh; an
entry that does not read back as a contract is recomputed, ``SOCIALRETURNS_CACHE=off`` imports
the module every time. Standard library only.
"""

from __future__ import annotations

import dataclasses
import importlib
import json

from socialreturns.notebook import Figure, Figures

#: The modules holding each notebook's record contract (``FIGURES``), when not ``socialreturns.<stem>``.
_CONTRACTS = {"executive_summary": "socialreturns.summary"}


def imported_contract(stem: str) -> Figures | None:
    """The record contract of the notebook ``stem`` from its module, None for a notebook without one."""
    try:
        module = importlib.import_module(_CONTRACTS.get(stem, f"socialreturns.{stem}"))
    except ImportError:
        return None
    figures = getattr(module, "FIGURES", None)
    return figures if isinstance(figures, Figures) else None


def _encode(figures: Figures | None) -> str:
    if figures is None:
        return json.dumps({"notebook": None, "figures": None})
    return json.dumps({"notebook": figures.notebook, "figures": [dataclasses.asdict(f) for f in figures]})


def _decode(text: str) -> Figures | None:
    """The contract in ``text``; ValueError, KeyError or TypeError when it is not one."""
    stored = json.loads(text)
    if stored["figures"] is None:
        return None
    names = {f.name for f in dataclasses.fields(Figure)}
    figures = []
    for entry in stored["figures"]:
        if (
            not isinstance(entry, dict)
            or set(entry) != names
            or not all(isinstance(v, str) for v in entry.values())
        ):
            raise ValueError("not a figure")
        figures.append(Figure(**entry))
    return Figures(str(stored["notebook"]), *figures)


def cached_contract(stem: str) -> Figures | None:
    """`imported_contract`, kept in ``contracts/`` of the cache (`socialreturns.store.cache_root`)
    and read back from there."""
    from socialreturns.store import by_library

    return by_library("contracts", stem, lambda: imported_contract(stem), encode=_encode, decode=_decode)
