# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint install clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 ($(PYTHON)) is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@$(VENV)/bin/dsop --rebuild-help >/dev/null  # every command's --help without importing it (opendsop.entry)
	@touch $(STAMP)

install: $(STAMP)

# A whole synthetic Norway on loopback: generate + load the demo world under var/ (first run only),
# start every party, run the scripted tour, then serve until Ctrl-C.
demo: $(STAMP)
	$(VENV)/bin/dsop up --preset demo --tour

test: $(STAMP)
	$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# Gates on the code itself: ruff check and ruff format; mypy over src/ (strict for standard/ and trust/, see pyproject); pyproject's
# dependencies against src's imports; every docstring example (tests/test_gates.py, also part of `make test`).
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts
	$(VENV)/bin/mypy
	$(PY) scripts/check_dependencies.py
	$(PY) -m pytest -q -p no:cacheprovider tests/test_gates.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
