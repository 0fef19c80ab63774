# Aftersales — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
export AFTERSALES_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test lint types contracts check venv dev-venv bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(STAMP_DEV): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@ $(STAMP_RUN)

venv: $(STAMP_RUN)
dev-venv: $(STAMP_DEV)

## make run: the whole system on an embedded SQLite database with demo data on http://127.0.0.1:8000
run: $(STAMP_RUN)
	mkdir -p var
	@# The compiled Spanish catalog ships in the repository (a test keeps it in step with the .po).
	DEBUG=$${DEBUG:-0} AFTERSALES_ALLOW_INSECURE_KEY=1 $(BIN)/aftersales up

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	  || { echo "Could not install chromium: browser tests will fail." >&2; exit 1; }; }
	@# The catalogue test collects the strings again with gettext's xgettext and msgmerge.
	@command -v xgettext >/dev/null 2>&1 || { \
	  echo "Installing Debian's gettext for the translation tests…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext) >/dev/null \
	  || { echo "Could not install gettext: the translation catalogue test will fail." >&2; exit 1; }; }
	@# The service desk's mail tests run a real Dovecot (IMAPS and LMTP) on a loopback port.
	@[ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/lmtp ] || { \
	  echo "Installing Debian's dovecot-imapd for the mail tests…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd dovecot-lmtpd) >/dev/null \
	  || { echo "Could not install dovecot: the mail tests will fail." >&2; exit 1; }; }

## make test: lint, types, layer contract, then the suite on SQLite and on PostgreSQL when reachable
test: $(STAMP_DEV) chromium
	@bash scripts/test.sh

lint: $(STAMP_DEV)
	$(BIN)/ruff check aftersales tests bench
	$(BIN)/ruff format --check aftersales tests bench

types: $(STAMP_DEV)
	$(BIN)/mypy

contracts: $(STAMP_DEV)
	$(BIN)/lint-imports

## make messages: collect the wrapped strings into the Spanish catalogue and compile it (needs gettext)
messages: $(STAMP_DEV)
	cd aftersales && export DJANGO_SETTINGS_MODULE=aftersales.config.settings AFTERSALES_ALLOW_INSECURE_KEY=1 && \
	  ../$(BIN)/django-admin makemessages -l es --no-obsolete --add-location file -i "locale/*" && \
	  ../$(BIN)/django-admin compilemessages -l es

bench: $(STAMP_DEV)
	$(BIN)/python bench/import_sales.py
	$(BIN)/python bench/followup.py
	$(BIN)/python bench/service_desk.py
	$(BIN)/python bench/fieldwork.py

clean:
	rm -rf $(VENV) var/static
