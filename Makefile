# Perspectief — the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
SPECTRAL := npx --yes @stoplight/spectral-cli@6
RULESET ?= ../shared/conformance/adr-ruleset.yaml

.PHONY: run test test-deps openapi-lint bench bench-proxy clean-data install

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

## System packages the tests need: nginx (the reverse-proxy tests run the real one).
test-deps:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
		if command -v apt-get >/dev/null 2>&1; then \
			SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
			$$SUDO apt-get update -qq && \
			{ $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light || \
			  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }; \
		else echo "test-deps: install nginx to run the reverse-proxy tests" >&2; fi; }

## The whole test suite, the linter and the API Design Rules check of the OpenAPI document.
test: $(DEV) test-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	$(MAKE) openapi-lint

openapi-lint: $(RUNTIME)
	@if [ -f "$(RULESET)" ]; then \
		mkdir -p .data && $(BIN)/perspectief openapi > .data/openapi.json && \
		$(SPECTRAL) lint --fail-severity error -r "$(RULESET)" .data/openapi.json; \
	elif [ -n "$$CI" ]; then echo "openapi-lint: $(RULESET) not found" >&2; exit 1; \
	else echo "openapi-lint: $(RULESET) not found; skipped"; fi

bench: $(RUNTIME)
	$(BIN)/python -m bench.run

## What the rate limits cost per request at the reverse proxy (nginx with and without them).
bench-proxy: $(RUNTIME) test-deps
	$(BIN)/python -m bench.proxy

clean-data:
	rm -rf .data
