"""What each Airflow task does: read its context, open its connections, call a stage.

Stages are plain functions (extract/, quality/, plan/, send/ ...) that tests call without
Airflow; this module is the only glue between them and the task context.
"""

from __future__ import annotations

import logging
import os
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from buyer_messaging.config import Account, read_accounts

if TYPE_CHECKING:
    from airflow.sdk import Context

log = logging.getLogger("buyer_messaging")


def account(account_id: str) -> Account:
    read = read_accounts()  # another account's typo must not stop this one
    for acc in read.accounts:
        if acc.id == account_id:
            return acc
    read.raise_problems()
    raise KeyError(f"account {account_id!r} is not in the accounts file {read.path}")


def interval_of(context: Context, acc: Account) -> tuple[datetime, datetime]:
    """The run's data interval; a run without one gets the last complete local day.

    Airflow 3 triggers a run with no logical date (the CLI's and the UI's default), and then the
    context has no data interval at all.
    """
    given_start, given_end = context.get("data_interval_start"), context.get("data_interval_end")
    if given_start is not None and given_end is not None:
        return _utc(given_start), _utc(given_end)
    run_after = getattr(context.get("dag_run"), "run_after", None) or datetime.now(UTC)
    start, end = last_complete_day(acc.tz, run_after)
    log.info(
        "this run has no data interval (triggered without a logical date): it covers the last"
        " complete day in %s before it was queued, %s [%s, %s)",
        acc.tz, start.astimezone(ZoneInfo(acc.tz)).date(), start.isoformat(), end.isoformat(),
    )  # fmt: skip
    return start, end


def last_complete_day(tz: str, moment: datetime) -> tuple[datetime, datetime]:
    """The local day before `moment` in `tz`, as a UTC interval.

    Callers pass the run's run_after, not now: every task of one run then covers the same day,
    even when the run crosses midnight.
    """
    zone = ZoneInfo(tz)
    today = _utc(moment).astimezone(zone).date()
    yesterday = today - timedelta(days=1)
    end = datetime(today.year, today.month, today.day, tzinfo=zone)
    start = datetime(yesterday.year, yesterday.month, yesterday.day, tzinfo=zone)
    return _utc(start), _utc(end)


def _utc(moment: datetime) -> datetime:
    return datetime.fromtimestamp(moment.timestamp(), UTC)


def run_day(acc: Account, interval: tuple[datetime, datetime]) -> date:
    return interval[0].astimezone(ZoneInfo(acc.tz)).date()


def _warehouse() -> tuple[Any, str]:
    from buyer_messaging.warehouse.connection import connect, warehouse_dsn

    dsn = warehouse_dsn()
    return connect(dsn), dsn


def _spapi(acc: Account, api_cls: type) -> Any:
    from buyer_messaging.spapi.hook import SpApiHook

    return SpApiHook(acc.spapi_conn_id, marketplace=acc.marketplace).client(api_cls)


def migrate_warehouse() -> dict[str, Any]:
    from buyer_messaging.warehouse.migrate import migrate

    conn, _ = _warehouse()
    with closing(conn):
        applied = migrate(conn)
    log.info(
        "summary: warehouse migrations applied now: %s", ", ".join(applied) or "none (up to date)"
    )
    return {"applied": applied}


def _orders_source(acc: Account, caller: Any) -> tuple[Any, Any]:
    """The account's Orders API source and the items its messages need (extract_orders and
    list_order_details alike)."""
    from sp_api.api import Reports

    from buyer_messaging.extract.items import ItemsPlan, items_need
    from buyer_messaging.extract.source import client_class, order_source
    from buyer_messaging.policies import load_exclusions, load_product_info, load_timing

    source = order_source(
        acc.orders_api,
        _spapi(acc, client_class(acc.orders_api)),
        caller,
        account_id=acc.id,
        salt=_buyer_salt(acc),
        marketplace_id=acc.market.marketplace_id,
        with_items=False,  # v0: only the items the account's messages need, fetched apart
    )
    items = ItemsPlan(
        need=items_need(
            acc.kinds, timing=load_timing(), product_info=load_product_info(),
            exclusions=load_exclusions(),
        ),
        setting=acc.order_items,
        reports_client=_spapi(acc, Reports),
        marketplace_id=acc.market.marketplace_id,
    )  # fmt: skip
    return source, items


def extract_orders(account_id: str, context: Context) -> dict[str, Any]:
    from buyer_messaging.extract.orders import extraction_window
    from buyer_messaging.extract.report_first import OrdersPlan
    from buyer_messaging.extract.source import load_orders
    from buyer_messaging.spapi.calls import SpApiCaller

    acc = account(account_id)
    interval = interval_of(context, acc)
    conn, _ = _warehouse()
    with closing(conn):
        window = extraction_window(conn, acc.id, interval, lookback_days=acc.lookback_days)
        caller = SpApiCaller()
        source, items = _orders_source(acc, caller)
        orders = OrdersPlan(
            setting=acc.orders_source,
            reports_client=items.reports_client,
            marketplace_id=acc.market.marketplace_id,
            listing_budget_s=acc.orders_listing_minutes * 60.0,
        )
        stats = load_orders(
            conn, source, caller, account_id=acc.id, window=window, items=items, orders=orders
        )
    log.info("summary: orders API %s: %s; %s", acc.orders_api, stats.summary(), caller.summary())
    return {
        "orders": stats.orders,
        "items": stats.items,
        "rejected": stats.rejected,
        "pages": stats.pages,
        "items_source": stats.items_source,
        "orders_path": stats.path,
        "report_orders": stats.report_orders,
        "details_left": stats.details_left,
    }


def list_order_details(
    account_id: str, context: Context, extracted: dict[str, Any]
) -> dict[str, Any]:
    """Beside validate ... send, until the run's send deadline: the listing of the orders a
    report-first extract_orders staged from the all-orders report (extract/source.py's
    list_order_details). It calls only the Orders API (getOrders / searchOrders, and
    getOrderItems for an order changed since its report), none of the send operations, so it
    takes no slot of the account's `spapi_<id>` pool and no token of the send buckets."""
    import time

    from buyer_messaging.extract.source import list_order_details as list_details
    from buyer_messaging.send.timebox import next_run_start
    from buyer_messaging.spapi.calls import SpApiCaller

    acc = account(account_id)
    if extracted.get("orders_path") != "report":
        log.info(
            "orders of %s came from the listing (orders_path %s): every order has its details;"
            " nothing to list", acc.id, extracted.get("orders_path"),
        )  # fmt: skip
        return {"listed": 0, "skipped": "listed account"}
    now = datetime.now(UTC)
    due = next_run_start(interval_of(context, acc), acc.tz)
    if due - timedelta(minutes=acc.send_margin_minutes) <= now:
        # a backfill or a late run: its successor is due, and every day of a backfill would
        # otherwise list for a whole interval before the next may start; the checkpoints stay
        # for the run that is on time
        log.info("a late run (the next is due %s): the listing is left to it", due.isoformat())
        return {"listed": 0, "skipped": "late run"}
    deadline, why = _send_deadline(acc, context, now)
    clock = time.monotonic
    conn, _ = _warehouse()
    with closing(conn):
        caller = SpApiCaller()
        source, items = _orders_source(acc, caller)
        log.info("listing the report-only orders' details until %s (%s)", deadline.isoformat(), why)
        stats = list_details(
            conn, source, caller, account_id=acc.id, items=items, clock=clock,
            until=clock() + max(0.0, (deadline - now).total_seconds()),
            cancellations_since=_cancellations_since(acc, now),
        )  # fmt: skip
    log.info("summary: orders API %s: %s; %s", acc.orders_api, stats.summary(), caller.summary())
    return {
        "listed": stats.orders,
        "pages": stats.pages,
        "rejected": stats.rejected,
        "stopped": stats.stopped,
        "details_left": stats.details_left,
        "requesters": stats.requesters,
        "requesters_left": stats.requesters_left,
    }


def _cancellations_since(acc: Account, now: datetime) -> datetime | None:
    """The oldest cancellation whose notice may still go out (its local day's end plus
    stale_after_days, a day of margin for the time zone): who cancelled is fetched for those
    only; None when the account sends no cancellation notices."""
    from buyer_messaging.policies import load_timing

    if "unavailability_notice" not in acc.kinds:
        return None
    stale = load_timing().of("unavailability_notice", acc.marketplace).stale_after_days or 0
    return now - timedelta(days=stale + 2)


def extract_returns(account_id: str, context: Context) -> dict[str, Any]:
    from sp_api.api import Reports

    from buyer_messaging.extract.returns import UnreadableReport, returns_window
    from buyer_messaging.extract.returns import extract_returns as extract
    from buyer_messaging.spapi.calls import SpApiCaller

    acc = account(account_id)
    interval = interval_of(context, acc)
    conn, _ = _warehouse()
    with closing(conn):
        window = returns_window(
            conn,
            acc.id,
            interval,
            lookback_days=acc.lookback_days,
            refresh_days=acc.returns_refresh_days,
        )
        caller = SpApiCaller()
        try:
            stats = extract(
                conn, _spapi(acc, Reports), caller, account_id=acc.id, window=window,
                marketplace_id=acc.market.marketplace_id, tz=acc.tz,
            )  # fmt: skip
        except UnreadableReport as err:
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(str(err)) from None  # the same document again: no retry
    log.info("summary: %s; %s", stats.summary(), caller.summary())
    return {"returns": stats.returns, "rejected": stats.rejected, "reports": len(stats.reports)}


def extract_feedback(account_id: str, context: Context) -> dict[str, Any]:
    from sp_api.api import Reports

    from buyer_messaging.extract.feedback import extract_feedback as extract
    from buyer_messaging.extract.feedback import feedback_window
    from buyer_messaging.spapi.calls import SpApiCaller

    acc = account(account_id)
    interval = interval_of(context, acc)
    conn, _ = _warehouse()
    with closing(conn):
        window = feedback_window(conn, acc.id, interval, lookback_days=acc.lookback_days)
        caller = SpApiCaller()
        stats = extract(
            conn, _spapi(acc, Reports), caller, account_id=acc.id, window=window,
            marketplace=acc.marketplace, marketplace_id=acc.market.marketplace_id,
            salt=_buyer_salt(acc),
        )  # fmt: skip
    log.info("summary: %s; %s", stats.summary(), caller.summary())
    return {"ratings": stats.loaded, "negative": stats.negative, "rejected": stats.rejected}


def _buyer_salt(acc: Account) -> str:
    return os.environ.get("BUYER_MESSAGING_BUYER_SALT", acc.id)


def validate(account_id: str, context: Context) -> dict[str, Any]:
    from airflow.sdk.exceptions import AirflowFailException

    from buyer_messaging.policies import load_timing
    from buyer_messaging.quality.validate import QualityGateFailed, validate_orders

    acc = account(account_id)
    interval = interval_of(context, acc)
    day = run_day(acc, interval)
    conn, _ = _warehouse()
    with closing(conn):
        # the first run validates the onboarding window too
        window = (interval[0] - timedelta(days=acc.lookback_days), interval[1])
        try:
            outcome = validate_orders(
                conn, account_id=acc.id, window=window, run_day=day, docs_dir=docs_dir(),
                max_bad_share=load_timing().bad_share_threshold(acc.id), day=interval,
            )  # fmt: skip
        except QualityGateFailed as err:
            raise AirflowFailException(str(err)) from None  # the same data fails again: no retry
    if outcome.docs_path:
        log.info("data docs: %s", outcome.docs_path)
    log.info("summary: %s", outcome.summary())
    return {
        "checked": outcome.rows_checked,
        "quarantined": outcome.bad_order_count,
        "returns_quarantined": outcome.bad_return_count,
    }


def signals(account_id: str, context: Context) -> dict[str, Any]:
    from buyer_messaging.policies import load_pack, load_timing

    acc = account(account_id)
    pack = load_pack(acc.policy_pack or load_timing().default_pack)
    conn, _ = _warehouse()
    with closing(conn):
        return _apply_signals(acc, conn, context, pack)


def _apply_signals(acc: Account, conn: Any, context: Context, pack: Any) -> dict[str, Any]:
    """Open cases for new negative signals, skip what is pending for them, alert the seller.
    Idempotent (a case opens once, an alert goes with its opening): the signals stage runs it
    after validate, and send_backlog before it sends what earlier runs left ready."""
    from buyer_messaging.config import ALL_KINDS
    from buyer_messaging.signals.stage import alert_new_cases, open_signal_cases

    noncritical = [k for k in ALL_KINDS if not (k in pack.kinds and pack.kinds[k].critical)]
    cases, skipped = open_signal_cases(conn, acc.id, tz=acc.tz, noncritical_kinds=noncritical)
    sent = alert_new_cases(
        acc.id, cases, recipients=acc.alert_emails, notifiers=acc.case_notifiers, context=context
    )
    log.info(
        "summary: %d new issue-resolution case(s), %d pending message(s) skipped, alert sent"
        " through %d notifier(s)", len(cases), skipped, sent,
    )  # fmt: skip
    return {"new_cases": len(cases), "skipped": skipped, "alerts": sent}


def docs_dir() -> Any:
    from buyer_messaging.config import data_docs_dir

    return data_docs_dir()


def plan(account_id: str, context: Context) -> dict[str, int]:
    from buyer_messaging.plan.planner import plan_day
    from buyer_messaging.policies import load_pack, load_timing

    acc = account(account_id)
    interval = interval_of(context, acc)
    conn, _ = _warehouse()
    with closing(conn):
        timing = load_timing()
        counts = plan_day(
            conn,
            account_id=acc.id,
            kinds=acc.kinds,
            run_day=run_day(acc, interval),
            day=interval,
            timing=timing,
            pack=load_pack(acc.policy_pack or timing.default_pack),
            enabled_despite_policy=acc.enabled_despite_policy,
            tz=acc.tz,
            marketplace=acc.marketplace,
            send_hour=acc.send_hour,
        )
    log.info("summary: planned %s", dict(counts) or "nothing new")
    return dict(counts)


def render_and_lint(account_id: str, context: Context) -> dict[str, int]:
    from buyer_messaging.compose.stage import render_and_lint as prepare

    acc = account(account_id)
    conn, _ = _warehouse()
    from buyer_messaging.spapi.calls import SpApiCaller

    caller = SpApiCaller()
    addresses, locales = None, None
    if "shipment_confirmation" in acc.kinds:
        from buyer_messaging.extract.source import client_class
        from buyer_messaging.render.address import DeliveryAddresses

        tokens = _client(acc, "tokens") if acc.orders_api == "v0" else None
        orders = _spapi(acc, client_class(acc.orders_api))
        addresses = DeliveryAddresses(acc.orders_api, orders, caller, tokens)
    if acc.buyer_locale and set(acc.kinds) - {"review_request"}:
        from buyer_messaging.render.buyer_locale import BuyerLocales

        locales = BuyerLocales(_client(acc, "messaging"), caller, acc.market.marketplace_id)
    with closing(conn):
        counts = prepare(
            conn, account_id=acc.id, locale=acc.market.locale, seller_name=acc.seller_name,
            addresses=addresses, locales=locales,
        )  # fmt: skip
    log.info(
        "summary: %s%s",
        dict(counts) or "nothing to prepare",
        f"; {caller.summary()}",
    )
    return dict(counts)


def _send_deadline(acc: Account, context: Context, now: datetime) -> tuple[datetime, str]:
    from buyer_messaging.send.timebox import send_deadline

    return send_deadline(
        interval_of(context, acc), acc.tz, now=now, margin=timedelta(minutes=acc.send_margin_minutes),
        budget=timedelta(minutes=acc.send_budget_minutes) if acc.send_budget_minutes else None,
    )  # fmt: skip


def send_backlog(account_id: str, context: Context) -> dict[str, dict[str, int]]:
    """Once the day's ratings and returns are extracted, beside extract_orders ... render: apply
    their negative signals, then send what the previous runs left `ready` (send/backlog.py),
    time-boxed to the same deadline as the run's `send` tasks, on the
    account's shared buckets; they claim from the same outbox at the same time."""
    from buyer_messaging.policies import load_pack, load_timing
    from buyer_messaging.send.backlog import ready_and_rates
    from buyer_messaging.send.backlog import send_backlog as send_ready
    from buyer_messaging.send.wiring import channel_for
    from buyer_messaging.spapi.calls import SpApiCaller

    acc = account(account_id)
    if (context.get("params") or {}).get("dry_run"):
        log.info("summary: dry run: nothing will be sent")
        return {}
    deadline, why = _send_deadline(acc, context, datetime.now(UTC))
    conn, _ = _warehouse()
    caller = SpApiCaller(shared=(conn, acc.id))
    pack = load_pack(acc.policy_pack or load_timing().default_pack)
    channels: dict[str, Any] = {}

    def channel(kind: str) -> Any:
        if kind not in channels:
            channels[kind] = channel_for(kind, pack, caller, lambda name: _client(acc, name))
        return channels[kind]

    with closing(conn):
        # the day's ratings and returns are in (the task follows their extraction): a buyer who
        # just left a bad rating or returned a defective item gets no review request from the
        # backlog, which would otherwise go out before the signals stage skips it
        _apply_signals(acc, conn, context, pack)
        expired, pending, rates = ready_and_rates(conn, acc.id, pack)
        log.info(
            "summary: backlog %s, sending until %s (%s); %d expired before sending",
            pending or "empty", deadline.isoformat(), why, expired,
        )  # fmt: skip
        counts = send_ready(
            conn, channel, account_id=acc.id, pending=pending,
            critical={k for k in pending if pack.kinds[k].critical}, deadline=deadline, rates=rates,
        )  # fmt: skip
    caller.close()
    log.info(
        "summary: backlog sent %s; %s",
        {k: dict(c) for k, c in counts.items()} or "nothing", caller.summary(),
    )  # fmt: skip
    for kind, kind_counts in counts.items():
        _fail_on_critical_unknown(acc, pack, kind, kind_counts.get("delivery_unknown", 0))
    return {k: dict(c) for k, c in counts.items()}


def send_batches(account_id: str, context: Context) -> list[dict[str, Any]]:
    """Settle every orphaned `sending` row of the account (all kinds, each through its own
    channel), expire what is too stale, then the mapped `send` tasks: as many per kind as
    Amazon's rate lets work (send/timebox.py), each time-boxed to stop before the next run is
    due, labelled for the UI. Settling first means no orphan outlives a run, and a re-queued
    one is sent in this run's batches. The backlog sender, running since the run's start,
    holds one of the pool's slots and its rows' locks (they are not orphans)."""
    from buyer_messaging.policies import load_pack, load_timing
    from buyer_messaging.send.backlog import BACKLOG_SENDERS, ready_and_rates
    from buyer_messaging.send.batch import settle_orphans
    from buyer_messaging.send.timebox import SEND_SLOTS, plan_senders
    from buyer_messaging.send.wiring import channel_for
    from buyer_messaging.spapi.calls import SpApiCaller

    acc = account(account_id)
    if (context.get("params") or {}).get("dry_run"):
        log.info("summary: dry run: nothing will be sent")
        return []
    now = datetime.now(UTC)
    deadline, why = _send_deadline(acc, context, now)
    conn, dsn = _warehouse()
    caller = SpApiCaller(shared=(conn, acc.id))
    pack = load_pack(acc.policy_pack or load_timing().default_pack)
    with closing(conn):
        settled = settle_orphans(
            conn, lambda kind: channel_for(kind, pack, caller, lambda name: _client(acc, name)),
            account_id=acc.id,
        )  # fmt: skip
        caller.close()
        expired, pending, rates = ready_and_rates(conn, acc.id, pack)
    if settled:
        log.warning("summary: interrupted sends settled before batching: %s", dict(settled))
    critical = {k for k in pending if pack.kinds[k].critical}
    batches = plan_senders(
        pending, critical=critical, deadline=deadline, now=now, rates=rates,
        slots=SEND_SLOTS - BACKLOG_SENDERS,
    )  # fmt: skip
    log.info(
        "summary: %d senders for %s, sending until %s (%s); %d expired before sending",
        len(batches), pending, deadline.isoformat(), why, expired,
    )  # fmt: skip
    return batches


def _fail_on_critical_unknown(acc: Account, pack: Any, kind: str, unknown: int) -> None:
    if not unknown or not pack.kinds[kind].critical:
        return
    from airflow.sdk.exceptions import AirflowFailException

    # the buyer may not know their order is cancelled: the run fails and its alert says so
    # (not retried: a retry cannot tell either; the batch's other outcomes are recorded)
    raise AirflowFailException(
        f"{unknown} {kind} message(s) of account {acc.id} ended delivery_unknown: the"
        " reply was lost and Amazon cannot tell whether they arrived. Check Seller Central and"
        " settle each with `buyer-messaging resolve --account ... --order ... --kind"
        f" {kind} (--delivered | --requeue) --by NAME --reason TEXT`; the list is in"
        " reporting.message_log (status delivery_unknown)."
    )


def send(account_id: str, batch: dict[str, Any]) -> dict[str, int]:
    from buyer_messaging.policies import load_pack, load_timing
    from buyer_messaging.send import outbox
    from buyer_messaging.send.batch import send_batch
    from buyer_messaging.send.wiring import channel_for
    from buyer_messaging.spapi.calls import SpApiCaller
    from buyer_messaging.warehouse.connection import transaction

    acc = account(account_id)
    conn, dsn = _warehouse()
    # buckets in the warehouse: every batch and worker of this account shares Amazon's rate
    caller = SpApiCaller(shared=(conn, acc.id))
    pack = load_pack(acc.policy_pack or load_timing().default_pack)
    deadline = datetime.fromisoformat(batch["deadline"]) if batch.get("deadline") else None
    with closing(conn):
        channel = channel_for(batch["kind"], pack, caller, lambda name: _client(acc, name))
        counts = send_batch(
            conn, channel, account_id=acc.id, kind=batch["kind"], limit=int(batch["limit"]),
            deadline=deadline,
        )  # fmt: skip
        with transaction(conn) as cur:
            left = outbox.pending_by_kind(cur, acc.id).get(batch["kind"], 0)
            held_at, held = outbox.held_until(cur, acc.id, batch["kind"])
    caller.close()
    log.info(
        "summary: %s: %s; %d left ready for the next run; %s",
        batch["label"], dict(counts) or "nothing claimed", left, caller.summary(),
    )  # fmt: skip
    _fail_on_critical_unknown(acc, pack, batch["kind"], counts.get("delivery_unknown", 0))
    _wait_for_held(acc, batch, held_at, held, sent=sum(counts.values()), deadline=deadline)
    return {**counts, "left_ready": left}


def _wait_for_held(
    acc: Account,
    batch: dict[str, Any],
    at: datetime | None,
    held: int,
    *,
    sent: int,
    deadline: datetime | None,
) -> None:
    """Messages held until a local hour (`send_hour`; `at` the first, `held` how many): a batch
    with room left waits for the first, rescheduled so it holds no worker slot, and claims again
    when it wakes; one held past the run's deadline stays ready for the next run instead."""
    if sent >= int(batch["limit"]) or at is None or (deadline is not None and at >= deadline):
        return
    from airflow.sdk.exceptions import AirflowRescheduleException

    log.info(
        "summary: %s: %d message(s) held until %s (%s): waiting",
        batch["label"], held, at.astimezone(ZoneInfo(acc.tz)).isoformat(timespec="minutes"), acc.tz,
    )  # fmt: skip
    raise AirflowRescheduleException(reschedule_date=at)


def _client(acc: Account, name: str) -> Any:
    if name == "smtp":
        from airflow.sdk import BaseHook

        from buyer_messaging.send.wiring import SMTP_CONN_ID, smtp_settings_from_connection

        return smtp_settings_from_connection(BaseHook.get_connection(SMTP_CONN_ID))
    from sp_api.api import Messaging, Solicitations, Tokens
    from sp_api.api.orders.orders_v0 import OrdersV0

    apis = {
        "solicitations": Solicitations,
        "messaging": Messaging,
        "orders": OrdersV0,
        "tokens": Tokens,
    }
    return _spapi(acc, apis[name])


def report(account_id: str, context: Context) -> dict[str, Any]:
    from buyer_messaging.report.day import day_report, forecast_unsent
    from buyer_messaging.send import outbox
    from buyer_messaging.warehouse.connection import transaction

    acc = account(account_id)
    day = run_day(acc, interval_of(context, acc))
    conn, _ = _warehouse()
    with closing(conn), transaction(conn) as cur:
        rows = outbox.day_summary(cur, acc.id, day)
        forecast = forecast_unsent(cur, acc, day)
    dry_run = bool((context.get("params") or {}).get("dry_run"))
    message, result = day_report(rows, dry_run=dry_run)
    log.info("summary: %s %s: %s", acc.id, day, message)
    if forecast:
        log.info(
            "summary: left ready for the next runs, and expiring unsent at the current rate: %s",
            ", ".join(
                f"{f.kind} {f.ready} ready, {f.expiring_unsent} expiring at {f.rate:g}/s"
                for f in forecast
            ),
        )
    result["forecast_expiring_unsent"] = {f.kind: f.expiring_unsent for f in forecast}
    return {"day": day.isoformat(), **result}
