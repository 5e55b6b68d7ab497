"""One page per national criterion (19) and an index: its name in each criteria set, its group,
and the provincial progress chart with sources."""
from __future__ import annotations

from .. import (
    data_charts,
    routes,  # own line: the imports above are rewritten on another branch
)
from . import KIND_AT_LABEL, SET_LABEL, Site, criterion_name
from .province import pct


def generate(site: Site) -> None:
    model = site.model
    index = []
    for number in range(1, 20):
        names = [r for r in model.rows("criteria") if r["number"] == number]
        names.sort(key=lambda r: ["qd491", "qd1980", "qd318"].index(r["criteria_set"]))
        rows = sorted((r for r in model.rows("criteria_progress") if r["criterion_number"] == number),
                      key=lambda r: (r["as_of"], r["kind"], r["id"]))
        chart = data_charts.criterion_chart(model, number, rows, criterion_name(model, number))
        if chart:
            site.chart(chart)
        site.page(routes.criterion(number), "criterion.md.j2", number=number, names=names,
                  rows=rows, chart=chart, name=criterion_name(model, number), pct=pct,
                  KIND=KIND_AT_LABEL, SETS=SET_LABEL)
        index.append((number, names, len(rows)))
    site.page(routes.CRITERIA, "criterion_index.md.j2", index=index)
