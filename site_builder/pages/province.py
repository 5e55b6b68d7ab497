"""Province progress: criteria at every report date, distribution of communes, average criteria,
NTM counts, funding by source and by sector, indicators; targets beside actuals."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .. import data_charts
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


def indicator_groups(model):
    groups = defaultdict(list)
    for r in model.rows("indicators"):
        groups[r["indicator"]].append(r)
    out = []
    for code, rows in sorted(groups.items(), key=lambda kv: kv[0]):
        rows.sort(key=lambda r: (r["as_of"], r["kind"], r["id"]))
        out.append((code, rows))
    return out


def generate(site: Site) -> None:
    model = site.model
    columns = progress_columns(model)
    names = {n: criterion_name(model, n) for n in range(1, 20)}
    fund = []
    for total, parts in funding_groups(model):
        chart = data_charts.funding_chart(model, total, [r for r, depth in parts.get("by_source", []) if depth == 0])
        fund.append((total, parts, site.chart(chart) if chart else None))
    indicators = []
    for code, rows in indicator_groups(model):
        chart = data_charts.indicator_chart(model, code, rows)
        indicators.append((code, rows, site.chart(chart) if chart else None))
    dist_chart = data_charts.distribution_chart(model)
    avg_chart = data_charts.average_chart(model)
    site.page("tien-do.md", "province.md.j2", columns=columns, names=names, pct=pct,
              distribution=sorted(model.rows("criteria_distribution"),
                                  key=lambda r: (r["as_of"], r["source_id"], -r["criteria_min"])),
              dist_chart=site.chart(dist_chart) if dist_chart else None,
              averages=sorted(model.rows("average_criteria"), key=lambda r: (r["as_of"], r["id"])),
              avg_chart=site.chart(avg_chart) if avg_chart else None,
              ntm=sorted(model.rows("ntm_counts"), key=lambda r: (r["as_of"], r["level"], r["id"])),
              fund=fund, indicators=indicators, KIND=KIND_AT_LABEL, LEVEL=LEVEL_LABEL, SETS=SET_LABEL)
