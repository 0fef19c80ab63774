"""The feedback dashboard's monthly trend, drawn as inline SVG: the score as a line, its 95% interval as a band."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
STYLE = (
    ".grid{stroke:#e3e6ea;stroke-width:1}.axis{font:11px sans-serif;fill:#6b7280}"
    ".band{fill:#2563eb;fill-opacity:.15;stroke:none}.line{fill:none;stroke:#2563eb;stroke-width:2}.dot{fill:#2563eb}"
)
# What each metric's axis spans.
RANGES: dict[str, tuple[float, float]] = {"nps": (-100, 100), "csat": (0, 100), "buy_again": (0, 100), "effort": (1, 7)}


def _points(values: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in values)


@register.simple_tag
def trend_svg(trend: list[tuple[dt.date, Any]], metric: str = "nps") -> SafeString:
    """Return an SVG chart of one score per month with its interval as a band; months without answers are gaps."""
    low, high = RANGES[metric]
    months = len(trend)
    step = (WIDTH - LEFT - RIGHT) / max(months - 1, 1)

    def x(index: int) -> float:
        return LEFT + index * step

    def y(value: float) -> float:
        value = min(max(value, low), high)
        return TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM)

    parts: list[str] = []
    for tick in (low, (low + high) / 2, high):
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
                '<text x="{}" y="{}" class="axis" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                f"{y(tick):.1f}",
                f"{y(tick):.1f}",
                LEFT - 6,
                f"{y(tick) + 4:.1f}",
                f"{tick:g}",
            )
        )
    # Consecutive months with a score form one run: a band and a line each, so an empty month leaves a gap.
    runs: list[list[tuple[int, Any]]] = [[]]
    for index, (_month, scores) in enumerate(trend):
        score = getattr(scores, metric)
        if score is None:
            runs.append([])
        else:
            runs[-1].append((index, score))
    for run in runs:
        if not run:
            continue
        upper = [(x(index), y(score.high)) for index, score in run]
        lower = [(x(index), y(score.low)) for index, score in reversed(run)]
        parts.append(f'<polygon class="band" points="{_points(upper + lower)}"/>')
        if len(run) > 1:
            parts.append(f'<polyline class="line" points="{_points([(x(i), y(s.value)) for i, s in run])}"/>')
        else:
            # A month on its own has no band to fill: its interval is drawn as an error bar.
            parts.append(f'<polyline class="line" points="{_points([upper[0], lower[0]])}"/>')
        for index, score in run:
            title = _("%(value).1f (95%% interval %(low).1f to %(high).1f, %(n)s answers)") % {
                "value": score.value,
                "low": score.low,
                "high": score.high,
                "n": score.n,
            }
            parts.append(
                format_html(
                    '<circle class="dot" cx="{}" cy="{}" r="3.5"><title>{}</title></circle>',
                    f"{x(index):.1f}",
                    f"{y(score.value):.1f}",
                    title,
                )
            )
    for index, (month, _scores) in enumerate(trend):
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="axis" text-anchor="middle">{}</text>',
                f"{x(index):.1f}",
                HEIGHT - 8,
                date_format(month, "M"),
            )
        )
    label = escape(_("Monthly trend and its confidence band"))
    return mark_safe(  # noqa: S308 - every value above is a number or was escaped by format_html
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><style>{STYLE}</style>{"".join(str(part) for part in parts)}</svg>'
    )
