# Maintainer commands for the template. Run `make` to list them.
.DEFAULT_GOAL := help
.PHONY: help dev lint test test-fast test-full test-capped lock docs extensions walkthrough golden bench bench-setup bench-tables bench-dask bench-ccds demo screenshot clean

# uv from the PATH, else a private copy in .tools/ (a relative path: make cannot name a
# target whose path has a space, and a clone of this repository may be in such a folder).
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
RUN := "$(UV)" run --locked

help: ## List the commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.tools/bin/uv:
	@echo "uv is not installed: installing a private copy into .tools/ (no sudo needed)"
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

dev: | $(UV) ## Create .venv with the template's test tools
	"$(UV)" sync --locked

# Both tiers run on every core (pytest-xdist). The full tier hands each test module whole to
# one worker: tests that share a rendered study (a module fixture) run in order, built once.
FAST := $(RUN) pytest -m "not slow" -n auto
# --durations: the slowest tests and fixtures, to keep the tier inside CI's time.
FULL := $(RUN) pytest -m "slow and not capped" -n auto --dist loadscope --durations=25
# A 1.5 GB table under a 1 GB memory cgroup (about 5 minutes): one test module, on its own.
CAPPED := $(RUN) pytest -m capped

# ruff with the study's own settings (pyproject.toml); a finding stops the run before pytest.
lint: dev ## ruff check and ruff format --check over the template's own Python
	$(RUN) ruff check .
	$(RUN) ruff format --check .

test: lint ## Run the whole test suite: lint, fast tier, full tier, then the memory-capped run
	$(FAST)
	$(FULL)
	$(CAPPED)

test-fast: lint ## Fast tier only: lint, render every option, check every file parses (seconds)
	$(FAST)

test-full: dev ## Full tier only: render studies and run make study / make test in them
	$(FULL)

test-capped: dev ## compute=dask on a 1.5 GB table under a 1 GB memory cap (root on Linux)
	$(CAPPED)

lock: dev ## Re-lock the study's dependencies after editing its pyproject.toml
	$(RUN) python tools/lock.py

docs: dev ## Regenerate docs/options.md from cookiecutter.json and docs/options-effects.yaml
	$(RUN) python tools/options_doc.py

# cruft renders two template versions in one process, and cookiecutter imports the extension
# module by name: its name carries a hash of its content, so two versions never share one.
extensions: dev ## After editing local_extensions_*.py: rename it after its content (cruft update)
	$(RUN) python tools/extension_name.py

# Runs the walk-through in a temporary home folder (a few minutes) and writes its real output.
walkthrough: dev ## Rerun docs/walkthrough.md's commands and write their output into it
	WALKTHROUGH_UPDATE=1 $(RUN) pytest -m slow tests/test_docs.py -k walkthrough

golden: extensions ## Accept an intended change to the rendered study: refresh tests/golden/
	$(RUN) python tools/golden.py

# Slow (30-60 min on 2 cores); `make bench BENCH_ARGS="--runs 2 --only render"` for a look.
# The render beside cookiecutter-data-science needs a clone of it: CCDS=path (as bench-ccds).
bench: dev ## Measure render, first result, the edit-rerun loop, size, test time: docs/benchmarks.md
	$(RUN) python -m benchmarks.run $(if $(CCDS),--ccds $(CCDS)) $(BENCH_ARGS)

bench-setup: dev ## Time a study's make setup with uv and with pip: docs/benchmarks-setup.md
	$(RUN) python -m benchmarks.setup_time $(SETUP_ARGS)

# Needs a memory cgroup (root on Linux); about 10 minutes on 2 cores.
bench-tables: dev ## Time real-table studies under a 3 GB memory cap: docs/benchmarks-real-tables.md
	$(RUN) python -m benchmarks.real_tables $(TABLES_ARGS)

# cookiecutter-data-science is not part of this repository: give a clone of it as CCDS=path
# (or $CCDS_TEMPLATE). Installs its PyPI package into a throw-away venv; about a minute.
bench-ccds: dev ## Render time beside cookiecutter-data-science v2: make bench-ccds CCDS=path/to/clone
	$(RUN) python -m benchmarks.render_vs_ccds $(if $(CCDS),--ccds $(CCDS)) $(CCDS_ARGS)

# Needs a memory cgroup (root on Linux); about 5 minutes on 2 cores.
bench-dask: dev ## A 1.5 GB table under a 1 GB cap, dask and pandas: docs/benchmarks-larger-than-memory.md
	$(RUN) python -m benchmarks.larger_than_memory

demo: dev ## Render the default study into demo/ and run it to its write-up
	rm -rf demo/digits-practice-study
	$(RUN) cookiecutter --no-input --output-dir demo .
	cd demo/digits-practice-study && python3 run.py study
	@echo "The demo study is in $(CURDIR)/demo/digits-practice-study; its write-up: demo/digits-practice-study/reports/writeup.html"

CHROMIUM := $(or $(shell command -v chromium 2>/dev/null),chromium)
screenshot: demo ## Refresh docs/images/writeup.png, the README's picture of a write-up
	mkdir -p docs/images
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --no-first-run \
	  --disable-background-networking --disable-component-update --disable-sync \
	  --user-data-dir=$$(mktemp -d) --hide-scrollbars --window-size=900,2300 \
	  --screenshot=$(CURDIR)/docs/images/writeup.png \
	  file://$(CURDIR)/demo/digits-practice-study/reports/writeup.html

clean: ## Remove the demo study and caches (never touches the template)
	rm -rf demo .pytest_cache
