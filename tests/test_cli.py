"""The socialreturns command: thin, and clear about bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SAMPLE
from socialreturns import __version__, cli


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "socialreturns.cli", *args], capture_output=True, text=True
    )


def test_version_and_help():
    out = _run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"socialreturns {__version__}"
    out = _run("--help")
    for command in ("synth", "validate", "report", "params"):
        assert command in out.stdout


def test_validate_a_misspelled_column_is_one_paragraph(sample_copy):
    path = sample_copy / "orders.csv"
    text = path.read_text()
    path.write_text(text.replace("revenue", "revenu", 1))
    out = _run("validate", str(sample_copy))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert str(path) in lines[0] and "'revenue'" in lines[0] and "'revenu'" in lines[0]


def test_validate_the_sample(capsys):
    assert cli.main(["validate", str(SAMPLE)]) == 0
    assert "all tables valid" in capsys.readouterr().out


def test_synth_writes_a_small_sample(tmp_path, capsys):
    assert cli.main(["synth", "--seed", "5", "--scale", "0.05", "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {
        "mentions.parquet", "touchpoints.parquet", "spend.csv", "orders.csv", "customers.csv",
        "truth.json",
    }  # fmt: skip
    assert cli.main(["validate", str(tmp_path)]) == 0


def test_params_prints_the_notebook_parameters(capsys):
    assert cli.main(["params", "data_overview"]) == 0
    out = capsys.readouterr().out
    assert "data_dir" in out and "relative to the repository root" in out


def test_unknown_command_exits_2():
    with pytest.raises(SystemExit) as info:
        cli.main(["frobnicate"])
    assert info.value.code == 2
