#!/usr/bin/env bash
# One-shot set-up run by the `airflow-init` service of docker-compose.yaml (as root, like the
# official Airflow compose file, so it can hand the shared volumes to AIRFLOW_UID):
#   1. Airflow metadata database migrations (airflow db migrate),
#   2. the admin user of Airflow's Simple auth manager (password from .env),
#   3. one pool `spapi_<id>` per account of the accounts file,
#   4. the reporting warehouse's migrations (buyer-messaging migrate),
#   5. the shared volumes (logs, auth, data docs) handed to AIRFLOW_UID.
# Every step is idempotent: running `docker compose up airflow-init` again is safe.
set -euo pipefail

AIRFLOW_UID="${AIRFLOW_UID:-50000}"
AIRFLOW_HOME="${AIRFLOW_HOME:-/opt/airflow}"
AUTH_FILE="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-${AIRFLOW_HOME}/auth/simple_auth_manager_passwords.json}"
ADMIN_USERNAME="${AIRFLOW_ADMIN_USERNAME:-admin}"
POOL_SLOTS="${BUYER_MESSAGING_POOL_SLOTS:-4}"

step() { printf '\n==> %s\n' "$*"; }

if [[ -z "${AIRFLOW_ADMIN_PASSWORD:-}" ]]; then
    echo "AIRFLOW_ADMIN_PASSWORD is empty: set it in .env (cp docker/.env.example .env)" >&2
    exit 1
fi

SHARED_DIRS=("${AIRFLOW_HOME}/logs" "$(dirname "${AUTH_FILE}")" "${BUYER_MESSAGING_DATA_DOCS:-${AIRFLOW_HOME}/data_docs}")
mkdir -p "${SHARED_DIRS[@]}"

step "Airflow metadata database migrations"
airflow db migrate

step "admin user '${ADMIN_USERNAME}' (Simple auth manager, ${AUTH_FILE})"
# The Simple auth manager keeps {"user": "password"} in a JSON file; users it finds there keep
# their password, so writing it here replaces the random one it would otherwise print.
ADMIN_USERNAME="${ADMIN_USERNAME}" AUTH_FILE="${AUTH_FILE}" python - <<'PY'
import json
import os

path = os.environ["AUTH_FILE"]
with open(path, "w", encoding="utf-8") as fh:
    json.dump({os.environ["ADMIN_USERNAME"]: os.environ["AIRFLOW_ADMIN_PASSWORD"]}, fh)
    fh.write("\n")
PY
chown "${AIRFLOW_UID}:0" "${AUTH_FILE}"
chmod 600 "${AUTH_FILE}"

step "pools (${POOL_SLOTS} slots each) for the accounts in ${BUYER_MESSAGING_ACCOUNTS:-include/accounts.yaml}"
# strict: a deployment stops on a mistake in the accounts file (it names file, account and key);
# the scheduler still runs the valid accounts' DAGs if it is deployed anyway
pools="$(python -c 'from buyer_messaging.config import load_accounts; print(" ".join(a.pool for a in load_accounts()))')"
for pool in ${pools}; do
    # an existing pool keeps the slots an operator gave it
    if airflow pools get "${pool}" >/dev/null 2>&1; then
        echo "pool ${pool} exists"
    else
        airflow pools set "${pool}" "${POOL_SLOTS}" "SP-API sends for account ${pool#spapi_}"
    fi
done

step "reporting warehouse migrations (connection messaging_warehouse)"
buyer-messaging migrate

step "shared folders owned by ${AIRFLOW_UID}:0"
chown -R "${AIRFLOW_UID}:0" "${SHARED_DIRS[@]}"

step "done: the Airflow UI is at http://localhost:${AIRFLOW_API_PORT:-8080} (user ${ADMIN_USERNAME})"
