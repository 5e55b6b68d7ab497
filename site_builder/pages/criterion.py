"""One page per national criterion (19) and an index: its name in each criteria set, its group,
and the provincial progress chart with sources."""
from __future__ import annotations

from .. import charts
from ..vn import format_date
from . import KIND_AT_LABEL, SET_LABEL, Site, criterion_name
from .province import pct
from .. import routes  # own line: the imports above are rewritten on another branch


def progress_chart(model, number, rows):
    if not rows:
        return None
    table = [[format_date(r["as_of"]), KIND_AT_LABEL[r["kind"]], pct(r), r["communes"], r["base"],
              model.sources[r["source_id"]].get("short_title") or r["source_id"]] for r in rows]
    name = criterion_name(model, number)
    return charts.bar_chart(
        f"tieu-chi-{number:02d}", f"Tiêu chí {number} ({name}): tỷ lệ xã đạt (%)",
        f"Biểu đồ cột: tỷ lệ xã đạt tiêu chí {number} ({name}) qua các kỳ báo cáo. "
        + "; ".join(f"{a} ({b.lower()}): {d}/{e} xã" for a, b, _, d, e, _ in table) + ".",
        "Nguồn: " + ", ".join(sorted({t[5] for t in table})) + ". Tỷ lệ theo báo cáo, hoặc tính từ số xã/số xã cơ sở khi báo cáo không ghi.",
        ["Thời điểm", "Loại", "Tỷ lệ %", "Số xã đạt", "Số xã cơ sở", "Nguồn"], table,
        x="Thời điểm", y="Tỷ lệ %", color="Loại", y_title="% số xã")


def generate(site: Site) -> None:
    model = site.model
    index = []
    for number in range(1, 20):
        names = [r for r in model.rows("criteria") if r["number"] == number]
        names.sort(key=lambda r: ["qd491", "qd1980", "qd318"].index(r["criteria_set"]))
        rows = sorted((r for r in model.rows("criteria_progress") if r["criterion_number"] == number),
                      key=lambda r: (r["as_of"], r["kind"], r["id"]))
        chart = progress_chart(model, number, rows)
        if chart:
            site.chart(chart)
        site.page(routes.criterion(number), "criterion.md.j2", number=number, names=names,
                  rows=rows, chart=chart, name=criterion_name(model, number), pct=pct,
                  KIND=KIND_AT_LABEL, SETS=SET_LABEL)
        index.append((number, names, len(rows)))
    site.page(routes.CRITERIA, "criterion_index.md.j2", index=index)
