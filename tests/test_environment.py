"""environment.yml lists exactly the dependencies of pyproject.toml."""

import re
import tomllib

import yaml

from conftest import ROOT


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert match, requirement
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(r) for r in project["dependencies"])
    wanted.update(_split(r) for r in project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = dict(_split(d) for d in env["dependencies"] if isinstance(d, str) and _split(d)[0] != "pip")
    # packages not on conda-forge come from pip, in the file's `pip:` list
    from_pip = [d for entry in env["dependencies"] if isinstance(entry, dict) for d in entry.get("pip", [])]
    assert not set(dict(map(_split, from_pip))) & set(listed)
    listed.update(_split(d) for d in from_pip)
    python = listed.pop("python")
    assert python == project["requires-python"]
    assert listed == wanted


def test_makefile_targets_are_documented():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("help", "report", "test", "lab", "lint"):
        assert re.search(rf"^{target}:.*## \S", makefile, flags=re.M), target


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / "README.md").read_text()
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == "make test"
