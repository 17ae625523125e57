"""A balance-over-time chart per account for the PDF summary, drawn with reportlab's own graphics.

One line plot per account: booking day on the x axis, the booked balance at the end of that day
on the y axis (rebuilt by :func:`.labels.balance_history`), axis labels in Norwegian number format.
No plotting stack beyond reportlab: the summary must render wherever the agency runs ``dsop``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from reportlab.graphics.charts.lineplots import LinePlot  # type: ignore[import-untyped]
from reportlab.graphics.shapes import Drawing, Line, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]

from opendsop.consumer.exports.labels import norwegian_amount

MAX_POINTS = 400  # a line of more points than this is thinned: the page has fewer pixels


def balance_chart(points: list[tuple[date, Decimal]], *, title: str, width: float, height: float = 110) -> Drawing:
    """The chart of ``points`` (at least one), ``width`` points wide."""
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, title, fontName="Helvetica-Bold", fontSize=8))
    if len(points) > MAX_POINTS:
        step = len(points) / MAX_POINTS
        points = [points[int(i * step)] for i in range(MAX_POINTS)] + [points[-1]]
    if len(points) == 1:
        points = [points[0], points[0]]
    values = [(day.toordinal(), float(amount)) for day, amount in points]
    low = min(v for _, v in values)
    high = max(v for _, v in values)
    if low == high:
        low, high = low - 1, high + 1
    plot = LinePlot()
    plot.x, plot.y = 62, 18
    plot.width, plot.height = width - 72, height - 36
    plot.data = [values]
    plot.lines[0].strokeColor = colors.HexColor("#1f5f8b")
    plot.lines[0].strokeWidth = 1
    first, last = values[0][0], values[-1][0]
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = first, max(last, first + 1)
    plot.xValueAxis.valueSteps = sorted({round(step) for step in _steps(first, max(last, first + 1), 5)})
    plot.xValueAxis.labelTextFormat = lambda v: date.fromordinal(int(v)).isoformat()
    plot.xValueAxis.labels.fontSize = 6
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = low, high
    plot.yValueAxis.valueSteps = [low + (high - low) * i / 4 for i in range(5)]
    plot.yValueAxis.labelTextFormat = lambda v: norwegian_amount(Decimal(round(v)), space=" ")[:-3]
    plot.yValueAxis.labels.fontSize = 6
    drawing.add(plot)
    if low < 0 < high:  # the zero line: an overdrawn stretch reads at a glance
        zero = plot.y + plot.height * (0 - low) / (high - low)
        drawing.add(
            Line(
                plot.x, zero, plot.x + plot.width, zero, strokeColor=colors.red, strokeWidth=0.4, strokeDashArray=[2, 2]
            )
        )
    return drawing


def _steps(low: float, high: float, count: int) -> list[float]:
    return [low + (high - low) * i / (count - 1) for i in range(count)]


__all__ = ["balance_chart"]
