"""One page per commune-level unit of the registry, merged and renamed ones included, and an index
grouped by former district. A page leads with the answer to "where does my commune stand?"
(its NTM level and latest criteria count with their sources, or the one no-data sentence; for a
unit that no longer exists, where it went; for a 2025 unit, its former units and their record),
then criteria over time, the 19-criteria table, money and people located there, administrative
history and sources."""
from __future__ import annotations

from collections import defaultdict
from functools import partial

from .. import exports, labels, place_charts, routes
from ..model import full_name, successors
from ..render import Safe, text
from . import LEVEL_LABEL, NO_DATA, SET_LABEL, STATUS_LABEL, Site

CHANGE_LABEL = labels.CHANGE_LABEL
LEVEL_RANK = {"ntm": 1, "ntm_nang_cao": 2, "ntm_kieu_mau": 3}
KIND_SERIES = {"actual": "", "target": ", mục tiêu", "baseline": ", điểm xuất phát", "estimate": ", ước tính"}
STATUS_CELL = {"met": "đạt", "not_met": "chưa đạt"}
NQ1672 = "1672/NQ-UBTVQH15"
LOCATED = ("donors", "households", "land_donors", "projects", "production_models", "awards",
           "funding", "indicators")


def current_level(commune: dict) -> dict | None:
    """The highest level a source says the unit was recognised at (the latest if equal)."""
    recognised = [r for r in commune["recognitions"] if r["status"] == "recognised"]
    if not recognised:
        return None
    return max(recognised, key=lambda r: (LEVEL_RANK.get(r["level"], 0), r.get("year") or 0))


def series_label(row: dict) -> str:
    """One series per definition: level, criteria set, kind."""
    label = LEVEL_LABEL.get(row["level"], row["level"])
    if row.get("criteria_set"):
        label += ", bộ " + SET_LABEL.get(row["criteria_set"], row["criteria_set"])
    return label + KIND_SERIES.get(row.get("kind") or "actual", "")


def count_text(row: dict) -> str:
    return f"{int(row['criteria_met'])}/{int(row['criteria_total'])}"


def latest_actual(counts: list[dict]) -> dict | None:
    actual = [r for r in counts if (r.get("kind") or "actual") == "actual"]
    return max(actual, key=lambda r: (r["as_of"], not r["from_criteria"])) if actual else None


def share_of(change: dict) -> str:
    """How much of the old unit a change moves, in the resolution's own terms (its extent,
    as unit_changes.extent_text quotes it: toàn bộ / một phần / phần còn lại)."""
    extent = (change.get("extent_text") or "").lower()
    if "phần còn lại" in extent:
        return "Phần còn lại của"
    if extent.startswith("toàn bộ"):
        return ""
    return "Một phần" if change["change_type"] == "merged_part" or "một phần" in extent else ""


class Lineage:
    """Sentences about a unit's administrative history, in the resolutions' own wording."""

    def __init__(self, site: Site):
        self.site = site
        self.model = site.model
        self.by_code = defaultdict(list)
        for c in self.model.communes.values():
            self.by_code[c["gso_code"]].append(c)

    def link(self, page, commune_id):
        return self.site.commune_link(page, commune_id)

    def went_to(self, page: str, c: dict, ch: dict) -> Safe:
        """One change out of an old unit, as a sentence."""
        site, model = self.site, self.model
        to = model.communes.get(ch.get("to_commune_id") or "")
        cite = site.cite(page, ch)
        if to and NQ1672 in ch["legal_basis"]:
            share = share_of(ch)
            others = [x["from_commune_id"] for x in to["changes_in"] if x["from_commune_id"] != c["id"]]
            with_ = (" (cùng với " + ", ".join(self.link(page, o) for o in others) + ")") if others else ""
            subject = f"{share} {text(full_name(c))} cũ" if share else f"{text(full_name(c))} cũ"
            verb = "nay thuộc" if share else "nay là một phần của"
            if not others and not share:
                verb = "nay là"
            these = "các đơn vị này" if others else "đơn vị này"
            return Safe(f"{subject.strip()} {verb} {self.link(page, to['id'])} mới{with_}: Nghị quyết "
                        f"{text(ch['legal_basis'])} thông qua ngày 16/06/2025 sắp xếp {these} "
                        f"thành {text(to['kind'])} mới, hoạt động từ 01/07/2025. {cite}.")
        if to:
            return Safe(f"{self._date(ch)}: {text(full_name(c))} "
                        f"{CHANGE_LABEL[ch['change_type']]} {self.link(page, to['id'])} "
                        f"(Nghị quyết {text(ch['legal_basis'])}). {cite}.")
        return Safe(f"{self._date(ch)}: {text(full_name(c))} giải thể (Nghị quyết {text(ch['legal_basis'])}); "
                    f"không nguồn nào đã đọc cho biết địa bàn được nhập vào đâu. {cite}.")

    def came_from(self, page: str, c: dict, ch: dict) -> Safe:
        site = self.site
        if NQ1672 in ch["legal_basis"]:
            share = share_of(ch) or "Toàn bộ"
            return Safe(f"{share} {self.link(page, ch['from_commune_id'])} (Nghị quyết "
                        f"{text(ch['legal_basis'])}, thông qua 16/06/2025, hoạt động từ 01/07/2025). "
                        f"{site.cite(page, ch)}.")
        return Safe(f"{self._date(ch)}: {self.link(page, ch['from_commune_id'])} {CHANGE_LABEL[ch['change_type']]} "
                    f"{text(full_name(c))} (Nghị quyết {text(ch['legal_basis'])}). {site.cite(page, ch)}.")

    def code_reused(self, c: dict) -> list[dict]:
        """Later units that carry this unit's statistics code."""
        end = c.get("valid_to")
        return [o for o in self.by_code.get(c["gso_code"], ())
                if o["id"] != c["id"] and end and o.get("valid_from") and o["valid_from"] > end]

    @staticmethod
    def _date(ch) -> str:
        from ..vn import format_date
        return text(format_date(ch["effective_date"]))


def criteria_of(model, commune_ids: list[str]):
    """The per-commune criteria rows (model.CommuneCriteria) the pages to make read: for fewer
    than half the communes (a rebuild after an edit), built from the rows of those communes only
    (the same for each commune as model.criteria, without its pivot of the whole package: seconds
    at 10,600 communes)."""
    ids = list(dict.fromkeys(commune_ids))
    if len(ids) >= len(model.communes) / 2:
        return model.criteria
    from ..model import CommuneCriteria
    return CommuneCriteria([r for c in ids for r in model.located("commune_criteria", commune_id=c)],
                           [r for c in ids for r in model.located("commune_criteria_counts", commune_id=c)])


def former_record(site: Site, ch: dict, criteria) -> dict:
    """What a 2025 unit inherits from one former unit: its recognitions and latest count."""
    model = site.model
    old = model.communes[ch["from_commune_id"]]
    latest = latest_actual(criteria.counts(old["id"]))
    return {"unit": old, "share": share_of(ch) or "Toàn bộ", "recognitions": old["recognitions"],
            "latest": latest, "change": ch}


def commune_page(site: Site, lineage: Lineage, commune: dict, criterion_names: dict, criteria=None) -> None:
    model = site.model
    criteria = criteria or model.criteria
    cid = commune["id"]
    page = routes.commune(cid)
    today = successors(model, cid) if commune.get("valid_to") else []
    counts = criteria.counts(cid)
    statuses = criteria.statuses(cid)
    level = current_level(commune)
    latest = latest_actual(counts)
    formers = [former_record(site, ch, criteria) for ch in commune["changes_in"]
               if ch["from_commune_id"] in model.communes and commune.get("valid_from")]
    located = {t: model.located(t, commune_id=cid) for t in LOCATED}

    chart = None
    points = [{"date": str(r["as_of"]), "when": labels.when(r, brief=True), "series": series_label(r),
               "met": int(r["criteria_met"]), "total": int(r["criteria_total"]),
               "source": site.source_label(r["source_id"]), "kind": r.get("kind"),
               "precision": r.get("as_of_precision")} for r in counts]
    if points:
        chart = place_charts.criteria_over_time(
            f"xa-{cid}-tieu-chi", full_name(commune), points,
            "Nguồn: " + ", ".join(sorted({p["source"] for p in points})) + ".")
        if chart:
            site.chart(chart)

    table = None
    if statuses is not None:
        # one column per (date, criteria set, source); one row per criterion number
        cols = [(when, cs, src) for (cs, _as_of, when, prec, src) in
                ((k[0], k[1], labels.when({"as_of": k[1], "as_of_text": k[2], "as_of_precision": k[3]},
                                                  brief=True), k[3], k[4])
                 for k in statuses.index)]
        ordered = sorted(range(len(cols)), key=lambda i: statuses.index[i][1])
        cells = statuses.to_numpy()
        latest_set = statuses.index[ordered[-1]][0]
        table = {"columns": [cols[i] for i in ordered],
                 "rows": [(k, criterion_names.get((latest_set, k)) or f"Tiêu chí {k}",
                           [STATUS_CELL.get(cells[i][k - 1], "không có số liệu") for i in ordered])
                          for k in range(1, 20)]}

    inherited = [r for f in formers for r in (*f["recognitions"], f["latest"] or {})]
    sources = sorted({r["source_id"] for rows in (commune["recognitions"], counts, *located.values(),
                                                  commune["changes_in"], commune["changes_out"], inherited)
                      for r in rows if r.get("source_id")} | {commune["source_id"]},
                     key=site.source_label)
    extract = f"du-lieu/xa/{cid}"
    site.extract(extract, lambda: exports.place_extract(commune, {
        "commune_recognitions": commune["recognitions"],
        "unit_changes": commune["changes_in"] + commune["changes_out"],
        "commune_criteria_counts": model.located("commune_criteria_counts", commune_id=cid),
        "commune_criteria": model.located("commune_criteria", commune_id=cid), **located}))
    dissolved = [ch for ch in commune["changes_out"] if ch["change_type"] == "dissolved"]
    site.page(page, "commune.md.j2", c=commune, district=model.district_of(commune), today=today,
              extract=extract, level=level, latest=latest, counts=counts, chart=chart, table=table,
              formers=formers, bases=sorted({f["change"]["legal_basis"] for f in formers}),
              dissolved=dissolved, reused=lineage.code_reused(commune),
              lineage=lineage, sources=sources,
              donors=located["donors"], households=located["households"],
              land_donors=located["land_donors"], projects=located["projects"],
              models=located["production_models"], awards=located["awards"],
              funding=located["funding"], indicators=located["indicators"],
              full_name=full_name, LEVEL=LEVEL_LABEL, STATUS=STATUS_LABEL, SET=SET_LABEL,
              NO_DATA=NO_DATA, count_text=count_text,
              series_label=series_label)


def generate(site: Site) -> None:
    model = site.model
    lineage = Lineage(site)
    criterion_names = {(r["criteria_set"], r["number"]): r["name"] for r in model.rows("criteria")}
    shows = {cid: [cid, *(ch["from_commune_id"] for ch in c["changes_in"] if c.get("valid_from"))]
             for cid, c in model.communes.items()}  # its rows, and the record of its former units
    made = [c for cid, c in model.communes.items() if not site.kept(routes.commune(cid), communes=shows[cid])]
    criteria = criteria_of(model, [x for c in made for x in shows[c["id"]]])
    for commune in made:
        site.place_page(routes.commune(commune["id"]),
                        partial(commune_page, site, lineage, commune, criterion_names, criteria))
    site.whole("commune_index", INDEX_READS, partial(index_page, site))


# The tables the index reads (the communes, their districts' names): kept while these files are.
INDEX_READS = ("communes", "districts")


def index_page(site: Site) -> None:
    model = site.model
    groups = [(d, model.communes_sorted(model.communes_in(d["id"]))) for d in model.districts.values()]
    new_units = model.communes_sorted(model.communes_in(None))
    site.page(routes.COMMUNES, "commune_index.md.j2", groups=groups, new_units=new_units,
              total=len(model.communes), full_name=full_name)
