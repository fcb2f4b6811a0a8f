# Perspectief — the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
SPECTRAL := npx --yes @stoplight/spectral-cli@6
RULESET ?= ../shared/conformance/adr-ruleset.yaml

.PHONY: run test openapi-lint bench clean-data install browser

# `make run` installs only what the service needs; `make test` adds the test and lint tools.
$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(RUNTIME)

$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(DEV)

install: $(DEV)

## Start PostgreSQL (embedded unless PERSPECTIEF_DATABASE_URL is set), migrate, load demo data, serve.
run: $(RUNTIME)
	$(BIN)/perspectief run

CHROMIUM ?= /usr/bin/chromium

## Chromium for the browser tests: Debian's package, installed when missing and running as root.
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "browser: installing chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "browser: $(CHROMIUM) not found; install Debian's chromium (browser tests skip, fail in CI)" >&2; fi

## The whole test suite, the linter and the API Design Rules check of the OpenAPI document.
test: $(DEV) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	$(MAKE) openapi-lint

openapi-lint: $(RUNTIME)
	@if [ -f "$(RULESET)" ]; then \
		mkdir -p .data && $(BIN)/perspectief openapi > .data/openapi.json && \
		$(SPECTRAL) lint --fail-severity error -r "$(RULESET)" .data/openapi.json; \
	elif [ -n "$$CI" ]; then echo "openapi-lint: $(RULESET) not found" >&2; exit 1; \
	else echo "openapi-lint: $(RULESET) not found; skipped"; fi

## Benchmark; a large set first: perspectief generate --families 500000 --database perspectief_national,
## then make bench BENCH_ARGS="--large-database perspectief_national".
bench: $(RUNTIME)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean-data:
	rm -rf .data
