"""Bar charts as plain numbers for inline SVG: drawn on the server, no script, no assets."""

from __future__ import annotations

from dataclasses import dataclass

CHART_HEIGHT = 120
BAR_WIDTH = 14
BAR_GAP = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: int
    y: float
    height: float
    width: int = BAR_WIDTH


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    maximum: float


def bar_chart(points: list[tuple[str, float | None]], height: int = CHART_HEIGHT) -> BarChart:
    """Bars for (label, value) points, scaled so the largest fills `height`; None counts as 0."""
    maximum = max((value or 0 for _, value in points), default=0)
    bars = []
    for index, (label, value) in enumerate(points):
        value = value or 0
        bar_height = round(height * value / maximum, 1) if maximum else 0
        bars.append(Bar(label, value, index * (BAR_WIDTH + BAR_GAP), height - bar_height,
                        bar_height))
    width = max(len(points) * (BAR_WIDTH + BAR_GAP) - BAR_GAP, 1)
    return BarChart(bars, width, height, maximum)
