"""`uv` for the packaging tests, or a skip saying how to get it."""

from __future__ import annotations

import subprocess
import sys

import pytest


def uv_command() -> list[str]:
    """`uv` as the project runs it (`python -m uv`), or a skip saying how to get it."""
    for python in (sys.executable, "python3"):
        if subprocess.run([python, "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return [python, "-m", "uv"]
    pytest.skip("uv is not installed (make venv installs it)")
