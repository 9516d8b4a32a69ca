"""`uv` for the packaging tests, or a skip saying how to get it."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest


def uv_command() -> list[str]:
    """`uv` as the project runs it (`python -m uv`), or a skip saying how to get it."""
    for python in (sys.executable, "python3"):
        if subprocess.run([python, "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return [python, "-m", "uv"]
    pytest.skip("uv is not installed (make venv installs it)")


def _index_url() -> str:
    return os.environ.get("UV_DEFAULT_INDEX") or os.environ.get(
        "UV_INDEX_URL", "https://pypi.org/simple/"
    )


def _index_unreachable() -> str | None:
    """Why the package index cannot be reached, or None when it answers."""
    url = _index_url()
    if url.startswith("file:"):
        return None
    try:
        urllib.request.urlopen(url, timeout=10).close()
    except (OSError, urllib.error.URLError) as exc:
        return f"{url}: {exc}"
    return None


def skip_if_index_unreachable(what: str) -> None:
    """After uv failed: a skip naming the index when it does not answer (else the caller fails)."""
    why = _index_unreachable()
    if why:
        pytest.skip(f"the package index is unreachable ({why}): {what}")
