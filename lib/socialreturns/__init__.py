"""socialreturns: what a brand's social media returns, as parameterized notebooks and a library.

Modules, one per domain: `inputs` (the input-error type and paths), `data` (load and validate
the tables), `synth` (sample data with known truth), `data_overview`, `roi`, `finance`,
`forecast`, `irr_forecast`, `ror`, `sentiment`, `notebook` (record figures, check parameters,
execute one notebook), `batch` (validated parallel batch runs, manifest, index), `summary` (the
executive summary), `plots` (the shared theme), `cli` (the ``socialreturns`` command).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("socialreturns")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
