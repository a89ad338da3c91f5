# Two commands do everything on a fresh Linux machine with Python 3.11:
#   make report   build every year's appendices from the shipped example data
#   make test     run every test
# Both create .venv and install the project into it first if needed, and .venv-903, the DfE's
# SSDA903 validator in its own environment (it pins pandas<2 and numpy<1.25).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VALIDATOR := .venv-903
VALIDATOR_STAMP := $(VALIDATOR)/.installed

.PHONY: all validator report test lab lint bench clean-reports

all: $(STAMP) $(VALIDATOR_STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# The DfE validator's own environment, pinned by tools/validator903/requirements.txt.
$(VALIDATOR_STAMP): tools/validator903/requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VALIDATOR)
	$(VALIDATOR)/bin/python -m pip install --quiet --upgrade pip
	$(VALIDATOR)/bin/python -m pip install --quiet -r tools/validator903/requirements.txt
	@touch $@

validator: $(VALIDATOR_STAMP)

# Which council to build: a folder name under councils/, or all of them (the default).
COUNCIL ?= all

# make report COUNCIL=<slug> ARGS="--year 2024-25 --only placement_stability --disclosure internal --pdf"
report: $(STAMP) $(VALIDATOR_STAMP)
	$(BIN)/python -m analysis.build --council $(COUNCIL) $(ARGS)

# Speed and memory goals, never in the tests: the report build against the naive
# papermill + nbconvert loop (cold, no-op, one year), and placement stability at national scale.
BENCH_STAMP := $(VENV)/.bench-installed

# The engines the national-scale benchmark compares (polars, DuckDB): only `make bench` needs them.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $@

bench: $(BENCH_STAMP) $(VALIDATOR_STAMP)
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_stability.py

test: $(STAMP) $(VALIDATOR_STAMP)
	$(BIN)/python -m pytest

# JupyterLab on notebooks/, headless, on the first free port from 8888, as any user; it
# prints the URL (with its token) to open in a browser.
lab: $(STAMP)
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=8888 --ServerApp.port_retries=50 \
		$(if $(filter 0,$(shell id -u)),--allow-root) --notebook-dir=notebooks

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

clean-reports:
	rm -rf reports/*/
