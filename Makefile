# Every target installs what it needs from uv.lock into .venv first (uv is pip-installed
# when missing), so they all work from a fresh clone.
SHELL := /bin/bash
PY := .venv/bin/python
UV := python3 -m uv
export NO_PROXY := 127.0.0.1,localhost$(if $(NO_PROXY),$(comma)$(NO_PROXY))
comma := ,

.PHONY: venv demo test test-unit chromium bench bench-quick lint clean

.venv/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --locked --all-extras --python 3.11
	@touch $@

venv: .venv/.synced

demo: venv
	$(PY) -m buyer_messaging.cli demo

# Debian's Chromium for the dashboard's browser test (no browser download); best effort:
# without it that one test skips and says why.
chromium:
	@test -x /usr/bin/chromium || (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		echo "chromium not installed: the browser test will be skipped")

test: venv chromium
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -q -p no:cacheprovider tests

test-unit: venv
	$(PY) -m pytest -q tests/unit

bench: venv
	$(PY) -m bench.run

bench-quick: venv
	$(PY) -m bench.run --quick

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PY) -m mypy

clean:
	rm -rf var/demo .pytest_cache
