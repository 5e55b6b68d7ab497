"""Downloads: the published tables as CSV (UTF-8 with BOM, so Excel shows Vietnamese), JSON,
one SQLite database, one XLSX workbook and the data package as a zip. Every output is
deterministic (no build time inside), so two builds of one commit give the same bytes.
Person entries without a publication basis are left out here as on the pages."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from .model import PERSON_TABLES, PUBLISHABLE

FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip entry time: same input, same bytes
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "year": "INTEGER", "boolean": "INTEGER"}


def published_rows(name: str, data: bytes) -> tuple[list[str], list[dict]]:
    """A table's columns and rows as strings, exactly as in the package, persons filtered."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    rows = list(reader)
    if name in PERSON_TABLES:
        rows = [r for r in rows if r.get("publication_basis") == PUBLISHABLE]
    return list(reader.fieldnames or []), rows


def to_csv(columns: list[str], rows: list[dict], bom: bool = True) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n" if bom else "\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def typed(value: str, type_: str):
    if value == "":
        return None
    try:
        if type_ in ("integer", "year"):
            return int(value)
        if type_ == "number":
            return float(value)
        if type_ == "boolean":
            return value == "true"
    except ValueError:
        return value
    return value


def to_json(resource: dict, rows: list[dict]) -> bytes:
    types = {f["name"]: f.get("type", "string") for f in resource["schema"]["fields"]}
    records = [{k: typed(v, types.get(k, "string")) for k, v in r.items() if k in types} for r in rows]
    return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


def to_sqlite(resources: list[dict], tables: dict[str, list[dict]]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ntm.sqlite"
        con = sqlite3.connect(path)
        for res in resources:
            fields = res["schema"]["fields"]
            cols = ", ".join(f'"{f["name"]}" {SQL_TYPES.get(f.get("type"), "TEXT")}' for f in fields)
            pk = res["schema"].get("primaryKey")
            if pk:
                cols += ", PRIMARY KEY (" + ", ".join(f'"{k}"' for k in pk) + ")"
            con.execute(f'CREATE TABLE "{res["name"]}" ({cols})')
            names = [f["name"] for f in fields]
            con.executemany(
                f'INSERT INTO "{res["name"]}" VALUES ({", ".join("?" * len(names))})',
                [[typed(r.get(n, ""), f.get("type", "string")) for n, f in zip(names, fields)]
                 for r in tables[res["name"]]])
        con.commit()
        con.execute("VACUUM")
        con.close()
        return path.read_bytes()


def to_xlsx(resources: list[dict], tables: dict[str, list[dict]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for res in resources:
        ws = wb.create_sheet(res["name"][:31])
        fields = res["schema"]["fields"]
        ws.append([f["name"] for f in fields])
        for r in tables[res["name"]]:
            ws.append([typed(r.get(f["name"], ""), f.get("type", "string")) for f in fields])
    fixed = dt.datetime(*FIXED_TIME)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "site_builder"
    buf = io.BytesIO()
    wb.save(buf)
    return _rezip(buf.getvalue())


def _rezip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times and a fixed `modified` property (openpyxl stamps
    the current time in both when it saves)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    files = {name: src.read(name) for name in src.namelist()}
    files["docProps/core.xml"] = re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>2020-01-01T00:00:00Z\g<2>",
        files["docProps/core.xml"])
    return make_zip(files, sort=False)


def make_zip(files: dict[str, bytes], sort: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in (sorted(files) if sort else files):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


EXTRACT_TABLES = ("commune_recognitions", "unit_changes", "donors", "households", "land_donors",
                  "projects", "production_models", "awards")
LABEL_FIELDS = ("name", "recipient", "decision", "category")


def place_extract(unit: dict, related: dict[str, list[dict]]) -> tuple[bytes, bytes]:
    """One commune's or district's own extract: the unit and every row placed there, as JSON
    (nested by table) and CSV (one row per record: table, id, label, figure, source)."""
    clean = lambda r: {k: (v.isoformat() if hasattr(v, "isoformat") else
                           (float(v) if hasattr(v, "as_tuple") else v))
                       for k, v in r.items() if not k.startswith("_") and not isinstance(v, list)}
    doc = {"unit": clean(unit), **{t: [clean(r) for r in rows] for t, rows in related.items() if rows}}
    columns = ["table", "id", "label", "figure_as_stated", "source_id", "source_locator"]
    rows = []
    for table, records in related.items():
        for r in records:
            label = next((str(r[f]) for f in LABEL_FIELDS if r.get(f)), "")
            if table == "unit_changes":
                label = f"{r['from_commune_id']} → {r.get('to_commune_id') or '?'} ({r['change_type']})"
            figure = " ".join(str(p) for p in (r.get("qualifier"), r.get("amount_stated"), r.get("unit_stated"))
                              if p) or str(r.get("area_stated") or r.get("income_text") or r.get("year") or "")
            rows.append({"table": table, "id": r["id"], "label": label, "figure_as_stated": figure,
                         "source_id": r.get("source_id", ""), "source_locator": r.get("source_locator", "")})
    return (json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"), to_csv(columns, rows))
