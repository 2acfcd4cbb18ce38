# socialreturns: `make help` lists the targets. Every target creates and reuses .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
KERNEL := socialreturns

.DEFAULT_GOAL := help
.PHONY: help setup setup-dev report test lint format lab sample clean

help: ## Show the targets and what they do
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "socialreturns needs Python 3.11 or newer; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (socialreturns)" >/dev/null
	@touch $@

$(DEV_STAMP): pyproject.toml $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

setup: $(RUN_STAMP) ## Create .venv with socialreturns and its Jupyter kernel

setup-dev: $(DEV_STAMP) ## Create .venv with the dev extra (pytest, ruff)

report: $(RUN_STAMP) ## Run the report batch (params/batches/report.yaml) on the sample data; HTML under reports/report/<date>/
	$(BIN)/socialreturns run report --out reports

test: $(DEV_STAMP) ## Lint, then run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(DEV_STAMP) ## Lint and check formatting (notebooks included)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP) ## Format code and notebooks in place
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lab: $(RUN_STAMP) ## Open JupyterLab on the notebooks with the project's kernel
	$(BIN)/jupyter lab --notebook-dir=. notebooks/

sample: $(RUN_STAMP) ## Regenerate data/sample/ from the default seed
	$(BIN)/socialreturns synth --out data/sample

clean: ## Remove .venv, generated reports and the shared fits (.cache)
	rm -rf $(VENV) reports .cache
