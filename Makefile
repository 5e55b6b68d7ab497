# `make site`: install what is needed and build the site into site/ from datapackage/.
# `make test`: install what is needed and run the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: site test validate serve clean

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

serve: $(STAMP)
	$(PY) -m site_builder serve datapackage

test: $(STAMP)
	bash tests/browser/install-browser.sh
	$(PY) -m pytest -q

clean:
	rm -rf site build .venv
