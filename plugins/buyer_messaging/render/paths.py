"""Where the deployment's include/ folder is (templates, policies)."""

from __future__ import annotations

import os
from pathlib import Path


def include_dir() -> Path:
    """`$BUYER_MESSAGING_INCLUDE` when set, else the repository's include/ folder."""
    env = os.environ.get("BUYER_MESSAGING_INCLUDE")
    if env:
        return Path(env).expanduser().resolve()
    import buyer_messaging

    return Path(buyer_messaging.__file__).resolve().parents[2] / "include"


def templates_dir() -> Path:
    return include_dir() / "templates"
