"""The production wheel, built once per session for the packaging tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from uv_tool import skip_if_index_unreachable, uv_command

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = [*uv_command(), "build", "--wheel", "--out-dir", str(out), str(ROOT)]
    done = subprocess.run(build, capture_output=True, text=True)
    if done.returncode != 0:
        skip_if_index_unreachable("cannot fetch the build backend")
        raise AssertionError(f"uv build failed:\n{done.stderr[-4000:]}")
    [built] = out.glob("buyer_messaging-*.whl")
    return built
