"""The README's layout tree is the tree on disk."""

from __future__ import annotations

import re

from conftest import ROOT

_ENTRY = re.compile(r"^(?P<indent>(?:│   |    )*)[├└]── (?P<name>\S+)")


def _tree() -> list[str]:
    """The paths the README's layout block lists, relative to the repository root."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```\nsocialreturns/\n", 1)[1].split("```", 1)[0]
    stack: list[str] = []
    paths = []
    for line in block.splitlines():
        m = _ENTRY.match(line)
        if m is None:
            continue
        depth = len(m["indent"]) // 4
        stack[depth:] = [m["name"].rstrip("/")]
        paths.append("/".join(stack))
    return paths


def test_every_listed_path_exists():
    listed = _tree()
    assert "lib/socialreturns/roi/incremental.py" in listed
    missing = [p for p in listed if not (ROOT / p).exists() and p != "reports"]
    assert not missing, f"the README lists paths that do not exist: {missing}"


def test_every_library_module_is_listed():
    listed = set(_tree())
    lib = ROOT / "lib" / "socialreturns"
    modules = {
        str(p.relative_to(ROOT))
        for p in lib.rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py") and "__pycache__" not in p.parts
    }
    packages = {str(p.parent.relative_to(ROOT)) for p in lib.rglob("__init__.py") if p.parent != lib}
    assert not (modules | packages) - listed, (
        f"not in the README's tree: {sorted((modules | packages) - listed)}"
    )
