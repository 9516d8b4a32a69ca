"""Read docker-compose.yaml, docker/.env.example and the Dockerfile the way Compose and Docker do,
without a Docker engine: YAML with anchors and merge keys, `${VAR...}` interpolation, port and
volume short syntax, .dockerignore matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
ENV_EXAMPLE = ROOT / "docker" / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
INIT_SCRIPT = ROOT / "docker" / "airflow-init.sh"
DOCS = ROOT / "docs" / "compose.md"

# The services docs/compose.md promises, by role.
AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-init",
    "airflow-cli",
    "flower",
)
LONG_RUNNING_AIRFLOW = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                        "airflow-triggerer", "airflow-worker", "flower")  # fmt: skip
BACKING_SERVICES = ("postgres", "redis", "warehouse")
DEMO_SERVICES = ("spapi-emulator", "mail-relay")
ONE_SHOT = ("airflow-init", "airflow-cli")


class InterpolationError(ValueError):
    pass


# $$ (a literal $), ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error},
# ${NAME:+alt}, ${NAME+alt}, $NAME -- the Compose Specification's interpolation.
_VAR = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(text: str, env: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["named"]
        op, arg = match["op"], match["arg"] or ""
        value = env.get(name)
        if op is None:
            return value or ""
        unset_or_empty = not value if op.startswith(":") else value is None
        kind = op[-1]
        if kind == "-":
            return arg if unset_or_empty else value  # type: ignore[return-value]
        if kind == "?":
            if unset_or_empty:
                raise InterpolationError(f"{name}: {arg or 'required'}")
            return value  # type: ignore[return-value]
        return "" if unset_or_empty else arg  # "+"

    return _VAR.sub(one, text)


def interpolate_tree(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [interpolate_tree(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env) for key, value in node.items()}
    return node


def variables(node: Any) -> dict[str, str | None]:
    """Every variable the file reads -> its operator (None, '-', ':-', '?', ':?', ...)."""
    found: dict[str, str | None] = {}
    if isinstance(node, str):
        for match in _VAR.finditer(node):
            name = match["braced"] or match["named"]
            if name:
                found.setdefault(name, match["op"])
                if match["op"] and match["op"].endswith("?"):
                    found[name] = match["op"]
    elif isinstance(node, list):
        for item in node:
            for name, op in variables(item).items():
                if name not in found or (op and op.endswith("?")):
                    found[name] = op
    elif isinstance(node, dict):
        return variables(list(node.values()))
    return found


def parse_env_file(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"{path}:{number}: not KEY=VALUE: {raw!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key] = value
    return env


@cache
def compose_text() -> str:
    return COMPOSE_FILE.read_text()


def compose_raw() -> dict[str, Any]:
    """The file as YAML sees it: anchors and `<<` merges resolved, `${...}` not interpolated."""
    return yaml.safe_load(compose_text())


def example_env() -> dict[str, str]:
    return parse_env_file(ENV_EXAMPLE)


def compose_resolved(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The file as Compose runs it with docker/.env.example copied to .env."""
    return interpolate_tree(compose_raw(), example_env() if env is None else env)


def compose_nodes() -> yaml.MappingNode:
    """The YAML node graph: an alias is the very node its anchor names."""
    node = yaml.compose(compose_text(), Loader=yaml.SafeLoader)
    assert isinstance(node, yaml.MappingNode)
    return node


def mapping_get(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in node.value:
        if key_node.value == key and key_node.tag != "tag:yaml.org,2002:merge":
            return value_node
    return None


def merged_from(node: yaml.MappingNode) -> list[yaml.Node]:
    """The nodes a mapping merges with `<<:` (a single alias or a list of them)."""
    merged: list[yaml.Node] = []
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            merged.extend(
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            )
    return merged


@dataclass(frozen=True)
class Port:
    host_ip: str | None
    host_port: str | None
    container_port: int


def parse_port(spec: Any) -> Port:
    """Compose short syntax: [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], or the long form."""
    if isinstance(spec, dict):
        return Port(spec.get("host_ip"), str(spec["published"]) if "published" in spec else None,
                    int(spec["target"]))  # fmt: skip
    text = str(spec).split("/", 1)[0]
    parts = text.rsplit(":", 2)
    if len(parts) == 3:
        return Port(parts[0], parts[1], int(parts[2]))
    if len(parts) == 2:
        return Port(None, parts[0], int(parts[1]))
    return Port(None, None, int(parts[0]))


@dataclass(frozen=True)
class Mount:
    source: str
    target: str
    read_only: bool

    @property
    def is_bind(self) -> bool:
        return self.source.startswith((".", "/", "~"))


def parse_volume(spec: Any) -> Mount:
    if isinstance(spec, dict):
        return Mount(str(spec.get("source", "")), spec["target"], bool(spec.get("read_only")))
    parts = str(spec).split(":")
    if len(parts) == 1:
        return Mount("", parts[0], False)
    mode = parts[2] if len(parts) > 2 else ""
    return Mount(parts[0], parts[1], "ro" in mode.split(","))


def _ignore_regex(pattern: str) -> re.Pattern[str]:
    """Go's filepath.Match as .dockerignore uses it, plus `**` (any number of folders)."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def dockerignore_patterns() -> list[str]:
    lines = (line.strip() for line in DOCKERIGNORE.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def dockerignore_excludes(path: str, patterns: list[str] | None = None) -> bool:
    """Whether Docker leaves `path` (relative, '/'-separated) out of the build context: the last
    matching pattern wins, `!` re-includes, and a pattern matching a folder covers its contents."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in dockerignore_patterns() if patterns is None else patterns:
        negate = pattern.startswith("!")
        regex = _ignore_regex((pattern[1:] if negate else pattern).strip("/"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = not negate
    return excluded


@dataclass(frozen=True)
class Instruction:
    stage: int
    keyword: str
    args: str


def dockerfile_instructions(text: str | None = None) -> list[Instruction]:
    """Instructions with line continuations joined and comments dropped; `stage` counts FROMs."""
    text = DOCKERFILE.read_text() if text is None else text
    logical: list[str] = []
    buffer = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not buffer):
            continue
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        logical.append(buffer + stripped)
        buffer = ""
    if buffer:
        logical.append(buffer)
    out: list[Instruction] = []
    stage = -1
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        out.append(Instruction(stage, keyword, " ".join(args.split())))
    return out


def locked_version(package: str) -> str:
    """A package's version in uv.lock."""
    import tomllib

    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    versions = {p["version"] for p in lock["package"] if p["name"] == package}
    assert len(versions) == 1, f"uv.lock: {package}: {sorted(versions) or 'absent'}"
    return versions.pop()
