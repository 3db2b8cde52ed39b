# vigilo-gen: the targets a person needs. `make demo` and `make test` work on a fresh machine.
# Everything runs in the project's own virtual environment, made on first use with
# `python3 -m venv` (tools/make-venv.sh installs Debian's python3-venv when root, or says how):
# a stock Debian's system Python is "externally managed" and refuses `pip install`, and nothing
# has to be activated. PYTHON picks the interpreter the venv is made from.
PYTHON ?= python3
VENV ?= .venv
VPY := $(abspath $(VENV))/bin/python
VG := $(abspath $(VENV))/bin/vigilo-gen
PIP := $(VPY) -m pip
OUT ?= out
NODE_TOOLS := tools/node
# SQL dialects beyond the starter config's postgres, mysql and sqlite, written by `make demo` too.
MORE_SQL_DIALECTS := duckdb tsql oracle snowflake bigquery redshift databricks trino clickhouse
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install install-test venv demo serve examples test snapshots lint bench bench-service conformance fuzz mutate mutate-sample clean

help:
	@echo "(every target makes and uses its own virtual environment, $(VENV); nothing to activate)"
	@echo "make demo         install vigilo-gen and generate every target of the bundled spec into $(OUT)/"
	@echo "make serve        serve the bundled spec's endpoints on 127.0.0.1:8000 (SQLite file $(OUT)/vigilo.db)"
	@echo "make examples     regenerate the committed files of examples/*/ (after an output change)"
	@echo "make test         install the test tools (pip, npm, apt) and run the whole test suite"
	@echo "make snapshots    regenerate the syrupy snapshots after an intended output change"
	@echo "make lint         ruff on our own code"
	@echo "make bench        whole-process timings against the peer tools, then bench-service"
	@echo "make bench-service  serve's requests/s and latency against a hand-written app"
	@echo "make conformance  the targets x engines matrix"
	@echo "make fuzz         the long property-based runs (specs; migrations: 500 pairs per engine)"
	@echo "make mutate       mutation testing (cosmic-ray) over generators/ and emitters/, behavioural tests only"
	@echo "make mutate-sample  the same on a seeded random sample (MUTATE_SAMPLE=60), with the score's 95% interval"

$(VPY):
	PYTHON=$(PYTHON) bash tools/make-venv.sh $(VENV)

# Stamps: pip runs again only when pyproject.toml changes (the install is editable).
$(VENV)/.installed: pyproject.toml | $(VPY)
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-serve: pyproject.toml | $(VPY)
	$(PIP) install --quiet -e '.[serve]'
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-test: pyproject.toml | $(VPY)
	$(PIP) install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

venv: $(VPY)

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	# better-sqlite3 compiles against the system's Node headers (no download on these machines).
	npm_config_nodedir=/usr npm ci --prefix $(NODE_TOOLS) --no-audit --no-fund --loglevel=error
	bash tools/install-engines.sh

demo: install
	@mkdir -p $(OUT)
	cd $(OUT) && $(VG) init --force && $(VG) all
	@cd $(OUT) && for d in $(MORE_SQL_DIALECTS); do \
	  $(VG) sql --dialect $$d --out generated/sql/schema.$$d.sql || exit 1; done
	@find $(OUT) -type f | sort

# The endpoints, served: the generated FastAPI router over a SQLite file (made on the first
# run). VIGILO_TOKENS="token=owner" gives development bearer tokens.
serve: $(VENV)/.installed-serve
	@mkdir -p $(OUT)
	cd $(OUT) && $(VG) serve --spec $(abspath spec/vigilo.yaml) --db sqlite:///vigilo.db

examples: install
	@for c in examples/*/vigilo-gen.toml; do $(VG) all --config $$c || exit 1; done

test: install-test
	$(VPY) -m pytest

snapshots: $(VENV)/.installed-test
	$(VPY) -m pytest --snapshot-update -q

lint: $(VENV)/.installed-test
	$(VPY) -m ruff check generators emitters tools tests

# Whole-process timings (median of 5 runs after a warm-up, peak RSS) of every emitter and of
# `vigilo-gen all` on the bundled spec and generated 50/500-table specs, and of the peer tools
# on the same schemas (prisma format, drizzle-kit generate, datamodel-codegen); writes
# docs/bench.md. The npm tools are installed once if missing (no npm: the peers are skipped).
bench: install
	@if command -v npm >/dev/null 2>&1 && [ ! -d $(NODE_TOOLS)/node_modules ]; then \
	  npm ci --prefix $(NODE_TOOLS) --no-audit --no-fund --loglevel=error; fi
	$(VPY) tools/bench.py --runs 5 --out docs/bench.md
	$(MAKE) bench-service

# Requests per second and p50/p99 latency of `vigilo-gen serve` against the hand-written
# Starlette baseline (tools/handwritten_app.py: the same SQL, database, driver and uvicorn
# settings), and of the TypeScript handlers (plain Node server, Drizzle and Prisma) and the
# Next.js build of examples/nextjs-prisma against a hand-written node:http baseline
# (tools/node/handwritten-handlers.mjs), on SQLite and PostgreSQL, with wrk on loopback, and
# serve's time to ready; writes docs/bench-service.md. wrk (apt), PostgreSQL
# (tools/install-engines.sh) and the npm tools when missing.
bench-service: $(VENV)/.installed
	$(PIP) install --quiet -e '.[serve]' pytest  # pytest: tests/engines.py starts PostgreSQL
	@[ -d $(NODE_TOOLS)/node_modules ] || \
	  npm_config_nodedir=/usr npm ci --prefix $(NODE_TOOLS) --no-audit --no-fund --loglevel=error
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then S=; else S="sudo -n"; fi; \
	  $$S env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk || { \
	    $$S apt-get update -q && $$S env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }; }
	bash tools/install-engines.sh
	$(VPY) tools/bench_service.py --out docs/bench-service.md

conformance: $(VENV)/.installed-test
	$(VPY) -m tests.conformance.matrix

fuzz: $(VENV)/.installed-test
	VIGILO_FUZZ=long $(VPY) -m pytest tests/test_fuzz.py tests/test_migrate_fuzz.py -q --hypothesis-show-statistics

# Mutation testing: cosmic-ray mutates generators/ and emitters/ in place, one mutant at a time,
# and runs the behavioural tests (every snapshot test deselected) against each; the report
# lists the survivors. Long (hours for everything): narrow it with
# MUTATE_MODULES='["generators/naming.py"]' MUTATE_TESTS='tests/test_oracles.py ...'.
# `python -m tests.mutation.known` replays the 15 bugs of issue 21 in a minute.
MUTATE_MODULES ?= ["generators", "emitters"]
MUTATE_TESTS ?= -k 'not snapshot' tests
mutate: $(VENV)/.installed-test
	@git diff --quiet -- generators emitters || { echo "mutate edits generators/ and emitters/ in place: commit or stash first"; exit 2; }
	@mkdir -p $(OUT)
	sed -e 's|^module-path = .*|module-path = $(MUTATE_MODULES)|' \
	    -e "s|^test-command = .*|test-command = \"$(VPY) -m pytest -x -q -p no:cacheprovider $(MUTATE_TESTS)\"|" \
	    tests/mutation/cosmic-ray.toml > $(OUT)/cosmic-ray.toml
	rm -f $(OUT)/mutate.sqlite
	$(VENV)/bin/cosmic-ray init $(OUT)/cosmic-ray.toml $(OUT)/mutate.sqlite
	$(VENV)/bin/cosmic-ray exec $(OUT)/cosmic-ray.toml $(OUT)/mutate.sqlite; \
	  status=$$?; git checkout -- generators emitters; \
	  $(VENV)/bin/cr-report --show-pending $(OUT)/mutate.sqlite | tail -n 40; exit $$status

# A seeded random sample of the same mutants (the whole set takes months here), in two tiers:
# each sampled mutant against the behavioural tests of the module it mutates (tools/mutate_tests.py:
# a table module -> test files, in process or on SQLite, no server start-up), then that tier's
# survivors against the whole behavioural suite. Prints the score with its 95% interval, the
# equivalent mutants (tests/mutation/equivalent.py) apart, and the survivors by file. Between
# the tiers, the survivors tests/mutation/replayed.py names are replayed against the tests it
# names (a minute each). MUTATE_WHOLE=no skips tier 2 (hours here): the survivors left then
# count as survivors, the conservative side.
MUTATE_SAMPLE ?= 200
MUTATE_WHOLE ?= yes
MUTATE_SEED ?= 21
mutate-sample: $(VENV)/.installed-test
	@git diff --quiet -- generators emitters || { echo "mutate edits generators/ and emitters/ in place: commit or stash first"; exit 2; }
	@mkdir -p $(OUT)
	sed -e 's|^module-path = .*|module-path = $(MUTATE_MODULES)|' \
	    -e "s|^test-command = .*|test-command = \"$(VPY) tools/mutate_tests.py\"|" \
	    -e 's|^timeout = .*|timeout = 300.0|' \
	    tests/mutation/cosmic-ray.toml > $(OUT)/cosmic-ray-fast.toml
	sed -e 's|^module-path = .*|module-path = $(MUTATE_MODULES)|' \
	    -e "s|^test-command = .*|test-command = \"$(VPY) -m pytest -x -q -p no:cacheprovider $(MUTATE_TESTS)\"|" \
	    -e 's|^timeout = .*|timeout = 2400.0|' \
	    tests/mutation/cosmic-ray.toml > $(OUT)/cosmic-ray.toml
	rm -f $(OUT)/mutate-fast.sqlite $(OUT)/mutate-whole.sqlite
	$(VENV)/bin/cosmic-ray init $(OUT)/cosmic-ray-fast.toml $(OUT)/mutate-fast.sqlite
	$(VPY) tools/mutate_sample.py sample $(OUT)/mutate-fast.sqlite $(MUTATE_SAMPLE) $(MUTATE_SEED)
	$(VENV)/bin/cosmic-ray exec $(OUT)/cosmic-ray-fast.toml $(OUT)/mutate-fast.sqlite; \
	  status=$$?; git checkout -- generators emitters; exit $$status
	$(VPY) tools/mutate_sample.py replay $(OUT)/mutate-fast.sqlite
ifeq ($(MUTATE_WHOLE),no)
	$(VPY) tools/mutate_sample.py report $(OUT)/mutate-fast.sqlite
else
	$(VPY) tools/mutate_sample.py survivors $(OUT)/mutate-fast.sqlite $(OUT)/mutate-whole.sqlite
	$(VENV)/bin/cosmic-ray exec $(OUT)/cosmic-ray.toml $(OUT)/mutate-whole.sqlite; \
	  status=$$?; git checkout -- generators emitters; exit $$status
	$(VPY) tools/mutate_sample.py report $(OUT)/mutate-fast.sqlite $(OUT)/mutate-whole.sqlite
endif
