"""Rendering and linting at scale, on one core: `render_message(kind, locale, context)` from
buyer_messaging.render and `lint_message(rules, kind=, locale=, subject=, body=)` from
buyer_messaging.lint. Skipped (value null) while either is absent.

Messages are realistic: every (kind, locale) template under include/templates/, contexts
drawn from emulator-like orders (accents, emoji, HTML-looking and over-long titles).

Times are CPU time (`time.process_time`): wall time moves with the other work on a shared
two-core machine (it is in the notes). The rules' memory is measured in a fresh process, as a
task that lints starts: what `load_rules()` adds to its RSS (the prefilter's compile, mostly).
"""

from __future__ import annotations

import importlib
import itertools
import json
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import ROOT, Figure, order_id, skipped

TITLES = (
    "Wireless Earbuds, Bluetooth 5.3",
    "Crème brûlée torch — professional ☕",
    "Kids' <b>Puzzle</b> Set {{ 7*7 }} 1000 pieces",
    "Ergonomic Office Chair with Lumbar Support, Adjustable Height, Breathable Mesh, 5 Year Warranty "
    * 2,
    "Stainless Steel Water Bottle 750 ml\u200b",
    "مصباح مكتب LED",
)
NAMES = ("Zoë", "José Álvarez", "Łukasz", "Anne-Marie", "李雷", "O'Brien")


def _modules() -> tuple[Any, Any] | str:
    try:
        render = importlib.import_module("buyer_messaging.render")
        lint = importlib.import_module("buyer_messaging.lint")
    except ImportError as err:
        return f"{err.name or err} is not there yet"
    if (
        not hasattr(render, "render_message")
        or not hasattr(lint, "lint_message")
        or not hasattr(lint, "load_rules")
    ):
        return "buyer_messaging.render.render_message / buyer_messaging.lint.{load_rules,lint_message} missing"
    return render, lint


def templates() -> list[tuple[str, str]]:
    root = ROOT / "include" / "templates"
    return sorted((p.parent.name, p.stem) for p in root.glob("*/*.j2")) if root.is_dir() else []


def context(n: int, locale: str) -> dict[str, Any]:
    title = TITLES[n % len(TITLES)]
    return {
        "amazon_order_id": order_id(n),
        "order_id": order_id(n),
        "buyer_name": NAMES[n % len(NAMES)],
        "seller_name": "Acme Home & Garden",
        "locale": locale,
        "items": [{"title": title, "quantity": 1 + n % 3, "asin": f"B0{n % 10**8:08d}"}],
        "product_title": title,
        "tracking_number": f"1Z{n:016d}",
        "carrier": "UPS",
        "marketplace": MARKET_OF.get(locale, "US"),
        "estimated_delivery": date(2026, 11, 25),
        "ship_date": date(2026, 11, 21),
        "currency": "USD" if locale == "en-US" else ("GBP" if locale == "en-GB" else "EUR"),
        "reason": ("cancelled", "delayed", "out_of_stock")[n % 3],
        "refund_amount": Decimal("24.90") + n % 50,
        "refund_date": date(2026, 11, 22),
        "adjusted_amount": None,
        "product_info": "Wash by hand before first use; the coating needs no seasoning.",
        "delivery_address": [
            NAMES[n % len(NAMES)],
            f"{1 + n % 250} Main Street",
            "Seattle, WA 98101",
        ],
    }


MARKET_OF = {
    "en-US": "US",
    "en-GB": "GB",
    "fr-FR": "FR",
    "de-DE": "DE",
    "es-ES": "ES",
    "it-IT": "IT",
}


def _render(render: Any, kind: str, locale: str, n: int) -> tuple[str, str]:
    out = render.render_message(kind, locale, context(n, locale))
    if isinstance(out, tuple):
        return str(out[0]), str(out[1])
    if isinstance(out, dict):
        return str(out.get("subject", "")), str(out.get("body", ""))
    return str(getattr(out, "subject", "")), str(getattr(out, "body", out))


def run(quick: bool) -> list[Figure]:
    mods = _modules()
    pairs = templates()
    why = (
        mods
        if isinstance(mods, str)
        else ("" if pairs else "no templates under include/templates/")
    )
    if why:
        return [
            skipped("render_lint_100k_s", "s", "< 30", why),
            skipped("lint_msgs_per_s", "msgs/s", ">= 5000", why),
            skipped("lint_rules_rss_mb", "MB", RULES_RSS_TARGET, why),
        ]
    rules_rss = _rules_rss()
    render, lint = mods  # type: ignore[misc]
    rules = lint.load_rules()

    # lint alone: a pool of rendered messages, linted round-robin for a fixed count
    pool = [
        (k, loc, *_render(render, k, loc, n))
        for n, (k, loc) in zip(range(600), itertools.cycle(pairs))
    ]
    count = 20_000 if quick else 100_000
    cpu, wall = time.process_time(), time.perf_counter()
    for kind, locale, subject, body in itertools.islice(itertools.cycle(pool), count):
        lint.lint_message(rules, kind=kind, locale=locale, subject=subject, body=body)
    lint_rate = count / (time.process_time() - cpu)
    lint_wall_rate = count / (time.perf_counter() - wall)

    # render + lint, 100k distinct messages (quick: 20k, scaled)
    total = 20_000 if quick else 100_000
    cpu, wall = time.process_time(), time.perf_counter()
    for n, (kind, locale) in zip(range(total), itertools.cycle(pairs)):
        subject, body = _render(render, kind, locale, n)
        lint.lint_message(rules, kind=kind, locale=locale, subject=subject, body=body)
    seconds = (time.process_time() - cpu) * (100_000 / total)
    wall_seconds = (time.perf_counter() - wall) * (100_000 / total)
    return [
        Figure(
            "render_lint_100k_s",
            seconds,
            "s",
            "< 30",
            note=f"CPU time ({wall_seconds:.1f} s wall); {len(pairs)} templates"
            + ("; quick mode: 20k measured, scaled to 100k" if quick else ""),
        ),
        Figure(
            "lint_msgs_per_s",
            lint_rate,
            "msgs/s",
            ">= 5000",
            note=f"CPU time ({lint_wall_rate:,.0f} msgs/s wall); one core, {count:,} lints of "
            f"{len(pool)} rendered messages",
        ),
        rules_rss,
    ]


# ~36 MB with 870 regexes (one prefilter database per language); room for the rules to grow,
# not for a regression of the kind issue #21 found (194 MB: one database, bounded repeats)
RULES_RSS_TARGET = "<= 60"

_RULES_RSS_CHILD = """
import json, time
def rss(key):
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) / 1024 for l in status if l.startswith(key + ":"))
from buyer_messaging.lint import load_rules
before, cpu = rss("VmRSS"), time.process_time()
rules = load_rules()
print(json.dumps({"before": before, "after": rss("VmRSS"), "peak": rss("VmHWM"),
                  "cpu_s": time.process_time() - cpu, "rules": len(rules)}))
"""


def _rules_rss() -> Figure:
    """What load_rules() adds to the RSS of a fresh process that imported the linter."""
    out = subprocess.run(
        [sys.executable, "-c", _RULES_RSS_CHILD],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return Figure(
        "lint_rules_rss_mb",
        r["after"] - r["before"],
        "MB",
        RULES_RSS_TARGET,
        note=f"RSS of a fresh process: {r['before']:.0f} MB after importing the linter, "
        f"{r['after']:.0f} MB after load_rules() ({r['rules']} rules; peak {r['peak']:.0f} MB), "
        f"which took {r['cpu_s']:.1f} s of CPU",
    )


if __name__ == "__main__":
    print(Path(__file__).name, [f.to_json() for f in run(quick=True)])
