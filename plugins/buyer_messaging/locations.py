"""Where the deployment's files are: `include_dir()` (templates, policies, example accounts).

Its own module, below config and domain, so that the domain's import-time check can find
the templates without importing the accounts file's code.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


class ConfigError(ValueError):
    pass


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


# the wheel carries include/ here as package data; a source checkout has it at its root
PACKAGE_INCLUDE = Path(__file__).with_name("include")


def include_dir() -> Path:
    """Templates, policies and the example accounts: `$BUYER_MESSAGING_INCLUDE` when set, else
    the installed package's copy, else the source checkout's include/."""
    return _include_dir(os.environ.get("BUYER_MESSAGING_INCLUDE"))


@lru_cache(maxsize=8)
def _include_dir(env: str | None) -> Path:
    # resolving costs system calls, and the renderer asks once per message; errors are not cached
    if env:
        path = Path(env).expanduser().resolve()
        if not path.is_dir():
            raise ConfigError(
                f"BUYER_MESSAGING_INCLUDE={env}: no such directory (it must hold templates/ and"
                " policies/, like the project's include/)"
            )
        return path
    candidates = (PACKAGE_INCLUDE, project_root() / "include")
    for path in candidates:
        if path.is_dir():
            return path.resolve()
    raise ConfigError(
        "no include directory (templates, policies, accounts) at "
        + " or ".join(str(c) for c in candidates)
        + ": set BUYER_MESSAGING_INCLUDE to yours"
    )
