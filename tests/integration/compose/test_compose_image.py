"""The Dockerfile and .dockerignore, checked without a Docker engine: the base image matches
uv.lock, the lock export it runs works here and leaves Airflow to the image, every file it
copies is in the build context and secrets are not."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib

import pytest
from compose_helpers import (
    ROOT,
    compose_resolved,
    dockerfile_instructions,
    dockerignore_excludes,
    locked_version,
)

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _froms() -> list[str]:
    return [i.args.split()[0] for i in dockerfile_instructions() if i.keyword == "FROM"]


def _run_args(stage: int | None = None) -> list[str]:
    return [
        i.args
        for i in dockerfile_instructions()
        if i.keyword == "RUN" and (stage is None or i.stage == stage)
    ]


def _export_command() -> list[str]:
    """The `uv export ...` the Dockerfile runs, as argv (from `uv` on)."""
    for run in _run_args():
        for part in run.split("&&"):
            argv = shlex.split(part)
            if "export" in argv and "uv" in argv:
                return argv[argv.index("uv") :]
    raise AssertionError("the Dockerfile runs no `uv export`")


def test_base_image_is_the_locked_airflow_version() -> None:
    airflow = locked_version("apache-airflow")
    froms = _froms()
    assert froms, "no FROM"
    for image in froms:
        match = re.fullmatch(r"apache/airflow:(?P<airflow>[\d.]+)-python(?P<python>3\.\d+)", image)
        assert match, f"FROM {image}: not an official apache/airflow:<version>-python<x.y> tag"
        assert match["airflow"] == airflow, (
            f"FROM {image}, but uv.lock pins apache-airflow {airflow}"
        )
        assert match["python"] == "3.11"


def test_python_of_the_image_is_one_the_project_supports() -> None:
    from packaging.specifiers import SpecifierSet

    spec = SpecifierSet(PYPROJECT["project"]["requires-python"])
    for image in _froms():
        assert image.rsplit("-python", 1)[1] + ".0" in spec


def test_runs_as_the_airflow_user() -> None:
    instructions = dockerfile_instructions()
    final = max(i.stage for i in instructions)
    users = [i.args for i in instructions if i.keyword == "USER" and i.stage == final]
    assert users and users[-1] == "airflow"
    assert not any("sudo" in run or run.startswith("apt") for run in _run_args())


def test_export_flags() -> None:
    argv = _export_command()
    for flag in ("--frozen", "--no-dev", "--no-hashes", "--no-emit-project"):
        assert flag in argv, flag
    left_out = {argv[i + 1] for i, arg in enumerate(argv) if arg == "--no-emit-package"}
    assert left_out == {"apache-airflow", "apache-airflow-core", "apache-airflow-task-sdk"}


def test_uv_is_pinned() -> None:
    args = {
        i.args.split("=", 1)[0]: i.args.split("=", 1)[1]
        for i in dockerfile_instructions()
        if i.keyword == "ARG" and "=" in i.args
    }
    assert re.fullmatch(r"\d+\.\d+\.\d+", args["UV_VERSION"])
    assert any('"uv==${UV_VERSION}"' in run for run in _run_args())


def _uv() -> list[str]:
    if shutil.which("uv"):
        return ["uv"]
    probe = subprocess.run([sys.executable, "-m", "uv", "--version"], capture_output=True)
    if probe.returncode == 0:
        return [sys.executable, "-m", "uv"]
    probe = subprocess.run(["python3", "-m", "uv", "--version"], capture_output=True)
    if probe.returncode == 0:
        return ["python3", "-m", "uv"]
    pytest.skip("uv is not installed here (make installs it)")


def test_the_export_works_on_this_lock(tmp_path) -> None:
    """Runs the Dockerfile's own `uv export` on a copy of pyproject.toml + uv.lock, as the build
    stage sees them: the project's runtime dependencies, pinned; no Airflow core, no dev tools."""
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    argv = [a for a in _export_command()[2:]]  # after `uv export`
    out = tmp_path / "requirements.txt"
    argv[argv.index("--output-file") + 1] = str(out)
    done = subprocess.run(
        [*_uv(), "export", *argv], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    pins = {}
    for line in out.read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            assert not line.startswith(("-e", ".", "file:")), (
                f"the project itself is exported: {line}"
            )
            name, _, rest = line.partition("==")
            pins[name.lower()] = rest.split(";")[0].strip()
    for name in (
        "apache-airflow",
        "apache-airflow-core",
        "apache-airflow-task-sdk",
        "buyer-messaging",
    ):
        assert name not in pins, f"{name} is exported: the image provides it"
    for dev in ("pytest", "ruff", "aiosmtpd"):
        assert dev not in pins, f"dev dependency {dev} is exported"
    for runtime in ("python-amazon-sp-api", "great-expectations", "psycopg2-binary", "apache-airflow-providers-postgres",
                    "apache-airflow-providers-smtp", "jinja2", "pydantic", "babel", "phonenumbers"):  # fmt: skip
        assert pins.get(runtime) == locked_version(runtime), runtime


def test_celery_worker_has_its_provider() -> None:
    """The CeleryExecutor and the worker's healthcheck need apache-airflow-providers-celery: the
    base image ships it, and when uv.lock pins it the export installs that version."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    names = {p["name"] for p in lock["package"]}
    if "apache-airflow-providers-celery" not in names:
        pytest.skip("uv.lock does not pin the Celery provider; the image's own is used")
    left_out = {
        a
        for i, a in enumerate(_export_command())
        if _export_command()[i - 1] == "--no-emit-package"
    }
    assert "apache-airflow-providers-celery" not in left_out


# --- the build context -----------------------------------------------------------------------


def _copied_sources() -> list[str]:
    sources = []
    for i in dockerfile_instructions():
        if i.keyword in ("COPY", "ADD"):
            words = [w for w in i.args.split() if not w.startswith("--")]
            if any(w.startswith("--from=") for w in i.args.split()):
                continue
            sources.extend(words[:-1])
    return sources


def test_everything_copied_exists_and_is_in_the_context() -> None:
    sources = _copied_sources()
    assert {
        "pyproject.toml",
        "uv.lock",
        "README.md",
        "plugins/",
        "spapi_emulator/",
        "dags/",
        "include/",
    } <= set(sources)
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not dockerignore_excludes(source), (
            f"{source} is copied but .dockerignore leaves it out"
        )
    for inner in ("plugins/buyer_messaging/config.py", "spapi_emulator/__main__.py", "include/accounts.yaml",
                  "include/templates", "plugins/buyer_messaging/warehouse/migrations"):  # fmt: skip
        assert not dockerignore_excludes(inner), inner


def test_the_wheel_sources_are_in_the_build_stage() -> None:
    packages = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    build_copies = " ".join(
        i.args for i in dockerfile_instructions() if i.keyword == "COPY" and i.stage == 0
    )
    for package in packages:
        top = package.split("/")[0]
        assert f"{top}/" in build_copies, f"the wheel needs {package}"
    assert "README.md" in build_copies, "pyproject's readme is read when the wheel is built"


def test_secrets_and_local_state_stay_out_of_the_context() -> None:
    for path in (".env", "docker/.env.example", ".venv/bin/python", ".git/config", "var/demo/pg", "tests/conftest.py",
                 "plugins/buyer_messaging/__pycache__/config.cpython-311.pyc", "bench/results/x.json", "logs/x.log"):  # fmt: skip
        assert dockerignore_excludes(path), f"{path} would be sent to the Docker daemon"


def test_dockerignore_matcher() -> None:
    patterns = ["*", "!plugins/", "**/__pycache__"]
    assert dockerignore_excludes("secret.txt", patterns)
    assert not dockerignore_excludes("plugins/a/b.py", patterns)
    assert dockerignore_excludes("plugins/a/__pycache__/b.pyc", patterns)
    assert not dockerignore_excludes("x", ["x", "!x"])


# --- image and compose agree -----------------------------------------------------------------


def test_init_script_is_shipped_where_compose_runs_it() -> None:
    init = compose_resolved()["services"]["airflow-init"]
    target = init["command"][0]
    copies = [i.args.split() for i in dockerfile_instructions() if i.keyword == "COPY"]
    assert any(words[-2:] == ["docker/airflow-init.sh", target] for words in copies), target


def test_image_has_what_compose_mounts() -> None:
    """dags/, plugins/ and include/ are baked where compose bind-mounts them, so the image runs
    without the mounts (and the UI plugin, a top-level file in plugins/, is found)."""
    instructions = dockerfile_instructions()
    final = max(i.stage for i in instructions)
    copies = {
        tuple(i.args.split()[-2:]) for i in instructions if i.keyword == "COPY" and i.stage == final
    }
    mounts = [m for m in compose_resolved()["x-airflow-common"]["volumes"] if m.startswith("./")]
    for mount in mounts:
        source, target = mount.split(":")[:2]
        assert (source[2:] + "/", target + "/") in copies, mount


def test_image_defaults_match_compose() -> None:
    env_lines = " ".join(i.args for i in dockerfile_instructions() if i.keyword == "ENV")
    image_env = dict(pair.split("=", 1) for pair in env_lines.split())
    common = compose_resolved()["x-airflow-common"]["environment"]
    for name in (
        "BUYER_MESSAGING_ACCOUNTS",
        "BUYER_MESSAGING_INCLUDE",
        "BUYER_MESSAGING_DATA_DOCS",
    ):
        assert image_env[name] == common[name], name
