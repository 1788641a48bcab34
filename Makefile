# Everyday commands of the ICP compliance portal. `make help` lists them.
#
# The virtualenv lives in .venv and is created on first use. The project is
# installed once and re-installed only when pyproject.toml changes (stamp files
# inside .venv record the last install).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON3 ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check --quiet

# The test command talks to real services; these defaults match .ci/run and can be
# overridden from the environment (ICP_DATABASE_URL=... make test).
ICP_DATABASE_URL_TEST ?= $(or $(ICP_DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
ICP_REDIS_URL_TEST ?= $(or $(ICP_REDIS_URL),redis://127.0.0.1:6379/15)
PYTEST_ARGS ?=
# The suite runs in two processes (pytest-xdist); PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= 2

DATA_DIR := $(or $(ICP_DATA_DIR),var)

.PHONY: help install install-dev run test lint format messages check-deploy worker beat \
	clean distclean

help:
	@echo "make run           set up, load demo data, serve http://127.0.0.1:8000 (with a worker)"
	@echo "make test          set up and run the whole test suite (PostgreSQL + Redis)"
	@echo "make lint          ruff check and ruff format --check"
	@echo "make format        ruff format and ruff check --fix"
	@echo "make messages      update and compile the zh_Hans and en catalogues"
	@echo "make check-deploy  manage.py check --deploy with example production variables"
	@echo "make worker        a Celery worker in the foreground"
	@echo "make beat          Celery beat (database scheduler) in the foreground"
	@echo "make clean         remove caches and collected static files"
	@echo "make distclean     clean, and remove .venv and var/ (the demo database and keys)"

$(PY):
	$(PYTHON3) -m venv $(VENV)

# The project and its runtime dependencies.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP_INSTALL) -e .
	touch $@

# Everything, test tools and ruff included; it also satisfies the runtime install.
$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP_INSTALL) -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The README's run command: embedded default (SQLite, console SMS/e-mail, demo DNS
# zone, filesystem broker), demo data, a worker with beat, and the development server.
run: install
	mkdir -p $(DATA_DIR)
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo | tee $(DATA_DIR)/demo-logins.txt
	PYTHON=$(PY) scripts/run_demo.sh

# The README's test command. pytest exits 5 when it collected no test: that is a
# failure too, and says so.
test: install-dev
	ICP_DATABASE_URL='$(ICP_DATABASE_URL_TEST)' ICP_REDIS_URL='$(ICP_REDIS_URL_TEST)' \
		$(PY) -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS) $(PYTEST_ARGS) || { \
		rc=$$?; \
		if [ $$rc -eq 5 ]; then echo "make test: pytest collected no test" >&2; fi; \
		exit $$rc; }

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(MANAGE) makemessages -l zh_Hans -l en --no-obsolete \
		--ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests --ignore=build
	$(MANAGE) compilemessages --ignore=.venv --ignore=var --ignore=staticfiles

# Example production variables; nothing connects to them, `check` only reads settings.
check-deploy: install
	ICP_ENV=production \
	ICP_DEBUG=0 \
	ICP_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	ICP_ALLOWED_HOSTS=icp.example.com \
	ICP_DATABASE_URL=postgres://icp:example@127.0.0.1:5432/icp \
	ICP_REDIS_URL=redis://127.0.0.1:6379/0 \
	ICP_FIELD_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
		$(MANAGE) check --deploy --fail-level WARNING

# The filesystem broker of the embedded default needs its folders before a worker
# starts; they are harmless when ICP_REDIS_URL points at Redis.
worker: install
	mkdir -p $(DATA_DIR)/broker/queue $(DATA_DIR)/broker/processed
	$(VENV)/bin/celery -A icpportal worker --loglevel=INFO

beat: install
	mkdir -p $(DATA_DIR)/broker/queue $(DATA_DIR)/broker/processed
	$(VENV)/bin/celery -A icpportal beat --loglevel=INFO \
		--scheduler django_celery_beat.schedulers:DatabaseScheduler

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache test-artifacts build *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) var
