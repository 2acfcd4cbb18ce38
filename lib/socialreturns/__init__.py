"""socialreturns: what a brand's social media returns, as parameterized notebooks and a library.

One module per domain, a package where a domain outgrew ~500 lines: `inputs` (the input-error
type, paths, YAML), `parameters` (notebook parameters: types, ranges, the base class),
`intervals` (interval conventions), `data` (load and validate the tables), `sources` (importers
of real exports), `synth` (sample data with known truth), `data_overview`, `roi`, `finance`,
`forecast`, `irr_forecast`, `ror`, `sentiment`, `notebook` (record figures and the record
contract, execute one notebook), `batch` (validated parallel batch runs, manifest, index),
`summary` (the executive summary), `plots` (the shared theme, tables and charts), `cli` (the
``socialreturns`` command).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("socialreturns")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
