# syntax=docker/dockerfile:1
#
# buyer-messaging on the official Apache Airflow image: the project's wheel and its locked
# dependencies (uv.lock), dags/, plugins/ and include/ baked in. docker-compose.yaml builds it; see
# docs/compose.md. The base image's tag must stay equal to apache-airflow's version in uv.lock
# (tests/integration/compose checks it).
#
#   docker build -t buyer-messaging-airflow .

# --- stage 1: requirements.txt exported from uv.lock, and the project's wheel ------------------
FROM apache/airflow:3.3.2-python3.11 AS build

# The uv that reads this uv.lock (lock format revision 5).
ARG UV_VERSION=0.13.9

USER airflow
WORKDIR /tmp/build
COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./
COPY --chown=airflow:0 plugins/ ./plugins/
COPY --chown=airflow:0 include/ ./include/

# Airflow itself (apache-airflow, -core and the task SDK) is left out: the base image provides
# exactly these versions, and reinstalling them could only break the image's own constraints.
RUN pip install --no-cache-dir "uv==${UV_VERSION}" \
    && python -m uv export --frozen --no-dev --no-hashes --no-emit-project \
        --no-emit-package apache-airflow \
        --no-emit-package apache-airflow-core \
        --no-emit-package apache-airflow-task-sdk \
        --output-file /tmp/build/requirements.txt \
    && python -m uv build --wheel --out-dir /tmp/build/dist

# --- stage 2: the runtime image -----------------------------------------------------------------
FROM apache/airflow:3.3.2-python3.11

USER airflow

# Pinning apache-airflow to the image's own version (AIRFLOW_VERSION is set by the base image)
# keeps pip from moving Airflow while it installs the locked dependencies.
COPY --from=build /tmp/build/requirements.txt /tmp/buyer-messaging/requirements.txt
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" \
        -r /tmp/buyer-messaging/requirements.txt

COPY --from=build /tmp/build/dist/ /tmp/buyer-messaging/dist/
RUN pip install --no-cache-dir --no-deps /tmp/buyer-messaging/dist/*.whl

# DAGs, plugins/ (the package's source, for the compose PYTHONPATH; the UI plugin itself comes
# from the wheel's airflow.plugins entry point, and plugins/.airflowignore keeps the package out
# of the plugin scan) and configuration baked in, so the image also runs without the compose bind
# mounts, which overlay these folders in development.
COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 plugins/ /opt/airflow/plugins/
COPY --chown=airflow:0 include/ /opt/airflow/include/
COPY --chown=airflow:0 docker/airflow-init.sh /opt/buyer-messaging/airflow-init.sh
# The SP-API emulator of the compose `demo` profile: a development tool, not in the wheel
# (the spapi-emulator service puts /opt/buyer-messaging on its PYTHONPATH).
COPY --chown=airflow:0 spapi_emulator/ /opt/buyer-messaging/spapi_emulator/

# Folders that docker-compose.yaml mounts named volumes on: created here, owned by airflow, so
# a fresh volume starts with the right owner.
RUN mkdir -p /opt/airflow/auth /opt/airflow/data_docs

ENV BUYER_MESSAGING_INCLUDE=/opt/airflow/include \
    BUYER_MESSAGING_ACCOUNTS=/opt/airflow/include/accounts.yaml \
    BUYER_MESSAGING_DATA_DOCS=/opt/airflow/data_docs
