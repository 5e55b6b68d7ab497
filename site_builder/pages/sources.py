"""Sources: each report and outside source, what it covers, and which figures come from it."""
from __future__ import annotations

from .. import routes
from ..labels import SOURCE_KIND_LABEL, TABLE_LABEL
from . import Site

RESOURCE_LABEL, KIND_LABEL = TABLE_LABEL, SOURCE_KIND_LABEL  # the old names


def generate(site: Site) -> None:
    model = site.model
    uses = model.source_uses  # per source, rows citing it per table (the model counts them)
    order = ["report", "registry", "legal", "web_page"]
    sources = sorted(model.sources.values(),
                     key=lambda s: (order.index(s["kind"]), str(s.get("date") or ""), s["id"]))
    site.page(routes.SOURCES, "sources.md.j2", sources=sources, uses=uses, LABEL=RESOURCE_LABEL, KIND=KIND_LABEL)
