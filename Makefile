# The whole set-up is `make run` (serve the site) and `make test` (run the tests).
PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PYTHON := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: install run serve import test lint format check bench faults cluster cluster-stop clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PYTHON) || $(PYTHON_BIN) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## run: install, migrate, import seeds/ (and $SEED_CORPUS), create an admin, serve with gunicorn
run: install
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py sanitise_bodies
	$(MAKE) --no-print-directory import
	$(PYTHON) manage.py ensure_admin
	$(PYTHON) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving http://$(HOST):$(PORT)/ (admin at http://$(HOST):$(PORT)/admin/); Ctrl-C stops."
	$(VENV)/bin/gunicorn newsroom.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

## import: import seeds/ and, when set, $SEED_CORPUS (failures are reported, the site still starts)
import: install
	-$(PYTHON) manage.py import_seeds seeds $(if $(SEED_CORPUS),"$(SEED_CORPUS)")

## test: the test suite (SQLite unless DATABASE_URL is set); exits non-zero when no test ran
test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## check: lint, migrations, deploy checks with production-like settings, then the tests
check: lint
	$(PYTHON) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
	  DJANGO_ALLOWED_HOSTS=news.example.com $(PYTHON) manage.py check --deploy --fail-level WARNING
	$(MAKE) --no-print-directory test

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
	rm -rf $(VENV) data/staticfiles .pytest_cache .ruff_cache
