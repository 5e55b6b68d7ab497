"""Data downloads and the data dictionary generated from the Table Schemas: the package as a
zip, each table as CSV (UTF-8 with BOM) and JSON, one SQLite database and one XLSX workbook."""
from __future__ import annotations

import json

from .. import exports
from . import Site

ZIP = "du-lieu/ntm-lang-son-datapackage.zip"
SQLITE = "du-lieu/ntm-lang-son.sqlite"
XLSX = "du-lieu/ntm-lang-son.xlsx"


def generate(site: Site) -> None:
    descriptor = site.model.descriptor
    resources = descriptor["resources"]
    tables, package_files = {}, {"datapackage.json": json.dumps(descriptor, ensure_ascii=False, indent=2).encode("utf-8")}
    for res in resources:
        columns, rows = exports.published_rows(res["name"], site.package_bytes[res["path"]])
        tables[res["name"]] = rows
        package_files[res["path"]] = exports.to_csv(columns, rows, bom=False)
        site.extra_files[f"du-lieu/{res['name']}.csv"] = exports.to_csv(columns, rows)
        site.extra_files[f"du-lieu/{res['name']}.json"] = exports.to_json(res, rows)
    site.extra_files[ZIP] = exports.make_zip(package_files)
    site.extra_files[SQLITE] = exports.to_sqlite(resources, tables)
    site.extra_files[XLSX] = exports.to_xlsx(resources, tables)
    sizes = {k: len(site.extra_files[k]) for k in (ZIP, SQLITE, XLSX)}
    site.page("du-lieu/index.md", "data.md.j2", resources=resources, files=(ZIP, SQLITE, XLSX),
              sizes=sizes, counts={name: len(rows) for name, rows in tables.items()},
              reports=[s for s in site.model.sources.values() if s["kind"] == "report"])
