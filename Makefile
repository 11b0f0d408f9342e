# Northlight: `make run` serves the demo site, `make test` runs the whole suite.
# Both work on a fresh machine with Python 3.11+ and make: they create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench lint migrate seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A stamp per requirements file: reinstall only when the pins change.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

migrate: $(VENV)/.runtime
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed

run: seed
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.dev vnu icaljs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The Nu HTML checker (vnu.jar, from npm) for tests/browser/test_html_validity.py. Without
# npm, or offline, make goes on and that test says in the summary why it was skipped.
VNU_VERSION := 26.9.27
VNU_DIR := .cache/vnu
.PHONY: vnu
vnu:
	@if grep -qs '"version": "$(VNU_VERSION)"' $(VNU_DIR)/node_modules/vnu-jar/package.json; then :; \
	elif command -v npm >/dev/null; then \
	  npm install --prefix $(VNU_DIR) --no-audit --no-fund --loglevel=error vnu-jar@$(VNU_VERSION) || \
	    echo "make: could not install vnu-jar; the HTML validity test will be skipped"; \
	else echo "make: npm not found; the HTML validity test will be skipped"; fi

# Mozilla's ical.js (from npm), the second, independent parser of our calendar files in
# tests/test_programme_calendars.py. Without npm, or offline, that check is skipped with the reason.
ICALJS_VERSION := 2.2.1
ICALJS_DIR := .cache/icaljs
.PHONY: icaljs
icaljs:
	@if grep -qs '"version": "$(ICALJS_VERSION)"' $(ICALJS_DIR)/node_modules/ical.js/package.json; then :; \
	elif command -v npm >/dev/null; then \
	  npm install --prefix $(ICALJS_DIR) --no-audit --no-fund --loglevel=error ical.js@$(ICALJS_VERSION) || \
	    echo "make: could not install ical.js; the second calendar parser check will be skipped"; \
	else echo "make: npm not found; the second calendar parser check will be skipped"; fi

# The load comes from wrk (Debian's package): installed here when we are root and it is missing.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || { echo "make: make bench needs wrk (apt-get install wrk)"; exit 1; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Lighthouse's four scores for home, article, event and registration pages (npm, Chromium).
.PHONY: lighthouse
lighthouse: $(VENV)/.dev
	$(BIN)/python bench/lighthouse.py

lint: $(VENV)/.dev
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

clean:
	rm -rf $(VENV) .pytest_cache
