# The two commands of the README: `make demo` and `make test`.
# Both create the virtual environment and install what they need first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test venv clean

demo: $(INSTALLED)
	@tools/ensure-system-tools sipp
	$(BIN)/rayo-conformance demo

test: $(INSTALLED)
	@tools/ensure-system-tools sipp prosody chromium openssl tcpdump
	$(BIN)/pytest -q -n auto

venv: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@tools/make-venv $(PYTHON) $(VENV)
	@touch $@

clean:
	rm -rf $(VENV) reports build dist .pytest_cache
