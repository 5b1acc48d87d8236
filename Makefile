# Liens Mutuels — every set-up step is a target here; `make help` lists them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) site/manage.py
PORT ?= 8000
# pytest-xdist workers for `make test`: one per CPU; TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto
# More pytest options for `make test` (CI's PostgreSQL run: --database-tests-only).
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-test.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-test.txt -e .
	touch $@

install: $(VENV)/.installed ## Create .venv and install everything

demo: install ## Set up the demo organizations and serve them on http://127.0.0.1:$(PORT)/
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo --port $(PORT)
	PORT=$(PORT) $(PY) site/manage.py serve_demo --port $(PORT)

test: install ## Run the whole test suite in parallel (DATABASE_URL selects PostgreSQL)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install ## Print the benchmark ratios (pages, spreadsheets, then the site over HTTP)
	$(PY) bench/run.py
	$(PY) bench/spreadsheets.py
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "bench: no wrk (apt-get install wrk as root): the HTTP load comes from Python"
	$(PY) bench/http_load.py

messages: install ## Refresh and compile the French catalogues (needs gettext)
	for dir in organizations privacy signin spreadsheets crm_blocks events rentals films opendata structured_data language_search public_cache site/home; do \
		mkdir -p $$dir/locale && \
		(cd $$dir && $(CURDIR)/$(PY) $(CURDIR)/site/manage.py makemessages -l fr --no-obsolete \
			--ignore=static/*) || exit 1; \
	done
	mkdir -p site/locale && cd site && $(CURDIR)/$(PY) $(CURDIR)/site/manage.py makemessages \
		-l fr --no-obsolete --ignore=home/* --ignore=config/* --ignore=static/*
	for dir in organizations privacy signin spreadsheets crm_blocks events rentals films opendata structured_data language_search public_cache site/home site; do \
		(cd $$dir && $(CURDIR)/$(PY) $(CURDIR)/site/manage.py compilemessages -l fr) || exit 1; \
	done

lint: install ## ruff, import contracts, missing migrations and deployment checks
	$(VENV)/bin/ruff check .
	PYTHONPATH=site $(VENV)/bin/lint-imports --no-cache
	$(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=lint-only-$$(head -c 32 /dev/urandom | base64) ALLOWED_HOSTS=example.org $(MANAGE) check --deploy --fail-level WARNING

.PHONY: help install demo test bench messages lint
