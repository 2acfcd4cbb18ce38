"""socialreturns: what a brand's social media returns, as parameterized notebooks and a library.

Modules, one per domain: `data` (load and validate the tables), `synth` (sample data with known
truth), `data_overview`, `notebook` (record figures, check parameters, execute notebooks),
`plots` (the shared theme), `cli` (the ``socialreturns`` command).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("socialreturns")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
