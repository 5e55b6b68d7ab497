"""Province progress: a short overview (tien-do/index.md) of the key figures in front of topic
pages: criteria at every report date, distribution of communes and average criteria; NTM
counts; funding by source and by sector (each part under its own total); indicators by theme;
targets and plans, the 2020 conference included. Every data row carries its id as an anchor,
so the finder and the disagreement notes can link to the row itself."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .. import data_charts
from ..vn import sort_key
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
        # Each direct part with its own parts under it, in the table of the direct part's
        # breakdown: a sector's split by source stays under that sector, never under an
        # unrelated total of the by-source table.
        parts = defaultdict(list)
        for part in children.get(total["id"], []):
            stack = [(part, 0)]
            while stack:
                row, depth = stack.pop(0)
                parts[part["breakdown"]].append((row, depth))
                stack[0:0] = [(c, depth + 1) for c in children.get(row["id"], [])]
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


# Topic pages under tien-do/: (file, title). The overview is tien-do/index.md.
TOPICS = [("tieu-chi.md", "Tiêu chí"), ("xa-dat-chuan.md", "Xã đạt chuẩn nông thôn mới"),
          ("nguon-von.md", "Nguồn vốn huy động")]
THEMES = [  # indicator themes: (file, title, code fragments that put an indicator there)
    ("moi-truong.md", "Môi trường", (
        "forest", "afforestation", "water", "waste", "latrine", "incinerator", "flower_roads",
        "slaughter", "hygienic")),
    ("giao-thong-thuy-loi.md", "Hạ tầng giao thông, thủy lợi", (
        "road", "canal", "irrigat", "cement", "culvert", "gravel", "materials_m3", "labour_days",
        "land_donat", "land_donor", "community_cash", "embankment", "aquaculture_drain")),
    ("ha-tang-khac.md", "Hạ tầng điện, viễn thông, trường, trạm, chợ", (
        "power", "electricity", "grid", "transformer", "line_km", "voltage", "bts", "mobile",
        "internet", "post", "mailbox", "market", "classrooms", "rooms_added", "rooms_built",
        "health_stations", "school_sites", "lighting", "commerce", "radio", "daily_newspaper",
        "email")),
    ("san-xuat.md", "Sản xuất, hợp tác xã", (
        "cooperative", "farm", "production", "ocop", "value_chain", "geographical", "marks",
        "investment", "dealer", "processing", "facilities", "woodwork", "mechanical", "traders",
        "research", "science", "extension", "technical", "model_support", "producers")),
    ("kinh-te-giam-ngheo.md", "Thu nhập, việc làm, giảm nghèo", (
        "income", "poverty", "poor_", "job", "labour", "vocational", "temporary_houses",
        "great_solidarity", "employment", "population", "natural_area", "hilly", "households",
        "especially_difficult", "pilot_communes")),
    ("van-hoa-xa-hoi.md", "Văn hóa, giáo dục, y tế", (
        "cultur", "sport", "school", "literacy", "universal", "preschool", "primary",
        "secondary", "health", "stunting", "tourism", "students")),
    ("tuyen-truyen-tap-huan.md", "Tuyên truyền, tập huấn", (
        "propaganda", "media", "newspaper", "broadcast", "leaflet", "poster", "handbook",
        "bulletin", "newsletter", "booklet", "disc", "contest", "training", "trainee", "classes",
        "materials", "attendance", "participants", "veterans", "staff_trained", "boards")),
    ("to-chuc-an-ninh.md", "Tổ chức, chỉ đạo, quốc phòng, an ninh", ()),  # everything else
]
PLANS = ("ke-hoach.md", "Kế hoạch, mục tiêu")
CONFERENCE_SOURCE = "tb2020"  # Thông báo kết luận Hội nghị trực tuyến năm 2020
PAGES = (["index.md"] + [f for f, _ in TOPICS] + [t[0] for t in THEMES] + [PLANS[0]])


def theme_of(code: str) -> str:
    for file, _, fragments in THEMES:
        if any(f in code for f in fragments):
            return file
    return THEMES[-1][0]


def capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


# Every table the province pages and their charts read (the province figures; criteria names;
# sources and disagreement notes; the documents and unit changes that date the charts' breaks):
# kept as they are while these files are (Site.whole; proved by tests/test_selective_whole.py).
READS = ("criteria_progress", "criteria_distribution", "average_criteria", "ntm_counts", "funding",
         "indicators", "criteria", "sources", "notes", "documents", "unit_changes")


def generate(site: Site) -> None:
    site.whole("province", READS, lambda: make(site))


def make(site: Site) -> None:
    model = site.model
    base = dict(KIND=KIND_AT_LABEL, LEVEL=LEVEL_LABEL, SETS=SET_LABEL, TOPICS=TOPICS,
                THEMES=THEMES, PLANS=PLANS)
    columns = progress_columns(model)
    names = {n: criterion_name(model, n) for n in range(1, 20)}
    dist_chart = data_charts.distribution_chart(model)
    avg_chart = data_charts.average_chart(model)
    site.page("tien-do/tieu-chi.md", "province_criteria.md.j2", columns=columns, names=names,
              distribution=sorted(model.rows("criteria_distribution"),
                                  key=lambda r: (r["as_of"], r["source_id"], -r["criteria_min"])),
              dist_chart=site.chart(dist_chart) if dist_chart else None,
              averages=sorted(model.rows("average_criteria"), key=lambda r: (r["as_of"], r["id"])),
              avg_chart=site.chart(avg_chart) if avg_chart else None, **base)
    ntm = sorted(model.rows("ntm_counts"), key=lambda r: (r["as_of"], r["level"], r["id"]))
    site.page("tien-do/xa-dat-chuan.md", "province_ntm.md.j2", ntm=ntm, **base)
    fund, seen = [], set()
    for total, parts in funding_groups(model):
        chart = data_charts.funding_chart(model, total, [r for r, depth in parts.get("by_source", [])
                                                         if depth == 0])
        heading = capitalised(f"{total['period_label']}: {total['category']}")
        if heading in seen:
            heading += f" ({site.source_label(total['source_id'])})"
        seen.add(heading)
        fund.append((heading, total, parts, site.chart(chart) if chart else None))
    site.page("tien-do/nguon-von.md", "province_funding.md.j2", fund=fund, **base)
    themed = defaultdict(list)
    for code, rows in indicator_groups(model):
        chart = data_charts.indicator_chart(model, code, rows)
        themed[theme_of(code)].append((code, rows, site.chart(chart) if chart else None))
    for file, title, _ in THEMES:
        groups = themed.get(file, [])
        charted, seen = [], set()
        for _code, rows, chart in groups:
            if chart:
                heading = capitalised(rows[-1]["label"])
                while heading in seen or heading == title:
                    heading += " (tiếp)"
                seen.add(heading)
                charted.append((heading, rows, chart))
        others = sorted(((capitalised(r["label"]), r) for code, rows, chart in groups if not chart
                         for r in rows), key=lambda t: (sort_key(t[0]), t[1]["as_of"], t[1]["id"]))
        site.page(f"tien-do/{file}", "province_indicators.md.j2", title=title, charted=charted,
                  others=others, **base)
    targets = [("Số xã đạt chuẩn nông thôn mới", r,
                f"{r['communes']}" + (f"/{r['base']}" if r.get("base") else "") + " xã")
               for r in ntm if r["kind"] == "target"]
    targets += [("Bình quân tiêu chí/xã", r, r["value_text"])
                for r in model.rows("average_criteria") if r["kind"] == "target"]
    targets += [(capitalised(r["label"]), r, f"{r['value_stated']} {r['unit']}")
                for r in model.rows("indicators") if r["kind"] == "target"]
    targets += [(f"Nguồn vốn {r['period_label']}: {r['category']}", r,
                 f"{r.get('qualifier') or ''} {r['amount_stated']} {r['unit_stated']}".strip())
                for r in model.rows("funding") if r["kind"] == "target"]
    targets.sort(key=lambda t: (t[1]["as_of"] if "as_of" in t[1] else t[1]["period_end"], sort_key(t[0])))
    conference = [t for t in targets if t[1]["source_id"] == CONFERENCE_SOURCE]
    conference += [(capitalised(r["label"]), r, f"{r['value_stated']} {r['unit']}")
                   for r in model.rows("indicators")
                   if r["source_id"] == CONFERENCE_SOURCE and r["kind"] != "target"]
    site.page(f"tien-do/{PLANS[0]}", "province_plans.md.j2",
              targets=[t for t in targets if t[1]["source_id"] != CONFERENCE_SOURCE],
              conference=conference, conference_source=model.sources.get(CONFERENCE_SOURCE), **base)
    overview(site, base)


def overview(site: Site, base: dict) -> None:
    from .home import headline_figures
    site.page("tien-do/index.md", "province.md.j2", headline=headline_figures(site.model), **base)
