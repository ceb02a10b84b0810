# The two commands: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install translations migrate demo lint format lock clean backup restore bench load

run: install translations migrate demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install translations
	$(BIN)/python -m pytest

install: $(INSTALLED)

$(INSTALLED): requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $(INSTALLED)

# Compile locale/*/LC_MESSAGES/*.po to .mo in pure Python (no GNU gettext needed).
translations: install
	$(BIN)/python manage.py compile_translations

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: install
	$(BIN)/python manage.py load_demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Measure the pages over HTTP with wrk against the large PostgreSQL data set and Redis, and
# append the figures to bench/RESULTS.md (see bench/README.md). Options: make bench ARGS="--help".
bench: install
	bench/run $(ARGS)

# 1,000 comments from 50 clients against private PostgreSQL, Redis and gunicorn servers, with
# an optional fault (README.md, Reliability): make load ARGS="--fault postgres-restart".
load: install
	bench/comment_load $(ARGS)

# Back up the database and media into var/backups/<UTC time>/; restore one with
# `make restore BACKUP=var/backups/<time>` (it checks the manifest's checksums first).
backup: install
	$(BIN)/python manage.py backup_site

restore: install
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=var/backups/<time>"; exit 2; }
	$(BIN)/python manage.py restore_site "$(BACKUP)"

# Rebuild the pinned lists from pyproject.toml in a throw-away environment.
lock:
	rm -rf var/lock-env
	$(PYTHON) -m venv var/lock-env
	$(PYTHON) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies']))" > var/lock-runtime.txt
	$(PYTHON) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > var/lock-dev.txt
	var/lock-env/bin/pip install --quiet -r var/lock-runtime.txt
	{ echo "# Runtime dependencies, pinned. Regenerate with 'make lock' after changing pyproject.toml."; var/lock-env/bin/pip freeze; } > requirements.lock
	var/lock-env/bin/pip install --quiet -r var/lock-dev.txt
	{ echo "# Runtime and test dependencies, pinned. Regenerate with 'make lock' after changing pyproject.toml."; var/lock-env/bin/pip freeze; } > requirements-dev.lock
	rm -rf var/lock-env var/lock-runtime.txt var/lock-dev.txt

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache
