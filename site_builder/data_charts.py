"""The charts of the province, home and criterion pages, built from the model as `Mark`s (one per
figure a report states) by the rules of charts.py. Page modules call these functions and place the
returned `Chart`; nothing here lays out a page."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from . import charts
from .charts import KIND_LABEL, Mark
from .vn import format_number

SET_SERIES = {"qd491": "Bộ tiêu chí 2009 (QĐ 491)", "qd1980": "Bộ tiêu chí 2016-2020 (QĐ 1980)",
              "qd318": "Bộ tiêu chí 2021-2025 (QĐ 318)"}
MERGER_BASE = 181   # communes after the 2019-2020 mergers (Nghị quyết 818/NQ-UBTVQH14)
MERGER_LAW = "818/NQ-UBTVQH14"
CRITERIA_2016 = "1980/QĐ-TTg"


def criteria_set_break(model):
    """(date, label) of the 2016-2020 criteria set, from the documents table."""
    doc = next((d for d in model.documents.values() if d["number"] == CRITERIA_2016 and d.get("date")), None)
    return (doc["date"], "Bộ tiêu chí 2016-2020") if doc else None


def merger_break(model):
    """(date, label) the 2020 commune mergers took effect, from unit_changes."""
    dates = [r["effective_date"] for r in model.rows("unit_changes")
             if r.get("legal_basis") == MERGER_LAW and r.get("effective_date")]
    return (min(dates), "sau sáp nhập xã 2020") if dates else None


def _source(model, row) -> str:
    s = model.sources.get(row["source_id"], {})
    return s.get("short_title") or s.get("title") or row["source_id"]


def _sources_line(marks) -> str:
    names = sorted({n for m in marks for n in m.source.split("; ")})
    return "Nguồn: " + ", ".join(names) + "."


def _base_label(base) -> str:
    if not base:
        return ""
    return f"trên {base} xã" + (" (sau sáp nhập xã 2020)" if base == MERGER_BASE else "")


def _pct(row) -> tuple[Decimal | None, bool]:
    """(percent, stated?): the report's percent, else communes/base."""
    if row.get("percent_stated") is not None:
        return row["percent_stated"], True
    if row.get("communes") is not None and row.get("base"):
        return (Decimal(row["communes"]) * 100 / row["base"]).quantize(Decimal("0.01")), False
    return None, False


def _count_wording(row, stated: bool) -> str:
    text = f"{row.get('as_of_text') or ''}: {row['communes']}" + (f"/{row['base']}" if row.get("base") else "") + " xã"
    if stated:
        text += f" ({format_number(row['percent_stated'])}%)"
    else:
        text += " (tỷ lệ tính từ số xã)"
    return text.strip(": ")


# --- home: communes meeting the NTM standard ----------------------------------------------------
def ntm_chart(model):
    rows = [r for r in model.rows("ntm_counts") if r["level"] == "ntm" and r["measure"] == "cumulative"]
    marks, left_out = [], []
    for r in rows:
        value, stated = _pct(r)
        if value is None:
            left_out.append(r)
            continue
        base = _base_label(r.get("base")) or "báo cáo không ghi số xã cơ sở"
        marks.append(Mark(r["as_of"], f"{KIND_LABEL[r['kind']]}, {base}", value, "% số xã",
                          _source(model, r), _count_wording(r, stated), r["kind"],
                          r.get("as_of_precision") or "", where=r.get("source_locator") or ""))
    if not marks:
        return None
    notes = []
    if left_out:
        notes.append("Không vẽ (báo cáo không ghi số xã cơ sở nên không tính được tỷ lệ): " + "; ".join(
            f"{r['communes']} xã, {KIND_LABEL[r['kind']].lower()}, {r.get('as_of_text') or r['as_of']} "
            f"({_source(model, r)})" for r in sorted(left_out, key=lambda r: r["as_of"])) + ".")
    breaks = [merger_break(model)] if len({r.get("base") for r in rows if r.get("base")}) > 1 else []
    return charts.time_chart(
        "xa-dat-chuan-ntm", "Tỷ lệ xã đạt chuẩn nông thôn mới (lũy kế), theo số xã cơ sở",
        "Tỷ lệ xã đạt chuẩn nông thôn mới (lũy kế), mỗi số xã cơ sở một đường (207 xã trước, "
        "181 xã sau sáp nhập xã 2020)",
        _sources_line(marks), marks, "% số xã", notes, breaks=[b for b in breaks if b])


# --- province: criteria distribution, average criteria, funding, indicators --------------------
def band_label(lo: int, hi: int) -> str:
    """One label per band, whatever the report wrote ('đạt 1 - 4' and 'đạt 01 - 04')."""
    if lo == hi:
        return "không đạt tiêu chí nào" if lo == 0 else f"{lo} tiêu chí"
    return f"{lo}-{hi} tiêu chí"


def distribution_chart(model):
    rows = sorted(model.rows("criteria_distribution"), key=lambda r: (r["as_of"], r["criteria_min"]))
    if not rows:
        return None
    bands = sorted({(r["criteria_min"], r["criteria_max"]) for r in rows}, key=lambda b: (-b[1], -b[0]))
    marks = []
    for r in rows:
        kind = KIND_LABEL[r["kind"]]
        date = Mark(r["as_of"], "", 0, "", "", precision=r.get("as_of_precision") or "").x_label
        marks.append(Mark(band_label(r["criteria_min"], r["criteria_max"]),
                          f"{date}, {kind.lower()}, {_base_label(r.get('base'))}".rstrip(", "),
                          r["communes"], "xã", _source(model, r),
                          f"{r.get('as_of_text') or ''}: {r['band_label']} {r['communes']} xã".strip(": "),
                          r["kind"], r.get("as_of_precision") or ""))
    done = [r for r in rows if r["kind"] in ("actual", "baseline")]
    last = max((r["as_of"] for r in done), default=None)
    latest = [m for m, r in zip(marks, rows) if r["as_of"] == last and r in done]
    what = "Số xã theo nhóm số tiêu chí đạt, mỗi thời điểm báo cáo một màu."
    if latest:
        what += (f" Số liệu thực hiện mới nhất ({latest[0].series.split(',')[0]}): "
                 + ", ".join(f"{m.x} {m.value_label}" for m in latest) + ".")
    return charts.bar_chart_marks(
        "phan-nhom-xa", "Phân nhóm xã theo số tiêu chí đạt", what,
        _sources_line(marks), marks, "Số xã", order=[band_label(*b) for b in bands])


def average_chart(model):
    rows = [r for r in model.rows("average_criteria") if r["scope"].lower() == "toàn tỉnh"]
    if not rows:
        return None
    marks = [Mark(r["as_of"], KIND_LABEL[r["kind"]], r["value"], "tiêu chí/xã", _source(model, r),
                  f"{r.get('as_of_text') or ''}: {r['value_text']}".strip(": "), r["kind"],
                  r.get("as_of_precision") or "", where=r.get("source_locator") or "") for r in rows]
    return charts.time_chart(
        "binh-quan-tieu-chi", "Bình quân số tiêu chí đạt trên một xã (toàn tỉnh)",
        "Bình quân số tiêu chí đạt trên một xã của toàn tỉnh theo thời gian",
        _sources_line(marks), marks, "tiêu chí/xã")


def funding_chart(model, total, direct):
    """Parts of one stated total as sorted horizontal bars; the total itself is the first bar;
    a note says when the report's parts do not add up to its total."""
    if len(direct) < 2:
        return None
    source = _source(model, total)
    series = "Từng nguồn (báo cáo ghi)"
    marks = [Mark(r["category"], series, r["amount_million_vnd"], "triệu đồng", source,
                  f"{r.get('qualifier') or ''} {r['amount_stated']} {r['unit_stated']}".strip())
             for r in direct]
    marks.sort(key=lambda m: -m.value)
    total_label = f"Tổng ({total['category']})" if len(total["category"]) < 30 else "Tổng"
    marks.insert(0, Mark(total_label, "Tổng (báo cáo ghi)", total["amount_million_vnd"], "triệu đồng", source,
                         f"{total.get('qualifier') or ''} {total['amount_stated']} {total['unit_stated']}".strip()))
    parts_sum = sum(Decimal(str(r["amount_million_vnd"])) for r in direct)
    notes = []
    if parts_sum != Decimal(str(total["amount_million_vnd"])):
        notes.append(f"Các phần báo cáo ghi cộng lại được {format_number(parts_sum)} triệu đồng, "
                     f"khác tổng báo cáo ghi ({format_number(total['amount_million_vnd'])} triệu đồng).")
    return charts.bar_chart_marks(
        f"von-{total['id']}", f"Nguồn vốn {total['period_label']} theo nguồn (triệu đồng)",
        f"Cơ cấu nguồn vốn {total['period_label']}: tổng {marks[0].wording}, "
        f"phần lớn nhất là {marks[1].x} ({marks[1].wording}).",
        f"Nguồn: {source}, {total['source_locator']}.", marks, "triệu đồng",
        order=[str(m.x) for m in marks], notes=notes)


POVERTY_STANDARDS = (("đa chiều", "chuẩn nghèo đa chiều 2016-2020"),
                     ("2011 - 2015", "chuẩn nghèo 2011-2015"), ("2011-2015", "chuẩn nghèo 2011-2015"))


def indicator_definition(row) -> str:
    """The series an indicator row belongs to: kind, place, and for the poverty rate the
    standard (stated in the label, else the one in force at the date: the 2011-2015 income
    standard until 2015, the multidimensional one from 2016)."""
    parts = [KIND_LABEL[row["kind"]]]
    if row["indicator"] == "poverty_rate":
        label = row["label"].lower()
        standard = next((s for key, s in POVERTY_STANDARDS if key in label), None)
        if standard is None:
            standard = "chuẩn nghèo 2011-2015" if row["as_of"].year <= 2015 else "chuẩn nghèo đa chiều 2016-2020"
        parts.append(standard)
    if row["scope"].lower() != "toàn tỉnh":
        parts.append(row["scope"])
    return ", ".join(parts)


def indicator_chart(model, code, rows):
    units = {r["unit"] for r in rows}
    dates = {r["as_of"] for r in rows}
    if len(rows) < 2 or len(units) != 1 or len(dates) < 2 or len(rows) > 30:
        return None
    unit = units.pop()
    # one report giving several figures of one indicator at one date (e.g. schools by level):
    # each is its own definition, named by the report's label
    same = defaultdict(set)
    for r in rows:
        same[(r["as_of"], r["source_id"], r["kind"], r["scope"])].add(r["label"].lower())
    by_label = any(len(labels) > 1 for labels in same.values())

    def series(r):
        return indicator_definition(r) + (f": {r['label']}" if by_label else "")

    marks = [Mark(r["as_of"], series(r), r["value"], unit, _source(model, r),
                  f"{r.get('as_of_text') or ''}: {r['value_stated']}".strip(": "), r["kind"],
                  r.get("as_of_precision") or "", where=r.get("source_locator") or "") for r in rows]
    label = rows[-1]["label"]
    label = label[0].upper() + label[1:]
    return charts.time_chart(
        f"chi-tieu-{code.replace('_', '-')}", f"{label} ({unit})", f"{label} theo thời gian",
        _sources_line(marks), marks, unit)


# --- criterion pages ----------------------------------------------------------------------------
def criterion_chart(model, number, rows, name):
    marks = []
    for r in rows:
        value, stated = _pct(r)
        if value is None:
            continue
        set_name = SET_SERIES.get(r["criteria_set"], r["criteria_set"])
        marks.append(Mark(r["as_of"], f"{KIND_LABEL[r['kind']]}, {set_name}, "
                          f"{_base_label(r.get('base'))}".rstrip(", "),
                          value, "% số xã", _source(model, r), _count_wording(r, stated), r["kind"],
                          r.get("as_of_precision") or "", where=r.get("source_locator") or ""))
    if not marks:
        return None
    notes, breaks = [], []
    if len({r["criteria_set"] for r in rows}) > 1:
        breaks.append(criteria_set_break(model))
        notes.append("Từ năm 2016 tiêu chí được đánh giá theo Bộ tiêu chí 2016-2020 (QĐ 1980), "
                     "khác Bộ tiêu chí 2009: hai bộ là hai đường riêng.")
    if len({r.get("base") for r in rows}) > 1:
        breaks.append(merger_break(model))
        notes.append("Số xã cơ sở đổi từ 207 xã thành 181 xã sau sáp nhập xã 2020: "
                     "so sánh theo tỷ lệ, số xã cơ sở ghi trong chú giải.")
    return charts.time_chart(
        f"tieu-chi-{number:02d}", f"Tiêu chí {number} ({name}): tỷ lệ xã đạt (%)",
        f"Tỷ lệ xã đạt tiêu chí {number} ({name}) qua các kỳ báo cáo, theo từng bộ tiêu chí",
        _sources_line(marks) + " Tỷ lệ theo báo cáo, hoặc tính từ số xã/số xã cơ sở khi báo cáo không ghi.",
        marks, "% số xã", notes, breaks=[b for b in breaks if b])
