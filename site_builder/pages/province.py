"""Province progress: criteria at every report date, distribution of communes, average criteria,
NTM counts, funding by source and by sector, indicators; targets beside actuals."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .. import charts
from ..vn import format_date
from . import KIND_AT_LABEL, LEVEL_LABEL, SET_LABEL, Site, criterion_name

CATEGORY_ORDER = ["total", "central_budget", "local_budget", "direct_budget", "integrated", "credit",
                  "business", "community", "other"]


def progress_columns(model):
    """One column per (report, date, kind, criteria set): the snapshots of criteria progress."""
    cols = defaultdict(dict)
    for r in model.rows("criteria_progress"):
        key = (r["as_of"], r["source_id"], r["kind"], r["criteria_set"])
        cols[key][r["criterion_number"]] = r
    return [(key, cols[key]) for key in sorted(cols, key=lambda k: (k[0], k[1], k[2]))]


def pct(row) -> Decimal | None:
    """Percent as stated; else computed from count/base (marked by the caller)."""
    if row.get("percent_stated") is not None:
        return row["percent_stated"]
    if row.get("communes") is not None and row.get("base"):
        return (Decimal(row["communes"]) * 100 / row["base"]).quantize(Decimal("0.01"))
    return None


def distribution_chart(model):
    rows = sorted(model.rows("criteria_distribution"), key=lambda r: (r["as_of"], r["criteria_min"]))
    if not rows:
        return None
    table = [[f"{format_date(r['as_of'])} ({KIND_AT_LABEL[r['kind']].lower()})", r["band_label"],
              r["communes"], model.sources[r["source_id"]].get("short_title") or r["source_id"]]
             for r in rows]
    return charts.bar_chart(
        "phan-nhom-xa", "Phân nhóm xã theo số tiêu chí đạt",
        "Biểu đồ cột nhóm: số xã theo nhóm số tiêu chí đạt, tại từng thời điểm báo cáo. "
        + "; ".join(f"{a}, {b}: {c} xã" for a, b, c, _ in table) + ".",
        "Nguồn: " + ", ".join(sorted({t[3] for t in table})) + ".",
        ["Thời điểm", "Nhóm", "Số xã", "Nguồn"], table, x="Nhóm", y="Số xã", color="Thời điểm",
        horizontal=True)


def average_chart(model):
    rows = sorted((r for r in model.rows("average_criteria") if r["scope"].lower() == "toàn tỉnh"),
                  key=lambda r: (r["as_of"], r["kind"]))
    if not rows:
        return None
    table = [[format_date(r["as_of"]), KIND_AT_LABEL[r["kind"]], r["value"],
              model.sources[r["source_id"]].get("short_title") or r["source_id"]] for r in rows]
    return charts.line_chart(
        "binh-quan-tieu-chi", "Bình quân số tiêu chí đạt trên một xã (toàn tỉnh)",
        "Biểu đồ đường: bình quân số tiêu chí/xã theo thời gian. "
        + "; ".join(f"{a} ({b.lower()}): {r['value_text']}" for (a, b, _, _), r in zip(table, rows)) + ".",
        "Nguồn: " + ", ".join(sorted({t[3] for t in table})) + ".",
        ["Thời điểm", "Loại", "Bình quân tiêu chí/xã", "Nguồn"], table, x="Thời điểm",
        y="Bình quân tiêu chí/xã", color="Loại")


def funding_groups(model):
    """Top-level totals with their parts, grouped by breakdown kind."""
    rows = model.rows("funding")
    children = defaultdict(list)
    for r in rows:
        if r.get("parent_id"):
            children[r["parent_id"]].append(r)
    groups = []
    for total in sorted((r for r in rows if not r.get("parent_id")),
                        key=lambda r: (r["period_start"], r["period_end"], r["id"])):
        parts = defaultdict(list)
        stack = [(c, 0) for c in children.get(total["id"], [])]
        ordered = []
        while stack:
            row, depth = stack.pop(0)
            ordered.append((row, depth))
            stack[0:0] = [(c, depth + 1) for c in children.get(row["id"], [])]
        for row, depth in ordered:
            parts[row["breakdown"]].append((row, depth))
        groups.append((total, dict(parts)))
    return groups


def funding_chart(model, total, parts):
    direct = [row for row, depth in parts if depth == 0]
    if len(direct) < 2:
        return None
    table = [[r["category"], r["amount_million_vnd"]] for r in direct]
    source = model.sources[total["source_id"]].get("short_title") or total["source_id"]
    return charts.bar_chart(
        f"von-{total['id']}", f"Nguồn vốn {total['period_label']} theo nguồn (triệu đồng)",
        f"Biểu đồ cột ngang: cơ cấu nguồn vốn {total['period_label']}, tổng "
        f"{total.get('qualifier') or ''} {total['amount_stated']} {total['unit_stated']}. "
        + "; ".join(f"{r['category']}: {r['amount_stated']} {r['unit_stated']}" for r in direct) + ".",
        f"Nguồn: {source}, {total['source_locator']}.",
        ["Nguồn vốn", "Triệu đồng"], table, x="Nguồn vốn", y="Triệu đồng", horizontal=True)


def indicator_groups(model):
    groups = defaultdict(list)
    for r in model.rows("indicators"):
        groups[r["indicator"]].append(r)
    out = []
    for code, rows in sorted(groups.items(), key=lambda kv: kv[0]):
        rows.sort(key=lambda r: (r["as_of"], r["kind"], r["id"]))
        out.append((code, rows))
    return out


def indicator_chart(model, code, rows):
    units = {r["unit"] for r in rows}
    dates = {r["as_of"] for r in rows}
    if len(rows) < 2 or len(units) != 1 or len(dates) < 2 or len(rows) > 30:
        return None
    table = [[format_date(r["as_of"]), KIND_AT_LABEL[r["kind"]] + (f" ({r['scope']})" if r["scope"].lower() != "toàn tỉnh" else ""),
              r["value"], model.sources[r["source_id"]].get("short_title") or r["source_id"]] for r in rows]
    unit = units.pop()
    label = rows[-1]["label"]
    return charts.line_chart(
        f"chi-tieu-{code.replace('_', '-')}", f"{label} ({unit})",
        f"Biểu đồ đường: {label} theo thời gian. "
        + "; ".join(f"{a} ({b.lower()}): {r['value_stated']} {unit}" for (a, b, _, _), r in zip(table, rows)) + ".",
        "Nguồn: " + ", ".join(sorted({t[3] for t in table})) + ".",
        ["Thời điểm", "Loại", unit, "Nguồn"], table, x="Thời điểm", y=unit, color="Loại")


def generate(site: Site) -> None:
    model = site.model
    columns = progress_columns(model)
    names = {n: criterion_name(model, n) for n in range(1, 20)}
    fund = []
    for total, parts in funding_groups(model):
        chart = funding_chart(model, total, parts.get("by_source", []))
        fund.append((total, parts, site.chart(chart) if chart else None))
    indicators = []
    for code, rows in indicator_groups(model):
        chart = indicator_chart(model, code, rows)
        indicators.append((code, rows, site.chart(chart) if chart else None))
    dist_chart = distribution_chart(model)
    avg_chart = average_chart(model)
    site.page("tien-do.md", "province.md.j2", columns=columns, names=names, pct=pct,
              distribution=sorted(model.rows("criteria_distribution"),
                                  key=lambda r: (r["as_of"], r["source_id"], -r["criteria_min"])),
              dist_chart=site.chart(dist_chart) if dist_chart else None,
              averages=sorted(model.rows("average_criteria"), key=lambda r: (r["as_of"], r["id"])),
              avg_chart=site.chart(avg_chart) if avg_chart else None,
              ntm=sorted(model.rows("ntm_counts"), key=lambda r: (r["as_of"], r["level"], r["id"])),
              fund=fund, indicators=indicators, KIND=KIND_AT_LABEL, LEVEL=LEVEL_LABEL, SETS=SET_LABEL)
