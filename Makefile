# dossier: `make demo` to try it, `make test` to check it. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: all system venv demo test lint pgspot bench clean down snapshot cli-docs

all: test

system:
	@./scripts/install-system.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: system venv
	@$(BIN)/dossier up --demo

down: venv
	@$(BIN)/dossier down

lint: venv
	$(BIN)/ruff check admin tests $(wildcard bench)

# pgspot over db/: no function without a pinned search_path (see the script for what it ignores)
pgspot: venv
	@./scripts/pgspot.sh $(BIN)

test: system venv lint pgspot
	$(BIN)/pytest -q

# regenerate tests/expected/access.sql, the derived access model, from a freshly migrated database
snapshot: system venv
	DOSSIER_UPDATE_SNAPSHOT=1 $(BIN)/pytest -q tests/test_snapshot.py -k derived_model

# docs/cli.md: every command's --help (tests/test_cli.py fails when it is out of date)
cli-docs: venv
	@$(BIN)/python -m dossier.cli.reference > docs/cli.md

bench: system venv
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info admin/*.egg-info
