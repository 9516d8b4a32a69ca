"""docker-compose.yaml, checked without a Docker engine: the Compose Specification's JSON schema,
the services, ports, volumes and profiles docs/compose.md promises, the shared Airflow anchor,
the Airflow 3 settings, the connections (parsed by Airflow itself), healthchecks, depends_on."""

from __future__ import annotations

import json
import os
import re
import shlex
from importlib import resources
from urllib.parse import urlsplit

import pytest
import yaml
from compose_helpers import (
    AIRFLOW_SERVICES,
    BACKING_SERVICES,
    DEMO_SERVICES,
    DOCS,
    LONG_RUNNING_AIRFLOW,
    ONE_SHOT,
    ROOT,
    InterpolationError,
    compose_nodes,
    compose_raw,
    compose_resolved,
    compose_text,
    example_env,
    interpolate,
    mapping_get,
    merged_from,
    parse_port,
    parse_volume,
    variables,
)

ALL_SERVICES = (*BACKING_SERVICES, *AIRFLOW_SERVICES, *DEMO_SERVICES)
EMULATOR_COMMAND = "python -m spapi_emulator --host 0.0.0.0 --port 8000 --seed 42 --orders-per-day 50 --time-scale 100"


@pytest.fixture(scope="module")
def compose() -> dict:
    return compose_resolved()


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def common_env(compose: dict) -> dict:
    return compose["x-airflow-common"]["environment"]


# --- the Compose Specification ---------------------------------------------------------------


def _compose_spec_schema() -> dict:
    pytest.importorskip(
        "check_jsonschema", reason="dev dependency check-jsonschema ships compose-spec.json"
    )
    schema = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    return json.loads(schema.read_text())


@pytest.mark.parametrize("stage", ["as written", "interpolated with docker/.env.example"])
def test_validates_against_the_compose_specification(stage: str) -> None:
    import jsonschema

    schema = _compose_spec_schema()
    assert schema.get("title") == "Compose Specification"
    document = compose_raw() if stage == "as written" else compose_resolved()
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
    )


def test_the_schema_check_catches_a_broken_file() -> None:
    """Guards the guard: a misspelt service key is rejected by the same validator."""
    import jsonschema

    schema = _compose_spec_schema()
    broken = compose_raw()
    broken["services"]["warehouse"]["healthchek"] = broken["services"]["warehouse"].pop(
        "healthcheck"
    )
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert any("healthchek" in e.message for e in validator.iter_errors(broken))


# --- services, profiles, commands ------------------------------------------------------------


def test_every_promised_service_exists(services: dict) -> None:
    missing = [name for name in ALL_SERVICES if name not in services]
    assert not missing, f"docker-compose.yaml lost services {missing}"
    unexpected = sorted(set(services) - set(ALL_SERVICES))
    assert not unexpected, (
        f"services {unexpected} are not described in docs/compose.md (add them there and here)"
    )


def test_docs_describe_every_service() -> None:
    text = DOCS.read_text()
    assert [name for name in ALL_SERVICES if f"`{name}`" not in text] == []


def test_profiles(services: dict) -> None:
    assert services["spapi-emulator"]["profiles"] == ["demo"]
    assert services["mail-relay"]["profiles"] == ["demo"]
    assert services["flower"]["profiles"] == ["flower"]
    assert services["airflow-cli"]["profiles"] == ["debug"]
    always = [
        *BACKING_SERVICES,
        *(s for s in AIRFLOW_SERVICES if s not in ("flower", "airflow-cli")),
    ]
    assert [name for name in always if services[name].get("profiles")] == []


@pytest.mark.parametrize(
    ("service", "command"),
    [
        ("airflow-apiserver", "api-server"),
        ("airflow-scheduler", "scheduler"),
        ("airflow-dag-processor", "dag-processor"),
        ("airflow-triggerer", "triggerer"),
        ("airflow-worker", "celery worker"),
        ("flower", "celery flower"),
    ],
)
def test_airflow_commands(services: dict, service: str, command: str) -> None:
    value = services[service]["command"]
    assert (value if isinstance(value, str) else " ".join(value)) == command


def test_the_emulator_runs_as_documented(services: dict) -> None:
    emulator = services["spapi-emulator"]
    argv = [*emulator["entrypoint"], *emulator["command"]]
    assert shlex.join(argv) == EMULATOR_COMMAND
    assert EMULATOR_COMMAND in DOCS.read_text()

    from spapi_emulator.__main__ import build_parser

    args = build_parser().parse_args(argv[3:])
    assert (args.host, args.port, args.seed, args.orders_per_day, args.time_scale) == (
        "0.0.0.0",
        8000,
        42,
        50,
        100.0,
    )
    # the same image as Airflow: the emulator is in the project's wheel
    assert emulator["image"] == compose_resolved()["x-airflow-common"]["image"]


def test_airflow_init_runs_the_script_the_image_ships(services: dict) -> None:
    init = services["airflow-init"]
    assert init["entrypoint"] == "/bin/bash"
    assert init["command"] == ["/opt/buyer-messaging/airflow-init.sh"]
    assert init["user"] == "0:0"
    assert "restart" not in init, "a one-shot service must not restart"


# --- ports -----------------------------------------------------------------------------------


def _ports(services: dict, name: str) -> dict[int, tuple[str | None, str | None]]:
    return {
        p.container_port: (p.host_ip, p.host_port)
        for p in map(parse_port, services[name].get("ports", []))
    }


def test_published_ports(services: dict) -> None:
    assert _ports(services, "airflow-apiserver") == {8080: (None, "8080")}
    assert _ports(services, "warehouse") == {5432: ("127.0.0.1", "5433")}
    assert _ports(services, "spapi-emulator") == {8000: ("127.0.0.1", "8000")}
    assert _ports(services, "mail-relay") == {8025: ("127.0.0.1", "8025")}
    assert _ports(services, "flower") == {5555: (None, "5555")}


def test_metadata_database_and_broker_are_not_published(services: dict) -> None:
    assert "ports" not in services["postgres"]
    assert "ports" not in services["redis"]
    published = [name for name in ALL_SERVICES if name not in ("airflow-apiserver", "warehouse", "spapi-emulator",
                                                                "mail-relay", "flower") and services[name].get("ports")]  # fmt: skip
    assert published == []


def test_docs_name_the_published_ports() -> None:
    text = DOCS.read_text()
    for port in ("8080", "5433", "8000", "8025", "5555"):
        assert port in text, f"docs/compose.md does not mention port {port}"


def test_host_ports_follow_env(services: dict) -> None:
    env = {
        **example_env(),
        "AIRFLOW_API_PORT": "18080",
        "WAREHOUSE_PORT": "15433",
        "SPAPI_EMULATOR_PORT": "18000",
    }
    moved = compose_resolved(env)["services"]
    assert _ports(moved, "airflow-apiserver") == {8080: (None, "18080")}
    assert _ports(moved, "warehouse") == {5432: ("127.0.0.1", "15433")}
    assert _ports(moved, "spapi-emulator") == {8000: ("127.0.0.1", "18000")}


# --- volumes ---------------------------------------------------------------------------------


def test_project_folders_are_mounted_like_the_official_file(compose: dict) -> None:
    mounts = {m.target: m for m in map(parse_volume, compose["x-airflow-common"]["volumes"])}
    for folder in ("dags", "include", "plugins"):
        mount = mounts[f"/opt/airflow/{folder}"]
        assert mount.source == f"./{folder}"
        assert (ROOT / folder).is_dir()
    assert mounts["/opt/airflow/include"].read_only
    assert not mounts["/opt/airflow/logs"].is_bind, (
        "logs live in a named volume, not in the work tree"
    )


def test_databases_keep_their_data_in_named_volumes(compose: dict) -> None:
    services = compose["services"]
    for service, volume in (("warehouse", "warehouse-data"), ("postgres", "airflow-db")):
        mounts = {m.target: m.source for m in map(parse_volume, services[service]["volumes"])}
        assert mounts == {"/var/lib/postgresql/data": volume}
        assert volume in compose["volumes"]
    assert services["warehouse"]["image"] == services["postgres"]["image"] == "postgres:16"


def test_named_volumes_are_declared_and_used(compose: dict) -> None:
    used = {
        m.source for s in compose["services"].values() for m in map(parse_volume, s.get("volumes", []))
        if m.source and not m.is_bind
    }  # fmt: skip
    assert used == set(compose["volumes"])


def test_paths_the_package_reads_are_mounted(compose: dict, common_env: dict) -> None:
    """BUYER_MESSAGING_ACCOUNTS and _INCLUDE point into the include/ mount, at files that exist."""
    assert common_env["BUYER_MESSAGING_ACCOUNTS"] == "/opt/airflow/include/accounts.yaml"
    mounts = [m for m in map(parse_volume, compose["x-airflow-common"]["volumes"]) if m.is_bind]

    def host_path(container_path: str):
        for mount in mounts:
            if container_path == mount.target or container_path.startswith(mount.target + "/"):
                return ROOT / mount.source / container_path[len(mount.target) :].lstrip("/")
        raise AssertionError(f"{container_path} is not in a bind mount")

    assert host_path(common_env["BUYER_MESSAGING_ACCOUNTS"]).is_file()
    assert (host_path(common_env["BUYER_MESSAGING_INCLUDE"]) / "templates").is_dir()
    assert common_env["PYTHONPATH"] == "/opt/airflow/plugins"
    assert (host_path(common_env["PYTHONPATH"]) / "buyer_messaging" / "__init__.py").is_file()


# --- one Airflow configuration for every Airflow service ---------------------------------------


def test_every_airflow_service_merges_the_common_anchor() -> None:
    root = compose_nodes()
    common = mapping_get(root, "x-airflow-common")
    common_env = mapping_get(common, "environment")
    assert common is not None and common_env is not None
    assert re.search(r"^x-airflow-common:\s*&airflow-common\s", compose_text(), re.M)
    assert re.search(r"^  environment:\s*&airflow-common-env\s", compose_text(), re.M)
    services = mapping_get(root, "services")
    for name in AIRFLOW_SERVICES:
        node = mapping_get(services, name)
        assert node is not None, name
        assert common in merged_from(node), f"{name} does not merge <<: *airflow-common"
        env = mapping_get(node, "environment")
        assert env is None or common_env in merged_from(env), (
            f"{name}: environment does not merge *airflow-common-env"
        )


def test_every_airflow_service_runs_the_same_image_and_settings(
    compose: dict, services: dict, common_env: dict
) -> None:
    common = compose["x-airflow-common"]
    assert common["build"] == "."
    assert common["image"] == "buyer-messaging-airflow:latest"
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert (service["image"], service["build"]) == (common["image"], common["build"]), name
        assert service["volumes"] == common["volumes"], name
        changed = {k for k, v in common_env.items() if service["environment"].get(k) != v}
        assert not changed, f"{name} overrides {sorted(changed)}"
        if name != "airflow-init":
            assert service["user"] == common["user"] == "50000:0"


def test_celery_executor_and_airflow_3_settings(common_env: dict) -> None:
    assert common_env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert common_env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert urlsplit(common_env["AIRFLOW__CELERY__BROKER_URL"]).hostname == "redis"
    assert urlsplit(common_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).hostname == "postgres"
    assert urlsplit(common_env["AIRFLOW__CELERY__RESULT_BACKEND"]).hostname == "postgres"
    assert (
        common_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
        == "http://airflow-apiserver:8080/execution/"
    )
    assert common_env["AIRFLOW__API_AUTH__JWT_SECRET"], "components need one shared JWT secret"
    assert common_env["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"
    assert common_env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"


def test_execution_api_points_at_the_api_server(services: dict, common_env: dict) -> None:
    url = urlsplit(common_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert url.hostname in services
    assert services[url.hostname]["command"] == "api-server"
    assert url.port in _ports(services, url.hostname)


def test_auth_manager_is_airflow_3s_own(common_env: dict) -> None:
    """Simple auth manager: apache-airflow-core's default (the FAB provider is not in uv.lock)."""
    import importlib

    from airflow.configuration import conf

    path = common_env["AIRFLOW__CORE__AUTH_MANAGER"]
    assert path == "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
    assert path == conf.get_default_value("core", "auth_manager")
    module, _, name = path.rpartition(".")
    assert isinstance(getattr(importlib.import_module(module), name), type)
    assert common_env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    assert common_env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"].startswith(
        "/opt/airflow/auth/"
    )


# --- connections -----------------------------------------------------------------------------


def test_warehouse_connection_reaches_the_warehouse_service(
    services: dict, common_env: dict
) -> None:
    from airflow.models.connection import Connection

    from buyer_messaging.warehouse.connection import dsn_from_connection

    conn = Connection(
        conn_id="messaging_warehouse", uri=common_env["AIRFLOW_CONN_MESSAGING_WAREHOUSE"]
    )
    assert conn.conn_type == "postgres"
    assert (conn.host, conn.port) == ("warehouse", 5432)
    assert 5432 in _ports(services, "warehouse")
    db = services["warehouse"]["environment"]
    assert (conn.login, conn.password, conn.schema) == (
        db["POSTGRES_USER"],
        db["POSTGRES_PASSWORD"],
        db["POSTGRES_DB"],
    )
    assert "host=warehouse" in dsn_from_connection(conn)


def test_smtp_relay_connection(services: dict, common_env: dict) -> None:
    from airflow.models.connection import Connection

    from buyer_messaging.send.wiring import smtp_settings_from_connection

    conn = Connection(conn_id="smtp_relay", uri=common_env["AIRFLOW_CONN_SMTP_RELAY"])
    assert conn.conn_type == "smtp"
    assert conn.host == "mail-relay" and conn.host in services
    assert str(conn.port) in [str(p) for p in services["mail-relay"]["expose"]]
    settings = smtp_settings_from_connection(conn)
    assert settings.sender == "demo-kitchen@seller.example"
    assert settings.starttls is False  # the demo's mailpit has no TLS: the URI says so


def test_demo_spapi_connection_points_at_the_emulator(services: dict, common_env: dict) -> None:
    from airflow.models.connection import Connection

    from buyer_messaging.config import load_accounts
    from buyer_messaging.spapi.credentials import credentials_from_connection

    assert "spapi_demo" in {
        a.spapi_conn_id for a in load_accounts(ROOT / "include" / "accounts.yaml")
    }
    raw = json.loads(common_env["AIRFLOW_CONN_SPAPI_DEMO"])
    assert raw["conn_type"] == "amazon_sp_api"
    conn = Connection.from_json(common_env["AIRFLOW_CONN_SPAPI_DEMO"], conn_id="spapi_demo")
    assert conn.conn_type == "amazon_sp_api"
    creds = credentials_from_connection(conn)
    env = example_env()
    assert (creds.refresh_token, creds.lwa_app_id, creds.lwa_client_secret) == (
        env["SPAPI_DEMO_REFRESH_TOKEN"],
        env["SPAPI_DEMO_LWA_APP_ID"],
        env["SPAPI_DEMO_LWA_CLIENT_SECRET"],
    )
    assert creds.marketplace == "US"
    for url in (creds.base_url, creds.lwa_endpoint):
        parts = urlsplit(url)
        assert parts.hostname == "spapi-emulator" and parts.port in _ports(
            services, "spapi-emulator"
        ), url
    assert urlsplit(creds.lwa_endpoint).path == "/auth/o2/token"


def test_connection_json_survives_the_secrets_it_is_given() -> None:
    """The interpolated JSON stays valid for credentials shaped like Amazon's."""
    env = {
        **example_env(),
        "SPAPI_DEMO_REFRESH_TOKEN": "Atzr|IwEBIA-x_y.z+/=",
        "SPAPI_DEMO_LWA_CLIENT_SECRET": "amzn1.oa2-cs.v1.0f9e",
    }
    value = compose_resolved(env)["x-airflow-common"]["environment"]["AIRFLOW_CONN_SPAPI_DEMO"]
    assert json.loads(value)["extra"]["refresh_token"] == "Atzr|IwEBIA-x_y.z+/="


# --- secrets and .env ------------------------------------------------------------------------


def test_secrets_are_required_from_env() -> None:
    required = {name for name, op in variables(compose_raw()).items() if op and op.endswith("?")}
    assert required >= {
        "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY", "AIRFLOW_ADMIN_PASSWORD", "WAREHOUSE_PASSWORD",
        "SPAPI_DEMO_REFRESH_TOKEN", "SPAPI_DEMO_LWA_APP_ID", "SPAPI_DEMO_LWA_CLIENT_SECRET",
    }  # fmt: skip
    with pytest.raises(InterpolationError, match="WAREHOUSE_PASSWORD"):
        interpolate(yaml.safe_dump(compose_raw()["services"]["warehouse"]), {})


def test_env_example_defines_what_the_file_reads_and_nothing_else() -> None:
    env = example_env()
    read = variables(compose_raw())
    assert sorted(set(read) - set(env)) == [], (
        "variables docker-compose.yaml reads but docker/.env.example lacks"
    )
    assert sorted(set(env) - set(read)) == [], (
        "docker/.env.example settings docker-compose.yaml never reads"
    )
    empty_required = [
        name for name, op in read.items() if op and op.endswith("?") and not env[name]
    ]
    assert empty_required == []


def test_env_example_holds_placeholders_only() -> None:
    env = example_env()
    for name in ("AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_DB_PASSWORD", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY",
                 "WAREHOUSE_PASSWORD"):  # fmt: skip
        assert env[name].startswith("change-me"), name
    for name in (
        "SPAPI_DEMO_REFRESH_TOKEN",
        "SPAPI_DEMO_LWA_APP_ID",
        "SPAPI_DEMO_LWA_CLIENT_SECRET",
    ):
        assert "emulator" in env[name], (
            f"{name} must be an emulator placeholder, never a real credential"
        )


# --- healthchecks and start-up order ---------------------------------------------------------


def test_long_running_services_have_healthchecks(services: dict) -> None:
    for name in (*BACKING_SERVICES, *LONG_RUNNING_AIRFLOW, *DEMO_SERVICES):
        check = services[name].get("healthcheck")
        assert check and check.get("test") and check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert not check.get("disable"), name
    for name in ONE_SHOT:
        assert "healthcheck" not in services[name], name


@pytest.mark.parametrize(
    ("service", "needle"),
    [
        ("airflow-apiserver", "http://localhost:8080/api/v2/version"),
        ("airflow-scheduler", "http://localhost:8974/health"),
        ("airflow-dag-processor", "--job-type DagProcessorJob"),
        ("airflow-triggerer", "--job-type TriggererJob"),
        ("airflow-worker", "airflow.providers.celery.executors.celery_executor.app inspect ping"),
        ("postgres", "pg_isready"),
        ("warehouse", "pg_isready"),
        ("redis", "redis-cli"),
        ("spapi-emulator", "http://127.0.0.1:8000/_emulator/clock"),
    ],
)
def test_healthcheck_probes(services: dict, service: str, needle: str) -> None:
    assert needle in " ".join(services[service]["healthcheck"]["test"])


def test_shell_healthchecks_escape_container_variables() -> None:
    """`$${HOSTNAME}` reaches the container as ${HOSTNAME}; a bare ${HOSTNAME} would be
    interpolated (to nothing) by Compose on the host."""
    raw = compose_raw()["services"]
    for name in ("airflow-dag-processor", "airflow-triggerer", "airflow-worker", "warehouse"):
        test = " ".join(raw[name]["healthcheck"]["test"])
        assert "$${" in test and "${HOSTNAME}" not in test.replace("$${", ""), name


def test_depends_on_conditions_are_sane(services: dict) -> None:
    for name, service in services.items():
        for target, spec in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            condition = spec["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in services[target], (
                    f"{name} waits for {target} to be healthy: no healthcheck"
                )
            elif condition == "service_completed_successfully":
                assert target == "airflow-init", f"{name} waits for {target} to exit"
            else:
                assert condition == "service_started", f"{name} -> {target}: {condition}"
            own = set(service.get("profiles", []))
            theirs = set(services[target].get("profiles", []))
            assert not theirs or theirs & own, (
                f"{name} depends on {target}, which only runs in profiles {theirs}"
            )


def test_start_up_order(services: dict) -> None:
    def needs(name: str) -> dict[str, str]:
        return {
            target: spec["condition"]
            for target, spec in services[name].get("depends_on", {}).items()
        }

    for name in AIRFLOW_SERVICES:
        assert needs(name).get("postgres") == "service_healthy", name
        assert needs(name).get("redis") == "service_healthy", name
    for name in LONG_RUNNING_AIRFLOW:
        assert needs(name).get("airflow-init") == "service_completed_successfully", name
    assert needs("airflow-init")["warehouse"] == "service_healthy"  # it migrates the warehouse
    assert needs("airflow-worker")["warehouse"] == "service_healthy"
    assert needs("airflow-worker")["airflow-apiserver"] == "service_healthy"  # the execution API


def test_no_dependency_cycle(services: dict) -> None:
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        assert state.get(name) != "active", f"cycle: {' -> '.join((*path, name))}"
        state[name] = "active"
        for target in services[name].get("depends_on", {}):
            visit(target, (*path, name))
        state[name] = "done"

    for name in services:
        visit(name, ())


def test_long_running_services_restart(services: dict) -> None:
    for name in (*BACKING_SERVICES, *LONG_RUNNING_AIRFLOW, *DEMO_SERVICES):
        assert services[name].get("restart") == "always", name


# --- Compose itself, where a Compose v2 CLI is installed (it needs no engine for `config`) -------


def _compose_cli() -> list[str]:
    import shutil
    import subprocess

    candidates = [os.environ["COMPOSE_BIN"].split()] if os.environ.get("COMPOSE_BIN") else []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for argv in candidates:
        try:
            done = subprocess.run(
                [*argv, "version", "--short"], capture_output=True, text=True, timeout=30
            )
        except OSError:
            continue
        if done.returncode == 0 and done.stdout.strip().lstrip("v").startswith("2."):
            return argv
    pytest.skip("no Compose v2 CLI here (set COMPOSE_BIN to one)")


def _compose_config(env_file: str) -> tuple[int, str, str]:
    import subprocess

    argv = [*_compose_cli(), "--project-directory", str(ROOT), "-f", str(ROOT / "docker-compose.yaml"),
            "--env-file", env_file, "--profile", "demo", "--profile", "flower", "--profile", "debug",
            "config", "--format", "json"]  # fmt: skip
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    return done.returncode, done.stdout, done.stderr


def test_docker_compose_config_accepts_the_file(services: dict) -> None:
    from compose_helpers import ENV_EXAMPLE

    code, out, err = _compose_config(str(ENV_EXAMPLE))
    assert code == 0 and "error" not in err.lower(), err
    loaded = json.loads(out)["services"]
    assert set(loaded) == set(ALL_SERVICES)
    # Compose's own interpolation agrees with the one these tests use
    for name in ("airflow-worker", "airflow-init", "warehouse"):
        assert loaded[name]["environment"] == {
            k: str(v) for k, v in services[name]["environment"].items()
        }, name


def test_docker_compose_config_demands_the_secrets() -> None:
    code, _, err = _compose_config(os.devnull)
    assert code != 0 or "error" in err.lower()
    assert "required variable" in err and "is missing a value" in err
