"""A run's kernel: started first, warmed with the notebook's own imports while papermill loads.

A run used to import papermill (seconds), then start a kernel, which then imported pandas,
matplotlib, seaborn, scipy and statsmodels in the notebook's setup cell: one after the other.
Here the worker starts the kernel before anything else, and the kernel imports the modules the
notebook's code cells import (read with `ast`) while it boots, through an IPython extension
(`socialreturns.notebook.load_ipython_extension`) that imports them into ``sys.modules`` only:
the notebook's namespace stays empty, its cells bind their own names, and each notebook still
gets a kernel process of its own (nothing carries over from another run). Meanwhile the worker
imports papermill and nbconvert, so on two cores the two overlap.
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The environment variable that hands the kernel its modules to import (comma-separated;
#: ``module:name`` for ``from module import name``).
PRELOAD_VARIABLE = "SOCIALRETURNS_PRELOAD"
#: The project's kernel (`socialreturns.notebook.KERNEL_NAME`; not imported: that module loads pandas).
KERNEL_NAME = "socialreturns"


def notebook_imports(notebook: str | Path) -> list[str]:
    """The modules a notebook's code cells import, in order: ``pkg.mod`` for ``import pkg.mod``,
    ``pkg:name`` for ``from pkg import name`` (a submodule or an attribute). Cells that are not
    Python (magics) are left out: the run imports what they need as it would anyway; a notebook
    that cannot be read gives none (its run says why)."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):  # the run itself reports a missing or bad notebook
        return []
    found: list[str] = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse("".join(source) if isinstance(source, list) else source)
        except SyntaxError:
            continue
        for node in tree.body:  # top level only: what runs when the cell runs
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found += [f"{node.module}:{alias.name}" for alias in node.names if alias.name != "*"]
    return list(dict.fromkeys(found))


def start(
    notebook: str | Path,
    *,
    kernel_name: str,
    cwd: str | Path,
    env: Mapping[str, str] | None = None,
    zygote: Mapping[str, str] | None = None,
) -> Any:
    """Start the kernel of one run of ``notebook``, importing the notebook's modules as it boots.

    With ``zygote`` (an address, `socialreturns.batch.zygote`), the kernel is a fresh process
    forked from that zygote, its modules already imported; the ordinary kernel process when the
    zygote cannot serve.

    Returns the `jupyter_client.AsyncKernelManager`, for `socialreturns.notebook.execute`
    (``kernel=``), which shuts it down once the cells ran.

    Raises
    ------
    InputError
        No kernel named ``kernel_name`` ("run `make setup`").
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import NoSuchKernel
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=kernel_name)
    if zygote is not None:
        _through_zygote(km, zygote)
    preload = ",".join(notebook_imports(notebook))
    environment = {**(env if env is not None else os.environ), PRELOAD_VARIABLE: preload}
    try:
        run_sync(km.start_kernel)(
            cwd=str(cwd), env=environment,
            # as nbclient starts kernels: no history file; and our extension does the imports
            extra_arguments=["--HistoryManager.hist_file=:memory:", "--ext=socialreturns.notebook"],
        )  # fmt: skip
    except NoSuchKernel:
        from socialreturns.notebook import no_such_kernel

        raise no_such_kernel(kernel_name) from None
    return km


def _through_zygote(km: Any, address: Mapping[str, str]) -> None:
    """Make ``km`` start its kernel through the zygote at ``address`` (the kernel's command,
    wrapped by `socialreturns.batch.attach.attach_command`, which falls back to it)."""
    from jupyter_client.kernelspec import NoSuchKernel

    from socialreturns.batch.attach import attach_command

    try:
        spec = km.kernel_spec
    except NoSuchKernel:  # `start` reports it
        return
    if spec is not None and "ipykernel_launcher" in spec.argv:
        spec.argv = attach_command(address, "kernel", spec.argv)


def stop(km: Any) -> None:
    """Kill a run's kernel at once (its outputs are already in the notebook) and free its files."""
    from jupyter_core.utils import run_sync

    async def shutdown() -> None:
        if not km.has_kernel:  # stopped already
            return
        if await km.is_alive():
            await km.shutdown_kernel(now=True)
        else:
            await km.cleanup_resources()

    run_sync(shutdown)()
