# The two commands of the README: `make run` and `make test`.
# The newest Python from 3.11 to 3.13 on the PATH that can make a venv; `make PYTHON=python3.12`
# picks one. (Checked by running it: a pyenv shim may be on the PATH without a Python behind it.)
PYTHON ?= $(shell scripts/find-python)
VENV ?= .venv
BIN := $(VENV)/bin
# The test suite creates (and drops) its own database, test_undersigned, on this server.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/undersigned
DEV = DEBUG=true

.PHONY: run test test-sqlite test-postgres lint audit format install install-dev superuser bench messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## The translations (locale/*/LC_MESSAGES/django.po) compiled for Django; the .mo files are not
## kept in git. Needs GNU gettext's msgfmt (Debian: gettext); without it pages stay in English.
messages: install
	$(DEV) $(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

## Set up and run the app on the embedded default (SQLite, tasks in process, email to the console).
run: install
	-scripts/pdf-libraries
	-$(MAKE) --no-print-directory messages
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py seed_demo
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## Create an admin account for the embedded default.
superuser: install
	$(DEV) $(BIN)/python manage.py createsuperuser

## The whole test suite, on SQLite and then on PostgreSQL.
test: install-dev
	scripts/test-services
	$(MAKE) --no-print-directory messages test-sqlite test-postgres

# The fault tests break real parts around the app (tests/faults): they run once, with PostgreSQL
# (the embedded-default one brings its own SQLite file).
test-sqlite: install-dev
	@echo "== Test suite on SQLite"
	env -u DATABASE_URL $(BIN)/pytest -m "not faults" $(PYTEST_ARGS)

test-postgres: install-dev
	@echo "== Test suite on PostgreSQL"
	DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## Known vulnerabilities in the locked dependencies (pip-audit).
audit: install-dev
	scripts/audit-dependencies

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks (need PostgreSQL and Redis): see bench/README.md.
bench: install-dev
	scripts/test-services
	scripts/bench-tools
	$(BIN)/python bench/surge.py
	$(BIN)/python bench/write_surge.py
	$(BIN)/python bench/updates.py
	$(BIN)/python bench/summary.py
	$(BIN)/python bench/letter_page.py --reuse
	$(BIN)/python bench/letter_pdf.py
