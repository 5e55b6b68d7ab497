"""Reads rendered chart SVGs back (issue 13): what vl-convert drew — each mark's aria-label
(its values) and geometry (the path) — so tests can compare it with the chart's CSV rows."""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from site_builder import charts
from site_builder.charts import Chart

_G = re.compile(r'<g class="mark-(\w+) role-mark[^"]*"[^>]*[^/]>(.*?)</g>', re.DOTALL)
_PATH = re.compile(r"<path ([^>]*)/>")
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
# 100,000 or 1,352,449 (a comma between thousands); 0.5 or 11.54 (a point before decimals).
# Vietnamese 0,002 or 1.352.449 do not match.
ENGLISH_NUMBER = re.compile(r"(?<![\d,.])[1-9]\d{0,2}(?:,\d{3})+(?![\d,])|\d\.\d{1,2}(?![\d.])|\d\.\d{4,}")
_NUM = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass
class Drawn:
    kind: str            # symbol | rect | line
    label: str           # aria-label ('' for lines)
    x0: float
    y0: float
    x1: float
    y1: float
    points: list         # line vertices


def _attrs(tag: str) -> dict:
    return dict(_ATTR.findall(tag))


def drawn(svg: str) -> list[Drawn]:
    """Every data mark of the SVG with its bounding box (absolute within its group)."""
    out = []
    for kind, body in _G.findall(svg):
        for tag in _PATH.findall(body):
            a = _attrs(tag)
            if a.get("class") in ("background", "foreground"):
                continue
            tx, ty = 0.0, 0.0
            if "transform" in a:
                tx, ty = (float(v) for v in _NUM.findall(a["transform"])[:2])
            nums = [float(v) for v in _NUM.findall(a.get("d", ""))]
            if kind == "rect":   # d="M x,y h w v h h -w Z"
                x, y, w, h = nums[0], nums[1], nums[2], nums[3]
                out.append(Drawn(kind, a.get("aria-label", ""), tx + x, ty + y, tx + x + w, ty + y + h, []))
            elif kind == "symbol":
                out.append(Drawn(kind, a.get("aria-label", ""), tx, ty, tx, ty, []))
            elif kind == "line":
                pts = list(zip(nums[0::2], nums[1::2]))
                out.append(Drawn(kind, "", 0, 0, 0, 0, pts))
    return out


def texts(svg: str) -> list[tuple[float, str]]:
    """(font size in px, text) of every text in the SVG."""
    out = []
    for attrs, body in re.findall(r"<text ([^>]*)>(.*?)</text>", svg, re.DOTALL):
        size = float(_attrs(attrs).get("font-size", "0").rstrip("px"))
        for part in re.findall(r">([^<]+)<", ">" + body + "<"):
            out.append((size, part))
    return out


def svg_width(svg: str) -> float:
    return float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', svg)[1])


def label_of(row: list) -> str:
    """The aria-label a CSV row's mark must carry."""
    x, series, value, unit, source, _ = row
    value_label = f"{value} {unit}".strip()
    return f"Thời điểm: {x}; Chuỗi: {series}; Giá trị: {value_label}; Nguồn: {source}"


def problems(chart: Chart, svg: str) -> list[str]:
    """Every way the SVG breaks the chart contract; [] when it keeps it."""
    out = []
    marks = [d for d in drawn(svg) if d.kind in ("symbol", "rect")]
    labels = sorted(d.label for d in marks)
    expected = sorted(label_of(r) for r in chart.rows)
    if labels != expected:
        out.append(f"{chart.slug}: marks drawn != CSV rows: drawn {len(labels)}, CSV {len(expected)}; "
                   f"only drawn {sorted(set(labels) - set(expected))[:3]}, "
                   f"only CSV {sorted(set(expected) - set(labels))[:3]}")
    # no two marks share x and series (CSV)
    keys = [(r[0], r[1]) for r in chart.rows]
    if len(keys) != len(set(keys)):
        out.append(f"{chart.slug}: two marks share x and series")
    # bars: none touches or overlaps another, each as long as its value (no stacking)
    bars = [d for d in marks if d.kind == "rect"]
    for i, a in enumerate(bars):
        for b in bars[i + 1:]:
            gap = 0.5   # closer than half a pixel: the bars touch
            if a.x0 - gap < b.x1 and b.x0 - gap < a.x1 and a.y0 - gap < b.y1 and b.y0 - gap < a.y1:
                out.append(f"{chart.slug}: bars touch or overlap: {a.label} / {b.label}")
    value_of = {label_of(r): _vn(r[2]) for r in chart.rows}
    if bars:
        left = min(b.x0 for b in bars)
        if any(abs(b.x0 - left) > 0.5 for b in bars):
            out.append(f"{chart.slug}: a bar does not start at zero (stacked?)")
        ratios = [(b.x1 - b.x0) / value_of[b.label] for b in bars if value_of.get(b.label)]
        if ratios and max(ratios) - min(ratios) > 0.01 * max(ratios) + 0.02:
            out.append(f"{chart.slug}: bar lengths are not proportional to the values")
    points = [d for d in marks if d.kind == "symbol" and d.label in value_of]
    if len({value_of[p.label] for p in points}) >= 2:   # y linear in the value
        a, b = min(points, key=lambda p: value_of[p.label]), max(points, key=lambda p: value_of[p.label])
        if value_of[b.label] != value_of[a.label]:
            k = (b.y0 - a.y0) / (value_of[b.label] - value_of[a.label])
            for p in points:
                if abs(a.y0 + k * (value_of[p.label] - value_of[a.label]) - p.y0) > 0.6:
                    out.append(f"{chart.slug}: point not at its value: {p.label}")
                    break
    # time is time: x linear in the date
    dated = [(p, _date(r[0])) for r in chart.rows for p in points if p.label == label_of(r) and _date(r[0])]
    if len({d for _, d in dated}) >= 2:
        (p0, d0), (p1, d1) = min(dated, key=lambda t: t[1]), max(dated, key=lambda t: t[1])
        k = (p1.x0 - p0.x0) / (d1 - d0).days
        if any(abs(p0.x0 + k * (d - d0).days - p.x0) > 0.6 for p, d in dated):
            out.append(f"{chart.slug}: the time axis is not spaced by the dates")
    # no zig-zag: a line never goes back or straight up
    for line in (d for d in drawn(svg) if d.kind == "line"):
        xs = [x for x, _ in line.points]
        if any(b <= a for a, b in pairwise(xs)):
            out.append(f"{chart.slug}: a line has two points at one x (zig-zag)")
    # Vietnamese numbers, nothing cut, legible at 328 px
    scale = charts.WIDTH / svg_width(svg)
    for size, text in texts(svg):
        if ENGLISH_NUMBER.search(text):
            out.append(f"{chart.slug}: English number notation in {text!r}")
        if "…" in text:
            out.append(f"{chart.slug}: text cut: {text!r}")
        if size * scale < 11:
            out.append(f"{chart.slug}: text {text!r} is {size * scale:.1f} px at {charts.WIDTH} px")
    if chart.title in svg:
        out.append(f"{chart.slug}: the title is inside the SVG (it belongs in the page)")
    return out


def _vn(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def _date(label: str):
    import datetime as dt
    m = re.search(r"(\d{2})/(\d{2})/(\d{4})", label)
    if m:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    m = re.fullmatch(r"năm (\d{4})", label)
    return dt.date(int(m[1]), 12, 31) if m else None
