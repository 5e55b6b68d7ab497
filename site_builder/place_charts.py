"""Charts of one commune or one district, on the same contract as every other chart
(charts.py): one mark per stated figure, one series per definition (level, criteria set,
kind), never joined across definitions, time on a real time axis, the CSV = the marks drawn.
Each chart's spec depends only on its own figures, so a warm build takes its SVG from the
spec-hash cache."""
from __future__ import annotations

import datetime as dt

from .charts import Chart, Mark, bar_chart_marks, time_chart

UNIT = "tiêu chí"


def criteria_over_time(slug: str, name: str, points: list[dict], source: str) -> Chart | None:
    """Criteria met per date for one commune. points: {"date": date, "when": "năm 2020",
    "series": "...", "met": 19, "total": 19, "source": "...", "kind": "actual",
    "precision": "year"}; None under two dates (a single figure is said in words)."""
    if len({p["date"] for p in points}) < 2:
        return None
    marks = [Mark(x=_date(p["date"]), series=p["series"], value=p["met"], unit=f"trên {p['total']} {UNIT}",
                  source=p["source"], wording=p["when"], kind=p.get("kind") or "actual",
                  precision=p.get("precision") or "")
             for p in points]
    return time_chart(slug, f"Số tiêu chí đạt theo thời gian: {name}",
                      f"Số tiêu chí {name} đạt tại mỗi thời điểm có số liệu", source, marks,
                      "Số tiêu chí đạt")


def communes_latest(slug: str, district: str, bars: list[dict], when: str, source: str) -> Chart | None:
    """Criteria met by each commune of a district at one date, as its source states it.
    bars: {"name", "met", "total", "source"}."""
    if not bars:
        return None
    marks = [Mark(x=b["name"], series=f"Số tiêu chí đạt, {when}", value=b["met"],
                  unit=f"trên {b['total']} {UNIT}", source=b["source"], wording=f"{b['met']}/{b['total']}")
             for b in bars]
    return bar_chart_marks(slug, f"Số tiêu chí đạt của từng xã, {when}",
                           f"Số tiêu chí đạt của từng xã thuộc {district}, {when}", source, marks,
                           "Số tiêu chí đạt", sort_by_value=True)


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])

