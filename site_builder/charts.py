"""Charts: Altair specs rendered at build time to static SVG (no JavaScript on the page), each
with a title, a source line, a text description, its data table and a CSV file."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

FONT = "DejaVu Sans"
FONT_DIR = Path(__file__).parent / "assets" / "fonts"
CHART_DIR = "assets/charts"


@dataclass
class Chart:
    slug: str                 # file name stem, unique per site
    title: str
    description: str          # what the chart shows, in words, for screen readers
    source: str               # "Nguồn: ..." line
    columns: list[str]        # table header, in reading order
    rows: list[list]          # table rows (raw values; formatted by the template)
    spec: dict = field(repr=False, default_factory=dict)

    @property
    def svg_path(self) -> str:
        return f"{CHART_DIR}/{self.slug}.svg"

    @property
    def csv_path(self) -> str:
        return f"{CHART_DIR}/{self.slug}.csv"

    def csv_text(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(["" if v is None else v for v in row] for row in self.rows)
        return "\ufeff" + buf.getvalue()  # BOM: Excel then reads Vietnamese correctly


def _alt():
    import altair as alt  # imported lazily: 0.3 s, only when a chart is made
    return alt


def _records(columns, rows):
    return [dict(zip(columns, ("" if v is None else (float(v) if hasattr(v, "as_tuple") else v)
                                for v in row))) for row in rows]


def bar_chart(slug, title, description, source, columns, rows, x, y, color=None,
              x_title=None, y_title=None, horizontal=False) -> Chart:
    """Grouped bars: x (ordinal) against y (quantitative), optional colour series."""
    alt = _alt()
    data = _records(columns, rows)
    many = len({r[x] for r in data}) > 4 and not horizontal
    x_enc = alt.X(field=x, type="nominal", title=x_title or x, sort=None,
                  axis=alt.Axis(labelAngle=-45 if many else 0, labelLimit=160))
    y_enc = alt.Y(field=y, type="quantitative", title=y_title or y)
    enc = dict(x=y_enc, y=x_enc) if horizontal else dict(x=x_enc, y=y_enc)
    tooltip = [alt.Tooltip(field=c, type="nominal") for c in columns]
    if color:
        enc["color"] = alt.Color(field=color, type="nominal", title=color,
                                 legend=alt.Legend(orient="bottom", columns=2, labelLimit=260))
        if horizontal:
            enc["yOffset"] = alt.YOffset(field=color, type="nominal")
        else:
            enc["xOffset"] = alt.XOffset(field=color, type="nominal")
    chart = alt.Chart(alt.Data(values=data)).mark_bar().encode(tooltip=tooltip, **enc)
    return Chart(slug, title, description, source, columns, rows, _finish(chart, title, source))


def line_chart(slug, title, description, source, columns, rows, x, y, color=None,
               x_title=None, y_title=None) -> Chart:
    """Points joined by lines over time; x is a date or year label kept in table order."""
    alt = _alt()
    data = _records(columns, rows)
    many = len({r[x] for r in data}) > 4
    enc = dict(x=alt.X(field=x, type="ordinal", title=x_title or x, sort=None,
                       axis=alt.Axis(labelAngle=-45 if many else 0)),
               y=alt.Y(field=y, type="quantitative", title=y_title or y),
               tooltip=[alt.Tooltip(field=c, type="nominal") for c in columns])
    if color:
        enc["color"] = alt.Color(field=color, type="nominal", title=color,
                                 legend=alt.Legend(orient="bottom", columns=2, labelLimit=260))
    chart = alt.Chart(alt.Data(values=data)).mark_line(point=True).encode(**enc)
    return Chart(slug, title, description, source, columns, rows, _finish(chart, title, source))


def _finish(chart, title, source) -> dict:
    alt = _alt()
    chart = chart.properties(
        width=320, height=200,
        title=alt.TitleParams(text=title, subtitle=source, anchor="start", fontSize=13,
                              subtitleFontSize=10, limit=340),
    ).configure(font=FONT).configure_view(stroke=None)
    return chart.to_dict(validate=False)


_fonts_registered = False


def render_svg(spec: dict) -> str:
    global _fonts_registered
    import vl_convert as vlc

    if not _fonts_registered:
        vlc.register_font_directory(str(FONT_DIR))
        _fonts_registered = True
    return vlc.vegalite_to_svg(spec)


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


def render_all(charts: list[Chart], cache_dir: Path | None = None) -> dict[str, str]:
    """Render every chart to SVG. An SVG is cached under the hash of its spec, so a chart whose
    data did not change is not rendered again; the others are rendered in parallel, one
    process per core (vl-convert holds the GIL, so threads would not help).
    Returns {relative path: content} for the writer."""
    renderer = renderer_fingerprint()  # a new vl-convert or font renders every chart again
    keys = [hashlib.sha256((renderer + json.dumps(c.spec, sort_keys=True)).encode()).hexdigest()[:20]
            for c in charts]
    svgs: dict[str, str] = {}
    for key in keys:
        cached = cache_dir / f"{key}.svg" if cache_dir else None
        if cached and cached.is_file():
            svgs[key] = cached.read_text(encoding="utf-8")
    todo = {key: chart.spec for key, chart in zip(keys, charts) if key not in svgs}
    svgs.update(zip(todo, _render_many(list(todo.values()))))
    if cache_dir:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for key in todo:
            (cache_dir / f"{key}.svg").write_text(svgs[key], encoding="utf-8")
    files = {}
    for key, chart in zip(keys, charts):
        files[chart.svg_path] = svgs[key]
        files[chart.csv_path] = chart.csv_text()
    return files


PARALLEL_FROM = 12  # fewer charts render faster here than a worker starts (~1.5 s)


def _render_many(specs: list[dict]) -> list[str]:
    workers = min(os.cpu_count() or 1, 4, len(specs) // (PARALLEL_FROM // 2) or 1)
    if workers < 2 or len(specs) < PARALLEL_FROM:
        return [render_svg(spec) for spec in specs]
    # spawn, not fork: vl-convert runs its own threads, which a fork would not carry over
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(render_svg, specs, chunksize=max(1, len(specs) // (workers * 4))))
