"""Policy documents: every cited document grouped by kind and year, with an anchor each."""
from __future__ import annotations

from collections import defaultdict

from .. import routes
from . import Site

KIND_ORDER = ["Luật", "Nghị quyết", "Nghị định", "Quyết định", "Chỉ thị", "Kết luận", "Thông tư",
              "Thông tư liên tịch", "Chương trình", "Kế hoạch", "Đề án", "Hướng dẫn", "Thông báo",
              "Công văn", "Phát động", "Văn bản"]


def generate(site: Site) -> None:
    groups = defaultdict(list)
    for doc in site.model.documents.values():
        groups[doc["doc_kind"]].append(doc)
    ordered = []
    for kind in sorted(groups, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99):
        docs = sorted(groups[kind], key=lambda d: (d.get("year") or 0, str(d.get("date") or ""), d["id"]))
        ordered.append((kind, docs))
    site.page(routes.DOCUMENTS, "documents.md.j2", groups=ordered, total=len(site.model.documents))
