"""The match-weight waterfall (after Splink's chart), drawn server-side as SVG geometry.

Each bar starts where the previous one ended: the prior first, then one bar per compared
field (and the conflict adjustment when it applied), and finally the total from zero. Only
presentation attributes and CSS classes are used, so the page needs no inline style or script.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 170
CHART_WIDTH = 520
VALUE_WIDTH = 70
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 8
AXIS_HEIGHT = 26


@dataclass(frozen=True)
class Bar:
    label: str
    detail: str
    weight: float
    start: float
    end: float
    kind: str  # prior, up, down, none, total
    x: float = 0.0
    width: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Waterfall:
    bars: list[Bar]
    total: float
    probability: float | None
    zero_x: float
    ticks: list[tuple[float, str]]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    value_x: int = LABEL_WIDTH + CHART_WIDTH + 8
    bar_height: int = BAR_HEIGHT


def _steps(prior: float, fields: list[dict], total: float) -> list[Bar]:
    bars = [Bar("prior", "how likely any pair is to match", prior, 0.0, prior, "prior")]
    running = prior
    for row in fields:
        weight = row.get("weight")
        if weight is None:
            continue
        kind = "up" if weight > 0 else "down" if weight < 0 else "none"
        bars.append(
            Bar(row["label"], row.get("level") or "", weight, running, running + weight, kind)
        )
        running += weight
    bars.append(Bar("total", "match weight", total, 0.0, total, "total"))
    return bars


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next((s for s in (1, 2, 5, 10, 20, 50) if span / s <= 8), 100)
    first = int(low // step) * step
    return [float(v) for v in range(first, int(high) + step + 1, step) if low <= v <= high]


def build_waterfall(
    prior: float, fields: list[dict], total: float, probability: float | None
) -> Waterfall:
    """Bars with their pixel positions; ``fields`` are rows with label, level and weight."""
    steps = _steps(prior, fields, total)
    values = [0.0] + [b.start for b in steps] + [b.end for b in steps]
    low, high = min(values), max(values)
    low, high = low - 0.5, high + 0.5
    scale = CHART_WIDTH / (high - low)

    def x_of(value: float) -> float:
        return round(LABEL_WIDTH + (value - low) * scale, 1)

    bars = []
    for i, bar in enumerate(steps):
        left, right = sorted((x_of(bar.start), x_of(bar.end)))
        bars.append(
            Bar(
                bar.label,
                bar.detail,
                bar.weight,
                bar.start,
                bar.end,
                bar.kind,
                x=left,
                width=round(max(right - left, 1.5), 1),
                y=TOP + i * ROW_HEIGHT,
            )
        )
    height = TOP + len(bars) * ROW_HEIGHT + AXIS_HEIGHT
    ticks = [(x_of(v), f"{v:g}") for v in _ticks(low, high)]
    return Waterfall(
        bars,
        total,
        probability,
        x_of(0.0),
        ticks,
        LABEL_WIDTH + CHART_WIDTH + VALUE_WIDTH + 8,
        height,
    )
