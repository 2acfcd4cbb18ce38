"""``python -m socialreturns.batch --worker``: the worker process of one run (`worker.run_isolated`
starts it so; it reads the run's spec on standard input and prints its events)."""

import sys

# papermill imports nbformat, which imports jsonschema's format checkers, which import
# rfc3987_syntax: it builds some 35 Lark grammars at import, 1-2 s of every run's start
# (python-jsonschema/jsonschema#1428, still eager in 4.26). Notebook schemas use no "iri"
# format, so the worker runs without that one checker: jsonschema skips a module it cannot
# import, and None in sys.modules makes the import fail at once.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from socialreturns.batch.worker import _worker  # noqa: E402

if __name__ == "__main__" and sys.argv[1:] == ["--worker"]:
    sys.exit(_worker())
