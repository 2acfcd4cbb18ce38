"""Notebook parameters: one typed declaration per notebook, each value checked once.

A notebook's ``parameters`` cell is the source of its parameters, one line each:
``name: type = default  # meaning (unit)``. Its domain's ``Parameters`` dataclass (a subclass of
`NotebookParameters`) declares the same names, types and defaults (``tests/test_params.py``
keeps the two equal) and adds each number's range with `param`. Building the dataclass checks
every type, then every range, then the rules that tie parameters together (`NotebookParameters.check`),
so each bound is checked in one place. The batch runner checks the types of parameter files
against the cell with `check_type`, then their ranges (`notebook_ranges`), before any kernel starts.

Standard library only (and `inputs`): the command line imports this before pandas.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from socialreturns.inputs import InputError, resolve

_NAMES: dict[str, Any] = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict,
                          "None": type(None), "Any": Any}  # fmt: skip


def annotation(text: str) -> Any:
    """The type that an annotation written in a parameters cell names.

    Understands the JSON types, ``list[...]``, ``dict[..., ...]`` and ``X | Y``; anything else is
    `typing.Any` (not checked).

    >>> annotation("dict[str, float]")
    dict[str, float]
    >>> annotation("str | None")
    str | None
    """

    def build(node: ast.expr) -> Any:
        if isinstance(node, ast.Name) and node.id in _NAMES:
            return _NAMES[node.id]
        if isinstance(node, ast.Constant) and node.value is None:
            return type(None)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return build(node.left) | build(node.right)
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("list", "dict")
        ):
            args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return _NAMES[node.value.id][tuple(build(a) for a in args)]
        return Any

    try:
        return build(ast.parse(text.strip(), mode="eval").body)
    except SyntaxError:
        return Any


def matches(value: Any, kind: Any) -> bool:
    """Whether ``value`` has the type ``kind`` (an int is a fine float; a bool is not a number).

    >>> matches(3, float), matches(True, int), matches({"a": 1}, dict[str, float])
    (True, False, True)
    """
    origin = typing.get_origin(kind)
    if kind is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(matches(value, k) for k in typing.get_args(kind))
    if kind is type(None):
        return value is None
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in (list, tuple):
        item = (typing.get_args(kind) or (Any,))[0]
        return isinstance(value, list | tuple) and all(matches(v, item) for v in value)
    if origin is dict:
        key_kind, value_kind = typing.get_args(kind) or (Any, Any)
        return isinstance(value, dict) and all(
            matches(k, key_kind) and matches(v, value_kind) for k, v in value.items()
        )
    return isinstance(value, origin or kind)


def type_name(kind: Any) -> str:
    """How a type reads in messages: ``float``, ``list[str]``, ``str | None``."""
    return (
        kind.__name__
        if isinstance(kind, type) and not typing.get_args(kind)
        else str(kind).replace("typing.", "")
    )


def check_type(
    key: str, value: Any, kind: Any, *, file: object = None, default: Any = dataclasses.MISSING
) -> None:
    """Raise an `InputError` naming ``key`` (and ``file``) unless ``value`` has the type ``kind``."""
    if not matches(value, kind):
        shown = "" if default is dataclasses.MISSING else f" (default {default!r})"
        raise InputError(f"has the value {value!r} of type {type(value).__name__}", file=file, key=key,
                         expected=f"a value of type {type_name(kind)}{shown}")  # fmt: skip


def check_types(params: Any) -> None:
    """Check every field of a dataclass against its type annotation.

    Raises
    ------
    InputError
        Naming the first field whose value has the wrong type, and the expected type.
    """
    hints = typing.get_type_hints(type(params))
    for f in dataclasses.fields(params):
        check_type(f.name, getattr(params, f.name), hints[f.name])


# --------------------------------------------------------------------------- ranges


@dataclasses.dataclass(frozen=True)
class Range:
    """The values a number may take: ``ge``/``gt`` below, ``le``/``lt`` above, or a set of
    ``choices`` for a text; ``expected`` says it in words for the error message."""

    expected: str
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    choices: tuple[Any, ...] = ()

    def holds(self, value: Any) -> bool:
        """Whether ``value`` is in the range (None, for an optional parameter, always is); for a
        list or a mapping (``spend_plan``), whether every value in it is. NaN never is, and an
        infinite value only where no bound is on its side."""
        if value is None:
            return True
        if isinstance(value, Mapping):
            return all(self.holds(v) for v in value.values())
        if isinstance(value, list | tuple):
            return all(self.holds(v) for v in value)
        if self.choices:
            return value in self.choices
        return ((self.ge is None or value >= self.ge) and (self.gt is None or value > self.gt)
                and (self.le is None or value <= self.le) and (self.lt is None or value < self.lt))  # fmt: skip

    def check(self, key: str, value: Any, *, file: object = None) -> None:
        """Raise an `InputError` naming ``key`` (and ``file``) unless ``value`` is in the range."""
        if not self.holds(value):
            raise InputError(f"is {value!r}", file=file, key=key, expected=self.expected)


#: Ranges that several notebooks share.
MARGIN_RATE = Range("a fraction in (0, 1], e.g. 0.4", gt=0, le=1)
ALPHA = Range("a fraction in (0, 1), e.g. 0.1 for 90% intervals", gt=0, lt=1)
ANNUAL_RATE = Range("an annual rate as a fraction above -1 and below 1, e.g. 0.09", gt=-1, lt=1)
#: The largest amount a parameter may hold (currency): beyond any real budget, and far enough
#: below float overflow that sums and discounting stay finite (``.inf`` and 1e300 are refused).
MAX_AMOUNT = 1e12
AMOUNT = Range("an amount from 0 to 1e12 (currency)", ge=0, le=MAX_AMOUNT)
#: Seeds of numpy's generators: any whole number from 0 to 2**32 - 1.
SEED = Range("a whole number from 0 to 4,294,967,295", ge=0, le=2**32 - 1)


def param(
    default: Any,
    rng: Range | None = None,
    *,
    expected: str = "",
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    choices: tuple[Any, ...] = (),
) -> Any:
    """A dataclass field with a default and a `Range`, for `NotebookParameters` subclasses.

    Pass a shared `Range` (one that the library function checks too, so the bound is written
    once), or the bounds with ``expected``, which describes them in words with the unit
    ("1 to 120 months").
    """
    if rng is None:
        rng = Range(expected, ge=ge, gt=gt, le=le, lt=lt, choices=tuple(choices))
    if isinstance(default, list | dict):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata={"range": rng})
    return dataclasses.field(default=default, metadata={"range": rng})


def check_iso_date(key: str, value: str | None) -> dt.date | None:
    """Parse an ISO date parameter (``YYYY-MM-DD``); empty gives None.

    Raises
    ------
    InputError
        Naming ``key`` when the text is not an ISO date.
    """
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            f"is not a date: {value!r}", key=key, expected="an ISO date such as 2025-06-30"
        ) from None


def check_data_dir(data_dir: str) -> None:
    """Check that the ``data_dir`` parameter names an existing folder (relative to the repo root)."""
    if not resolve(data_dir).exists():
        raise InputError("names a folder that does not exist", key="data_dir",
                         file=resolve(data_dir), expected="a folder with the tables, relative to the repository root")  # fmt: skip


def check_rules(params: Any, rules: list[tuple[str, bool, str]]) -> None:
    """Raise an `InputError` for the first ``(key, ok, expected)`` rule that fails, naming the key,
    its value and what was expected (for rules that tie parameters together)."""
    for key, ok, expected in rules:
        if not ok:
            raise InputError(f"is {getattr(params, key)!r}", key=key, expected=expected)


#: Each notebook (file stem) and the library module that owns its parameters and record contract.
DOMAINS = {"data_overview": "data_overview", "roi": "roi", "irr_forecast": "irr_forecast", "ror": "ror",
           "sentiment": "sentiment", "organisation": "organisation", "executive_summary": "summary"}  # fmt: skip


def notebook_ranges(notebook: str) -> dict[str, Range]:
    """The ranges of a project notebook's parameters (by file stem), from its domain's
    ``Parameters``; empty for a notebook the library does not know.

    Imports the domain module (with pandas, about a second), so callers check names and types
    first, which need only the parameters cell.
    """
    import importlib

    if notebook not in DOMAINS:
        return {}
    parameters = getattr(importlib.import_module(f"socialreturns.{DOMAINS[notebook]}"), "Parameters", None)
    return parameters.ranges() if parameters is not None else {}


# --------------------------------------------------------------------------- the base class


class NotebookParameters:
    """Base of each notebook's ``Parameters`` frozen dataclass.

    Subclasses declare one field per line of the notebook's parameters cell, with the cell's type
    and default (`param` adds a range), and may override `check` for rules that tie fields
    together or look at files. Built with ``Parameters(...)`` from Python, or with
    ``Parameters.from_notebook(globals())`` in the notebook, right after its parameters cell.
    """

    #: The notebook these parameters belong to (its file stem).
    notebook: ClassVar[str] = ""

    def __post_init__(self) -> None:
        check_types(self)
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if "range" in f.metadata:
                f.metadata["range"].check(f.name, getattr(self, f.name))
        self.check()

    def check(self) -> None:
        """Rules that tie parameters together or need the file system; nothing by default."""

    @classmethod
    def from_notebook(cls, namespace: Mapping[str, Any]) -> Self:
        """The parameters from a notebook's namespace (pass ``globals()``): each field's value is
        the variable of the same name that the parameters cell (and papermill) set."""
        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        missing = [n for n in names if n not in namespace]
        if missing:
            raise InputError(f"is not set in the notebook ({cls.notebook or cls.__qualname__})",
                             key=missing[0], expected="a line for it in the parameters cell")  # fmt: skip
        return cls(**{n: namespace[n] for n in names})

    @classmethod
    def declared(cls) -> list[tuple[str, str, Any]]:
        """``(name, type, default)`` of every field, as the parameters cell should read."""
        out = []
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            out.append((f.name, str(f.type), default))
        return out

    @classmethod
    def ranges(cls) -> dict[str, Range]:
        """The declared range of each parameter that has one."""
        return {f.name: f.metadata["range"] for f in dataclasses.fields(cls) if "range" in f.metadata}  # type: ignore[arg-type]
