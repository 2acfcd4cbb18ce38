"""Light helpers for user input: the one input-error type, repository-relative paths and
YAML mappings. Only the standard library and PyYAML, so that the command line can check a
batch's parameter files in well under a second, before pandas or papermill is imported.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import secrets
from collections.abc import Mapping, Sequence
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


@functools.cache
def library_digest() -> str:
    """SHA-256 over the package's source files: the library "version" while it is developed (a
    run's fingerprint and the fit cache's key change whenever any module does). Computed once
    per process."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


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


class WriteError(InputError):
    """An output that could not be written (disk full, no permission): one line naming the path,
    no traceback. An `InputError`, so that the command line reports it the same way (exit 2)."""

    def __init__(self, path: str | Path, exc: OSError) -> None:
        if exc.errno == errno.ENOSPC:
            problem = f"no space left on {path}"
        else:
            problem = f"cannot write {path} ({exc.strerror or exc})"
        super().__init__(problem)
        self.file = str(path)
        self.errno = exc.errno


def _temporary_beside(path: Path, suffix: str) -> Path:
    """A new empty file ``.<name>.<random><suffix>`` beside ``path``, created with mode 0o666 less
    the umask (tempfile.mkstemp's 0o600 would hide a report from a web server's user)."""
    for _ in range(100):
        name = path.parent / f".{path.name}.{secrets.token_hex(4)}{suffix}"
        try:
            os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return name
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def _write_temporary(path: Path, data: str | bytes) -> Path:
    tmp = _temporary_beside(path, ".tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())  # on disk before the rename makes it the file
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _backup(path: Path) -> Path:
    """Keep the current ``path`` under a temporary name: a hard link, so that ``path`` itself stays
    in place for readers; a rename where the file system has no hard links."""
    backup = _temporary_beside(path, ".bak")
    backup.unlink()
    try:
        os.link(path, backup)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        os.replace(path, backup)
    return backup


def write_together(files: Mapping[Path, str | bytes]) -> list[Path]:
    """Replace several files together or not at all (a notebook and its HTML).

    Each file is written (text as UTF-8) to a temporary file beside it, the current files are
    kept as backups, then each temporary file is renamed over its target; only when every rename
    succeeded are the backups deleted. Readers see the old files or the new ones, never half of
    one. New files are readable by group and others as the umask allows.

    Raises
    ------
    WriteError
        On any OS error (disk full: "no space left on <path>"), after restoring the previous
        files and removing every temporary file written.
    """
    temporary: dict[Path, Path] = {}
    backups: dict[Path, Path] = {}
    placed: list[Path] = []
    current = next(iter(files), Path())
    try:
        for current, data in files.items():
            current.parent.mkdir(parents=True, exist_ok=True)
            temporary[current] = _write_temporary(current, data)
        for current in files:
            if current.exists():
                backups[current] = _backup(current)
        for current, tmp in temporary.items():
            os.replace(tmp, current)
            placed.append(current)
    except OSError as exc:
        _restore(placed, backups)
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)
        raise WriteError(current, exc) from None
    for backup in backups.values():
        backup.unlink(missing_ok=True)
    return list(files)


def _restore(placed: Sequence[Path], backups: Mapping[Path, Path]) -> None:
    """Undo a partial `write_together`: put each backup back (or remove a file that was new)."""
    for path in placed:
        if path not in backups:
            path.unlink(missing_ok=True)
    for path, backup in backups.items():
        try:
            os.replace(backup, path)
        except OSError:
            continue  # a backup that cannot move back stays: not lost
        # POSIX rename of two links to one file does nothing: the backup of an unreplaced file
        backup.unlink(missing_ok=True)


def write_atomically(path: Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to a temporary file beside ``path``, then rename it over
    ``path``: readers see the old file or the new one, never half of one. Errors as
    `write_together` (one line, no temporary file left)."""
    write_together({Path(path): data})
    return Path(path)
