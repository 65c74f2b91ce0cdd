# `make demo` and `make test` each set up .venv/ when it is missing or stale, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := out/demo.duckdb
OAD := $(BIN)/oad --db $(DEMO_DB)
# one discovery run: the sample's files dropped in out/inbox/ are imported, every source is
# crawled from the bundled responses in data/sample/crawl/ (served on 127.0.0.1 while it runs),
# then matching, the leads and the digest (out/digests/)
DEMO_CONFIG := data/sample/discovery.toml
TEST_PROCESSES ?= 2

.PHONY: setup system demo test lint typecheck unit clean screenshots

setup: $(STAMP)

# the system packages (fonts, Pango, poppler, ICU, chromium): checked on every setup, quickly
system:
	.ci/system-packages

$(STAMP): pyproject.toml | system
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

demo: setup
	rm -rf $(DEMO_DB) $(DEMO_DB).wal out/inbox out/digests
	mkdir -p out/inbox/debtors out/inbox/hk_companies_registry out/inbox/gleif out/digests
	cp data/sample/debtors.csv out/inbox/debtors/
	cp data/sample/records/hk_companies_registry.csv out/inbox/hk_companies_registry/
	cp data/sample/records/gleif.jsonl out/inbox/gleif/
	$(OAD) run --config $(DEMO_CONFIG)
	$(OAD) matches show D001
	$(OAD) matches show D016
	$(OAD) matches export out/demo-matches.csv --top 3
	$(OAD) leads list --limit 20
	$(OAD) leads graph D001 --out out/demo-d001-leads.html
	$(OAD) status
	mkdir -p out/exports
	$(OAD) export leads --format xlsx -o out/exports/case.xlsx
	$(OAD) export leads --format csv -o out/exports/case.csv
	$(OAD) export leads --format xlsx -o out/exports/case-redacted.xlsx --redact
	$(OAD) export leads --format ftm -o out/exports/leads.ftm.jsonl
	$(OAD) export leads --format pdf -o out/exports/dossiers
	$(OAD) assess --rates data/sample/fx_rates.yml -o out/exports/assessment.xlsx
	$(OAD) assess --rates data/sample/fx_rates.yml -o out/exports/assessment.pdf
	$(OAD) assess --debtor D001 --config $(DEMO_CONFIG)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# two processes, one core each; a test file's tests stay together in one of them, so a module's
# shared store is built once
unit: setup
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile

test: lint typecheck unit

# the workbench's main pages, as a browser shows them, into docs/screenshots/
screenshots: setup
	OAD_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/web -q -k screenshot

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
