"""Charts of a dataset, drawn on the server as SVG (no script): a bar or line chart of a numeric
column (``y``) summed, averaged or counted by the values of a text or date column (``x``).

GET parameters (the page's ``view=chart`` and the chart embed): ``chart`` (``bar``, ``line``),
``x``, ``y`` (empty: the count of records), ``agg`` (``sum``, ``avg``, ``count``). The records are
those of the table's current filter, read once (``DataTable.iterate``); a text column keeps its
:data:`MAX_GROUPS` largest groups, a date column goes by month, then by year, when it has more
values than that. Every chart comes with the same figures as a table, for screen readers and
for whoever prefers numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .fields import FieldType

MAX_GROUPS = 40
X_TYPES = frozenset({FieldType.TEXT, FieldType.DATE, FieldType.BOOLEAN, FieldType.URL})
Y_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL})
KINDS = {"bar": gettext_lazy("Bars"), "line": gettext_lazy("Line")}
AGGREGATIONS = {
    "sum": gettext_lazy("Sum"),
    "avg": gettext_lazy("Average"),
    "count": gettext_lazy("Number of records"),
}
#: The drawing's box (the SVG scales to its container).
WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 96


@dataclass
class ChartRequest:
    kind: str = "bar"
    x: object = None
    y: object = None
    agg: str = "sum"
    errors: list[str] = field(default_factory=list)

    def params(self) -> list[tuple[str, str]]:
        pairs = [("view", "chart"), ("chart", self.kind)]
        if self.x is not None:
            pairs.append(("x", self.x.name))
        if self.y is not None:
            pairs.append(("y", self.y.name))
        pairs.append(("agg", self.agg))
        return pairs


def chart_fields(table) -> tuple[list, list]:
    """The columns a chart may group by (``x``) and measure (``y``)."""
    return (
        [f for f in table.fields if f.type in X_TYPES],
        [f for f in table.fields if f.type in Y_TYPES],
    )


def parse_chart_request(table, params) -> ChartRequest:
    xs, ys = chart_fields(table)
    chart = ChartRequest()
    kind = params.get("chart", "").strip() or "bar"
    if kind not in KINDS:
        chart.errors.append(_("Unknown kind of chart: « %(kind)s ».") % {"kind": kind})
    else:
        chart.kind = kind
    x_name = params.get("x", "").strip()
    if x_name:
        chart.x = next((f for f in xs if f.name == x_name), None)
        if chart.x is None:
            chart.errors.append(
                _("The chart cannot group by « %(name)s »: choose a text or date column.")
                % {"name": x_name}
            )
    if chart.x is None and xs:
        chart.x = xs[0]
    agg = params.get("agg", "").strip()
    if agg and agg not in AGGREGATIONS:
        chart.errors.append(_("Unknown calculation: « %(agg)s ».") % {"agg": agg})
        agg = ""
    y_name = params.get("y", "").strip()
    if y_name:
        chart.y = next((f for f in ys if f.name == y_name), None)
        if chart.y is None:
            chart.errors.append(
                _("The chart cannot measure « %(name)s »: choose a numeric column.")
                % {"name": y_name}
            )
    elif not agg and ys:
        chart.y = ys[0]
    chart.agg = agg or ("sum" if chart.y is not None else "count")
    if chart.y is None:
        chart.agg = "count"
    return chart


def _svg(number: float) -> str:
    """A coordinate as SVG reads it (a dot, whatever the reader's language)."""
    return f"{number:.1f}"


@dataclass
class Bar:
    label: str
    value: float
    shown: str
    #: Coordinates, already written for the SVG (templates would localise floats).
    x: str = "0"
    y: str = "0"
    width: str = "0"
    height: str = "0"
    label_x: str = "0"


@dataclass
class Chart:
    kind: str
    title: str
    description: str
    x_label: str
    y_label: str
    bars: list[Bar]
    ticks: list[tuple[str, str]]
    points: str = ""
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    right_edge: int = WIDTH - RIGHT
    grouped_by: str = ""


def _group_key(x_field, value, by: str):
    if value is None:
        return None
    if x_field.type == FieldType.DATE and by != "day":
        return value[:7] if by == "month" else value[:4]
    if x_field.type == FieldType.BOOLEAN:
        return _("yes") if value else _("no")
    return str(value)


def _nice_step(top: float) -> float:
    if top <= 0:
        return 1
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def _shown(value: float) -> str:
    if float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(round(value, 2), decimal_pos=2, force_grouping=True)


def build_chart(table, where, chart: ChartRequest) -> Chart | None:
    """The chart of the records matching ``where``, or ``None`` when nothing can be drawn."""
    if chart.x is None:
        return None
    x_field, y_field = chart.x, chart.y
    by = "day"
    sums: dict = {}
    counts: dict = {}
    measured: dict = {}  # records with a value to average
    raw_values = []
    for record in table.iterate(where):
        raw_values.append((record.get(x_field.name), record.get(y_field.name) if y_field else 1))
    if x_field.type == FieldType.DATE:
        distinct = {v for v, _y in raw_values if v is not None}
        if len(distinct) > MAX_GROUPS:
            by = "month" if len({v[:7] for v in distinct}) <= MAX_GROUPS else "year"
    for x_value, y_value in raw_values:
        key = _group_key(x_field, x_value, by)
        if key is None:
            continue
        counts[key] = counts.get(key, 0) + 1
        if y_value is not None:
            sums[key] = sums.get(key, 0) + y_value
            measured[key] = measured.get(key, 0) + 1
    if not counts:
        return None
    values = {}
    for key, count in counts.items():
        if chart.agg == "count":
            values[key] = count
        elif chart.agg == "avg":
            values[key] = sums.get(key, 0) / measured[key] if measured.get(key) else 0
        else:
            values[key] = sums.get(key, 0)
    if x_field.type == FieldType.DATE:
        keys = sorted(values)
    else:
        keys = sorted(values, key=lambda k: (-values[k], k))[:MAX_GROUPS]
        if chart.kind == "line":
            keys = sorted(keys)
    top = max(max(values[k] for k in keys), 0)
    step = _nice_step(top)
    scale_top = step * max(1, math.ceil(top / step)) if top > 0 else 1
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / len(keys)
    bars = []
    for index, key in enumerate(keys):
        value = values[key]
        height = max(0.0, value) / scale_top * plot_height
        bar = Bar(
            label=str(key),
            value=value,
            shown=_shown(value),
            x=_svg(LEFT + index * slot + slot * 0.15),
            y=_svg(TOP + plot_height - height),
            width=_svg(slot * 0.7),
            height=_svg(height),
            label_x=_svg(LEFT + index * slot + slot / 2),
        )
        bars.append(bar)
    ticks = []
    tick = 0.0
    while tick <= scale_top + step / 2:
        ticks.append((_svg(TOP + plot_height - tick / scale_top * plot_height), _shown(tick)))
        tick += step
    if chart.agg == "count":
        y_label = _("Number of records")
    elif chart.agg == "avg":
        y_label = _("%(label)s (average)") % {"label": y_field.label}
    else:
        y_label = _("%(label)s (sum)") % {"label": y_field.label}
    grouped_by = {"month": _("by month"), "year": _("by year")}.get(by, "")
    title = _("%(measure)s by %(x)s") % {"measure": y_label, "x": x_field.label}
    highest = (
        _("Bar chart of %(count)s groups; the highest is %(name)s (%(value)s).")
        if chart.kind == "bar"
        else _("Line chart of %(count)s points; the highest is %(name)s (%(value)s).")
    )
    description = highest % {
        "count": len(keys),
        "name": max(bars, key=lambda b: b.value).label,
        "value": max(bars, key=lambda b: b.value).shown,
    }
    points = " ".join(f"{b.label_x},{b.y}" for b in bars) if chart.kind == "line" else ""
    return Chart(
        kind=chart.kind,
        title=title,
        description=description,
        x_label=str(x_field.label),
        y_label=y_label,
        bars=bars,
        ticks=ticks,
        points=points,
        grouped_by=grouped_by,
    )
