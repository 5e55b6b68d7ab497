"""Charts: Vega-Lite specs rendered at build time to static SVG (no JavaScript on the page).

The contract (issue 13): a chart is a list of `Mark`s, one per figure a source states, and its
CSV lists exactly those marks. Nothing is aggregated, stacked or interpolated:
- a series is one definition (indicator, base, standard, criteria set, kind); `resolve` makes sure
  no two marks share x and series: the same value from two reports becomes one mark naming both
  sources; different values are split into one series per source (never a zig-zag);
- plans and estimates are hollow marks on dashed lines; a date the report does not print is a
  diamond with "≈" in its label;
- time charts use a real time axis; numbers are written the Vietnamese way (1.352.449; 11,54);
- the SVG is 328 px wide with no text under 11 px (a phone column); the title, source line and
  legend (`Chart.key`) are HTML around the chart, not SVG text: searchable, never cut, and the
  legend was a third of the rendering time.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import re
import textwrap
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from .vn import format_date, format_number

FONT = "DejaVu Sans"
FONT_DIR = Path(__file__).parent / "assets" / "fonts"
CHART_DIR = "assets/charts"
WIDTH = 328          # CSS px of a phone column (360 px screen less the page margins)
FONT_SIZE = 12       # every text in the SVG; the test asserts >= 11 at WIDTH
PLANNED = {"target", "estimate"}
KIND_LABEL = {"actual": "Thực hiện", "baseline": "Điểm xuất phát", "target": "Kế hoạch",
              "estimate": "Ước tính"}
APPROX = {"inferred", "not_printed"}   # as_of_precision values: the report prints no such date
# Vega number/time formats in Vietnamese notation (1.352.449; 11,54)
NUMBER_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " đ"]}
TIME_LOCALE = {
    "dateTime": "%A, %e %B %Y г. %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
    "periods": ["SA", "CH"],
    "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
    "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "months": [f"tháng {i}" for i in range(1, 13)],
    "shortMonths": [f"th{i}" for i in range(1, 13)],
}
COLUMNS = ["Thời điểm", "Chuỗi số liệu", "Giá trị", "Đơn vị", "Nguồn", "Báo cáo ghi"]


@dataclass(frozen=True)
class Mark:
    """One figure a source states, as drawn."""
    x: object                 # datetime.date on a time chart, a category (str) on a bar chart
    series: str               # one definition, in plain Vietnamese (the legend)
    value: Decimal | float | int
    unit: str
    source: str               # short title of the report(s)
    wording: str = ""         # the report's own wording (value and date as printed)
    kind: str = "actual"      # actual | baseline | target | estimate
    precision: str = ""       # as_of_precision: day | month | year | not_printed | inferred | ""
    note: str = ""            # e.g. a disagreement between reports
    where: str = ""           # where in the report (section, footnote): tells apart two figures
                              # one report gives for the same thing

    @property
    def planned(self) -> bool:
        return self.kind in PLANNED

    @property
    def approx(self) -> bool:
        """The report prints no such date (or only a year, and the mark is not at its end)."""
        return self.precision in APPROX or (self.precision == "year" and isinstance(self.x, dt.date)
                                            and (self.x.month, self.x.day) != (12, 31))

    @property
    def x_label(self) -> str:
        if not isinstance(self.x, dt.date):
            return str(self.x)
        if self.precision == "year" and not self.approx:
            return f"năm {self.x.year}"
        return ("≈ " if self.approx else "") + format_date(self.x)

    @property
    def value_label(self) -> str:
        return f"{format_number(self.value)} {self.unit}".strip()


@dataclass
class Chart:
    slug: str                 # file name stem and page anchor, unique per site
    title: str
    description: str          # one or two sentences: what it shows, the latest value and date
    source: str               # "Nguồn: ..." line
    columns: list[str]        # table header, in reading order (= CSV header)
    rows: list[list]          # one row per mark drawn (= CSV rows)
    spec: dict = field(repr=False, default_factory=dict)
    marks: list[Mark] = field(repr=False, default_factory=list)
    notes: list[str] = field(default_factory=list)   # said under the chart (breaks, not drawn…)
    disagreement: bool = False  # reports disagree: a series was split by source (see /sai-lech/)
    key: list = field(default_factory=list)   # legend in the page: (series, colour, symbol)

    @property
    def svg_path(self) -> str:
        return f"{CHART_DIR}/{self.slug}.svg"

    @property
    def csv_path(self) -> str:
        return f"{CHART_DIR}/{self.slug}.csv"

    @property
    def anchor(self) -> str:
        return f"bieu-do-{self.slug}"

    def csv_text(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(["" if v is None else v for v in row] for row in self.rows)
        return "\ufeff" + buf.getvalue()  # BOM: Excel then reads Vietnamese correctly


# --- the contract ---------------------------------------------------------------------------------
def resolve(marks: list[Mark]) -> list[Mark]:
    """No two marks share x and series. The same value stated by several reports is one mark
    naming them all. Different values for one (x, series) from different reports split that
    series by source (each report's own line); two values from one report at one x keep the
    first in the series and put the others in a series of their own ("ghi lần 2")."""
    merged: dict[tuple, Mark] = {}
    for m in marks:
        key = (m.x, m.series, Decimal(str(m.value)), m.kind, m.unit)
        if key in merged:
            old = merged[key]
            sources = old.source.split("; ")
            if m.source not in sources:
                old = replace(old, source="; ".join(sources + [m.source]))
            merged[key] = replace(old, wording=_join(old.wording, m.wording), note=_join(old.note, m.note))
        else:
            merged[key] = m
    out = list(merged.values())
    at: dict[tuple, list[Mark]] = {}
    for m in out:
        at.setdefault((m.x, m.series), []).append(m)
    by_source = {s for (_, s), ms in at.items() if len({m.source for m in ms}) > 1}
    out = [replace(m, series=f"{m.series} (theo {m.source})") if m.series in by_source else m
           for m in out]
    seen: dict[tuple, int] = {}
    fixed = []
    for m in out:
        n = seen[(m.x, m.series)] = seen.get((m.x, m.series), 0) + 1
        fixed.append(m if n == 1 else replace(m, series=f"{m.series}, ghi lần {n}"
                                              + (f" ({m.where})" if m.where and len(m.where) <= 30 else "")))
    return fixed


def _join(a: str, b: str) -> str:
    return a if not b or b == a else (b if not a else f"{a} | {b}")


def mark_rows(marks: list[Mark]) -> list[list]:
    return [[m.x_label, m.series, format_number(m.value), m.unit, m.source, m.wording]
            for m in marks]


def summary(what: str, marks: list[Mark]) -> str:
    """'<what>. Mới nhất: 74 xã (Thực hiện…, 31/12/2020).' — latest result, else latest plan."""
    done = [m for m in marks if not m.planned] or marks
    if not done:
        return what + "."
    last = max(done, key=lambda m: (m.x if isinstance(m.x, dt.date) else dt.date.min))
    if not isinstance(last.x, dt.date):
        return f"{what}."
    return f"{what}. Số liệu thực hiện mới nhất: {last.value_label} ({last.series}, {last.x_label})."


# --- chart types ----------------------------------------------------------------------------------
LINE = "|"   # line break in axis labels (split by the labelExpr below)


def wrap(text: str, width: int) -> str:
    """Break a label into lines of at most `width` characters (a phone is narrow)."""
    return LINE.join(textwrap.wrap(text.replace(LINE, "/"), width)) or text


PALETTE = ["#1f77b4", "#d95f02", "#2ca02c", "#7b3294", "#8c564b", "#e7298a", "#666666", "#a6761d",
           "#17becf", "#bcbd22"]


def _colors(series: list[str]) -> dict:
    """One colour per series, fixed here so the HTML legend under the chart uses the same."""
    return {"field": "s", "type": "nominal", "title": None, "legend": None,
            "scale": {"domain": series, "range": [PALETTE[i % len(PALETTE)] for i in range(len(series))]}}


SHAPES = [("circle", "●", "○"), ("square", "■", "□"), ("triangle-up", "▲", "△")]


def _shapes(series: list[str], named: set[str]) -> dict[str, int]:
    """Series split from one definition (two reports, or one report twice) get different point
    shapes, so two marks at about the same place both stay visible: index into SHAPES."""
    out = {name: 0 for name in series if name in named}
    seen = dict(out)
    for name in series:
        if name in named:
            continue
        stem = re.split(r" \(theo |, ghi lần ", name)[0]
        out[name] = seen[stem] = seen.get(stem, -1) + 1
    return {k: v % len(SHAPES) for k, v in out.items()}


def _key(marks: list[Mark], series: list[str], bar: bool,
         shapes: dict[str, int] | None = None) -> list[tuple[str, str, str]]:
    """The legend: (series, colour, symbol) — filled for results, hollow for plans and estimates."""
    planned = {m.series for m in marks if m.planned}
    out = []
    for i, name in enumerate(series):
        _, filled, hollow = SHAPES[1] if bar else SHAPES[(shapes or {}).get(name, 0)]
        out.append((name, PALETTE[i % len(PALETTE)], hollow if name in planned else filled))
    return out


def time_chart(slug: str, title: str, what: str, source: str, marks: list[Mark], y_title: str,
               notes: list[str] | None = None, breaks: list[tuple] | None = None) -> Chart:
    """Points on a real time axis (a labelled grid line at 31 December, where most reports
    date their figures: "hết năm 2015"), one colour per series, joined by a line within a series only; hollow
    points on dashed lines for plans and estimates; a diamond for a date not printed."""
    named = {m.series for m in marks}
    marks = sorted(resolve(marks), key=lambda m: (m.x, m.series))
    series = list(dict.fromkeys(m.series for m in sorted(marks, key=lambda m: (m.planned, m.x))))
    data = [_record(m) | {"x": m.x.isoformat(), "v": float(m.value)} for m in marks]
    first, last = min(m.x.year for m in marks), max(m.x.year for m in marks)
    span = last - first + 1
    step = 1 if span <= 6 else (2 if span <= 12 else 5)
    years = list(range(first - 1, last + 1))
    x = {"field": "x", "type": "temporal", "title": "năm (mỗi vạch: ngày 31/12)",
         "scale": {"type": "utc", "nice": False,
                   "domain": [{"year": first - 1, "month": 12, "date": 1, "utc": True},
                              {"year": last + 1, "month": 1, "date": 31, "utc": True}]},
         "axis": {"labelExpr": "utcFormat(datum.value, '%Y')", "grid": True, "gridColor": "#e4e4e4",
                  "labelOverlap": False, "labelFlush": False,
                  "values": [{"year": y, "month": 12, "date": 31, "utc": True}
                             for y in years if (last - y) % step == 0]}}
    y = {"field": "v", "type": "quantitative", "title": y_title, "axis": {"format": ",~r"},
         "scale": {"zero": True}}
    color = _colors(series)
    layers = _breaks(breaks or [], x, first - 1, last + 1)
    # one layer of lines and one of points (each layer costs vl-convert ~5 ms): the kind of a
    # mark (result / plan) sets the dash and the fill, the date's precision the shape
    dash = {"field": "p", "type": "nominal", "legend": None,
            "scale": {"domain": [False, True], "range": [[1, 0], [5, 4]]}}
    fill = {"condition": {"test": "datum.p", "value": "white"}, **color}
    shape = {"field": "h", "type": "nominal", "legend": None, "scale": None}  # the shape's name
    shapes = _shapes(series, named)
    for row, m in zip(data, marks):
        row["h"] = "diamond" if m.approx else SHAPES[shapes[m.series]][0]
    layers.append({"mark": {"type": "line", "strokeWidth": 2, "aria": False},
                   "encoding": {"x": x, "y": y, "color": color, "strokeDash": dash}})
    layers.append({"mark": {"type": "point", "filled": True, "size": 70, "strokeWidth": 2, "opacity": 1},
                   "encoding": {"x": x, "y": y, "fill": fill, "stroke": color, "shape": shape,
                                "description": {"field": "d"}}})
    notes = list(notes or [])
    if any(m.approx for m in marks):
        notes.append("Hình thoi, dấu ≈: báo cáo không ghi ngày này (ngày suy ra từ nội dung báo cáo).")
    if any(m.planned for m in marks):
        notes.append("Điểm rỗng, nét đứt: kế hoạch hoặc ước tính, không phải kết quả.")
    spec = _spec(data, {"layer": layers}, height=200)
    return Chart(slug, title, summary(what, marks), source, list(COLUMNS), mark_rows(marks),
                 spec, marks, notes, disagreement=any(m.series not in named for m in marks),
                 key=_key(marks, series, bar=False, shapes=shapes))


def _breaks(breaks: list[tuple], x: dict, start: int, end: int) -> list[dict]:
    """A change of definition marked on the chart: a dotted line at its date, labelled
    ("Bộ tiêu chí 2016-2020", "sau sáp nhập xã 2020"); the label reads away from the edge."""
    layers = []
    span = (dt.date(end, 1, 31) - dt.date(start, 12, 1)).days
    for i, (date, label) in enumerate(sorted(breaks)):
        right = (date - dt.date(start, 12, 1)).days / span > 0.55
        data = {"values": [{"x": date.isoformat(), "t": f"{label} →" if right else label}]}
        layers.append({"data": data, "mark": {"type": "rule", "color": "#555555", "strokeDash": [2, 3],
                                              "aria": False}, "encoding": {"x": x}})
        layers.append({"data": data, "mark": {"type": "text", "fontSize": FONT_SIZE, "baseline": "top",
                                              "align": "right" if right else "left",
                                              "dx": -3 if right else 3, "aria": False},
                       "encoding": {"x": x, "y": {"value": 2 + 16 * i}, "text": {"field": "t"}}})
    return layers


def bar_chart_marks(slug: str, title: str, what: str, source: str, marks: list[Mark], x_title: str,
                    order: list[str] | None = None, notes: list[str] | None = None,
                    sort_by_value: bool = False) -> Chart:
    """Horizontal bars, one per mark: categories down the side, one bar per series side by side
    within a category (never stacked); plans and estimates hollow."""
    named = {m.series for m in marks}
    marks = resolve(marks)
    if sort_by_value:
        marks = sorted(marks, key=lambda m: -float(m.value))
    cats = order or list(dict.fromkeys(str(m.x) for m in marks))
    series = list(dict.fromkeys(m.series for m in marks))
    data = [_record(m) | {"x": wrap(str(m.x), 20), "v": float(m.value)} for m in marks]
    per_cat: dict[str, set] = {}
    for m in marks:
        per_cat.setdefault(str(m.x), set()).add(m.series)
    many = any(len(s) > 1 for s in per_cat.values())   # side by side within a category
    y = {"field": "x", "type": "nominal", "title": None, "sort": [wrap(c, 20) for c in cats],
         "axis": {"labelLimit": 0, "labelExpr": f"split(datum.label, '{LINE}')", "ticks": False}}
    xq = {"field": "v", "type": "quantitative", "title": x_title,
          "axis": {"format": ",~r", "tickCount": 3}, "scale": {"zero": True}}
    enc = {"y": y, "x": xq, "description": {"field": "d"},
           "color": _colors(series)}
    if many:
        enc["yOffset"] = {"field": "s", "type": "nominal", "sort": series,
                          "scale": {"paddingInner": 0.2}}
    color = enc.pop("color")
    enc |= {"fill": {"condition": {"test": "datum.p", "value": "white"}, **color}, "stroke": color}
    layers = [{"mark": {"type": "bar", "strokeWidth": 1.5}, "encoding": enc}]
    lines = max(str(c).count(LINE) + 1 for c in [wrap(c, 20) for c in cats])
    step = 12 if many else 14 * lines + 8
    height = max(step * len(cats) * (len(series) if many else 1), (14 * lines + 4) * len(cats))
    notes = list(notes or [])
    if any(m.planned for m in marks):
        notes.append("Cột rỗng: kế hoạch hoặc mục tiêu, không phải kết quả.")
    spec = _spec(data, {"layer": layers}, height=height)
    return Chart(slug, title, what, source, list(COLUMNS), mark_rows(marks), spec, marks, notes,
                 disagreement=any(m.series not in named for m in marks),
                 key=_key(marks, series, bar=True) if len(series) > 1 else [])


def _record(m: Mark) -> dict:
    return {"s": m.series, "t": m.x_label, "l": m.value_label, "n": m.source,
            "p": m.planned, "a": m.approx, "d": describe(m)}


def describe(m: Mark) -> str:
    """The mark's aria-label in the SVG (what a screen reader and the tests read)."""
    return f"Thời điểm: {m.x_label}; Chuỗi: {m.series}; Giá trị: {m.value_label}; Nguồn: {m.source}"


def _spec(data: list[dict], body: dict, height: int) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": WIDTH, "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "padding": {"left": 2, "right": 8, "top": 6, "bottom": 2},
        "data": {"values": data},
        "config": {"font": FONT, "view": {"stroke": None},
                   "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "titleFontWeight": "normal"},
                   "range": {"category": ["#1f77b4", "#d95f02", "#2ca02c", "#7b3294", "#8c564b",
                                          "#e7298a", "#666666", "#a6761d", "#17becf", "#bcbd22"]}},
        **body,
    }


# --- rendering ------------------------------------------------------------------------------------
_fonts_ready = False


def _only_bundled_fonts() -> None:
    """vl-convert loads every system font at start (8x slower with many fonts, and SVGs that
    differ between machines): point fontconfig at a configuration that lists only our font."""
    global _fonts_ready
    if _fonts_ready:
        return
    conf = Path(os.environ.get("TMPDIR", "/tmp")) / f"site-builder-fonts-{os.getuid()}.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig><dir>{FONT_DIR}</dir></fontconfig>\n", encoding="utf-8")
    before = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    try:
        import vl_convert as vlc
        vlc.register_font_directory(str(FONT_DIR))
        vlc.vegalite_to_svg({"mark": "point"})  # the font database is read here, once
    finally:  # other programs started from this process (a browser in the tests) keep theirs
        if before is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = before
    _fonts_ready = True


def render_svg(spec: dict) -> str:
    _only_bundled_fonts()
    import vl_convert as vlc
    return vlc.vegalite_to_svg(spec, format_locale=NUMBER_LOCALE, time_format_locale=TIME_LOCALE)


def renderer_fingerprint() -> str:
    """What an SVG depends on besides its spec: the vl-convert version and the font files."""
    from importlib import metadata

    from .package import feed_file

    digest = hashlib.sha256(f"vl-convert {metadata.version('vl-convert-python')}\0".encode())
    for path in sorted(FONT_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0")
            feed_file(digest, path)
    return digest.hexdigest()


def chart_key(renderer: str, spec_json: str) -> str:
    return hashlib.sha256((renderer + spec_json).encode()).hexdigest()[:20]


class Renderer:
    """Charts as the pages make them, to the writer `out`: a chart's CSV at once, its SVG at once
    too when the cache holds it (cache_dir, keyed by the hash of the spec and of the renderer);
    the others keep only their spec (as JSON text) and are rendered by `finish()`, or, from
    PARALLEL_FROM of them, in worker processes (one per core) while the pages are being made
    (vl-convert holds the GIL, so threads would not help)."""

    def __init__(self, out, cache_dir: Path | None = None):
        self.out, self.cache_dir = out, cache_dir
        self.fingerprint = renderer_fingerprint()  # a new vl-convert or font renders every chart again
        self.paths: dict[str, list[str]] = {}      # key -> SVG paths of the charts not rendered yet
        self.waiting: list[tuple[str, str]] = []   # (key, spec JSON) not yet sent to a worker
        self.running: list = []                    # (keys, future) sent to the workers
        self.pool = None

    def add(self, chart: Chart) -> None:
        self.out.add(chart.csv_path, chart.csv_text())
        spec = json.dumps(chart.spec, sort_keys=True)
        key = chart_key(self.fingerprint, spec)
        cached = self.cache_dir / f"{key}.svg" if self.cache_dir else None
        if cached and cached.is_file():
            self.out.add_file(chart.svg_path, cached)
        elif key in self.paths:
            self.paths[key].append(chart.svg_path)
        else:
            self.paths[key] = [chart.svg_path]
            self.waiting.append((key, spec))
            if self.pool is None and len(self.waiting) >= PARALLEL_FROM:
                workers = min(os.cpu_count() or 1, 4)
                if workers > 1:  # spawn, not fork: vl-convert runs its own threads
                    self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            if self.pool and len(self.waiting) >= min(BATCH, PARALLEL_FROM):
                self._send()
            self._collect(wait=False)

    def _send(self) -> None:
        keys, specs = zip(*self.waiting)
        self.running.append((keys, self.pool.submit(_render_batch, list(specs))))
        self.waiting = []

    def _collect(self, wait: bool) -> None:
        while self.running and (wait or self.running[0][1].done()):
            keys, future = self.running.pop(0)
            self._write(keys, future.result())

    def _write(self, keys, svgs) -> None:
        for key, svg in zip(keys, svgs):
            if self.cache_dir:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                (self.cache_dir / f"{key}.svg").write_text(svg, encoding="utf-8")
            for path in self.paths.pop(key):
                self.out.add(path, svg)

    def finish(self) -> None:
        """Render what is left and write every SVG."""
        if self.pool is None and self.waiting:
            keys, specs = zip(*self.waiting)
            self.waiting = []
            self._write(keys, _render_many(list(specs)))
        elif self.waiting:
            self._send()
        self._collect(wait=True)
        self.close()

    def close(self) -> None:
        if self.pool:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def render_all(charts: list[Chart], cache_dir: Path | None = None) -> dict[str, str]:
    """Render every chart to SVG (through a Renderer); returns {relative path: content}."""
    from .writer import Collect

    out = Collect()
    renderer = Renderer(out, cache_dir)
    for chart in charts:
        renderer.add(chart)
    renderer.finish()
    return {path: content.read_text(encoding="utf-8") if isinstance(content, Path) else content
            for path, content in out.files.items()}


PARALLEL_FROM = 150  # below this, in line is as fast and cheaper: a worker costs ~0.7 CPU s to start
                    # (Python + vl-convert), a chart ~35 ms (measured: 82 charts, 2 cores)
BATCH = 50           # charts sent to a worker at a time (~1.5 s of work)


def _render_many(specs: list) -> list[str]:
    return [render_svg(spec) for spec in specs]


def _render_batch(specs: list) -> list[str]:  # in a worker process
    return _render_many(specs)
