"""Where the deployment's include/ folder is (templates, policies)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from buyer_messaging.locations import include_dir

__all__ = ["include_dir", "templates_dir"]


def templates_dir() -> Path:
    return _templates(os.environ.get("BUYER_MESSAGING_INCLUDE"))


@lru_cache(maxsize=8)
def _templates(env: str | None) -> Path:
    # the renderer asks once per message
    return include_dir() / "templates"
