"""Data downloads and the data dictionary generated from the Table Schemas: the package as a
zip, each table as CSV (UTF-8 with BOM) and JSON, one SQLite database and one XLSX workbook.
The files themselves are written by exports, each table's reused while that table is unchanged."""
from __future__ import annotations

from .. import exports
from ..columns_vi import TYPE_VI, describe, describe_table
from . import Site


def generate(site: Site) -> None:
    resources = site.model.descriptor["resources"]
    # the rows of the tables the model holds, read from these files (a long table is then not
    # parsed again to count its rows, see exports._write_table_files)
    counts = {name: len(rows) for name, rows in site.model.tables.items()}
    downloads = exports.download_files(site.package_dir, site.model.descriptor, site.cache_dir, counts)
    for path, source in downloads.files.items():
        site.copy(path, source)
    files = (exports.ZIP, exports.SQLITE, exports.XLSX)
    site.page("du-lieu/index.md", "data.md.j2", resources=resources, files=files,
              sizes={k: downloads.size(k) for k in files}, counts=downloads.counts,
              zip_only=downloads.zip_only, large=exports.LARGE_TABLE_ROWS,
              reports=[s for s in site.model.sources.values() if s["kind"] == "report"],
              describe=describe, describe_table=describe_table, TYPE_VI=TYPE_VI)
