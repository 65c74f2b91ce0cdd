# `make demo` and `make test` each set up .venv/ when it is missing or stale, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := out/demo.duckdb
OAD := $(BIN)/oad --db $(DEMO_DB)
# a crawl of the bundled responses in data/sample/crawl/, served on 127.0.0.1 while it runs
DEMO_CRAWL := $(OAD) crawl --serve data/sample/crawl -s LOG_LEVEL=WARNING

.PHONY: setup demo test lint typecheck unit clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: setup
	mkdir -p out
	rm -f $(DEMO_DB) $(DEMO_DB).wal
	$(OAD) debtors import data/sample/debtors.csv
	$(OAD) records import data/sample/records/hk_companies_registry.csv --source hk_companies_registry
	$(OAD) records import data/sample/records/gleif.jsonl --source gleif
	$(DEMO_CRAWL) gb_land_registry
	$(DEMO_CRAWL) gb_land_registry --dataset ccod_full
	$(DEMO_CRAWL) gb_companies_house
	$(DEMO_CRAWL) gb_companies_house --dataset psc
	$(DEMO_CRAWL) gleif --dataset golden_copy
	$(DEMO_CRAWL) gleif --dataset relationships
	$(DEMO_CRAWL) icij_offshore_leaks
	$(DEMO_CRAWL) hk_companies_registry
	$(DEMO_CRAWL) sg_acra
	$(OAD) match
	$(OAD) matches show D001
	$(OAD) matches show D016
	$(OAD) matches export out/demo-matches.csv --top 3
	$(OAD) leads build
	$(OAD) leads list --limit 20
	$(OAD) status

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
