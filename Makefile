# The two commands a new user runs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench bench-dev golden clean build dev fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pressroom demo

build: $(STAMP)
	$(BIN)/pressroom build content --out public

test: $(STAMP)
	$(BIN)/ruff check shared functions tests bench
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check shared functions tests bench
	$(BIN)/ruff format --check shared functions tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Long property and simulation runs, outside CI: fresh random examples every run, more schedules.
FUZZ_EXAMPLES ?= 3000
fuzz: $(STAMP)
	PRESSROOM_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) PRESSROOM_FUZZ_RANDOM=1 PRESSROOM_SIM_LIMIT=400 \
		$(BIN)/pytest -q -p no:cacheprovider tests/simulation

bench: $(STAMP)
	$(BIN)/python bench/run.py

# `pressroom dev` on 1,000 generated posts: ready time and save -> visible (minutes: moto publishes slowly).
bench-dev: $(STAMP)
	$(BIN)/python bench/dev.py

dev: $(STAMP)
	$(BIN)/pressroom dev content

# Regenerate the expected site that tests/functional/test_golden.py compares against.
GOLDEN_NOW := 2026-11-29T00:00:00+00:00
golden: $(STAMP)
	rm -rf tests/golden/site
	$(BIN)/pressroom build content --out tests/golden/site --now $(GOLDEN_NOW)
	rm -rf tests/golden/hugo-site
	$(BIN)/pressroom build tests/fixtures/hugo-site --out tests/golden/hugo-site --now $(GOLDEN_NOW)

clean:
	rm -rf $(VENV) public .pytest_cache .mypy_cache .ruff_cache
