# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000
HOST   ?= 127.0.0.1
FORMS_PORT ?= 8001
SITE_URL ?= http://$(HOST):$(PORT)/
FORMS_URL ?= http://$(HOST):$(FORMS_PORT)

.PHONY: demo serve test check site screenshots schema clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "需要 Python 3.11 或更新版本 / Python 3.11+ is required (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# Dependencies only, read from pyproject.toml: the code runs from this checkout.
	$(BIN)/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements.txt
	@touch $(STAMP)

## demo: set up, build the site from data/, serve it on :8000 and the form service on :8001
demo: site
	$(BIN)/python -m tools.demo --host $(HOST) --site-port $(PORT) --forms-port $(FORMS_PORT)

## serve: production-style: gunicorn runs the form service, the built site is served as static files
##        (DATABASE_URL, REDIS_URL, SECRET_KEY from the environment; SQLite in instance/ without them)
serve: site
	$(BIN)/python -m flask --app forms_app db upgrade
	$(BIN)/python -m tools.serve --host $(HOST) --site-port $(PORT) --forms-port $(FORMS_PORT)

## test: set up, run the whole suite
test: $(STAMP)
	$(BIN)/python -m pytest

## check: check the rosters in data/
check: $(STAMP)
	$(BIN)/python build.py check

## site: check and build the site into site/
site: $(STAMP)
	$(BIN)/python build.py --base-url $(SITE_URL) --forms-url $(FORMS_URL)

## screenshots: PNGs of key pages under docs/screenshots/ (needs Chromium)
screenshots: site
	$(BIN)/python -m tools.screenshots

## schema: regenerate schema/*.json from the roster model
schema: $(STAMP)
	$(BIN)/python build.py schema

clean:
	rm -rf $(VENV) instance site site_src/index.md site_src/stations site_src/officers site_src/streets site_src/data .pytest_cache
