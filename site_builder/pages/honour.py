"""Honour rolls: donors, exemplary households, land donors, awards, projects and models."""
from __future__ import annotations

from decimal import Decimal

from .. import routes
from ..vn import sort_key
from . import Site

# Every table the honour pages read (their rows; each place's commune and district names; each
# row's source): kept as they are while these files are (Site.whole; tests/test_selective_whole.py
# proves that no other table changes them).
READS = ("donors", "households", "land_donors", "awards", "projects", "production_models",
         "communes", "districts", "sources")


def generate(site: Site) -> None:
    site.whole("honour", READS, lambda: make(site))


def make(site: Site) -> None:
    model = site.model
    by_name = lambda rows, key="name": sorted(rows, key=lambda r: (sort_key(r[key]), r["id"]))
    donors = by_name(model.rows("donors"))
    money = [r for r in donors if r.get("amount_million_vnd") is not None]
    land = by_name(model.rows("land_donors"))
    site.page(routes.HONOUR, "honour_index.md.j2", counts={
        "donors": len(donors), "households": len(model.rows("households")), "land": len(land),
        "awards": len(model.rows("awards")), "projects": len(model.rows("projects")),
        "models": len(model.rows("production_models"))})
    site.page(routes.honour("donors"), "honour_donors.md.j2", rows=donors,
              total=sum((r["amount_million_vnd"] for r in money), Decimal(0)), counted=len(money),
              qualified=sum(1 for r in money if r.get("qualifier")))
    site.page(routes.honour("households"), "honour_households.md.j2", rows=by_name(model.rows("households")))
    site.page(routes.honour("land_donors"), "honour_land.md.j2", rows=land,
              total=sum((r["area_m2"] for r in land if r.get("area_m2") is not None), Decimal(0)),
              counted=sum(1 for r in land if r.get("area_m2") is not None))
    site.page(routes.honour("awards"), "honour_awards.md.j2",
              rows=sorted(model.rows("awards"), key=lambda r: (r["source_id"], r["id"])))
    site.page(routes.honour("projects"), "honour_projects.md.j2",
              projects=sorted(model.rows("projects"), key=lambda r: (r["source_id"], r["id"])),
              models=sorted(model.rows("production_models"), key=lambda r: (r["source_id"], r["id"])))
