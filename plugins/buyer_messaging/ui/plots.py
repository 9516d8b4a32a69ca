"""Server-side SVG plots for the dashboard: horizontal bars (stacked or side by side) and
stacked columns per day. Plain SVG text, no library and nothing fetched from a network (the
machines that show it have no internet). Every bar carries its numbers in data-* attributes
and a <title>, so a reader hovering it, and a test, can read the exact value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

Series = Sequence[tuple[str, str, str]]  # (key, label, colour)

FONT = 'font-family="system-ui, sans-serif" font-size="12"'
WIDTH = 900


def _esc(value: object) -> str:
    return escape(str(value), quote=True)


def _svg(height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}"'
        f' height="{height}" role="img" aria-label="{_esc(title)}" {FONT}>'
        f"<title>{_esc(title)}</title>" + "".join(body) + "</svg>"
    )


def _legend(series: Series, y: int, present: set[str]) -> list[str]:
    out, x = [], 10
    for key, label, colour in series:
        if key not in present:
            continue
        out.append(
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{y + 9}" fill="#5a6678">{_esc(label)}</text>'
        )
        x += 24 + 7 * len(label)
        if x > WIDTH - 120:
            x, y = 10, y + 16
    return out


def _legend_height(series: Series, present: set[str]) -> int:
    rows, x = 1, 10
    for key, label, _ in series:
        if key in present:
            x += 24 + 7 * len(label)
            if x > WIDTH - 120:
                x, rows = 10, rows + 1
    return rows * 16 + 8


def empty(title: str, message: str) -> str:
    return _svg(40, title, [f'<text x="10" y="24" fill="#5a6678">{_esc(message)}</text>'])


def hbars(
    title: str,
    values: Mapping[str, Mapping[str, float | None]],
    series: Series,
    *,
    stacked: bool = True,
    percent: bool = False,
    empty_message: str = "No data in this range.",
) -> str:
    """One row per category (`values` key); per series a segment (stacked) or its own bar."""
    categories = list(values)
    if not categories:
        return empty(title, empty_message)
    present = {k for v in values.values() for k, n in v.items() if n}
    label_w, total_w, row_h = 190, 70, 26
    bar_h = row_h - 8 if stacked else max(6, (row_h - 6) // max(len(series), 1))
    per_row = row_h if stacked else bar_h * len(series) + 8
    sums = [sum(values[c].get(k) or 0 for k, _, _ in series) for c in categories]
    singles = [values[c].get(k) or 0 for c in categories for k, _, _ in series]
    top = max(sums if stacked else singles) or 1
    scale = (WIDTH - label_w - total_w) / (1.0 if percent else top)
    body: list[str] = []
    for i, cat in enumerate(categories):
        y = 6 + i * per_row
        body.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 4}" text-anchor="end">{_esc(cat)}</text>'
        )
        x = float(label_w)
        for j, (key, label, colour) in enumerate(series):
            n = values[cat].get(key)
            shown = "–" if n is None else (f"{n:.1%}" if percent else f"{n:g}")
            yy = y if stacked else y + j * bar_h
            w = (n or 0) * scale
            if n or not stacked:
                body.append(
                    f'<g class="bar" data-category="{_esc(cat)}" data-series="{_esc(key)}"'
                    f' data-value="{"" if n is None else n}">'
                    f'<rect x="{x:.1f}" y="{yy}" width="{max(w, 1 if n else 0):.1f}"'
                    f' height="{bar_h - 1}" fill="{colour}"/>'
                    f"<title>{_esc(cat)} · {_esc(label)}: {shown}</title></g>"
                )
            if stacked:
                x += w
            else:
                body.append(
                    f'<text x="{label_w + w + 4:.1f}" y="{yy + bar_h - 2}" fill="#5a6678">{shown}</text>'
                )
        if stacked:
            body.append(
                f'<text x="{x + 6:.1f}" y="{y + bar_h - 4}" fill="#5a6678">{sums[i]:g}</text>'
            )
    legend_y = 10 + len(categories) * per_row
    body += _legend(series, legend_y, present if stacked else {k for k, _, _ in series})
    height = legend_y + _legend_height(series, present if stacked else {k for k, _, _ in series})
    return _svg(height, title, body)


def columns(
    title: str,
    values: Mapping[str, Mapping[str, float | None]],
    series: Series,
    days: Sequence[str],
    *,
    empty_message: str = "No data in this range.",
) -> str:
    """Stacked columns, one per day of `days` (a day absent from `values` is an empty column)."""
    if not values:
        return empty(title, empty_message)
    present = {k for v in values.values() for k, n in v.items() if n}
    height, left, bottom, top = 220, 44, 22, 8
    plot_h = height - bottom - top
    sums = [sum(values.get(d, {}).get(k) or 0 for k, _, _ in series) for d in days]
    peak = max(sums) or 1
    step = (WIDTH - left) / max(len(days), 1)
    w = min(max(step * 0.7, 1), 48)
    body = [
        f'<line x1="{left}" x2="{WIDTH}" y1="{top}" y2="{top}" stroke="#e2e8f0"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" fill="#5a6678">{peak:g}</text>',
        f'<text x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end" fill="#5a6678">0</text>',
    ]
    label_every = max(1, -(-len(days) // 10))
    for i, day in enumerate(days):
        x = left + i * step + (step - w) / 2
        y = float(top + plot_h)
        for key, label, colour in series:
            n = values.get(day, {}).get(key) or 0
            if not n:
                continue
            h = n / peak * plot_h
            y -= h
            body.append(
                f'<g class="bar" data-category="{_esc(day)}" data-series="{_esc(key)}" data-value="{n}">'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}"/>'
                f"<title>{_esc(day)} · {_esc(label)}: {n:g}</title></g>"
            )
        if i % label_every == 0:
            body.append(
                f'<text x="{x + w / 2:.1f}" y="{height - 6}" text-anchor="middle"'
                f' fill="#5a6678">{_esc(day[5:])}</text>'
            )
    body += _legend(series, height + 4, present)
    return _svg(height + 4 + _legend_height(series, present), title, body)
