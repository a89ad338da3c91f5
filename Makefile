# Two commands do everything on a fresh Linux machine with Python 3.11:
#   make report   build every year's appendices from the shipped example data
#   make test     run every test
# Both create .venv and install the project into it first if needed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test lab lint bench clean-reports

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# make report ARGS="--year 2024-25 --only recruitment --disclosure internal --pdf"
report: $(STAMP)
	$(BIN)/python -m analysis.build $(ARGS)

# Speed and memory goals, never in the tests: the report build against the naive
# papermill + nbconvert loop (cold, no-op, one year), and placement stability at national scale.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_stability.py

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

clean-reports:
	rm -rf reports/*/
