"""Light helpers for user input: the one input-error type, repository-relative paths and
YAML mappings. Only the standard library and PyYAML, so that the command line can check a
batch's parameter files in well under a second, before pandas or papermill is imported.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml

MAX_SHOWN = 5  # offending rows quoted in an error message


class InputError(ValueError):
    """Bad input: a file, column or parameter that is missing, misspelled or holds bad values.

    Attributes name what is wrong so callers and tests can check it; ``str(error)`` is one
    paragraph for a person.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        column: str | None = None,
        key: str | None = None,
        rows: Sequence[object] = (),
        values: Sequence[object] = (),
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.column = column
        self.key = key
        self.rows = list(rows)
        self.values = list(values)
        self.expected = expected
        self.hint = hint
        where = []
        if self.file:
            where.append(self.file)
        if column:
            where.append(f"column '{column}'")
        if key:
            where.append(f"key '{key}'")
        text = (": ".join([", ".join(where), problem]) if where else problem).rstrip(".") + "."
        if self.rows:
            rows = self.rows[:MAX_SHOWN]
            values = self.values[:MAX_SHOWN]
            parts = (
                [f"{r} ({v!r})" for r, v in zip(rows, values, strict=False)]
                if values
                else [str(r) for r in rows]
            )
            shown = ", ".join(parts)
            more = f" and {len(self.rows) - MAX_SHOWN} more" if len(self.rows) > MAX_SHOWN else ""
            text += f" First offending rows: {shown}{more}."
        if expected:
            text += f" Expected {expected.rstrip('.')}."
        if hint:
            hint = hint.rstrip(".")
            text += f" {hint}" + ("" if hint.endswith(("?", "!")) else ".")
        super().__init__(text)


def project_root() -> Path:
    """The repository root when running from a checkout, else the current directory."""
    here = Path(__file__).resolve().parents[2]
    if (here / "pyproject.toml").is_file() and (here / "notebooks").is_dir():
        return here
    return Path.cwd()


def resolve(path: str | Path) -> Path:
    """Resolve a path from parameters: relative paths are relative to the repository root."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else project_root() / path


class _AliasRefused(yaml.composer.ComposerError):
    """An anchor or alias in a file read by `read_yaml_mapping`."""


class _PlainLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors and aliases (``&name``, ``*name``, ``<<: *name``):
    parameter and batch files have no use for them, and nested aliases expand exponentially (a
    "billion laughs" file of a few lines fills the memory)."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasRefused(None, None, "an anchor or alias", event.start_mark)
        return super().compose_node(parent, index)  # type: ignore[arg-type]


def read_yaml_mapping(path: str | Path, *, what: str) -> dict:
    """Read a YAML file that must hold a mapping (``what`` names it in errors, e.g.
    "parameter file").

    Raises
    ------
    InputError
        A missing file, malformed YAML (with its line number and the parser's complaint), an
        anchor or alias (refused, with its line), or a file that is not a mapping.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such {what}", file=path, expected=f"a YAML {what}")
    try:
        mapping = yaml.load(path.read_text(encoding="utf-8"), Loader=_PlainLoader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" on line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "a syntax error"
        if isinstance(exc, _AliasRefused):
            raise InputError(f"uses {problem}{where}", file=path,
                             expected="each value written out: anchors and aliases (&name, *name) are refused") from None  # fmt: skip
        raise InputError(f"is not valid YAML{where}: {problem}", file=path,
                         expected="key: value lines") from None  # fmt: skip
    if not isinstance(mapping, dict):
        raise InputError("is not a mapping", file=path, expected="key: value lines")
    return mapping


def write_atomically(path: Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to a temporary file beside ``path``, then rename it over
    ``path``: readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)
    return path
