"""Importers of real exports: from the files ad tools write to our documented tables.

``socialreturns import SOURCE FILE... --out DIR`` (and `import_files`) reads one tool's exports,
however they were saved (UTF-8 with or without BOM, UTF-16, CP1252; commas, semicolons or
tabs; decimal commas and thousands separators; title lines above the header), writes our table
into DIR merged with what is there, and appends to ``DIR/import_log.json`` what was read,
written, dropped and why. ``data/IMPORT.md`` says per source how to export it.

Submodules:

* `read`: decoding, finding the header by its column names, numbers, dates, float ids refused.
* `log`: `ImportLog` and ``import_log.json``.
* `write`: merging into the folder's table (re-imports replace, never duplicate) atomically.
* `spend`: `SpendLayout` and `read_spend`, one reader for every ad tool's spend report.
* `ads`: the layouts of Meta Ads Manager, Google Ads, LinkedIn Campaign Manager, TikTok Ads.
* `shop`: Shopify's orders export, to `orders` and `customers` (customers keyed by a salted hash).
* `listening`: `Profile` and `PROFILES`: where a mentions export keeps each of our columns.
* `threads`: reply threads and the X archive to ``mentions`` (brand addressed, ``answered_at``).
* `questions`: `detect_questions`, ``is_question`` for exports without a question flag.
* `catalog`: `Source`, `SOURCES`, `import_files` and `listing` (``--list``).
"""

from .catalog import SOURCES, ImportOptions, ImportResult, Source, import_files, listing
from .log import ImportLog, read_log
from .read import Export, parse_dates, parse_numbers, read_export, refuse_float_ids

__all__ = [
    "SOURCES",
    "Export",
    "ImportLog",
    "ImportOptions",
    "ImportResult",
    "Source",
    "import_files",
    "listing",
    "parse_dates",
    "parse_numbers",
    "read_export",
    "read_log",
    "refuse_float_ids",
]
