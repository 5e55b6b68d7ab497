"""Data downloads and the data dictionary generated from the Table Schemas. The package files are
copied as they are (validated), and zipped for a one-click download."""
from __future__ import annotations

import io
import json
import zipfile

from . import Site

ZIP_NAME = "du-lieu/ntm-lang-son-datapackage.zip"
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip entries carry no build time: same input, same bytes


def package_files(site: Site) -> dict[str, bytes]:
    """The package as published: datapackage.json and every resource's CSV, by package path."""
    files = {"datapackage.json": json.dumps(site.model.descriptor, ensure_ascii=False, indent=2).encode("utf-8")}
    for name, data in site.package_bytes.items():
        files[name] = data
    return files


def make_zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def generate(site: Site) -> None:
    files = package_files(site)
    site.extra_files[ZIP_NAME] = make_zip(files)
    resources = site.model.descriptor["resources"]
    for res in resources:
        site.extra_files[f"du-lieu/{res['name']}.csv"] = files[res["path"]]
    site.page("du-lieu/index.md", "data.md.j2", resources=resources, zip_name=ZIP_NAME,
              counts={name: len(rows) for name, rows in site.model.tables.items()},
              zip_size=len(site.extra_files[ZIP_NAME]))
