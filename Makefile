# Makefile — everyday commands for solicitudes. `make` (or `make help`) lists them.
#
# Databases: a private PostgreSQL cluster per checkout, managed by the workspace's
# harness, `cargo xtask pg` (xtask/; dev on 127.0.0.1:54329, test on 127.0.0.1:54328;
# override with PGPORT_DEV / PGPORT_TEST). Set DATABASE_URL to use your own database instead
# (then no cluster is started); `make test` uses TEST_DATABASE_URL for that, so
# a DATABASE_URL meant for development is never handed to the test suite.

SHELL := /bin/bash
# Every recipe line runs under `set -euo pipefail`: a failing command fails the target.
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
# The harness (xtask/, `cargo xtask help`): clusters, fresh databases, the running service.
PG := $(CARGO) xtask pg

# Shell snippet: use $DATABASE_URL if set, else start the dev cluster and use
# its URL; exported for the rest of the recipe line.
WITH_DEV_DB = if [ -z "$${DATABASE_URL:-}" ]; then DATABASE_URL="$$($(PG) up dev)"; fi; export DATABASE_URL;

# WITH_DEV_DB, and on the dev cluster a dev admin for the service's bootstrap (its password is
# generated once into .local/dev-admin.txt: scripts/dev-admin.sh). With your own DATABASE_URL
# no admin is invented: create one with `solicitudes-api usuarios crear` or auth.bootstrap_admin_*.
# (The admin first: it tells whether the cluster existed before this run.)
WITH_DEV_DB_AND_ADMIN = if [ -z "$${DATABASE_URL:-}" ]; then dev_admin="$$(scripts/dev-admin.sh env)"; eval "$$dev_admin"; DATABASE_URL="$$($(PG) up dev)"; fi; export DATABASE_URL;

# Shell snippet: DATABASE_URL for tests: $TEST_DATABASE_URL if set, else the
# test cluster (an admin URL; the test harness creates its own databases).
WITH_TEST_DB = if [ -n "$${TEST_DATABASE_URL:-}" ]; then DATABASE_URL="$$TEST_DATABASE_URL"; else DATABASE_URL="$$($(PG) up test)"; fi; export DATABASE_URL;

.PHONY: help deps db-up db-down db-url db-status migrate run seed test resilience lint fmt openapi ci clean-db

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
	@$(PG) down dev test

db-url: ## Print the dev database URL (starts nothing)
	@$(PG) url dev

db-status: ## Tell whether the dev and test clusters are running
	@$(PG) status dev test || true

# The Cargo profile of `make run`, `make seed` and `make migrate`: `[profile.local]` in
# Cargo.toml, release's optimisations without fat LTO, so a fresh clone builds in minutes.
# `make bench` and release artefacts use `--release` (fat LTO). RUN_PROFILE=release to run that.
RUN_PROFILE ?= local

migrate: ## Apply database migrations (DATABASE_URL or the dev cluster)
	$(WITH_DEV_DB) $(CARGO) run --profile $(RUN_PROFILE) -p solicitudes-api -- migrate

# `make web` asks the binary for its OpenAPI document; for `make run` it builds the binary
# `make run` is about to start (one build, not a debug build and then an optimised one).
run: WEB_API_PROFILE = $(RUN_PROFILE)
run: web ## Run the API and the web app on 127.0.0.1:8000 (migrates at start-up; DATABASE_URL or the dev cluster and its dev admin)
	$(WITH_DEV_DB_AND_ADMIN) exec $(CARGO) run --profile $(RUN_PROFILE) -p solicitudes-api -- serve

PERSONAS ?= 1000
SOLICITUDES ?= 100000

# The demo accounts' credentials (git-ignored; existing accounts are kept, see docs/development.md).
SEED_ACCOUNTS ?= .local/seed-accounts.txt

seed: ## Insert demo data and accounts: PERSONAS=1000 SOLICITUDES=100000, credentials in .local/seed-accounts.txt (DATABASE_URL or the dev cluster)
	@mkdir -p .local
	$(WITH_DEV_DB_AND_ADMIN) $(CARGO) run --profile $(RUN_PROFILE) -p solicitudes-api -- seed --personas $(PERSONAS) --solicitudes $(SOLICITUDES) --accounts-file $(SEED_ACCOUNTS)

test: ## Run all tests (TEST_DATABASE_URL or the test cluster)
	@mkdir -p .local
	$(WITH_TEST_DB) $(CARGO) test --workspace --doc; $(CARGO) test --workspace --all-targets 2>&1 | tee .local/test.log
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "tests: %d passed, %d failed\n", p, f }' .local/test.log

# Shell snippet: destroy the `res-…` clusters the resilience tests left behind (they
# destroy their own on success and on panic; only a killed run leaves any).
RES_CLUSTERS = $(PG) destroy --prefix res- || true

resilience: ## Resilience tests: the real binary vs. PostgreSQL clusters they stop and kill (~2 min)
	@mkdir -p .local
	@status=0; \
	$(CARGO) test -p solicitudes-api --test resiliencia -- --ignored --test-threads=1 2>&1 | tee .local/resilience.log || status=$$?; \
	awk '/^test result:/ { p += $$4; f += $$6 } END { printf "resilience tests: %d passed, %d failed\n", p, f }' .local/resilience.log; \
	$(RES_CLUSTERS); \
	exit $$status

.PHONY: fuzz
fuzz: ## Schemathesis against the running binary: every check, fixed seed (TEST_DATABASE_URL or the test cluster)
	CARGO='$(CARGO)' scripts/fuzz.sh

lint: ## rustfmt check, clippy -D warnings, the domain/schemas/client dependency check, the scripts' syntax
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	CARGO='$(CARGO)' scripts/check-deps.sh
	bash -n scripts/*.sh .ci/run
	python3 -c 'import ast, sys; [ast.parse(open(f, encoding="utf-8").read(), f) for f in sys.argv[1:]]' scripts/fuzz/*.py scripts/bench/bench.py

fmt: ## Format all code
	$(CARGO) fmt --all

openapi: ## Regenerate docs/openapi.json
	$(CARGO) run -q -p solicitudes-api -- openapi > docs/openapi.json.tmp || { rm -f docs/openapi.json.tmp; exit 1; }
	mv docs/openapi.json.tmp docs/openapi.json

.PHONY: bench
bench: ## Benchmark the release build against pgbench on a fresh seeded database (docs/benchmarks.md)
	CARGO='$(CARGO)' python3 scripts/bench/bench.py

# The Cargo profile `make web` builds the binary with to print the OpenAPI document.
WEB_API_PROFILE ?= dev

.PHONY: web e2e
web: ## Build the web app into web/dist (npm ci when needed; API types from the OpenAPI document)
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found: install Node.js 20.19 or newer" >&2; exit 1; }
	cd web && if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
	cd web && CARGO='$(CARGO)' SOLICITUDES_CARGO_PROFILE='$(WEB_API_PROFILE)' npm run --silent gen:api
	cd web && npm run --silent build

e2e: ## End-to-end tests: the web app in headless Chromium against the binary and a fresh database
	CARGO='$(CARGO)' scripts/e2e.sh

ci: ## What CI runs: lint, then test
	$(MAKE) lint
	$(MAKE) test

clean-db: ## Destroy the dev and test clusters (all their data, the dev admin's and the demo accounts' credentials)
	$(PG) destroy dev test
	rm -f .local/dev-admin.txt $(SEED_ACCOUNTS)
