# dossier: `make demo` to try it, `make test` to check it. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: all system venv demo test lint pgspot bench clean down

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

# pgspot: every function must pin its search_path (PS003/PS004/PS005/PS018 are errors).
# Ignored, because they concern extension scripts installed into schemas someone else controls:
#   PS001 unqualified operator, PS002 "create or replace" of an object another role could own,
#   PS010/PS012/PS016/PS017 unqualified objects and "create if not exists" in an extension's schema.
pgspot: venv
	$(BIN)/pgspot --ignore PS001 --ignore PS002 --ignore PS010 --ignore PS012 --ignore PS016 \
	  --ignore PS017 $$(ls db/schema/*.sql db/functions/*.sql db/policies/*.sql 2>/dev/null)

test: system venv lint pgspot
	$(BIN)/pytest -q

bench: system venv
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info admin/*.egg-info
