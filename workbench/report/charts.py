"""Small inline SVG charts for the one-page report.

The charts are drawn as plain SVG text, so the report needs no script and no network
access, and prints the same way in every browser. Every user-supplied name passes
through :func:`xml.sax.saxutils.escape`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np

__all__ = [
    "StepTimes",
    "SCENARIO_COLOURS",
    "timeline_svg",
    "timeline_unit",
    "distribution_svg",
]

#: Colours of the before and the after scenario (Okabe-Ito orange and blue, which
#: colour-blind readers can tell apart).
SCENARIO_COLOURS = ("#E69F00", "#0072B2")

_FONT = "font-family='Helvetica, Arial, sans-serif' font-size='9'"
_LABEL_WIDTH = 130
_BAR_HEIGHT = 5


@dataclass(frozen=True)
class StepTimes:
    """Mean minutes per case that one step adds in one scenario.

    Attributes
    ----------
    step : str
        The step's name.
    process_minutes : float
        Mean process time per case at this step, rework visits included.
    waiting_minutes : float
        Mean waiting time per case at this step, all causes together.
    """

    step: str
    process_minutes: float
    waiting_minutes: float


def timeline_svg(
    before: Sequence[StepTimes], after: Sequence[StepTimes], width: int = 360
) -> str:
    """Draw the value-stream timeline of both scenarios as an SVG element.

    Each step gets one row with a bar per scenario that contains it: waiting time as
    a pale segment, then process time as a solid segment, per case, on one shared
    scale in the unit that :func:`timeline_unit` returns. Steps are listed in the
    order of ``before``, then the steps that only ``after`` has.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    names = list(
        dict.fromkeys([row.step for row in before] + [row.step for row in after])
    )
    lookup = ({r.step: r for r in before}, {r.step: r for r in after})
    longest = _longest_bar(before, after)
    unit, divisor = _time_unit(longest)
    scale = (width - _LABEL_WIDTH - 40) / longest
    row_height = 2 * _BAR_HEIGHT + 3
    height = 24 + row_height * len(names) + 22
    parts = [_svg_open(width, height, "Value-stream timeline")]
    for index, name in enumerate(names):
        top = 20 + index * row_height
        parts.append(_text(4, top + _BAR_HEIGHT + 3, _shorten(name, 26)))
        for slot, rows in enumerate(lookup):
            if name in rows:
                parts += _timeline_bar(
                    rows[name], top + slot * (_BAR_HEIGHT + 1), scale, slot
                )
    parts.append(
        _axis(_LABEL_WIDTH, height - 20, width - 40, longest, scale, unit, divisor)
    )
    parts.append(_timeline_legend(width))
    parts.append("</svg>")
    return "\n".join(parts)


def timeline_unit(before: Sequence[StepTimes], after: Sequence[StepTimes]) -> str:
    """Return the time unit of the timeline's axis: minutes, hours or days.

    The unit depends on the longest bar, as in :func:`timeline_svg`: hours from
    180 minutes, days from 3 days.
    """
    return _time_unit(_longest_bar(before, after))[0]


def _longest_bar(before: Sequence[StepTimes], after: Sequence[StepTimes]) -> float:
    return max(
        [r.process_minutes + r.waiting_minutes for r in [*before, *after]] + [1e-9]
    )


def _timeline_bar(row: StepTimes, top: float, scale: float, slot: int) -> list[str]:
    colour = SCENARIO_COLOURS[slot]
    wait = row.waiting_minutes * scale
    work = row.process_minutes * scale
    title = (
        f"{'before' if slot == 0 else 'after'}: {row.waiting_minutes:.1f} min waiting, "
        f"{row.process_minutes:.1f} min process time"
    )
    return [
        f"<g><title>{escape(title)}</title>",
        _rect(_LABEL_WIDTH, top, wait, _BAR_HEIGHT, colour, opacity=0.3),
        _rect(_LABEL_WIDTH + wait, top, work, _BAR_HEIGHT, colour, opacity=1.0),
        "</g>",
    ]


def _timeline_legend(width: int) -> str:
    x = _LABEL_WIDTH
    return "".join(
        [
            _rect(x, 4, 10, 7, SCENARIO_COLOURS[0], 1.0),
            _text(x + 13, 11, "before"),
            _rect(x + 50, 4, 10, 7, SCENARIO_COLOURS[1], 1.0),
            _text(x + 63, 11, "after"),
            _rect(x + 95, 4, 10, 7, "#777777", 1.0),
            _text(x + 108, 11, "process time"),
            _rect(x + 170, 4, 10, 7, "#777777", 0.3),
            _text(x + 183, 11, "waiting time"),
        ]
    )


def distribution_svg(
    before: Sequence[float], after: Sequence[float], width: int = 360, bins: int = 30
) -> str:
    """Draw the lead-time distributions of both scenarios as an SVG element.

    Both histograms share the bins, and each shows the share of cases per bin as an
    outline, with a dashed line at its median. The bins end at the larger 99th
    percentile of the two scenarios, and longer lead times are not drawn. Values
    are lead times in minutes, and the axis uses minutes, hours or days, whichever
    suits the largest value.

    Returns
    -------
    str
        An ``<svg>`` element. When neither scenario has a finished case, it
        contains only a sentence that states this.
    """
    samples = [np.asarray(values, dtype=float) for values in (before, after)]
    samples = [values[np.isfinite(values)] for values in samples]
    height = 150
    parts = [_svg_open(width, height, "Lead-time distribution")]
    if not any(len(values) for values in samples):
        parts += [_text(10, 40, "No case finished in either scenario."), "</svg>"]
        return "\n".join(parts)
    top = float(max(np.percentile(values, 99) for values in samples if len(values)))
    edges = np.linspace(0.0, max(top, 1e-9), bins + 1)
    shares = [_shares(values, edges) for values in samples]
    peak = max(float(share.max()) for share in shares) or 1.0
    frame = (30, 16, width - 10, height - 22)
    for slot, share in enumerate(shares):
        parts.append(_outline(edges, share, peak, frame, SCENARIO_COLOURS[slot]))
        if len(samples[slot]):
            parts.append(_median_line(samples[slot], edges, frame, slot))
    unit, divisor = _time_unit(edges[-1])
    scale = (frame[2] - frame[0]) / edges[-1]
    parts.append(_axis(frame[0], frame[3], frame[2], edges[-1], scale, unit, divisor))
    caption = "share of cases per bin, longest 1% not drawn; dashed: median"
    parts.append(_text(frame[0], 10, caption))
    parts.append("</svg>")
    return "\n".join(parts)


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    if not len(values):
        return np.zeros(len(edges) - 1)
    # np.histogram leaves out values beyond the last edge, so the tail past the
    # 99th percentile is not drawn, but it still counts in the shares.
    counts, _ = np.histogram(values, bins=edges)
    return counts / len(values)


def _outline(edges, share, peak, frame, colour) -> str:
    left, top, right, bottom = frame
    x_scale = (right - left) / edges[-1]
    points = [(left, bottom)]
    for index, value in enumerate(share):
        y = bottom - (bottom - top) * value / peak
        points += [
            (left + edges[index] * x_scale, y),
            (left + edges[index + 1] * x_scale, y),
        ]
    points.append((right, bottom))
    text = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return (
        f"<polyline points='{text}' fill='none' stroke='{colour}' stroke-width='1.5'/>"
    )


def _median_line(values, edges, frame, slot) -> str:
    left, top, right, bottom = frame
    x = left + float(np.median(values)) / edges[-1] * (right - left)
    colour = SCENARIO_COLOURS[slot]
    return (
        f"<line x1='{x:.1f}' y1='{top}' x2='{x:.1f}' y2='{bottom}' stroke='{colour}' "
        "stroke-dasharray='3,2'/>"
    )


def _time_unit(largest_minutes: float) -> tuple[str, float]:
    if largest_minutes >= 3 * 1440:
        return "days", 1440.0
    if largest_minutes >= 180:
        return "hours", 60.0
    return "minutes", 1.0


def _axis(left, y, right, largest, scale, unit, divisor) -> str:
    step = _nice_step(largest / divisor / 4) * divisor
    parts = [f"<line x1='{left}' y1='{y}' x2='{right}' y2='{y}' stroke='#444'/>"]
    tick = 0.0
    while tick <= largest + 1e-9:
        x = left + tick * scale
        parts.append(
            f"<line x1='{x:.1f}' y1='{y}' x2='{x:.1f}' y2='{y + 3}' stroke='#444'/>"
        )
        parts.append(_text(x - 4, y + 12, f"{tick / divisor:g}"))
        tick += step
    parts.append(_text(right - 30, y + 20, unit))
    return "".join(parts)


def _nice_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' "
        f"width='100%' role='img' aria-label={quoteattr(title)}>"
        f"<title>{escape(title)}</title>"
    )


def _rect(x, y, width, height, colour, opacity) -> str:
    return (
        f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(width, 0):.1f}' height='{height}' "
        f"fill='{colour}' fill-opacity='{opacity}'/>"
    )


def _text(x, y, text: str) -> str:
    return f"<text x='{x:.1f}' y='{y:.1f}' {_FONT}>{escape(text)}</text>"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
