# Sightline: `make run` serves the demo partnership, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
PYTEST_WORKERS ?= auto

export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1

# make run serves the way production does, over plain HTTP on the loopback interface.
RUN_ENV = DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY="$$(cat var/secret_key)" \
	ALLOWED_HOSTS="$(HOST),localhost,127.0.0.1" \
	SIGHTLINE_HTTPS=false \
	SIGHTLINE_DEMO=1 \
	EMAIL_URL="$${EMAIL_URL:-console:}"

.PHONY: help setup run dev test fuzz lint format bench assets clean
help:
	@echo "make run    set everything up and serve http://$(HOST):$(PORT) with the demo partnership"
	@echo "make test   set everything up and run every test (browser tests included)"
	@echo "make dev    Django's reloading development server, debugging on"
	@echo "make lint   ruff and mypy"
	@echo "make bench  the benchmarks in bench/"
	@echo "make fuzz   the fuzz test with 100,000 hostile values (SIGHTLINE_FUZZ_EXAMPLES)"

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Sightline needs Python 3.12 or newer (see .python-version); found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets/.built: node_modules/.installed scripts/build-assets.mjs $(wildcard frontend/*)
	npm run --silent build
	@touch $@

var/secret_key:
	@mkdir -p var
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@

setup: $(VENV)/.installed assets/.built var/secret_key

assets: assets/.built

run: setup
	@$(RUN_ENV) $(BIN)/sightline collectstatic --noinput --verbosity 0
	@$(RUN_ENV) $(BIN)/sightline migrate --noinput --verbosity 1
	@$(RUN_ENV) $(BIN)/sightline seed_demo --if-empty
	@echo "Serving Sightline on http://$(HOST):$(PORT), with the worker beside it (Ctrl+C stops both)"
	@$(RUN_ENV) bash -c '$(BIN)/sightline worker & worker=$$!; \
		trap "kill $$worker 2>/dev/null; wait $$worker" EXIT; \
		$(BIN)/gunicorn config.wsgi -c config/gunicorn.conf.py \
			--bind $(HOST):$(PORT) --workers $(WORKERS) --forwarded-allow-ips 127.0.0.1'

dev: setup
	$(BIN)/sightline migrate --noinput
	$(BIN)/sightline seed_demo --if-empty
	SIGHTLINE_DEMO=1 DJANGO_SETTINGS_MODULE=config.settings.dev bash -c '$(BIN)/sightline worker & worker=$$!; \
		trap "kill $$worker 2>/dev/null; wait $$worker" EXIT; \
		$(BIN)/sightline runserver $(HOST):$(PORT)'

test: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The fuzz test at ten times the suite's size, its figures printed for each part.
SIGHTLINE_FUZZ_EXAMPLES ?= 100000
fuzz: setup
	SIGHTLINE_FUZZ_EXAMPLES=$(SIGHTLINE_FUZZ_EXAMPLES) $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:randomly -s tests/test_fuzz.py $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules assets var/static .pytest_cache .mypy_cache .ruff_cache
