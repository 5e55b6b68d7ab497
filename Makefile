# `make site`: install what is needed and build the site into site/ from datapackage/.
# `make test`: install what is needed and run the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: site test validate serve ci-check clean demo

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

site: $(STAMP)
	$(PY) -m site_builder build datapackage

validate: $(STAMP)
	$(PY) -m site_builder validate datapackage

# What CI runs (.github/workflows): validation report and data diff against BASE, the build,
# the link check. A failing step stops here, so nothing is deployed.
BASE ?= origin/main
ci-check: $(STAMP)
	$(PY) -m site_builder ci-report datapackage --base $(BASE) --out build/ci
	$(PY) -m site_builder build datapackage
	$(PY) -m site_builder check-links site

# A demo for a province weighing the tool: a SYNTHETIC package (tests/benchmarks/synth.py) built
# into demo-site/, with its own work folder, so it never mixes with site/, build/ or the real data.
# Every page carries the banner "Dữ liệu mô phỏng — không phải số liệu thật".
DEMO_COMMUNES ?= 60
demo: $(STAMP)
	$(PY) tests/benchmarks/synth.py --communes $(DEMO_COMMUNES) --provinces 1 --out build-demo/package
	$(PY) -m site_builder build build-demo/package --site-dir demo-site --work-dir build-demo

serve: $(STAMP)
	$(PY) -m site_builder serve datapackage

test: $(STAMP)
	$(VENV)/bin/ruff check .
	bash tests/browser/install-browser.sh
	$(PY) -m pytest -q

clean:
	rm -rf site build .venv demo-site build-demo
