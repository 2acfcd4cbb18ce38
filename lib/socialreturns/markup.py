"""Text from data made safe for the reports.

Brand, channel, campaign and platform names and mention texts come from whoever exports or
posts them; a report must show them as text, never run them. Every HTML table is escaped by
`socialreturns.plots.table` (pandas' own ``escape="html"``); every name a conclusion or summary
writes into Markdown goes through `escape_markdown`. nbconvert renders Markdown outputs with raw
HTML passed through and its ``sanitize_html`` option mangles pandas' tables, so escaping at the
source is the one reliable place.
"""

from __future__ import annotations

import html
import re

# Markdown's punctuation that can start emphasis, code, links, images, headings, lists or tables.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def escape_html(value: object) -> str:
    """``value`` as HTML text: ``<``, ``>``, ``&`` and quotes become entities.

    >>> escape_html('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(str(value), quote=True)


def escape_markdown(value: object) -> str:
    """``value`` as literal text inside Markdown: HTML escaped, Markdown punctuation backslashed,
    line breaks and control characters folded to one space (a name cannot start a new block).

    >>> escape_markdown("<b>x</b> [a](javascript:alert(1))")
    '&lt;b&gt;x&lt;/b&gt; \\\\[a\\\\]\\\\(javascript:alert\\\\(1\\\\)\\\\)'
    >>> escape_markdown("Brand_One")
    'Brand\\\\_One'
    """
    text = _CONTROL.sub(" ", str(value))
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))
