# Two commands: `make run` serves the portal with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint messages clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@# pabutools requires gurobipy, a proprietary solver none of our rules calls (AGPL: not shipped).
	$(PY) -m pip uninstall --quiet --yes gurobipy
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py index_records --verbosity 0
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@echo "Portal: http://$(HOST):$(PORT)/  ·  admin: http://$(HOST):$(PORT)/admin/"
	$(PY) manage.py runserver $(HOST):$(PORT)

tests/browser/node_modules/.installed: tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --silent --no-audit --no-fund
	touch $@

test: install
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory tests/browser/node_modules/.installed; fi
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the ar and fr catalogues from the code, then compile them (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages --locale ar --locale fr --locale en --ignore '.venv/*' --ignore 'tests/*' --ignore 'node_modules/*' --ignore 'docs/*' --ignore 'var/*'
	$(PY) manage.py makemessages --domain djangojs --locale ar --locale fr --locale en --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var db.sqlite3 tests/browser/node_modules
