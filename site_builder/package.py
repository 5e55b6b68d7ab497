"""Reading the data package: the descriptor and typed rows of each resource.

Rows carry their line number in the CSV file (the header is line 1), so every message about
a row can name the line a person sees in a spreadsheet."""
from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

REQUIRED_RESOURCES = (
    "sources", "districts", "communes", "unit_changes", "criteria", "criteria_progress",
    "criteria_distribution", "average_criteria", "ntm_counts", "commune_recognitions",
    "funding", "donors", "households", "land_donors", "projects", "production_models",
    "awards", "documents", "document_citations", "indicators", "notes",
)


class PackageError(Exception):
    """The package cannot be read at all (no descriptor, bad JSON)."""


@dataclass
class Table:
    name: str
    path: str               # path as written in the descriptor, relative to the package
    descriptor: dict
    rows: list[dict] = field(default_factory=list)  # typed values; key "_line" = CSV line

    @property
    def fields(self) -> list[dict]:
        return self.descriptor.get("schema", {}).get("fields", [])

    def field(self, name: str) -> dict | None:
        return next((f for f in self.fields if f["name"] == name), None)


def load_descriptor(package_dir: Path) -> dict:
    path = Path(package_dir) / "datapackage.json"
    if not path.is_file():
        raise PackageError(f"{path}: file not found (a data package needs datapackage.json)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"{path}: not valid UTF-8 JSON: {exc}") from exc


def convert(value: str, type_: str):
    """Convert one CSV cell to its schema type; '' -> None. Raises ValueError when it does not fit."""
    if value == "":
        return None
    if type_ == "integer":
        return int(value)
    if type_ == "number":
        return Decimal(value) if _is_plain_number(value) else _raise(value, type_)
    if type_ == "year":
        return int(value) if value.isdigit() and len(value) == 4 else _raise(value, type_)
    if type_ == "date":
        return dt.date.fromisoformat(value) if len(value) == 10 else _raise(value, type_)
    if type_ == "boolean":
        if value in ("true", "false"):
            return value == "true"
        _raise(value, type_)
    return value


def _is_plain_number(value: str) -> bool:
    try:
        Decimal(value)
    except Exception:
        return False
    return value.strip() == value and value.lower() not in ("nan", "inf", "-inf", "infinity")


def _raise(value, type_):
    raise ValueError(f"{value!r} is not a {type_}")


def read_table(package_dir: Path, res: dict) -> Table:
    """Read a resource's CSV with its schema types. Cells that do not convert become None
    (the structural validation reports them)."""
    table = Table(res["name"], res.get("path", ""), res)
    path = Path(package_dir) / table.path
    types = {f["name"]: f.get("type", "string") for f in table.fields}
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for line, raw in enumerate(reader, start=2):
            row = {"_line": line}
            for name, type_ in types.items():
                cell = raw.get(name) or ""
                try:
                    row[name] = convert(cell, type_)
                except (ValueError, ArithmeticError):
                    row[name] = None
            table.rows.append(row)
    return table
