"""Where the deployment's include/ folder is (templates, policies)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def include_dir() -> Path:
    """`$BUYER_MESSAGING_INCLUDE` when set, else the repository's include/ folder."""
    return _resolved(os.environ.get("BUYER_MESSAGING_INCLUDE"))


@lru_cache(maxsize=8)
def _resolved(env: str | None) -> Path:
    # resolving costs system calls, and the renderer asks once per message
    if env:
        return Path(env).expanduser().resolve()
    import buyer_messaging

    return Path(buyer_messaging.__file__).resolve().parents[2] / "include"


def templates_dir() -> Path:
    return _templates(os.environ.get("BUYER_MESSAGING_INCLUDE"))


@lru_cache(maxsize=8)
def _templates(env: str | None) -> Path:
    return _resolved(env) / "templates"
