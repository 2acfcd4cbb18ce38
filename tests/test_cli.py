"""The socialreturns command: thin, and clear about bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SAMPLE
from socialreturns import __version__, cli


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "socialreturns.cli", *args], capture_output=True, text=True)


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
    out = capsys.readouterr().out
    assert "all tables valid" in out and "labels              500 rows" in out


def test_validate_checks_the_labels_against_the_mentions(sample_copy):
    path = sample_copy / "labels.csv"
    path.write_text("post_id,label\nM99999999,positive\n", encoding="utf-8")
    out = _run("validate", str(sample_copy))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert str(path) in out.stderr and "M99999999" in out.stderr


def test_synth_writes_a_small_sample(tmp_path, capsys):
    assert cli.main(["synth", "--seed", "5", "--scale", "0.05", "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {
        "mentions.parquet", "touchpoints.parquet", "spend.csv", "orders.csv", "customers.csv",
        "experiments.csv", "truth.json", "labels.csv",
    }  # fmt: skip
    assert cli.main(["validate", str(tmp_path)]) == 0


def test_params_prints_the_notebook_parameters(capsys):
    assert cli.main(["params", "data_overview"]) == 0
    out = capsys.readouterr().out
    assert "data_dir" in out and "relative to the repository root" in out
    assert cli.main(["params", "roi"]) == 0
    out = capsys.readouterr().out
    assert "range" in out.splitlines()[0] and "20 to 5,000 replicates" in out and "0 to 4,294,967,295" in out


def test_unknown_command_exits_2():
    with pytest.raises(SystemExit) as info:
        cli.main(["frobnicate"])
    assert info.value.code == 2


@pytest.mark.parametrize(
    ("content", "key", "text"),
    [
        ("cost_of_capitl_annual: 0.1\n", "cost_of_capitl_annual", "Did you mean 'cost_of_capital_annual'?"),
        ('margin_rate: "40%"\n', "margin_rate", "of type float"),
        ("spend_plan: [1, 2]\n", "spend_plan", "of type dict"),
        ("margin_rate: [0.4\n", None, "line 2"),
        ("n_bootstrap: 1000000000\n", "n_bootstrap", "20 to 5,000 replicates"),
        ("setup_cost: .inf\n", "setup_cost", "0 to 1e12"),
        ("spend_plan: {facebook: .inf}\n", "spend_plan", "0 to 1e12 per channel"),
        # a "billion laughs" nested in spend_plan: refused at its first anchor, nothing expanded
        (
            "spend_plan:\n  a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
            + "".join(
                f"  {k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n"
                for p, k in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            None,
            "uses an anchor or alias on line 2",
        ),
    ],
)
def test_run_refuses_bad_parameter_files_before_any_kernel(tmp_path, content, key, text):
    bad = tmp_path / "scenario.yaml"
    bad.write_text(content)
    out = _run("run", "irr_forecast", "--params", str(bad), "--out", str(tmp_path / "out"))
    assert out.returncode == 2
    line = out.stderr.strip()
    assert "\n" not in line and str(bad) in line and text in line
    if key:
        assert f"'{key}'" in line
    assert not (tmp_path / "out").exists()  # nothing ran


def test_run_refuses_a_missing_notebook_and_params_file(tmp_path):
    out = _run("run", "irr_forcast")
    assert out.returncode == 2 and "irr_forecast" in out.stderr  # lists the known notebooks
    out = _run("run", "irr_forecast", "--params", str(tmp_path / "nope.yaml"))
    assert out.returncode == 2 and "nope.yaml" in out.stderr


def test_validate_prints_rows_date_ranges_and_warnings(capsys):
    assert cli.main(["validate", str(SAMPLE), "--as-of", "2026-10-30"]) == 0
    out = capsys.readouterr().out.splitlines()
    orders = next(i for i, line in enumerate(out) if line.startswith("orders "))
    assert "92,811 rows  2024-11-01 to 2026-10-31" in out[orders]
    assert out[orders + 1].strip().startswith("warning: ")
    assert "after the as-of date 2026-10-30" in out[orders + 1]
    assert out[-1] == "all tables valid"
    assert cli.main(["validate", str(SAMPLE), "--as-of", "2026-11-30"]) == 0
    assert "warning" not in capsys.readouterr().out


def test_validate_shows_the_names_it_normalised(sample_copy, capsys):
    lines = (sample_copy / "spend.csv").read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace("youtube", "you\u200btube", 1)
    (sample_copy / "spend.csv").write_text("".join(lines))
    assert cli.main(["validate", str(sample_copy)]) == 0
    captured = capsys.readouterr()
    spend = captured.out.split("spend ", 1)[1].split("touchpoints ", 1)[0]
    assert "warning:" in spend and "column 'channel': 1 value(s) changed" in spend
    assert captured.err == ""  # shown once, with its table


def test_validate_refuses_a_bad_as_of_date(capsys):
    assert cli.main(["validate", str(SAMPLE), "--as-of", "30/11/2026"]) == 2
    assert "--as-of" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("damage", "text"),
    [
        (
            lambda d: _replace_line(d / "orders.csv", 2, "2024-11-01T", "2300-11-01T"),
            "before 1990 or from 2100",
        ),
        (
            lambda d: _replace_line(d / "orders.csv", 1, "gross_margin", "revenue,gross_margin"),
            "appears 2 times",
        ),
        (lambda d: _replace_line(d / "orders.csv", 2, "15.59", "1e300"), "infinite or larger"),
        (
            lambda d: (d / "spend.csv").write_text((d / "spend.csv").read_text().replace(",", ";")),
            "semicolons",
        ),
        (lambda d: _append(d / "customers.csv", "C9999999,2025-01-01,organic,"), "without any order"),
    ],
    ids=["year-2300", "duplicate-header", "1e300", "semicolons", "customer-without-orders"],
)
def test_validate_refuses_damaged_exports_in_one_paragraph(sample_copy, damage, text):
    damage(sample_copy)
    out = _run("validate", str(sample_copy))
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert text in out.stderr and str(sample_copy) in out.stderr


def _replace_line(path, line, old, new):
    lines = path.read_text().splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines))


def _append(path, line):
    path.write_text(path.read_text() + line + "\n")
