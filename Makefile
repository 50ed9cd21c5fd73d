# casebycase: `make demo` runs the main job, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	bash demo/walkthrough.sh
	$(BIN)/casebycase serve --demo --host 127.0.0.1 --port $${PORT:-8000}

test: lint
	$(BIN)/casebycase check $$($(BIN)/python -c "from casebycase.policy.load import bundled_ids; print(' '.join(bundled_ids()))")
	$(BIN)/casebycase test
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy
	MYPYPATH=tests:bench $(BIN)/mypy --explicit-package-bases --strict tests

bench: $(STAMP)
	$(BIN)/python bench/decisions.py
	$(BIN)/python bench/intake.py --rate 20 --seconds 5
	$(BIN)/python bench/login_abuse.py --seconds 10
	$(BIN)/python bench/verify_load.py --events 100000 --seconds 8
	$(BIN)/python bench/replay.py --n 1000000
	$(BIN)/python bench/replay_raw.py --n 1000000
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/reports.py --n 1000000
	$(BIN)/python bench/cli.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
