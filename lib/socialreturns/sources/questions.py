"""`detect_questions`: which mentions ask a brand for an answer, when an export does not say.

No listening tool or platform export has our ``is_question``. A post counts as a care request
when it is **addressed to the brand** (it names the brand's handle, speaks to it as "you", or
replies to the brand's post or account in a thread) and

* asks for help (``rules.CARE["help_request"]``: "please help", "can you check", "dm me", ...), or
* asks a question (a question mark outside URLs, or a question phrase of ``rules.CARE["question"]``:
  "how do i", "where is my", "can you", ...) in which the asker has a stake: a first-person
  word (I, my, me, we, our) or a question put to the brand as "you"; or
* reports a problem (``rules.COMPLAINT["fault"]`` and ``["delivery"]``: "won't pair", "never
  arrived", "refund") in the first person **directly** to the brand: the post opens with the
  brand's handle (after an optional "hey"/"hi") or replies to the brand in a thread.

The negated and settled phrasings of ``rules.GUARDS`` ("no questions asked", "problem solved",
"thanks for the help") are blanked first. The phrase lists are the organisation routes' own
(`socialreturns.organisation.rules`, matched with its `patterns`), so the care queue and the
response rate read questions alike; the ``care`` route is broader on purpose (any complaint
addressed to the brand goes to care), while ``is_question`` is what a response rate counts: a
post that asks.

What it misses, by design: impersonal questions about a product ("@brand what is the warranty on
the X?", "when does the update come out?"), which ask for information rather than care and
which the sample's generator does not count as questions; vented complaints that name the brand
mid-sentence ("worst service ever, @brand still hasn't replied"). Precision and recall on the
sample's truth and on a hand-labelled set of real-shaped posts are measured by
``tests/test_sources_questions.py`` (``data/IMPORT.md`` quotes them).
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from socialreturns.inputs import InputError

#: Values of the ``question_flag`` column importers write beside ``is_question``.
FLAGGED_BY_EXPORT = "export"
DETECTED = "detected"

_SECOND_PERSON = ["you", "your", "you guys", "u", "ur", "y'all", "yall"]
_FIRST_PERSON = ["i", "i'm", "i've", "i'd", "i'll", "im", "ive", "me", "my", "mine", "myself", "we", "we're",
                 "we've", "our", "us"]  # fmt: skip
_GREETINGS = r"(?:(?:hey|hi|hello|dear|yo)[\s,!]+)?"
_URL = r"(?:https?://|www\.)\S+"


def _organisation(name: str) -> ModuleType:
    """``socialreturns.organisation.<name>`` (``rules`` or ``patterns``), without importing the
    package: its ``__init__`` imports the sentiment models (scikit-learn), which would add seconds
    to every import of a mentions export. The two modules import nothing of the package."""
    full = f"socialreturns.organisation.{name}"
    if full in sys.modules:
        return sys.modules[full]
    spec = importlib.util.spec_from_file_location(f"_socialreturns_organisation_{name}",
                                                  Path(__file__).parents[1] / "organisation" / f"{name}.py")  # fmt: skip
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def _patterns(handles: tuple[str, ...]) -> dict[str, str]:
    """The RE2 patterns of each signal, for the brands' ``handles`` (lower case, with ``@``)."""
    P, R = _organisation("patterns"), _organisation("rules")

    fills = {"{brand}": P.brand_fill(handles), "{other}": P.brand_fill(handles)}
    handle = P.brand_fill(handles)
    return {
        "guards": f"{P.RE2_START}(?:{P.alternation(R.GUARDS, {}, engine='re2')}){P.RE2_END}",
        "help": P.route_pattern({"help_request": R.CARE["help_request"]}, fills),
        "question": P.route_pattern({"question": R.CARE["question"]}, fills),
        "problem": P.route_pattern(
            {"fault": R.COMPLAINT["fault"], "delivery": R.COMPLAINT["delivery"]}, fills
        ),
        "first_person": P.route_pattern({"first_person": _FIRST_PERSON}, {}),
        "second_person": P.route_pattern({"second_person": _SECOND_PERSON}, {}),
        "handle": f"{P.RE2_START}{handle}{P.RE2_END}" if handles else "[^\\s\\S]",
        "direct": f"^\\s*{_GREETINGS}{handle}{P.RE2_END}" if handles else "[^\\s\\S]",
    }


def _handles(handles: Sequence[str]) -> tuple[str, ...]:
    if isinstance(handles, str) or not all(isinstance(h, str) and h.strip() for h in handles):
        raise InputError("is not a list of handles", key="handles", values=[handles],
                         expected="the brands' account handles, such as ['@lumora', '@lumora_help']")  # fmt: skip
    return tuple(sorted({"@" + h.strip().lower().lstrip("@") for h in handles}))


def _hits(texts: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(texts, pattern).to_numpy(zero_copy_only=False)


def detect_questions(
    texts: Sequence[str] | pd.Series,
    *,
    handles: Sequence[str],
    replies_to_brand: Sequence[bool] | np.ndarray | None = None,
) -> pd.DataFrame:
    """Which posts ask the brand for an answer (``is_question``), and why.

    Parameters
    ----------
    texts
        The posts as written (emoji, URLs and handles included); missing texts ask nothing.
    handles
        The handles of the brands' accounts (``@lumora``; the ``@`` is optional). A post naming
        one of them, or saying "you", is addressed to a brand.
    replies_to_brand
        Per post, whether it replies to a brand's post or account (from a reply thread): such a
        post is addressed to the brand directly whatever its text. None: no thread known.

    Returns
    -------
    pandas.DataFrame
        One row per text, in order: ``is_question`` (bool) and ``question_reason``
        (``help_request``, ``question``, ``problem_reported``, or "" when not a question).

    Raises
    ------
    InputError
        When ``handles`` is not a list of strings or ``replies_to_brand`` has another length.

    Examples
    --------
    >>> detect_questions(["@lumora my order never arrived", "love my @lumora lamp",
    ...                   "@lumora how do I reset my Glow?"], handles=["@lumora"])["is_question"].tolist()
    [True, False, True]
    """
    series = pd.Series(texts, dtype=object).reset_index(drop=True)
    replied = (
        np.zeros(len(series), dtype=bool) if replies_to_brand is None else np.asarray(replies_to_brand, bool)
    )
    if len(replied) != len(series):
        raise InputError(f"has {len(replied)} values for {len(series)} texts", key="replies_to_brand",
                         expected="one value per text")  # fmt: skip
    patterns = _patterns(_handles(handles))
    codes, uniques = pd.factorize(series.fillna("").astype(str))
    lowered = pc.replace_substring(pc.utf8_lower(pa.array(np.asarray(uniques, dtype=object), pa.string())),
                                   "\u2019", "'")  # fmt: skip
    lowered = pc.replace_substring_regex(lowered, _URL, " ")  # a URL's "?" asks nothing
    for _ in range(2):  # twice: a boundary consumed by one guard hides the next (see organisation.routes)
        lowered = pc.replace_substring_regex(lowered, patterns["guards"], " ")
    signal = {name: _hits(lowered, p)[codes] if len(uniques) else np.zeros(0, bool)
              for name, p in patterns.items() if name != "guards"}  # fmt: skip
    asks = signal["question"] | (
        pc.match_substring(lowered, "?").to_numpy(zero_copy_only=False)[codes] if len(uniques) else False
    )
    direct = signal["direct"] | replied
    addressed = direct | signal["handle"] | signal["second_person"]
    stake = signal["first_person"] | signal["second_person"]
    help_request = addressed & signal["help"]
    question = addressed & asks & stake & ~help_request
    problem = direct & signal["problem"] & signal["first_person"] & ~help_request & ~question
    reason = np.select(
        [help_request, question, problem], ["help_request", "question", "problem_reported"], ""
    )
    return pd.DataFrame({"is_question": help_request | question | problem, "question_reason": reason})


def describe_flags(mentions: pd.DataFrame) -> str:
    """One sentence for a report: were the mentions' ``is_question`` flagged by the export or
    detected from the text (the ``question_flag`` column importers write)?

    >>> describe_flags(pd.DataFrame({"question_flag": ["detected", "detected", "export"]}))
    'Questions: flagged by the export for 1 mention(s), detected from the text for 2 \
(socialreturns.sources.questions; data/IMPORT.md gives its precision and recall).'
    >>> describe_flags(pd.DataFrame({"is_question": [True]}))
    'Questions: as given in the mentions table.'
    """
    if "question_flag" not in mentions:
        return "Questions: as given in the mentions table."
    flags = mentions["question_flag"].fillna("").astype(str)
    exported, detected = int((flags == FLAGGED_BY_EXPORT).sum()), int((flags == DETECTED).sum())
    other = len(flags) - exported - detected
    parts = [f"flagged by the export for {exported:,} mention(s)"] if exported else []
    if detected:
        parts.append(f"detected from the text for {detected:,}" + (" mention(s)" if not exported else "")
                     + " (socialreturns.sources.questions; data/IMPORT.md gives its precision and recall)")  # fmt: skip
    if other:
        parts.append(f"as given in the mentions table for {other:,}")
    return "Questions: " + ", ".join(parts) + "."
