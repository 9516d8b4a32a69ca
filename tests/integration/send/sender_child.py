"""A sending process for the crash and concurrency tests: `python sender_child.py DSN URL ACCOUNT`."""

import sys

from sp_api.api import Solicitations

from buyer_messaging.send.batch import send_batch
from buyer_messaging.send.channels import Solicitations as SolicitationsChannel
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.spapi.client import build_client
from buyer_messaging.spapi.credentials import SpApiCredentials
from buyer_messaging.warehouse.connection import connect
from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN


def main(dsn: str, url: str, account_id: str, limit: str = "100000") -> None:
    creds = SpApiCredentials(
        refresh_token=DEFAULT_REFRESH_TOKEN,
        lwa_app_id="amzn1.application-oa2-client.test",
        lwa_client_secret="secret",
        marketplace="US",
        endpoint=url,
        lwa_endpoint=f"{url}/auth/o2/token",
    )
    conn = connect(dsn)
    caller = SpApiCaller(shared=(conn, account_id))  # as tasks.send: one connection
    channel = SolicitationsChannel(caller, build_client(Solicitations, creds))
    # "started" when sending begins: the parent's kills must land among the sends, not in the
    # client's set-up (which imports Airflow's secrets masker)
    print("started", flush=True)
    counts = send_batch(
        conn, channel,
        account_id=account_id, kind="review_request", limit=int(limit),
    )  # fmt: skip
    print(dict(counts), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
