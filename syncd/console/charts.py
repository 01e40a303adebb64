"""The overview's chart of recent runs, drawn on the server as SVG: no script, no library, prints as it shows.

One bar per run: its writes, with the changes that failed or were parked stacked on top in red, and a line
for how long the run took (right-hand scale). A run that ended in error is marked under its bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

__all__ = ["runs_chart"]

_W, _H = 760, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 48, 14, 34


def _nice(value: float) -> float:
    """A round upper bound for an axis (1, 2, 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 < value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def runs_chart(runs: Sequence[dict[str, Any]]) -> str:
    if not runs:
        return ('<svg class="chart" role="img" aria-label="no runs yet" viewBox="0 0 760 60" '
                'xmlns="http://www.w3.org/2000/svg"><text x="10" y="35">no run yet: '
                'run syncd --reconcile or syncd run</text></svg>')
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    top_count = _nice(max(r["writes"] + r["failed"] + r["parked"] for r in runs))
    top_secs = _nice(max((r["seconds"] or 0.0) for r in runs))
    slot = plot_w / len(runs)
    bar = max(2.0, min(28.0, slot * 0.7))
    parts = [f'<svg class="chart" role="img" aria-label="writes, failures and duration of the last {len(runs)} runs"'
             f' viewBox="0 0 {_W} {_H}" xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="sans-serif">']
    for i in range(5):  # grid and left scale
        y = _TOP + plot_h * i / 4
        parts.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
                     f'{top_count * (4 - i) / 4:g}</text>')
        parts.append(f'<text x="{_W - _RIGHT + 4}" y="{y + 4:.1f}" fill="#8a5a00">'
                     f'{top_secs * (4 - i) / 4:g}s</text>')
    points = []
    for i, run in enumerate(runs):
        x = _LEFT + slot * i + (slot - bar) / 2
        h_ok = plot_h * run["writes"] / top_count
        h_bad = plot_h * (run["failed"] + run["parked"]) / top_count
        base = _TOP + plot_h
        tip = escape(f"run {run['id']} ({run['kind']}, {run['status']}): {run['writes']} writes, "
                     f"{run['failed']} failed, {run['parked']} parked, "
                     f"{(run['seconds'] or 0):.1f} s", quote=True)
        parts.append(f'<g class="run" data-run="{run["id"]}"><title>{tip}</title>')
        parts.append(f'<rect class="writes" x="{x:.1f}" y="{base - h_ok:.1f}" width="{bar:.1f}" '
                     f'height="{h_ok:.1f}" fill="#3b7dd8"/>')
        if h_bad:
            parts.append(f'<rect class="failures" x="{x:.1f}" y="{base - h_ok - h_bad:.1f}" width="{bar:.1f}" '
                         f'height="{h_bad:.1f}" fill="#d8453b"/>')
        if run["status"] in ("error", "failed"):
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 24:.1f}" text-anchor="middle" '
                         f'fill="#d8453b">!</text>')
        parts.append("</g>")
        if len(runs) <= 40 and (len(runs) <= 15 or i % 3 == 0):
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 13:.1f}" text-anchor="middle" fill="#555">'
                         f'{run["id"]}</text>')
        if run["seconds"] is not None:
            points.append(f"{x + bar / 2:.1f},{_TOP + plot_h - plot_h * run['seconds'] / top_secs:.1f}")
    if points:
        parts.append(f'<polyline class="duration" points="{" ".join(points)}" fill="none" stroke="#e0a000" '
                     f'stroke-width="2"/>')
        parts.extend(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" fill="#e0a000"/>'
                     for p in points)
    parts.append(f'<text x="{_LEFT}" y="{_H - 4}" fill="#3b7dd8">■ writes</text>'
                 f'<text x="{_LEFT + 70}" y="{_H - 4}" fill="#d8453b">■ failed or parked</text>'
                 f'<text x="{_LEFT + 190}" y="{_H - 4}" fill="#e0a000">— duration</text>')
    parts.append("</svg>")
    return "".join(parts)
