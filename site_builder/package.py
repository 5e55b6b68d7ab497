"""Reading the data package: the descriptor and typed rows of each resource.

Rows carry their line number in the CSV file (the header is line 1), so every message about
a row can name the line a person sees in a spreadsheet."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath

from .report import Problem

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
    # cells that did not convert to their schema type: (line, column, value, type)
    unreadable: list[tuple[int, str, str, str]] = field(default_factory=list)

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
    if type_ == "boolean":  # only true/false (Frictionless also takes TRUE, 1: refused as unread)
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
    """Read a resource's CSV with its schema types. Cells that do not convert become None and
    are listed in `Table.unreadable` (the validation reports them). A UTF-8 byte-order mark
    (Excel's "CSV UTF-8") and CRLF line ends are accepted: the data read is the same."""
    table = Table(res["name"], res.get("path", ""), res)
    path = Path(package_dir) / table.path
    types = {f["name"]: f.get("type", "string") for f in table.fields}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for line, raw in enumerate(reader, start=2):
            row = {"_line": line}
            for name, type_ in types.items():
                cell = raw.get(name) or ""
                try:
                    row[name] = convert(cell, type_)
                except (ValueError, ArithmeticError):
                    row[name] = None
                    table.unreadable.append((line, name, cell, type_))
            table.rows.append(row)
    return table


# --- file-level checks: what must hold before a CSV can be read at all -----------------------

SAVE_AS = ("open it and save it again as \"CSV UTF-8 (Comma delimited)\" (Excel) or as "
           "\"Text CSV\" with character set UTF-8 and field delimiter \",\" (LibreOffice)")
SEPARATORS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def safe_resource_path(path: str) -> bool:
    """A resource path stays inside the package folder: relative, no '..', no backslash."""
    p = PurePosixPath(path)
    return bool(path) and not p.is_absolute() and ".." not in p.parts and "\\" not in path \
        and ":" not in path


def check_file(package_dir: Path, res: dict) -> list[Problem]:
    """Problems that stop a resource's CSV from being read as the schema says: a path outside
    the package, an encoding other than UTF-8, another separator than the comma, columns
    missing, added, repeated or out of order. An empty list means the file can be read.
    A missing file is left to the structural validation (rule `scheme-error`)."""
    name, rel_path = res.get("name", ""), res.get("path", "")

    def problem(rule, message, row=None, column="", value=""):
        return Problem("error", rule, message, resource=name, file=rel_path, row=row,
                       column=column, value=value)

    if not isinstance(rel_path, str) or not safe_resource_path(rel_path):
        return [problem("unsafe-path", "the resource's path in datapackage.json must be a file "
                        "inside the package folder, written like data/name.csv (no '..', no "
                        "absolute path)", value=str(rel_path))]
    path = Path(package_dir) / rel_path
    if not path.is_file():
        return []
    data = path.read_bytes()
    for bom, label in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                       (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            return [problem("encoding-not-utf8",
                            f"the file is saved as {label} (Excel's \"Unicode Text\"), not UTF-8: "
                            f"{SAVE_AS}", row=1)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        snippet = data[start:end if end >= 0 else len(data)].decode("utf-8", errors="replace")
        guess = ("UTF-16 without a byte-order mark" if b"\x00" in data[:400] else
                 "a Windows code page (Windows-1258, the Vietnamese one, or Windows-1252) or an "
                 "old Vietnamese font encoding (TCVN3, VNI)")
        return [problem("encoding-not-utf8",
                        f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} at line {line} "
                        f"is not UTF-8); it looks like {guess}: {SAVE_AS}",
                        row=line, value=snippet.strip()[:80])]
    text = text[1:] if text.startswith("\ufeff") else text  # UTF-8 BOM: accepted
    if not text.strip():
        return [problem("empty-file", "the file is empty: it needs at least the header line "
                        "with the column names", row=1)]
    expected = [f["name"] for f in res.get("schema", {}).get("fields", [])]
    first_line = text.splitlines()[0]
    header = next(csv.reader(io.StringIO(first_line)), [])
    if header == expected:
        return []
    for sep, label in SEPARATORS.items():
        if sep in first_line:
            split = next(csv.reader(io.StringIO(first_line), delimiter=sep), [])
            if len(split) > len(header) and len(set(split) & set(expected)) >= len(expected) / 2:
                return [problem("wrong-separator",
                                f"the columns are separated by {label}, not commas: {SAVE_AS}",
                                row=1, value=first_line[:80])]
    problems = []
    for label in sorted({h for h in header if header.count(h) > 1}):
        problems.append(problem("duplicate-column", f"the column '{label}' appears "
                                f"{header.count(label)} times in the header: keep one",
                                row=1, column=label, value=label))
    for label in header:
        if label not in expected:
            close = difflib.get_close_matches(label.strip().lower(), expected, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(problem(
                "extra-column", f"the file has a column '{label}' that datapackage.json does not "
                f"define for this table{hint}: delete the column, or rename it to a schema field",
                row=1, column=label, value=label))
    for label in expected:
        if label not in header:
            problems.append(problem(
                "missing-column", f"the column '{label}' is missing from the header: add it back "
                "(it may stay empty when the field is not required)", row=1, column=label))
    if not problems:
        problems.append(problem(
            "column-order", "the columns are in a different order from the schema; put them "
            "in this order: " + ", ".join(expected), row=1, value=first_line[:80]))
    return problems
