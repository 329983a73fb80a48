# Two commands on a fresh machine (README): `make demo` and `make test`.
# Both create .venv and install the pinned environment on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test test-all bench lint format constraints clean system-packages system-packages-test

# Debian packages the project needs: a Japanese font for the report's charts (demo and
# tests); Chromium for the report's PDF (`impact report --pdf`) and its browser test;
# PostgreSQL with PL/Python for the second-engine test; Java 17 for the Spark engine test.
DEMO_PACKAGES := fonts-ipaexfont-gothic chromium
TEST_PACKAGES := $(DEMO_PACKAGES) postgresql postgresql-plpython3-15 openjdk-17-jre-headless

$(INSTALLED): requirements.txt constraints.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(INSTALLED)

# Installs only what is missing; needs root (CI and these machines) or prints the command.
system-packages:
	@PACKAGES="$(DEMO_PACKAGES)" sh include/install_system_packages.sh

system-packages-test:
	@PACKAGES="$(TEST_PACKAGES)" sh include/install_system_packages.sh

# Every organisation of organisations/ in turn (their own folders under .work/organisations/),
# then the funder's portfolio over their releases. One organisation: `impact demo`.
demo: $(INSTALLED) system-packages
	$(BIN)/impact organisations demo

# Tests run in TEST_WORKERS processes (pytest-xdist; `worksteal` evens out the long tests).
# Each worker builds its own session fixtures; TEST_WORKERS=0 runs in this one process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest --numprocesses $(TEST_WORKERS) --dist worksteal --durations=25

# The quick tier: ruff and every test not marked `slow` (a few minutes; the inner loop).
test: $(INSTALLED) system-packages-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTEST) -m "not slow"

# Everything, as CI runs it (.ci/run): the quick tier, then the end-to-end tier (`slow`:
# Airflow DAG runs, whole-pipeline runs, the README walkthrough, Spark, PostgreSQL builds,
# headless Chromium, process kills).
test-all: test
	$(PYTEST) -m slow

# Figures printed, never asserted (README: benchmarks). Run on an otherwise idle machine.
# Generated and landed data per scale are cached in .work/bench/scale (1000×: 12 GB with its
# 9 GB warehouse; 15-20 min to generate and land the first time). `make bench` takes
# about 40 min on 2 cores with an empty cache, 15 min with it; `make bench-quick` about 5 min.
BENCH_INGEST ?= 100000 1000000
BENCH_SCALES ?= 1 10 100 1000
# Spark beside DuckDB (needs Java 17, see system-packages-test).
BENCH_SPARK_SCALES ?= 1 10 100
bench: $(INSTALLED)
	@$(BIN)/python -m impact_warehouse.benchmarks.machine
	$(BIN)/python -m impact_warehouse.benchmarks.dag_parse
	$(BIN)/python -m impact_warehouse.benchmarks.ingest_throughput --responses $(BENCH_INGEST)
	$(BIN)/python -m impact_warehouse.benchmarks.pii_detector
	$(BIN)/python -m impact_warehouse.benchmarks.end_to_end
	$(BIN)/python -m impact_warehouse.benchmarks.scale --scales $(BENCH_SCALES)
	$(BIN)/python -m impact_warehouse.benchmarks.spark_scale --scales $(BENCH_SPARK_SCALES)

.PHONY: bench-quick
bench-quick: $(INSTALLED)
	$(MAKE) bench BENCH_INGEST="10000 100000" BENCH_SCALES="1 10 100"

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the full pin set after changing requirements.txt.
constraints: $(INSTALLED)
	{ echo "# Full pinned environment (pip freeze on Python 3.11). Regenerate with: make constraints"; \
	  $(BIN)/pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf .work $(VENV)
