"""Home page: headline figures with their date and source, the way in, the commune finder."""
from __future__ import annotations

from .. import data_charts
from . import LEVEL_LABEL, Site


def latest(rows, **match):
    """The rows matching `match` at the latest date, one per distinct figure (a report may
    state the same count on two bases, e.g. 65/181 and 74/207 at the end of 2020)."""
    rows = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    if not rows:
        return []
    last = max(r["as_of"] for r in rows)
    out, seen = [], set()
    for r in sorted((r for r in rows if r["as_of"] == last), key=lambda r: r["id"]):
        key = (r.get("communes"), r.get("base"), r.get("value_text"))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def widest_total(rows):
    """The funding total covering the longest period (e.g. 2011-2020)."""
    totals = [r for r in rows if r["breakdown"] == "total" and not r.get("parent_id")
              and r["kind"] == "actual"]
    return max(totals, key=lambda r: (r["period_end"] - r["period_start"], r["period_end"], r["id"]),
               default=None)


def headline_figures(model):
    """(label, value, row) for the latest NTM count, target, average criteria, widest funding."""
    headline = []
    for label, kind in (("Xã đạt chuẩn nông thôn mới", "actual"), ("Mục tiêu xã đạt chuẩn", "target")):
        for ntm in latest(model.rows("ntm_counts"), level="ntm", measure="cumulative", kind=kind):
            headline.append((label, f"{ntm['communes']}" +
                             (f"/{ntm['base']}" if ntm.get("base") else "") + " xã", ntm))
    for avg in latest(model.rows("average_criteria"), kind="actual", scope="toàn tỉnh"):
        headline.append(("Bình quân tiêu chí/xã", avg["value_text"], avg))
    fund = widest_total(model.rows("funding"))
    if fund:
        headline.append(("Tổng nguồn lực huy động, " + fund["period_label"],
                         f"{(fund.get('qualifier') or '')} {fund['amount_stated']} {fund['unit_stated']}".strip(),
                         fund))
    return headline


def generate(site: Site) -> None:
    model = site.model
    headline = headline_figures(model)
    chart = data_charts.ntm_chart(model)
    if chart:
        site.chart(chart)
    site.page("index.md", "home.md.j2", headline=headline, chart=chart,
              communes=len(model.communes), districts=len(model.districts), LEVEL_LABEL=LEVEL_LABEL)
