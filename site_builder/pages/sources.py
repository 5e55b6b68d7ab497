"""Sources: each report and outside source, what it covers, and which figures come from it."""
from __future__ import annotations

import csv
from collections import Counter

from .. import routes
from ..labels import SOURCE_KIND_LABEL, TABLE_LABEL
from . import Site

RESOURCE_LABEL, KIND_LABEL = TABLE_LABEL, SOURCE_KIND_LABEL  # the old names


def generate(site: Site) -> None:
    model = site.model
    uses = {sid: Counter() for sid in model.sources}
    for name, rows in model.tables.items():
        for row in rows:
            if row.get("source_id") in uses:
                uses[row["source_id"]][name] += 1
    for res in model.descriptor["resources"]:  # tables the model does not load: stream them
        if res["name"] not in model.tables and site.package_dir:
            with open(site.package_dir / res["path"], encoding="utf-8-sig", newline="") as f:
                for row in csv.DictReader(f):
                    if row.get("source_id") in uses:
                        uses[row["source_id"]][res["name"]] += 1
    order = ["report", "registry", "legal", "web_page"]
    sources = sorted(model.sources.values(),
                     key=lambda s: (order.index(s["kind"]), str(s.get("date") or ""), s["id"]))
    site.page(routes.SOURCES, "sources.md.j2", sources=sources, uses=uses, LABEL=RESOURCE_LABEL, KIND=KIND_LABEL)
