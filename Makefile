# The two commands: `make run` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
FIXTURES := $(sort $(wildcard fixtures/*.json))
# Node tools (the Nu HTML checker, Lighthouse) live in a project folder ignored by git.
TOOLS := .tools/npm
VNU_VERSION := 26.9.27
LIGHTHOUSE_VERSION := 12.8.2

# A Python >= 3.12: $(PYTHON) if given, else the first suitable one on PATH or under pyenv.
find_python = $(shell for p in $(PYTHON) python3.13 python3.12 python3 \
	$$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	  && { command -v $$p; break; }; done)

.PHONY: run test venv vnu messages translations migrate fixtures content lint bench lighthouse mutation clean

$(VENV)/.installed: pyproject.toml
	@py="$(call find_python)"; \
	if [ -z "$$py" ]; then echo "No Python >= 3.12 found. Install one, or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; fi; \
	echo "Using $$py ($$($$py --version))"; \
	[ -x $(PY) ] || $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

venv: $(VENV)/.installed

# The W3C Nu HTML checker for tests/test_html_valid.py (run with the system Java).
$(TOOLS)/node_modules/vnu-jar/build/dist/vnu.jar:
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) vnu-jar@$(VNU_VERSION)

vnu: $(TOOLS)/node_modules/vnu-jar/build/dist/vnu.jar

$(TOOLS)/node_modules/.bin/lighthouse:
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) lighthouse@$(LIGHTHOUSE_VERSION)

migrate: venv
	$(PY) manage.py migrate --noinput

# The Russian interface: locale/ru/LC_MESSAGES/django.po compiled to django.mo (not in git),
# again whenever the .po changes. compilemessages needs GNU gettext's msgfmt.
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
MSGFMT_MISSING := msgfmt (GNU gettext) is missing: it compiles the translations. Install it \
	(Debian/Ubuntu: apt-get install gettext; Fedora: dnf install gettext; macOS: brew install gettext).
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | venv
	@command -v msgfmt >/dev/null 2>&1 || { echo "$(MSGFMT_MISSING)" >&2; exit 1; }
	$(PY) manage.py compilemessages --locale $* --ignore '.venv' --ignore '.tools' --ignore 'mutants' -v0

messages: $(MO_FILES)

# After changing a translatable string: update the .po from the code and templates (then
# translate what is new or fuzzy; tests/test_i18n.py fails on any entry left untranslated).
translations: venv
	$(PY) manage.py makemessages --locale ru --add-location file --ignore '.venv/*' \
	  --ignore '.tools/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'mutants/*' \
	  --ignore 'staticfiles/*'

# Reloads the shipped content, overwriting local edits of the same objects. Our load_content
# records a history row for each object it changes, so every edit can be reverted;
# populate_history gives a first row to models that have none (a database loaded before that).
fixtures: migrate
	$(PY) manage.py load_content $(FIXTURES)
	$(PY) manage.py populate_history --auto

# Loads the shipped content only into an empty database, so `make run` never undoes edits
# made in the admin.
content: migrate
	@if $(PY) manage.py shell -v0 -c "import sys; from kb.models import Fault; sys.exit(not Fault.objects.exists())"; \
	then echo "Content already in the database: kept (\`make fixtures\` reloads the shipped content)."; \
	else $(PY) manage.py load_content $(FIXTURES); fi
	@$(PY) manage.py populate_history --auto >/dev/null 2>&1

run: content messages
	@echo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Create a staff login with:  $(PY) manage.py createsuperuser"
	@echo
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite in parts (tests/run-suite): the tests over pytest-xdist workers, then the
# `isolated` ones (the backup round trip) in a process of their own; every part runs and
# reports even when one fails, and the exit status says whether any did. PYTEST_ARGS is passed
# to pytest, TEST_WORKERS sets the workers (0: one process).
test: venv messages
	PY=$(PY) tests/run-suite

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: venv
	$(PY) bench/engine.py
	$(PY) bench/quality.py
	$(PY) bench/load.py
	$(PY) bench/report_burst.py
	$(PY) bench/usage_counters.py
	$(PY) bench/scale.py
	$(PY) bench/tap.py

lighthouse: venv messages $(TOOLS)/node_modules/.bin/lighthouse
	PATH="$(CURDIR)/$(TOOLS)/node_modules/.bin:$$PATH" $(PY) bench/lighthouse.py

# Mutation testing of diagnosis/engine.py and diagnosis/query.py against their fast tests and
# the scenario tests (pyproject.toml [tool.mutmut]); prints the score, fails below
# MUTATION_TARGET percent. mutmut leaves module constants alone: tests/mutate_constants.py then
# nudges each documented figure down and up and fails when a nudge survives.
# The surviving mutants and why some are equivalent: docs/testing.md.
MUTATION_TARGET ?= 95
mutation: venv
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2 >/dev/null
	$(VENV)/bin/mutmut export-cicd-stats >/dev/null
	@$(VENV)/bin/mutmut results
	@$(PY) -c 'import json, sys; s = json.load(open("mutants/mutmut-cicd-stats.json")); \
	caught, total = s["killed"] + s["timeout"], s["total"]; score = 100 * caught / total; \
	left, untested = s["survived"], s["no_tests"]; \
	print(f"mutation score: {score:.1f} % ({caught} of {total} mutants caught, {left} survived, " \
	f"{untested} without tests; target $(MUTATION_TARGET) %)"); sys.exit(score < $(MUTATION_TARGET))'
	$(PY) tests/mutate_constants.py

clean:
	rm -rf $(VENV) $(TOOLS) staticfiles db.sqlite3 .pytest_cache mutants $(MO_FILES)
