"""One page per former district (11) and an index: communes in each period, each commune's latest
status (recognition, criteria met) as a table, charts of its communes, honour-roll entries,
projects and models located there. The per-commune aggregates are computed once for the whole
package with pandas (vectorised), then looked up per district."""
from __future__ import annotations

from functools import cache, partial

from .. import exports, labels, place_charts, routes
from ..model import full_name
from . import LEVEL_LABEL, NO_DATA, STATUS_LABEL, Site
from .commune import count_text, criteria_of, current_level

PERIODS = (("in_registry_2019", "Danh mục 01/12/2019 (giai đoạn 2011-2019)"),
           ("in_registry_2021", "Danh mục 03/02/2021 (sau sắp xếp năm 2019-2020)"),
           ("in_registry_2025_01", "Danh mục 04/01/2025 (sau sắp xếp năm 2024)"))

# The tables the index reads (the communes of each period, the districts): kept while these are.
INDEX_READS = ("communes", "districts")


def latest_by_district(model, criteria=None) -> tuple[dict, dict]:
    """({commune_id: latest actual count row}, {district_id: rows at the district's latest date}).
    One pass over the whole package: the latest count per commune, then per district the latest
    date at which any of its communes has one."""
    latest = (criteria or model.criteria).latest()
    if not len(latest):
        return {}, {}
    district_of = {cid: c.get("district_id") for cid, c in model.communes.items()}
    latest = latest.assign(district_id=latest["commune_id"].map(district_of)).dropna(subset=["district_id"])
    per_commune = {r["commune_id"]: r for r in latest.to_dict("records")}
    last = latest.groupby("district_id")["as_of"].transform("max")
    at_last = latest[latest["as_of"].eq(last)]
    per_district = {d: frame.to_dict("records") for d, frame in at_last.groupby("district_id")}
    return per_commune, per_district


def district_charts(site: Site, district: dict, communes: list[dict], at_last: list[dict]):
    model = site.model
    name = full_name(district)
    out = []
    if at_last:
        bars = sorted(({"name": model.communes[r["commune_id"]]["name"], "met": int(r["criteria_met"]),
                        "total": int(r["criteria_total"]), "source": site.source_label(r["source_id"])}
                       for r in at_last), key=lambda b: (-b["met"], b["name"]))
        sources = sorted({b["source"] for b in bars})
        out.append(place_charts.communes_latest(
            f"huyen-{district['id']}-tieu-chi", name, bars, labels.when(at_last[0], brief=True),
            "Nguồn: " + ", ".join(sources) + "."))
    return [site.chart(c) for c in out if c]


def district_page(site: Site, district: dict, communes: list[dict], periods: list, latest) -> None:
    model = site.model
    per_commune, per_district = latest()
    path = routes.district(district["id"])
    related = {"commune_recognitions": [r for c in communes for r in model.communes[c["id"]]["recognitions"]],
               **{t: model.located(t, district_id=district["id"]) for t in
                  ("donors", "households", "land_donors", "projects", "production_models", "awards")}}
    extract = f"du-lieu/huyen/{district['id']}"
    site.extract(extract, partial(exports.place_extract, district, related))
    ordered = model.communes_sorted(communes)
    status = [(c, current_level(c), per_commune.get(c["id"])) for c in ordered]
    site.page(path, "district.md.j2", district=district, periods=periods, extract=extract,
              communes=ordered, status=status,
              charts=district_charts(site, district, ordered, per_district.get(district["id"], [])),
              donors=related["donors"], households=related["households"],
              land_donors=related["land_donors"], projects=related["projects"],
              models=related["production_models"], awards=related["awards"],
              full_name=full_name, LEVEL=LEVEL_LABEL, STATUS=STATUS_LABEL, NO_DATA=NO_DATA,
              count_text=count_text)


def generate(site: Site) -> None:
    model = site.model
    communes_of = {d: model.communes_in(d) for d in model.districts}
    # a page shows its communes' rows and the rows placed in the district itself
    made = {d for d in model.districts if not site.kept(
        routes.district(d), communes=[c["id"] for c in communes_of[d]], districts=[d])}
    ids = [c["id"] for d in model.districts if d in made for c in communes_of[d]]
    latest = cache(lambda: latest_by_district(model, criteria_of(model, ids)))
    rows = []
    for district in model.districts.values():
        communes = communes_of[district["id"]]
        periods = [(label, model.communes_sorted([c for c in communes if c[flag]]))
                   for flag, label in PERIODS]
        if district["id"] in made:
            site.place_page(routes.district(district["id"]),
                            partial(district_page, site, district, communes, periods, latest))
        rows.append((district, [len(p[1]) for p in periods]))
    site.whole("district_index", INDEX_READS, partial(
        site.page, routes.DISTRICTS, "district_index.md.j2", rows=rows, periods=PERIODS, full_name=full_name))
