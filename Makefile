# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

# The instants the time-sensitive tests (marker `calendar`) run at besides the default one in
# tests/conftest.py (an odd-week Monday at 19:00): midsommarafton 16:59, New Year's Eve 23:59,
# and 02:30 in the night the clocks go back (the first 02:30, summer time).
CALENDAR := 2026-06-19T16:59:00+02:00 2026-12-31T23:59:00+01:00 2026-10-25T02:30:00+02:00

.PHONY: setup run test test-calendar lint bench package lock clean

setup: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# What production runs, locked and hash-checked (requirements.txt); then the dev tools.
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

## Re-lock requirements.txt (versions and hashes) after a dependency changed in pyproject.toml.
lock: $(PY_STAMP)
	$(BIN)/pip-compile --generate-hashes --strip-extras --quiet --no-emit-index-url \
		--no-emit-find-links --output-file requirements.txt pyproject.toml

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Start the bot on 127.0.0.1:3978 (SQLite, demo data) and the Agents Playground.
run: setup
	bash scripts/run-local.sh

## ruff, mypy and the whole test suite (Azurite is started by the tests), then the
## time-sensitive tests again at the other pinned instants.
test: setup lint
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -q -n 2
	$(MAKE) --no-print-directory test-calendar

test-calendar: setup
	@for instant in $(CALENDAR); do \
		echo "== time-sensitive tests at $$instant"; \
		NODE_TEST_NOW=$$instant $(BIN)/python -m pytest -q -n 2 -m calendar || exit 1; \
	done

lint: $(PY_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## Throughput and latency against a bare botbuilder echo bot; figures go into issue notes.
bench: setup
	$(BIN)/python -m bench

## The Teams app package, ids and domain from the environment (see docs/deploy.md).
package: $(PY_STAMP)
	$(BIN)/python -m scripts.package --bump

clean:
	rm -rf $(VENV) node_modules .mypy_cache .pytest_cache .ruff_cache
