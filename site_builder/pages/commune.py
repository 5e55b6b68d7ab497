"""One page per commune-level unit of the registry, merged and renamed ones included, and an index
grouped by former district."""
from __future__ import annotations

from .. import exports
from ..model import full_name, successors
from . import LEVEL_LABEL, STATUS_LABEL, Site

CHANGE_LABEL = {"merged_whole": "nhập toàn bộ vào", "merged_part": "nhập một phần vào",
                "renamed": "đổi tên thành", "dissolved": "giải thể", "continued": "giữ tên, hợp nhất với đơn vị khác thành"}


def generate(site: Site) -> None:
    model = site.model
    for commune in model.communes.values():
        today = successors(model, commune["id"]) if commune.get("valid_to") else []
        related = {"commune_recognitions": commune["recognitions"],
                   "unit_changes": commune["changes_in"] + commune["changes_out"],
                   **{t: model.located(t, commune_id=commune["id"]) for t in
                      ("donors", "households", "land_donors", "projects", "production_models", "awards")}}
        extract = f"du-lieu/xa/{commune['id']}"
        site.extra_files[extract + ".json"], site.extra_files[extract + ".csv"] = \
            exports.place_extract(commune, related)
        site.page(f"xa/{commune['id']}.md", "commune.md.j2", c=commune,
                  district=model.district_of(commune), today=today, extract=extract,
                  donors=related["donors"], households=related["households"],
                  land_donors=related["land_donors"], projects=related["projects"],
                  models=related["production_models"], awards=related["awards"],
                  full_name=full_name, CHANGE=CHANGE_LABEL, LEVEL=LEVEL_LABEL, STATUS=STATUS_LABEL)
    groups = [(d, model.communes_sorted(model.communes_in(d["id"]))) for d in model.districts.values()]
    new_units = model.communes_sorted(model.communes_in(None))
    site.page("xa/index.md", "commune_index.md.j2", groups=groups, new_units=new_units,
              total=len(model.communes), full_name=full_name)
