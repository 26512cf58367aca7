# Makefile — everyday commands for solicitudes. `make` (or `make help`) lists them.
#
# Databases: a private PostgreSQL cluster per checkout, managed by
# scripts/pg.sh (dev on 127.0.0.1:54329, test on 127.0.0.1:54328; override with
# PGPORT_DEV / PGPORT_TEST). Set DATABASE_URL to use your own database instead
# (then no cluster is started); `make test` uses TEST_DATABASE_URL for that, so
# a DATABASE_URL meant for development is never handed to the test suite.

SHELL := /bin/bash
# Every recipe line runs under `set -euo pipefail`: a failing command fails the target.
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
PG := scripts/pg.sh

# Shell snippet: use $DATABASE_URL if set, else start the dev cluster and use
# its URL; exported for the rest of the recipe line.
WITH_DEV_DB = if [ -z "$${DATABASE_URL:-}" ]; then DATABASE_URL="$$($(PG) up dev)"; fi; export DATABASE_URL;

# Shell snippet: DATABASE_URL for tests: $TEST_DATABASE_URL if set, else the
# test cluster (an admin URL; the test harness creates its own databases).
WITH_TEST_DB = if [ -n "$${TEST_DATABASE_URL:-}" ]; then DATABASE_URL="$$TEST_DATABASE_URL"; else DATABASE_URL="$$($(PG) up test)"; fi; export DATABASE_URL;

.PHONY: help deps db-up db-down db-url db-status migrate run seed test lint fmt openapi ci clean-db

help: ## List the targets (default)
	@echo "Usage: make TARGET   (variables: CARGO=$(CARGO); DATABASE_URL / TEST_DATABASE_URL skip the local clusters)"
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

deps: ## Check for cargo and install the PostgreSQL server if missing
	@if ! command -v $(CARGO) >/dev/null 2>&1; then \
	  echo "error: '$(CARGO)' not found: install the Rust toolchain pinned in rust-toolchain.toml (rustup), or set CARGO=/path/to/cargo" >&2; \
	  exit 1; \
	fi
	@$(CARGO) --version
	@$(PG) deps

db-up: ## Start the dev database cluster and print its URL
	@$(PG) up dev

db-down: ## Stop the dev and test database clusters
	@$(PG) down dev
	@$(PG) down test

db-url: ## Print the dev database URL (starts nothing)
	@$(PG) url dev

db-status: ## Tell whether the dev and test clusters are running
	@$(PG) status dev || true
	@$(PG) status test || true

migrate: ## Apply database migrations (DATABASE_URL or the dev cluster)
	$(WITH_DEV_DB) $(CARGO) run --release -p solicitudes-api -- migrate

run: ## Run the API on 127.0.0.1:8000 (migrates at start-up; DATABASE_URL or the dev cluster)
	$(WITH_DEV_DB) exec $(CARGO) run --release -p solicitudes-api -- serve

PERSONAS ?= 1000
SOLICITUDES ?= 100000

seed: ## Insert demo data: PERSONAS=1000 SOLICITUDES=100000 (DATABASE_URL or the dev cluster)
	$(WITH_DEV_DB) $(CARGO) run --release -p solicitudes-api -- seed --personas $(PERSONAS) --solicitudes $(SOLICITUDES)

test: ## Run all tests (TEST_DATABASE_URL or the test cluster)
	@mkdir -p .local
	$(WITH_TEST_DB) $(CARGO) test --workspace --doc; $(CARGO) test --workspace --all-targets 2>&1 | tee .local/test.log
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "tests: %d passed, %d failed\n", p, f }' .local/test.log

lint: ## rustfmt check, clippy -D warnings, and the domain/schemas dependency check
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	CARGO='$(CARGO)' scripts/check-deps.sh

fmt: ## Format all code
	$(CARGO) fmt --all

openapi: ## Regenerate docs/openapi.json
	$(CARGO) run -q -p solicitudes-api -- openapi > docs/openapi.json.tmp || { rm -f docs/openapi.json.tmp; exit 1; }
	mv docs/openapi.json.tmp docs/openapi.json

ci: ## What CI runs: lint, then test
	$(MAKE) lint
	$(MAKE) test

clean-db: ## Destroy the dev and test clusters (all their data)
	$(PG) destroy dev
	$(PG) destroy test
