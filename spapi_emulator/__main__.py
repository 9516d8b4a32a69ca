"""`python -m spapi_emulator`: serve the emulator until stopped."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from .auth import DEFAULT_REFRESH_TOKEN


def _now(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spapi-emulator", description="A local Amazon SP-API + LWA emulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--orders-per-day", type=int, default=50)
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiplies rate limits, divides report processing time",
    )
    parser.add_argument("--faults", default=None, help="a YAML or JSON faults file")
    parser.add_argument(
        "--now", type=_now, default=None, help="a fixed 'now' (ISO 8601), default the real clock"
    )
    parser.add_argument("--marketplaces", default="US", help="comma-separated: US,GB,FR,DE,ES,IT")
    parser.add_argument(
        "--returns-format",
        choices=("amazon", "hyphenated"),
        default="amazon",
        help="the returns report's form: Amazon's documented title case with"
        " dd-Mon-yyyy dates (default), or lower-case hyphenated with ISO times",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    parser.add_argument(
        "--feedback-min-per-day",
        type=int,
        default=0,
        help="at least this many 1-star ratings for each purchase day (demo)",
    )
    parser.add_argument(
        "--showcase",
        action="store_true",
        help="each day's first two orders: a partial and a full seller cancellation (demo)",
    )
    parser.add_argument(
        "--refresh-token",
        default=os.environ.get("SPAPI_EMULATOR_REFRESH_TOKEN") or DEFAULT_REFRESH_TOKEN,
        help="the only refresh token LWA accepts (default $SPAPI_EMULATOR_REFRESH_TOKEN, else %(default)s)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .server import EmulatorServer

    server = EmulatorServer(
        host=args.host,
        port=args.port,
        seed=args.seed,
        orders_per_day=args.orders_per_day,
        time_scale=args.time_scale,
        faults=args.faults,
        now=args.now,
        marketplaces=args.marketplaces,
        log_requests=not args.quiet,
        refresh_token=args.refresh_token,
        returns_format=args.returns_format,
        showcase=args.showcase,
    )
    server.emulator.feedback_min_per_day = args.feedback_min_per_day
    server.start()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"spapi-emulator listening on {server.url}", flush=True)
    try:
        signal.pause() if hasattr(signal, "pause") else server._thread.join()  # type: ignore[union-attr]
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
