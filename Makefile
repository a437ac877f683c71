# The two commands a new user runs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench bench-dev golden clean build browser dev fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pressroom demo

build: $(STAMP)
	$(BIN)/pressroom build content --out public

# The browser tests (tests/browser): Debian's chromium, installed when missing, and puppeteer-core
# + axe-core from npm into tests/browser/node_modules. Nothing downloads a browser of its own.
BROWSER_DEPS := tests/browser/node_modules/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium fonts-noto-color-emoji; }
	command -v npm >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs npm; }
	cd tests/browser && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

browser: $(BROWSER_DEPS)

test: $(STAMP) $(BROWSER_DEPS)
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
	rm -rf $(VENV) public .pytest_cache .mypy_cache .ruff_cache build tests/browser/node_modules
