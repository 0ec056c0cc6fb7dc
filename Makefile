# The whole set-up is `make run` (serve the site) and `make test` (run the tests).
PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PYTHON := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
ALLOWED_HOSTS ?= $(HOST),localhost,127.0.0.1,[::1]
DATA_DIR := $(or $(NEWSROOM_DATA_DIR),data)
# What `make import` reads: your own archive of seed documents (a file or a folder).
ARCHIVE ?= $(SEED_CORPUS)

# `make run`: the production configuration (DEBUG off, a secret key generated once and kept in the
# data folder, collected static files, the real error pages), served over plain HTTP on this machine.
PRODUCTION := DJANGO_DEBUG=0 DJANGO_SECRET_KEY_FILE=$(DATA_DIR)/secret-key DJANGO_ALLOWED_HOSTS='$(ALLOWED_HOSTS)' \
	DJANGO_HTTPS=0 NEWSROOM_SERVE_MEDIA=1

# Extra pytest arguments for `make test`, e.g. make test PYTEST_ARGS='-x tests/test_views.py'.
PYTEST_ARGS ?=
# What `make check` adds to the tests: a coverage report of our code (settings in pyproject.toml).
COVERAGE_ARGS := --cov=articles --cov=newsroom --cov-report=term:skip-covered

.PHONY: install run dev import test lint typecheck precommit format check bench faults cluster cluster-stop clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PYTHON) || $(PYTHON_BIN) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

$(DATA_DIR)/secret-key:
	mkdir -p $(DATA_DIR)
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

## run: install, migrate, import $SEED_CORPUS when set, create an admin, collect static files, serve
##      the production configuration with gunicorn on http://$(HOST):$(PORT)/
run: install $(DATA_DIR)/secret-key
	$(PRODUCTION) $(PYTHON) manage.py migrate --noinput
	$(PRODUCTION) $(PYTHON) manage.py sanitise_bodies
	$(if $(SEED_CORPUS),-$(PRODUCTION) $(PYTHON) manage.py import_seeds "$(SEED_CORPUS)",@echo "No SEED_CORPUS set: nothing imported. Import an archive with: make import ARCHIVE=path/to/posts")
	$(PRODUCTION) $(PYTHON) manage.py ensure_admin
	$(PRODUCTION) $(PYTHON) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving http://$(HOST):$(PORT)/ (admin at http://$(HOST):$(PORT)/admin/); Ctrl-C stops."
	$(PRODUCTION) exec $(VENV)/bin/gunicorn newsroom.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

## dev: the development server (DEBUG on, code reloads) on http://$(HOST):$(PORT)/
dev: install
	DJANGO_DEBUG=1 $(PYTHON) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PYTHON) manage.py ensure_admin
	DJANGO_DEBUG=1 $(PYTHON) manage.py runserver $(HOST):$(PORT)

## import: import the seed documents in ARCHIVE (default $SEED_CORPUS), e.g. make import ARCHIVE=~/posts
import: install
	@test -n "$(ARCHIVE)" || { echo "Say what to import: make import ARCHIVE=path/to/posts"; exit 2; }
	$(PYTHON) manage.py import_seeds "$(ARCHIVE)"

## test: the test suite (SQLite unless DATABASE_URL is set); exits non-zero when no test ran
test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## typecheck: mypy with django-stubs over articles/ and newsroom/ (strict on the importer; pyproject.toml)
typecheck: install
	$(VENV)/bin/mypy

## precommit: the pre-commit hooks (ruff, ruff format, django-upgrade, mypy) on every file
precommit: install
	$(VENV)/bin/pre-commit run --all-files

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## check: lint, types, migrations, deploy checks with production-like settings, then the tests
##        with a coverage report
check: lint typecheck
	$(PYTHON) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
	  DJANGO_ALLOWED_HOSTS=news.example.com $(PYTHON) manage.py check --deploy --fail-level WARNING
	$(MAKE) --no-print-directory test PYTEST_ARGS="$(COVERAGE_ARGS) $(PYTEST_ARGS)"

## bench: import and page benchmarks, printing figures (see benchmarks/)
bench: install
	bash deploy/install-packages.sh --bench
	$(PYTHON) benchmarks/run.py

## faults: the site under load while Redis, a worker and PostgreSQL fail (benchmarks/faults.py)
faults: install
	bash deploy/install-packages.sh --bench
	$(PYTHON) benchmarks/faults.py

## cluster: Varnish in front of two gunicorn app servers on PostgreSQL and Redis (deploy/cluster.py); Ctrl-C stops it
cluster: install
	bash deploy/install-packages.sh
	$(PYTHON) deploy/cluster.py start

## cluster-stop: stop what `make cluster` started (from another terminal)
cluster-stop:
	$(PYTHON) deploy/cluster.py stop

clean:
	rm -rf $(VENV) data/staticfiles .pytest_cache .ruff_cache .mypy_cache .coverage .coverage.*
