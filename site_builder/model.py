"""The model: the package's tables joined into what the pages need. Built once, read by every
page module. Person entries without a publication basis are dropped here, so no page, index
or download can show them. Only the resources the pages use are read (a package may carry
more, e.g. a national status table of millions of rows: the downloads stream those from the
files). Rows placed in a commune or district are indexed once, so a page looks up its own rows
instead of scanning every table."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .labels import UNIT_KIND_LABEL
from .package import REQUIRED_RESOURCES, load_descriptor, read_table
from .vn import sort_key

PUBLISHABLE = "named_in_public_report"
PERSON_TABLES = ("households", "land_donors", "donors")


@dataclass
class Model:
    descriptor: dict
    tables: dict[str, list[dict]]
    sources: dict[str, dict] = field(default_factory=dict)
    districts: dict[str, dict] = field(default_factory=dict)
    communes: dict[str, dict] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)
    _placed: dict = field(default_factory=dict, repr=False)  # table -> ("c"|"d", id) -> rows

    def rows(self, name: str) -> list[dict]:
        return self.tables.get(name, [])

    def commune_name(self, commune_id: str) -> str:
        c = self.communes.get(commune_id)
        return full_name(c) if c else commune_id

    def district_of(self, commune: dict) -> dict | None:
        return self.districts.get(commune.get("district_id") or "")

    def communes_sorted(self, rows=None) -> list[dict]:
        rows = self.communes.values() if rows is None else rows
        return sorted(rows, key=lambda c: (sort_key(c["name"]), sort_key(c["kind"]), c["id"]))

    def located(self, name: str, commune_id=None, district_id=None) -> list[dict]:
        """Rows of a table placed in a commune, or in a district (directly or via its communes),
        in table order."""
        if name not in self._placed:
            index = defaultdict(list)
            for row in self.rows(name):
                c = self.communes.get(row.get("commune_id") or "")
                if c:
                    index["c", c["id"]].append(row)
                for district in {row.get("district_id"), (c or {}).get("district_id")} - {None, ""}:
                    index["d", district].append(row)
            self._placed[name] = index
        key = ("c", commune_id) if commune_id else ("d", district_id)
        return list(self._placed[name].get(key, ()))

    def communes_in(self, district_id: str | None) -> list[dict]:
        """The communes of a district (None: units with no district), in registry order."""
        if "communes_in" not in self._placed:
            index = defaultdict(list)
            for c in self.communes.values():
                index[c.get("district_id") or None].append(c)
            self._placed["communes_in"] = index
        return list(self._placed["communes_in"].get(district_id, ()))


KIND_LABEL = UNIT_KIND_LABEL  # the old name


def full_name(unit: dict) -> str:
    return f"{KIND_LABEL.get(unit['kind'], unit['kind'])} {unit['name']}"


def build_model(package_dir: Path) -> Model:
    descriptor = load_descriptor(package_dir)
    tables = {}
    for res in descriptor["resources"]:
        if res["name"] not in REQUIRED_RESOURCES:
            continue
        rows = read_table(package_dir, res).rows
        if res["name"] in PERSON_TABLES:
            rows = [r for r in rows if r.get("publication_basis") == PUBLISHABLE]
        tables[res["name"]] = rows
    model = Model(descriptor, tables)
    model.sources = {r["id"]: r for r in tables["sources"]}
    model.districts = {r["id"]: r for r in sorted(tables["districts"], key=lambda d: sort_key(d["name"]))}
    model.documents = {r["id"]: r for r in tables["documents"]}
    for r in tables["communes"]:
        model.communes[r["id"]] = dict(r, changes_out=[], changes_in=[], recognitions=[])
    for ch in tables["unit_changes"]:
        if ch["from_commune_id"] in model.communes:
            model.communes[ch["from_commune_id"]]["changes_out"].append(ch)
        if ch.get("to_commune_id") in model.communes:
            model.communes[ch["to_commune_id"]]["changes_in"].append(ch)
    for rec in tables["commune_recognitions"]:
        model.communes[rec["commune_id"]]["recognitions"].append(rec)
    citations = defaultdict(list)
    for cit in tables["document_citations"]:
        citations[cit["document_id"]].append(cit)
    for doc_id, doc in model.documents.items():
        doc["citations"] = citations.get(doc_id, [])
    return model


def successors(model: Model, commune_id: str, _seen=None) -> list[dict]:
    """Today's units that an old unit leads to, following every known change."""
    seen = _seen or set()
    if commune_id in seen:
        return []
    seen.add(commune_id)
    commune = model.communes[commune_id]
    if not commune.get("valid_to"):
        return [commune]
    out = []
    for ch in commune["changes_out"]:
        if ch.get("to_commune_id") and ch["to_commune_id"] != commune_id:
            for unit in successors(model, ch["to_commune_id"], seen):
                if unit not in out:
                    out.append(unit)
    return out
