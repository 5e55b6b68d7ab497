"""Charts of one commune or one district: criteria met over time, criteria met per commune, the
recognitions of a district's communes over time. Each is an Altair spec turned into a
`charts.Chart` (the only coupling to charts.py: the Chart constructor and the font), so
`charts.render_all` renders it once and a warm build takes its SVG from the spec-hash cache:
a spec depends only on the figures it shows (no build date, no page path), so a commune whose
data did not change gives the same spec, hence the same hash.

Rules kept here: one mark per stated figure (a count counted from the 19-criteria rows of one
date is one figure too, marked as such in the table); one series per definition (level, criteria
set and kind: actual / target), never joined across definitions; time on a time axis; small
whole numbers only, so no thousands separator is ever printed; 320 px wide for a 360 px phone."""
from __future__ import annotations

import json

from .charts import FONT, PALETTE, SHAPES, Chart
from .vn import format_date

WIDTH = 300
_SHAPES: dict = {}  # one Altair call per chart shape; each chart copies it and puts its data in


def _alt():
    import altair as alt  # lazily, as charts.py does: only when a chart is made
    return alt


def _spec(shape: tuple, make, height: int, values: list[dict]) -> dict:
    """The Vega-Lite spec of one chart: the shape (encodings, axes, size) is built with Altair
    once per `shape` key, then copied with this chart's data (thousands of commune charts share
    a handful of shapes, and building a spec costs more than copying it). `make()` returns the
    Altair chart of the shape, without data. The title, source and legend are not drawn in the
    SVG: the page prints them above and under it (charts' `chart` macro: title, source, key),
    which is the same text to a reader and costs vl-convert ~20 ms less per text block."""
    key = (*shape, height)
    if key not in _SHAPES:
        chart = make().properties(width=WIDTH, height=height).configure(font=FONT).configure_view(stroke=None)
        _SHAPES[key] = json.dumps(chart.to_dict(validate=False))
    spec = json.loads(_SHAPES[key])
    spec["data"] = {"values": values}
    return spec


def _color(field: str, names: list[str]):
    """One colour per series, no legend in the SVG: `_key` gives the same colours to the page."""
    alt = _alt()
    return alt.Color(field=field, type="nominal", title=None, legend=None,
                     scale=alt.Scale(domain=names, range=[PALETTE[i % len(PALETTE)] for i in range(len(names))]))


def _key(names: list[str], symbol: str = "●") -> list[tuple[str, str, str]]:
    """The legend printed under the chart: (series, colour, symbol)."""
    return [(name, PALETTE[i % len(PALETTE)], symbol) for i, name in enumerate(names)]


def _axis_key(dates: list[str]) -> tuple:
    """What the time axis depends on: a year axis (with its tick step) or a month axis."""
    years = {d[:4] for d in dates}
    span = int(max(years)) - int(min(years))
    return ("%Y", max(1, (span + 5) // 6)) if span >= 2 else ("%m/%Y", None)


def _time_axis(key: tuple):
    alt = _alt()
    fmt, step = key
    if step:
        return alt.Axis(format=fmt, tickCount={"interval": "year", "step": step}, labelAngle=0,
                        title=None, grid=False)
    return alt.Axis(format=fmt, labelAngle=0, title=None, grid=False)


def criteria_over_time(slug: str, name: str, points: list[dict], source: str) -> Chart | None:
    """Criteria met per date for one commune. points: {"date": "2020-12-31", "when": "năm 2020",
    "series": "...", "met": 19, "total": 19, "source": "..."}; None under two dates."""
    if len({p["date"] for p in points}) < 2:
        return None
    alt = _alt()
    title = f"Số tiêu chí đạt theo thời gian: {name}"
    data = [{"Ngày": p["date"], "Thời điểm": p["when"], "Loại số liệu": p["series"],
             "Số tiêu chí đạt": p["met"], "Nhãn": f"{p['met']}/{p['total']}"} for p in points]
    top = max(19, *(p["total"] for p in points))
    # a year-end figure ("năm 2020", 31/12/2020) sits on its year's tick, not just before the next
    by_year = all(p["date"][5:] == "12-31" for p in points) and \
        len({p["date"][:4] for p in points}) == len({p["date"] for p in points})
    dates = [p["date"] for p in points]
    axis = _axis_key(dates)
    series = list(dict.fromkeys(p["series"] for p in points))

    def make():
        base = alt.Chart(alt.Data(values=[])).encode(
            x=alt.X(field="Ngày", type="temporal", timeUnit="year" if by_year else None,
                    axis=_time_axis(axis), scale=alt.Scale(padding=14)),
            y=alt.Y(field="Số tiêu chí đạt", type="quantitative", title="Số tiêu chí đạt",
                    scale=alt.Scale(domain=[0, top]), axis=alt.Axis(format="d", tickCount=5)),
            color=_color("Loại số liệu", series))
        lines = base.mark_line(point=alt.OverlayMarkDef(size=60, filled=True))
        labels = base.mark_text(dy=-10, fontSize=11).encode(text=alt.Text(field="Nhãn", type="nominal"))
        return alt.layer(lines, labels)

    spec = _spec(("over_time", by_year, axis, top, tuple(series)), make, 170, data)
    description = (f"Biểu đồ điểm theo thời gian: số tiêu chí {name} đạt tại mỗi thời điểm có số liệu. "
                   + "; ".join(f"{p['when']}: {p['met']}/{p['total']} ({p['series']})" for p in points) + ".")
    rows = [[p["when"], p["series"], f"{p['met']}/{p['total']}", p["source"]] for p in points]
    return Chart(slug, title, description, source, ["Thời điểm", "Loại số liệu", "Số tiêu chí đạt", "Nguồn"],
                 rows, spec, key=_key(series))


def communes_latest(slug: str, district: str, bars: list[dict], when: str, source: str) -> Chart | None:
    """Criteria met by each commune of a district at one date. bars: {"name", "met", "total"}."""
    if not bars:
        return None
    alt = _alt()
    title = f"Số tiêu chí đạt của từng xã, {when}"
    data = [{"Xã": b["name"], "Số tiêu chí đạt": b["met"], "Nhãn": f"{b['met']}/{b['total']}"} for b in bars]
    top = max(19, *(b["total"] for b in bars))
    def make():
        base = alt.Chart(alt.Data(values=[])).encode(
            y=alt.Y(field="Xã", type="nominal", title=None, sort="-x", axis=alt.Axis(labelLimit=120)),
            x=alt.X(field="Số tiêu chí đạt", type="quantitative", title="Số tiêu chí đạt",
                    scale=alt.Scale(domain=[0, top]), axis=alt.Axis(format="d", tickCount=5)))
        return alt.layer(base.mark_bar(color="#2e7d32"),
                         base.mark_text(align="left", dx=3, fontSize=10).encode(
                             text=alt.Text(field="Nhãn", type="nominal")))

    spec = _spec(("latest", top), make, max(60, 18 * len(bars)), data)
    description = (f"Biểu đồ thanh: số tiêu chí đạt của từng xã thuộc {district}, {when}. "
                   + "; ".join(f"{b['name']}: {b['met']}/{b['total']}" for b in bars) + ".")
    rows = [[b["name"], f"{b['met']}/{b['total']}", b["source"]] for b in bars]
    return Chart(slug, title, description, source, ["Xã", "Số tiêu chí đạt", "Nguồn"], rows, spec)


def recognitions_over_time(slug: str, district: str, marks: list[dict], source: str) -> Chart | None:
    """One mark per recognition of a commune of the district: year on a time axis, the
    commune on the other, the level as colour. marks: {"name", "year", "level", "decision", "source"}."""
    if not marks:
        return None
    alt = _alt()
    title = f"Các xã được công nhận qua các năm: {district}"
    data = [{"Năm": f"{m['year']}-07-01", "Xã": m["name"], "Mức": m["level"]} for m in marks]
    names = list(dict.fromkeys(m["name"] for m in marks))
    levels = list(dict.fromkeys(m["level"] for m in marks))
    axis = _axis_key([d["Năm"] for d in data])

    def make():
        return alt.Chart(alt.Data(values=[])).mark_point(filled=True, size=70).encode(
            x=alt.X(field="Năm", type="temporal", axis=_time_axis(axis)),
            y=alt.Y(field="Xã", type="nominal", title=None, sort=names, axis=alt.Axis(labelLimit=120)),
            color=_color("Mức", levels),
            shape=alt.Shape(field="Mức", type="nominal", legend=None,
                            scale=alt.Scale(domain=levels, range=[SHAPES[i % len(SHAPES)][0]
                                                                  for i in range(len(levels))])))

    spec = _spec(("recognitions", axis, tuple(names), tuple(levels)), make, max(40, 18 * len(names)), data)
    description = (f"Biểu đồ điểm: mỗi điểm là một quyết định hoặc tin công nhận một xã của {district}, "
                   "theo năm. " + "; ".join(f"{m['name']}: {m['level']} năm {m['year']}" for m in marks) + ".")
    rows = [[m["name"], m["level"], str(m["year"]), m["decision"] or "không tìm thấy", m["source"]]
            for m in marks]
    return Chart(slug, title, description, source, ["Xã", "Mức", "Năm", "Quyết định", "Nguồn"], rows, spec,
                 key=[(name, colour, SHAPES[i % len(SHAPES)][1])
                      for i, (name, colour, _) in enumerate(_key(levels))])


def when_label(row: dict) -> str:
    """A date as its source gives it: the source's own words where kept, else the date."""
    text = row.get("as_of_text") or format_date(row.get("as_of"))
    if row.get("as_of_precision") == "inferred":
        text += " (năm suy ra, nguồn không in)"
    elif row.get("as_of_precision") == "not_printed":
        text += " (năm không in)"
    return text
