# The two commands a new user runs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench bench-dev profile golden clean build browser dev fuzz checkov sam-validate vendor

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

# The template's own checkers, each in a venv of its own (aws-sam-cli pins an older boto3 than
# pressroom's; checkov brings its own world). Offline but for PyPI: `--skip-download` keeps checkov
# from asking its platform for guidelines, SAM_CLI_TELEMETRY=0 keeps sam quiet. The stamp names
# the version, so a new pin installs afresh. About 30 s (checkov) and 45 s (sam) to install, once.
CHECKOV_VERSION := 3.3.30
CHECKOV_STAMP := .venv-checkov/.installed-$(CHECKOV_VERSION)
$(CHECKOV_STAMP):
	rm -rf .venv-checkov
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet --upgrade pip
	.venv-checkov/bin/pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

# Each check infra/.checkov.yaml skips says why; README's "Deploy to AWS" lists them.
checkov: $(CHECKOV_STAMP)
	.venv-checkov/bin/checkov --config-file infra/.checkov.yaml -d infra

SAM_CLI_VERSION := 1.170.0
SAM_STAMP := .venv-sam/.installed-$(SAM_CLI_VERSION)
$(SAM_STAMP):
	rm -rf .venv-sam
	$(PYTHON) -m venv .venv-sam
	.venv-sam/bin/pip install --quiet --upgrade pip
	.venv-sam/bin/pip install --quiet aws-sam-cli==$(SAM_CLI_VERSION)
	touch $@

# `sam validate --lint` (SAM's own schema and cfn-lint) needs a region and nothing else.
sam-validate: $(SAM_STAMP)
	cd infra && SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 ../.venv-sam/bin/sam validate --lint

test: $(STAMP) $(BROWSER_DEPS) checkov sam-validate
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

# The bench's own environment: Hugo, Pelican, Pagefind, the Rust-backed Markdown parsers and profilers
# (bench/requirements.txt), kept out of pressroom's; node runs Pagefind's own search library (the
# search section). `make bench BENCH_ARGS=--quick` runs in minutes; one section: BENCH_ARGS="--only search".
# The image sections: BENCH_ARGS="--only images,upload" (minutes), "--only photos" (pressroom and Hugo
# on a 150-post blog with 140 photos: about 45 minutes, Hugo's clean builds most of it).
BENCH_STAMP := bench/.venv/.installed
$(BENCH_STAMP): bench/requirements.txt pyproject.toml
	command -v node >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs; }
	$(PYTHON) -m venv bench/.venv
	bench/.venv/bin/pip install --quiet --upgrade pip
	cd bench && .venv/bin/pip install --quiet -r requirements.txt
	touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Profiles of a 5,000-post build (one process) and of one edit at 5,000 posts, into bench/out/
# (BENCHMARKS.md shows their top when present). Needs the corpus: `make bench` first.
profile: $(STAMP) $(BENCH_STAMP)
	bench/.venv/bin/pyinstrument -o bench/out/profile-build-5000.txt -m pressroom build \
		bench/out/corpus-5000/pressroom --out bench/out/profile-site --now 2026-11-29T00:00:00+00:00 --jobs 1
	bench/.venv/bin/python bench/profile_event.py 5000 500

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

# The libraries the theme serves from the site itself, only to pages that need them: Mermaid's
# minified browser build and KaTeX's (script, auto-render, stylesheet, woff2 fonts), each with its
# licence, from npm (`npm pack`: no install, no scripts run). Bump a version, run, review the diff.
MERMAID_VERSION := 12.4.0
KATEX_VERSION := 0.19.1
THEME_LIB := shared/pressroom/theme/static/lib
vendor:
	rm -rf build/vendor $(THEME_LIB)/mermaid $(THEME_LIB)/katex
	mkdir -p build/vendor $(THEME_LIB)/mermaid $(THEME_LIB)/katex/contrib $(THEME_LIB)/katex/fonts
	cd build/vendor && npm pack --silent mermaid@$(MERMAID_VERSION) katex@$(KATEX_VERSION) >/dev/null
	tar xzf build/vendor/mermaid-$(MERMAID_VERSION).tgz -C build/vendor --one-top-level=mermaid
	tar xzf build/vendor/katex-$(KATEX_VERSION).tgz -C build/vendor --one-top-level=katex
	cp build/vendor/mermaid/package/dist/mermaid.min.js $(THEME_LIB)/mermaid/
	cp build/vendor/mermaid/package/LICENSE $(THEME_LIB)/mermaid/LICENSE.txt
	cp build/vendor/mermaid/package/THIRD_PARTY_NOTICES $(THEME_LIB)/mermaid/THIRD_PARTY_NOTICES.txt
	cp build/vendor/katex/package/dist/katex.min.js build/vendor/katex/package/dist/katex.min.css $(THEME_LIB)/katex/
	cp build/vendor/katex/package/dist/contrib/auto-render.min.js $(THEME_LIB)/katex/contrib/
	cp build/vendor/katex/package/dist/fonts/*.woff2 $(THEME_LIB)/katex/fonts/
	cp build/vendor/katex/package/LICENSE $(THEME_LIB)/katex/LICENSE.txt
	rm -rf build/vendor

clean:
	rm -rf $(VENV) .venv-checkov .venv-sam public .pytest_cache .mypy_cache .ruff_cache build tests/browser/node_modules
