"""Phrase lists compiled to one regular expression per route, and the rule that a match came from.

A rule is a list of phrases in a small syntax that a reviewer can read without knowing regular
expressions: words separated by spaces (any run of white space matches), ``*`` at the end of a
word for any ending (``refund*`` is refund, refunds, refunded), ``'`` for an optional apostrophe
(``doesn't`` also matches ``doesnt``), ``{brand}`` for any of the brands' names and handles, and
``{other}`` for another brand than the mention's (filled per call, see `compile_route`). Texts are
lower-cased before matching, so the phrases are written in lower case.

The routes are matched by RE2 (through ``pyarrow.compute``), an automaton engine whose time is
linear in the text's length whatever the pattern, and several times faster than Python's
backtracking ``re`` on long alternations; RE2 has no lookaround, so a phrase's boundaries are
matched as characters (`route_pattern`: start of text or a character that is not a letter,
digit, ``_``, ``#`` or ``@``; end of text or a character that is not a letter, digit or ``_``). Python's ``re`` only names the
rule of a matched phrase (`rule_matchers`) and checks the few creators' posts. Each alternation is
trie-shaped (``re(?:fund\\w*|turn\\w*)``): the phrases share their prefixes, so a position
fails after one character, for either engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from socialreturns.inputs import InputError

_SPECIAL = {"python": {" ": r"\s+", "'": "'?", "*": r"\w*"},
            "re2": {" ": r"\s+", "'": "'?", "*": r"\w*"}}  # fmt: skip
# RE2's \w is ASCII: a word ending (``refund*``) is matched in ASCII letters, which keeps the
# automaton small (a Unicode class there made matching 5 to 40 times slower); the boundaries
# stay Unicode-aware.
_PLACEHOLDERS = ("{brand}", "{other}")
_ALLOWED = re.compile(r"^(?:[^\s{}*]|\{brand\}|\{other\}|\*(?=\s|$)| (?=\S))+$")
START, END = r"(?<![\w#@])", r"(?!\w)"  # Python re
RE2_START, RE2_END = r"(?:^|[^\pL\pN_#@])", r"(?:$|[^\pL\pN_])"  # RE2: the same, as characters


def _tokens(phrase: str) -> list[str]:
    out, i = [], 0
    while i < len(phrase):
        holder = next((h for h in _PLACEHOLDERS if phrase.startswith(h, i)), None)
        out.append(holder or phrase[i])
        i += len(holder) if holder else 1
    return out


def _emit(node: dict, fills: Mapping[str, str], special: Mapping[str, str]) -> str:
    alternatives, terminal = [], False
    for token, child in sorted(node.items()):
        if token == "":
            terminal = True
            continue
        piece = fills[token] if token in fills else special.get(token, re.escape(token))
        alternatives.append(piece + _emit(child, fills, special))
    if not alternatives:
        return ""
    body = (
        alternatives[0] if len(alternatives) == 1 and not terminal else "(?:" + "|".join(alternatives) + ")"
    )
    return body + ("?" if terminal else "")


def check_phrases(phrases: Sequence[object], *, where: str, key: str) -> list[str]:
    """The phrases of one rule, lower-cased and checked against the syntax.

    Raises
    ------
    InputError
        Naming ``where`` (a file or "rules"), ``key`` and the phrases that are not non-empty
        strings in the syntax (words, ``*`` ending a word, ``'``, ``{brand}``, ``{other}``).
    """
    bad = [p for p in phrases if not isinstance(p, str) or not _ALLOWED.match(p.strip().lower())]
    if bad or not phrases:
        raise InputError("holds phrases outside the rule syntax" if bad else "lists no phrases",
                         file=where, key=key, rows=[str(b) for b in bad],
                         expected="a list of lower-case phrases: words separated by single spaces, '*' ending a "
                                  "word for any ending, {brand} or {other} for brand names")  # fmt: skip
    return [" ".join(p.strip().lower().split()) for p in phrases]  # type: ignore[union-attr]


def alternation(phrases: Sequence[str], fills: Mapping[str, str], *, engine: str = "python") -> str:
    """One trie-shaped regular expression (no anchors) matching any of ``phrases``, for Python's
    ``re`` or for RE2 (``engine="re2"``).

    >>> alternation(["refund*", "return it", "return"], {})
    're(?:fund\\\\w*|turn(?:\\\\s+it)?)'
    """
    root: dict = {}
    for phrase in phrases:
        node = root
        for token in _tokens(phrase):
            node = node.setdefault(token, {})
        node[""] = {}
    return _emit(root, fills, _SPECIAL[engine])


def brand_fill(names: Sequence[str]) -> str:
    """The regular expression for ``{brand}``: any of ``names`` (lower-cased, longest first)."""
    names = sorted({n.lower() for n in names if n}, key=len, reverse=True)
    escaped = (re.escape(n).replace("\\ ", r"\s+") for n in names)
    return (
        "(?:" + "|".join(escaped) + ")" if names else "[^\\s\\S]"
    )  # the last: matches nothing, in both engines


def compile_route(rules: Mapping[str, Sequence[str]], fills: Mapping[str, str]) -> re.Pattern[str]:
    """One Python pattern for a route, word-boundary safe; its group ``hit`` is the matched words."""
    phrases = [p for ps in rules.values() for p in ps]
    return re.compile(f"{START}(?P<hit>{alternation(phrases, fills)}){END}")


def route_pattern(rules: Mapping[str, Sequence[str]], fills: Mapping[str, str]) -> str:
    """The RE2 pattern of a route: every rule's phrases in one alternation between boundary
    characters; its group ``hit`` is the matched words (`rule_of` names their rule)."""
    phrases = [p for ps in rules.values() for p in ps]
    return f"{RE2_START}(?P<hit>{alternation(phrases, fills, engine='re2')}){RE2_END}"


def rule_matchers(rules: Mapping[str, Sequence[str]], fills: Mapping[str, str]) -> dict[str, re.Pattern[str]]:
    """Each rule's own anchored pattern, to name the rule of a matched phrase."""
    return {name: re.compile(f"(?:{alternation(ps, fills)})") for name, ps in rules.items()}


def rule_of(hit: str, matchers: Mapping[str, re.Pattern[str]]) -> str:
    """The first rule whose phrases match all of ``hit`` (a match of `compile_route`'s pattern)."""
    return next((name for name, pattern in matchers.items() if pattern.fullmatch(hit)), "rule")
