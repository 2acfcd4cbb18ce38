"""The reviewable parameter files of the routing: the brand's paid creators and the regulated claims.

``params/organisation/creators.yaml`` lists the creators a brand pays, each with the handles and
author ids its posts carry; ``params/organisation/claims.yaml`` lists the health and financial
promises legal wants to see, by category, with the phrasings that are not a claim (guards).
Both are read once into small frozen dataclasses, every key checked, so a typo stops with the
file, the key and what was expected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

from socialreturns.inputs import InputError, read_yaml_mapping, resolve

from .patterns import check_phrases

CREATORS_FILE = "params/organisation/creators.yaml"
CLAIMS_FILE = "params/organisation/claims.yaml"


@dataclasses.dataclass(frozen=True)
class Creator:
    """One paid creator: ``name``, the ``brand`` that pays them (as in the mentions' ``brand``
    column), their ``handles`` (lower case, with ``@``) and ``author_ids`` (as in ``author_id``)."""

    name: str
    brand: str
    handles: tuple[str, ...]
    author_ids: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Claims:
    """Regulated claims: ``categories`` (category -> phrases) and ``guards`` (phrases that are
    not a claim, e.g. "not clinically proven"), all in the `patterns` syntax."""

    categories: Mapping[str, tuple[str, ...]]
    guards: tuple[str, ...] = ()


def _strings(value: object, *, file: str, key: str, lower: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InputError("is not a list of names", file=file, key=key, values=[value],
                         rows=[key], expected="a list of non-empty strings")  # fmt: skip
    return tuple(v.strip().lower() if lower else v.strip() for v in value)


def read_creators(path: str | Path = CREATORS_FILE) -> tuple[Creator, ...]:
    """The paid creators listed in ``path`` (relative to the repository root).

    The file holds ``creators:``, a list of mappings with ``name``, ``brand`` and at least one of
    ``handles`` and ``author_ids`` (lists of strings).

    Raises
    ------
    InputError
        A missing file, no ``creators`` list, an unknown key, a creator without a name, brand or
        any handle or author id, or a handle without its ``@``.
    """
    file = str(path)
    mapping = read_yaml_mapping(resolve(path), what="creators file")
    unknown = sorted(set(mapping) - {"creators"})
    if unknown or not isinstance(mapping.get("creators"), list):
        raise InputError(f"unknown key '{unknown[0]}'" if unknown else "has no list 'creators'", file=file,
                         key=unknown[0] if unknown else "creators",
                         expected="one key, creators: a list of {name, brand, handles, author_ids}")  # fmt: skip
    out = []
    for i, entry in enumerate(mapping["creators"]):
        key = f"creators[{i}]"
        if not isinstance(entry, dict) or set(entry) - {"name", "brand", "handles", "author_ids"}:
            extra = (
                sorted(set(entry) - {"name", "brand", "handles", "author_ids"})
                if isinstance(entry, dict)
                else []
            )
            raise InputError(f"has unknown key '{extra[0]}'" if extra else "is not a mapping", file=file, key=key,
                             expected="the keys name, brand, handles and author_ids")  # fmt: skip
        name, brand = (_strings(entry.get(k), file=file, key=f"{key}.{k}")[0] for k in ("name", "brand"))
        handles = (
            _strings(entry.get("handles", []), file=file, key=f"{key}.handles", lower=True)
            if entry.get("handles")
            else ()
        )
        ids = (
            _strings(entry.get("author_ids", []), file=file, key=f"{key}.author_ids")
            if entry.get("author_ids")
            else ()
        )
        if not handles and not ids:
            raise InputError("has neither handles nor author_ids", file=file, key=key,
                             expected="at least one handle (@name) or author id")  # fmt: skip
        bad = [h for h in handles if not h.startswith("@") or len(h) < 2 or " " in h]
        if bad:
            raise InputError("holds a handle without its @", file=file, key=f"{key}.handles", rows=bad,
                             expected="handles written as on the platform, e.g. @mia.makes")  # fmt: skip
        out.append(Creator(name=name, brand=brand, handles=handles, author_ids=ids))
    return tuple(out)


def read_claims(path: str | Path = CLAIMS_FILE) -> Claims:
    """The regulated claims listed in ``path`` (relative to the repository root).

    The file holds ``categories:`` (category name -> list of phrases) and optionally ``guards:``
    (a list of phrases), in the phrase syntax of `socialreturns.organisation.patterns`.

    Raises
    ------
    InputError
        A missing file, an unknown key, no categories, or a phrase outside the syntax.
    """
    file = str(path)
    mapping = read_yaml_mapping(resolve(path), what="claims file")
    unknown = sorted(set(mapping) - {"categories", "guards"})
    categories = mapping.get("categories")
    if unknown or not isinstance(categories, dict) or not categories:
        raise InputError(f"unknown key '{unknown[0]}'" if unknown else "has no mapping 'categories'", file=file,
                         key=unknown[0] if unknown else "categories",
                         expected="categories: {category: [phrases]} and optionally guards: [phrases]")  # fmt: skip
    cats = {}
    for name, phrases in categories.items():
        if not isinstance(phrases, list):
            raise InputError("is not a list of phrases", file=file, key=f"categories.{name}",
                             expected="a list of phrases")  # fmt: skip
        cats[str(name)] = tuple(check_phrases(phrases, where=file, key=f"categories.{name}"))
    guards = mapping.get("guards") or []
    if not isinstance(guards, list):
        raise InputError("is not a list of phrases", file=file, key="guards", expected="a list of phrases")
    return Claims(
        categories=cats, guards=tuple(check_phrases(guards, where=file, key="guards") if guards else ())
    )


def creators_by_author(creators: Sequence[Creator]) -> dict[str, Creator]:
    """Each creator under every author id and handle (the handle also without its ``@``)."""
    out: dict[str, Creator] = {}
    for c in creators:
        for key in (*c.author_ids, *c.handles, *(h[1:] for h in c.handles)):
            out[key.lower()] = c
    return out
