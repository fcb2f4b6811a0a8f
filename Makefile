# Perspectief — the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPECTRAL := npx --yes @stoplight/spectral-cli@6
RULESET ?= ../shared/conformance/adr-ruleset.yaml

.PHONY: run test lint openapi-lint bench clean-data install

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start PostgreSQL (embedded unless PERSPECTIEF_DATABASE_URL is set), migrate, load demo data, serve.
run: $(STAMP)
	$(BIN)/perspectief run

## The whole test suite, the linter and the API Design Rules check of the OpenAPI document.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	$(MAKE) openapi-lint

openapi-lint: $(STAMP)
	@if [ -f "$(RULESET)" ]; then \
		mkdir -p .data && $(BIN)/perspectief openapi > .data/openapi.json && \
		$(SPECTRAL) lint --fail-severity error -r "$(RULESET)" .data/openapi.json; \
	else echo "openapi-lint: $(RULESET) not found; skipped"; fi

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean-data:
	rm -rf .data
