"""One page per former district (11) and an index: communes in each period, what is known per
commune, honour-roll entries, projects and models located there."""
from __future__ import annotations

from .. import exports
from ..model import full_name
from . import LEVEL_LABEL, STATUS_LABEL, Site

PERIODS = (("in_registry_2019", "Danh mục 01/12/2019 (giai đoạn 2011-2019)"),
           ("in_registry_2021", "Danh mục 03/02/2021 (sau sắp xếp năm 2019-2020)"),
           ("in_registry_2025_01", "Danh mục 04/01/2025 (sau sắp xếp năm 2024)"))


def generate(site: Site) -> None:
    model = site.model
    rows = []
    for district in model.districts.values():
        communes = model.communes_in(district["id"])
        periods = [(label, model.communes_sorted([c for c in communes if c[flag]]))
                   for flag, label in PERIODS]
        path = f"huyen/{district['id']}.md"
        related = {"commune_recognitions": [r for c in communes for r in model.communes[c["id"]]["recognitions"]],
                   **{t: model.located(t, district_id=district["id"]) for t in
                      ("donors", "households", "land_donors", "projects", "production_models", "awards")}}
        extract = f"du-lieu/huyen/{district['id']}"
        site.extra_files[extract + ".json"], site.extra_files[extract + ".csv"] = \
            exports.place_extract(district, related)
        site.page(path, "district.md.j2", district=district, periods=periods, extract=extract,
                  communes=model.communes_sorted(communes),
                  donors=related["donors"], households=related["households"],
                  land_donors=related["land_donors"], projects=related["projects"],
                  models=related["production_models"], awards=related["awards"],
                  full_name=full_name, LEVEL=LEVEL_LABEL, STATUS=STATUS_LABEL)
        rows.append((district, [len(p[1]) for p in periods]))
    site.page("huyen/index.md", "district_index.md.j2", rows=rows, periods=PERIODS,
              full_name=full_name)
