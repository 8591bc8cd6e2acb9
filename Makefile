# `make demo` and `make test` set up .venv on first use (Python 3.11+), then run.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python

.PHONY: setup demo test bench lint screenshots messages

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# The web inbox's browser tests drive Debian's chromium: install it when missing
# (as root on CI; through sudo elsewhere). Never `playwright install`: it downloads a browser.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium

setup: $(VENV)/.installed $(CHROMIUM)

demo: $(VENV)/.installed
	$(VENV)/bin/monitor demo --out demo-output

# One worker per core; a test file stays on one worker (its session fixtures are made once).
test: setup
	$(PY) -m pytest -n auto --dist loadfile

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check monitor spiders tests bench

bench: $(VENV)/.installed
	$(PY) bench/scan.py
	$(PY) bench/spiders.py
	$(PY) bench/inbox.py

# After changing a message in the code or templates: extract, update the catalogues in
# monitor/i18n/locale/ and compile them (the compiled .mo files are committed).
messages: $(VENV)/.installed
	$(PY) tools/messages.py

# docs/screenshots/: the Italian inbox, as README.md shows it
screenshots: setup
	MONITOR_SCREENSHOTS=1 $(PY) -m pytest -q tests/followup/test_web_day.py -k screenshots
