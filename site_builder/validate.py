"""Validate a data package: file checks (encoding, separator, header), the stock Frictionless
validation (schemas, keys, foreign keys) and our domain checks, collected into one report. Each
problem names resource, file, row, column, value and rule, in plain English. Problems that a row
of `notes` records as a known disagreement are warnings.

A file that cannot be read as the schema says (not UTF-8, not comma-separated, columns missing,
added or out of order) gets one clear problem per cause and is left out of the further checks,
so the report does not bury the cause under hundreds of consequences; fix it and validate again.
A UTF-8 byte-order mark (Excel's "CSV UTF-8") and CRLF line ends are accepted."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import re
from pathlib import Path

from . import checks, checks_commune, stream_check
from .package import (
    REQUIRED_RESOURCES,
    SAVE_AS,
    ColumnRows,
    PackageError,
    check_file,
    count_lines,
    load_descriptor,
    read_table,
)
from .report import Problem, Report
from .stream_check import stream_validate

# Frictionless rules that mean a file could not be read at all.
UNREADABLE_RULES = ("scheme-error", "encoding-error", "source-error", "format-error")


def _frictionless_problems(package_dir: Path, descriptor: dict, skip: set[str],
                           large: set[str] = frozenset(), built: dict | None = None,
                           only: set[str] | None = None) -> list[Problem]:
    """The stock validation, on every resource except those in `skip` (already reported as
    unreadable or missing); foreign keys into a skipped resource are not checked. The rows of
    the resources in `large` are checked by `stream_validate`, which finds what Frictionless
    finds, much faster (and put in `built` the tables they read on the way). With `only`, the
    rows of only those resources are checked (the package's own metadata always)."""
    from frictionless import Package  # imported here: slow import, only needed to validate

    originals = {r.get("name"): r for r in descriptor.get("resources", []) if isinstance(r, dict)}
    descriptor = copy.deepcopy(descriptor)
    descriptor["resources"] = [r for r in descriptor.get("resources", [])
                               if isinstance(r, dict) and r.get("name") not in skip]
    present = {r.get("name") for r in descriptor["resources"]}
    fields = {}
    for res in descriptor["resources"]:
        schema = res.get("schema")
        if isinstance(schema, dict):
            fields[res.get("name")] = {f.get("name"): f for f in schema.get("fields", [])
                                       if isinstance(f, dict)}
            if isinstance(schema.get("foreignKeys"), list):
                schema["foreignKeys"] = [
                    fk for fk in schema["foreignKeys"]
                    if (fk.get("reference") or {}).get("resource", "") in present | {""}]
    try:
        package_errors, tasks = _validate_package(
            Package(descriptor, basepath=str(package_dir)), large, originals, built, only)
    except Exception as exc:  # frictionless raises on descriptors it cannot read
        return [Problem("error", "package-error", f"datapackage.json cannot be read as a data "
                        f"package: {exc}", file="datapackage.json")]
    problems = []
    for err in package_errors:
        problems.append(Problem("error", err.type, f"datapackage.json: {err.message}",
                                file="datapackage.json"))
    for name, place, errors in tasks:
        for err in errors:
            problems.append(_problem(err, name or "", _relative(place, package_dir),
                                     fields.get(name, {})))
    return problems


def _validate_package(package, large: set[str], descriptors: dict | None = None,
                      built: dict | None = None, only: set[str] | None = None):
    """What `Package.validate()` does (frictionless 5: the package's metadata, then each
    resource in turn, with the default limit of 1000 errors a resource), the rows of the
    resources in `large` checked by `stream_validate`. Returns (package errors, tasks), a task
    being (resource name, place, errors)."""
    from frictionless import Checklist, FrictionlessException, settings

    try:
        package.to_descriptor(validate=True)
    except FrictionlessException as exception:
        return exception.to_errors(), []
    tasks, lookups, descriptors = [], {}, descriptors or {}
    limit = settings.DEFAULT_LIMIT_ERRORS
    for resource in package.resources:
        if only is not None and resource.name not in only:
            continue
        errors = None
        if resource.name in large:
            errors = stream_validate(resource, package, lookups,
                                      descriptors.get(resource.name), built, limit,
                                      keep_columns=resource.name in REQUIRED_RESOURCES)
        if errors is None:
            report = resource.validate(checklist=Checklist(), limit_errors=limit)
            tasks.extend((task.name, task.place, task.errors) for task in report.tasks)
        else:
            tasks.append((resource.name, resource.place, errors))
    return [], tasks


STREAM_MIN_ROWS = 1_000     # a resource of at least this many lines is checked by stream_check


def _relative(place, package_dir: Path) -> str:
    place = str(place or "")
    prefix = str(package_dir).rstrip("/") + "/"
    return place[len(prefix):] if place.startswith(prefix) else place


def _problem(err, resource: str, file: str, fields: dict) -> Problem:
    column = getattr(err, "field_name", "") or ",".join(getattr(err, "field_names", None) or [])
    cell = getattr(err, "cell", None)
    if cell is None and getattr(err, "field_cells", None):
        cell = ",".join(str(c) for c in err.field_cells)
    value = "" if cell is None else str(cell)
    if err.type == "primary-key":
        value = _key_value(err, fields)
        column = column or "id"
    if err.type in ("missing-cell",) or (err.type == "constraint-error" and value == "None"
                                          and "required" in (err.note or "")):
        value = ""
    return Problem("error", err.type, _plain(err, column, fields, file), resource=resource,
                   file=file, row=getattr(err, "row_number", None), column=column, value=value)


def _key_value(err, fields: dict) -> str:
    """The primary-key value of the row (the header matches the schema when we get here)."""
    cells = getattr(err, "cells", None) or []
    names = list(fields)
    try:
        return str(cells[names.index("id")])
    except (ValueError, IndexError):
        return ""


TYPE_WORDS = {
    "number": "this column needs a plain number: digits, '.' for decimals, no thousands "
              "separators, no words (e.g. 1352449 or 11.54)",
    "integer": "this column needs a whole number written with digits only (e.g. 600)",
    "date": "this column needs a date written YYYY-MM-DD (e.g. 2017-06-30)",
    "year": "this column needs a year of four digits (e.g. 2017)",
    "boolean": "this column needs true or false (lower case)",
}


DAY_FIRST = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*")
YEAR_FIRST = re.compile(r"\s*(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})\s*")


def fix_hint(type_: str, column: str, value: str) -> str:
    """The corrected value, where it can be told from the wrong one: a date written 15/03/2021
    ("write 2021-03-15"), an amount in đồng in a column of million đồng ("250")."""
    import datetime as dt

    from .vn import UNIT_FACTORS, parse_vn_number

    value = value or ""
    if type_ == "date":
        m = DAY_FIRST.fullmatch(value)
        day, month, year = (m.group(1), m.group(2), m.group(3)) if m else (None, None, None)
        m = YEAR_FIRST.fullmatch(value)
        if m:
            year, month, day = m.groups()
        try:
            return f"write {dt.date(int(year), int(month), int(day)).isoformat()}" if year else ""
        except ValueError:
            return ""
    if column.endswith("_million_vnd"):
        for unit in sorted(UNIT_FACTORS, key=len, reverse=True):
            if value.strip().endswith(unit):
                try:
                    amount = parse_vn_number(value.strip()[:-len(unit)].strip())
                except ValueError:
                    return ""
                million = amount * UNIT_FACTORS[unit]
                text = format(million.normalize(), "f") if million != million.to_integral() \
                    else str(int(million))
                return (f"this column is in million đồng: {text} ({value.strip()} is "
                        f"{text} million đồng; the report's wording goes in amount_stated and "
                        "unit_stated)")
        if isinstance(value, str) and re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", value.strip()):
            try:
                return f"write {format(parse_vn_number(value.strip()), 'f')}"
            except ValueError:
                return ""
    return ""


def type_words(type_: str, column: str, names, value: str = "") -> str:
    """What a cell of this type must look like, and where the report's own wording goes; the
    corrected value first where it can be told."""
    hint = fix_hint(type_, column, value)
    words = TYPE_WORDS.get(type_, f"the value is not a valid {type_ or 'value'} for this column")
    if hint:
        words = f"{hint}: {words}"
    if type_ in ("boolean", ""):
        return words
    stem = column.split("_")[0] + "_"
    companions = [n for n in names if n != column and n.startswith(stem)
                  and n.endswith(("_stated", "_text"))]
    if companions:
        return f"{words}; the report's own notation goes in {' or '.join(companions)}"
    if "note" in names:
        return f"{words}; words such as 'khoảng' (about) or 'trên' (over) go in note"
    return words


ID_PATTERNS = ("^[a-z0-9-]+$", "^[a-z0-9][a-z0-9-]*$")


def _plain(err, column: str, fields: dict, file: str) -> str:
    """Frictionless's finding in plain words, saying what to fix."""
    note = getattr(err, "note", "") or ""
    kind = err.type
    field = fields.get(column) or {}
    if kind == "type-error":
        type_ = field.get("type") or (note.split('"')[1].split("/")[0] if '"' in note else "")
        cell = getattr(err, "cell", None)
        return type_words(type_, column, list(fields), "" if cell is None else str(cell))
    if kind == "constraint-error":
        m = re.match(r'constraint "(\w+)" is "(.*)"$', note)
        name, limit = (m.group(1), m.group(2)) if m else ("", "")
        constraints = field.get("constraints", {})
        if name == "required":
            return "this column is required: the cell cannot be empty"
        if name == "enum":
            return "the value must be one of: " + ", ".join(map(str, constraints.get("enum", [])))
        if name == "minimum":
            return "the value cannot be negative" if str(limit) in ("0", "0.0") else \
                f"the value cannot be below {limit}"
        if name == "maximum":
            return f"the value cannot be above {limit}"
        if name == "pattern":
            if limit in ID_PATTERNS:
                return ("an id may contain only lower-case letters a-z, digits and hyphens (no "
                        "accents, spaces, '/', '.' or '..'), e.g. xa-kien-moc-dinh-lap")
            return f"the value must match the pattern {limit}"
        if name in ("minLength", "maxLength"):
            return f"the text length must be {'at least' if name == 'minLength' else 'at most'} {limit}"
        return f"the value breaks the constraint {name} = {limit}"
    if kind == "foreign-key":
        ref = getattr(err, "reference_name", "") or "the referenced table"
        ref_fields = ",".join(getattr(err, "reference_field_names", None) or ["id"])
        return (f"there is no row in {ref} whose {ref_fields} is this value: use an existing "
                f"{ref}.{ref_fields} (check the spelling), or add that row to {ref} first")
    if kind == "primary-key":
        m = re.search(r"position \"?(\d+)", note)
        where = f"row {m.group(1)}" if m else "another row"
        return f"this id is already used on {where}: every row needs its own id"
    if kind == "scheme-error":
        return (f"the file {file} does not exist: restore it, or correct the resource's path in "
                "datapackage.json")
    if kind == "encoding-error":
        return f"the file is not UTF-8 text: {SAVE_AS}"
    if kind == "missing-cell":
        return ("the row has fewer cells than the header (a comma missing?): every row needs "
                "one cell per column")
    if kind == "extra-cell":
        return ("the row has more cells than the header (a comma inside a cell?): put a cell "
                "that contains commas in double quotes")
    if kind == "blank-row":
        return "the row is completely empty: delete it"
    if kind in ("extra-label", "missing-label", "incorrect-label", "duplicate-label", "blank-label"):
        return f"the header does not match the schema: {err.message}"
    return f"{err.title}: {note}" if note else err.message


def validate_package(package_dir: str | Path, store=None) -> Report:
    """The validation report of a package. With `store` (a `table_cache.Store`: see
    `validate_package_cached`), what an earlier validation found in a resource whose content
    and foreign-key targets are unchanged, or in a domain check whose tables are unchanged, is
    taken from it: the report is the same, in the same order."""
    package_dir = Path(package_dir)
    report = Report(str(package_dir))
    stream_check.STREAM_FALLBACKS.clear()
    try:
        descriptor = load_descriptor(package_dir)
    except PackageError as exc:
        report.problems.append(Problem("error", "package-error", str(exc), file="datapackage.json"))
        return report
    if not isinstance(descriptor.get("resources"), list):
        report.problems.append(Problem("error", "package-error", "datapackage.json has no list "
                                       "of resources", file="datapackage.json"))
        return report
    resources = {r.get("name"): r for r in descriptor["resources"] if isinstance(r, dict)}
    for name in REQUIRED_RESOURCES:
        if name not in resources:
            report.problems.append(Problem(
                "error", "resource-missing",
                f"the package must declare the resource '{name}' in datapackage.json: put its "
                "entry (name, path, schema) back", resource=name, file="datapackage.json"))
    run = _Run(package_dir, descriptor, resources, store)
    skip, large = set(), set()
    for name, res in resources.items():
        found = run.file_problems(name, res)
        if found:
            skip.add(name)
            report.problems.extend(found)
        elif run.is_large(name, res):
            large.add(name)
    built: dict = {}  # tables read while streaming, ready for the domain checks
    fresh = _frictionless_problems(package_dir, descriptor, skip, large, built,
                                   only=set(resources) - set(run.cached) if run.cached else None)
    structural = run.structural(fresh, skip)
    report.problems.extend(structural)
    skip |= {p.resource for p in structural if p.rule in UNREADABLE_RULES}
    tables = run.tables(skip, large, built)
    unconverted = {name: [Problem(**q) for q in run.cached[name].get("unconverted", [])]
                   if name in run.cached else _unconverted({name: table}, structural)
                   for name, table in tables.items()}
    report.problems.extend(p for problems in unconverted.values() for p in problems)
    _suggest_ids(fresh, descriptor, tables)  # those from the cache carry theirs
    located = {(p.resource, p.row, p.column) for p in structural if p.row}
    report.problems.extend(p for p in _domain_problems(tables, run.store, run.keys, run.deltas)
                           if (p.resource, p.row, p.column) not in located)
    _downgrade_noted(report, tables.get("notes"))
    report.tables = tables  # for the model: a build reads each file once
    report.file_keys, report.deltas = dict(run.keys.file) if run.keys else {}, dict(run.deltas)
    run.remember(fresh, unconverted, large, tables)
    return report


class _Run:
    """One validation's use of the cache (`store`; without one, every resource is checked)."""

    def __init__(self, package_dir: Path, descriptor: dict, resources: dict, store):
        from . import table_cache

        self.package_dir, self.resources, self.store = package_dir, resources, store
        self.keys = table_cache.Keys(package_dir, descriptor) if store is not None else None
        self.cached: dict[str, dict] = {}
        self.file: dict[str, list] = {}
        self.spliced: dict = {}  # name -> typed table of a large resource checked by row_delta
        self.deltas: dict = {}  # name -> its changed lines (row_delta.Delta)
        if store is not None and len(resources) == len(descriptor["resources"]):
            for name in resources:  # names are unique: each resource has its cache entry
                entry = store.resource(name, self.keys.resource[name])
                if entry is not None:
                    self.cached[name] = entry
            for name in resources:
                if name not in self.cached:
                    self._changed_rows(name, descriptor)

    def _changed_rows(self, name: str, descriptor: dict) -> None:
        """A large resource whose file changed and nothing else its checks depend on: only its
        changed lines checked again (row_delta.py), when its last version is in the cache."""
        from .row_delta import revalidate

        old = self.store.previous(name)
        if not old or old.get("basis") != self.keys.basis[name] or not old.get("copy"):
            return
        res = self.resources[name]
        targets = {(fk.get("reference") or {}).get("resource") or name
                   for fk in (res.get("schema") or {}).get("foreignKeys") or []}
        if name in targets or any(t not in self.cached or self.cached[t]["file"] or
                                  "rows" not in self.cached[t] for t in targets):
            return  # a key pointing into itself, or at a table that is not read as it was
        entry, table, delta = revalidate(self.package_dir, descriptor, res, old, self.store,
                                         self.keys) or (None, None, None)
        if entry is not None:
            self.cached[name], self.spliced[name] = entry, table
            delta.file_key = old["file_key"]
            self.deltas[name] = delta

    def file_problems(self, name: str, res: dict) -> list[Problem]:
        entry = self.cached.get(name)
        found = [Problem(**p) for p in entry["file"]] if entry else \
            check_file(self.package_dir, res)
        self.file[name] = found
        return found

    def is_large(self, name: str, res: dict) -> bool:
        if name in self.cached:
            return self.cached[name]["large"]
        path = self.package_dir / res.get("path", "")
        return path.is_file() and count_lines(path) >= STREAM_MIN_ROWS

    def structural(self, fresh: list[Problem], skip: set[str]) -> list[Problem]:
        """Frictionless's problems in its order: each resource's, fresh or from the cache.
        Problems of the package as a whole (its descriptor) come alone, and nothing is kept."""
        if any(not p.resource or p.resource not in self.resources for p in fresh):
            self.store = None
            return fresh
        by_resource: dict[str, list] = {}
        for p in fresh:
            by_resource.setdefault(p.resource, []).append(p)
        self.fresh = by_resource
        return [p for name in self.resources if name not in skip for p in (
            [Problem(**q) for q in self.cached[name]["structural"]] if name in self.cached
            else by_resource.get(name, []))]

    def tables(self, skip: set[str], large: set[str], built: dict) -> dict:
        """The typed tables of the readable resources; a large one whose checks came from the
        cache is read from the cache's typed table when first used."""
        package_dir, tables = self.package_dir, {}
        for name, res in self.resources.items():
            if name in skip or not (package_dir / res.get("path", "")).is_file():
                continue
            entry = self.cached.get(name)
            if name in self.spliced:
                tables[name] = self.spliced[name]
            elif name in built:  # read while streamed (a table the model does not read: only its
                # distinct values and source ids are kept, its columns read again if needed)
                tables[name] = built.pop(name).table(
                    compact=True, load=lambda res=res: read_table(package_dir, res, compact=True).rows.columns)
            elif entry and name in large and "rows" in entry:
                tables[name] = self.store.table(name, self.keys.file[name], res, entry["rows"],
                                                entry["unreadable"])
            else:
                try:
                    tables[name] = read_table(package_dir, res, compact=name in large)
                except (UnicodeDecodeError, OSError, KeyError, csv.Error):
                    continue  # reported by the structural validation
        return tables

    def remember(self, fresh: list, unconverted: dict, large: set, tables: dict) -> None:
        """Put what this validation found in each resource checked into the store."""
        from dataclasses import asdict

        if self.store is None:
            return
        fallbacks = {name for name, _ in stream_check.STREAM_FALLBACKS}
        self.store.copies = set()
        for name in self.resources:
            key = self.keys.file[name]
            if name in self.cached and name not in self.spliced:
                if self.cached[name].get("copy"):
                    self.store.copies.add(self.store.copy_path(name, key).name)
                continue
            entry = self.cached.get(name) or {
                "key": self.keys.resource[name], "large": name in large,
                "file": [asdict(p) for p in self.file.get(name, [])],
                "structural": [asdict(p) for p in getattr(self, "fresh", {}).get(name, [])],
                "unconverted": [asdict(p) for p in unconverted.get(name, [])]}
            entry["basis"] = self.keys.basis[name]
            if name in tables:
                entry["rows"] = len(tables[name].rows)
                entry["unreadable"] = [list(u) for u in tables[name].unreadable]
                if name in large:
                    self.store.put_table(name, key, tables[name])
                    rows = tables[name].rows
                    names = [f["name"] for f in tables[name].fields]
                    columns = getattr(rows, "_columns", None) if isinstance(rows, ColumnRows) \
                        else None
                    if name not in fallbacks and not entry["file"] and \
                            isinstance(columns, dict) and set(dict.keys(columns)) == set(names):
                        entry["copy"], entry["file_key"] = True, key
                        self.store.put_copy(name, key, self.package_dir / tables[name].path)
                        self.store.copies.add(self.store.copy_path(name, key).name)
            self.store.put_resource(name, entry)
        self.store.names = set(self.resources)


def closest_ids(value: str, table) -> list[str]:
    """Up to three ids of `table` a misspelled `value` probably meant: close in spelling, or
    whose row's name matches the value's words without diacritics ('xa-mai-sao', 'Mai Sao' ->
    xa-mai-sao-chi-lang)."""
    import difflib

    from .vn import fold

    ids = sorted(i for i in table.distinct("id") if i)
    if fold(value) in ids:
        return [fold(value)]  # the id written with accents
    found = difflib.get_close_matches(value, ids, n=3, cutoff=0.75)
    found += [i for i in difflib.get_close_matches(fold(value), ids, n=3, cutoff=0.75)
              if i not in found][:3 - len(found)]
    words = fold(value).replace("-", " ").split()
    if words and len(found) < 3:
        by_name = []
        for row in table.rows:
            name = fold(str(row.get("name") or "")).split()
            if name and any(words[i:i + len(name)] == name for i in range(len(words))) or \
                    (name and fold(value).replace("-", " ").strip() == " ".join(name)):
                by_name.append(row.get("id"))
        found += [i for i in sorted(by_name, key=lambda i: -difflib.SequenceMatcher(None, value, i).ratio())
                  if i not in found][:3 - len(found)]
    return found


def _suggest_ids(problems, descriptor: dict, tables: dict) -> None:
    """A foreign key that points nowhere: say which ids were probably meant."""
    targets = {}
    for res in descriptor.get("resources", []):
        for fk in (res.get("schema") or {}).get("foreignKeys", []) or []:
            fields = fk.get("fields")
            fields = fields if isinstance(fields, str) else ",".join(fields or [])
            targets[(res.get("name"), fields)] = (fk.get("reference") or {}).get("resource") or res.get("name")
    for p in problems:
        target = tables.get(targets.get((p.resource, p.column), ""))
        if p.rule == "foreign-key" and p.value and target is not None and target.field("id"):
            found = closest_ids(p.value, target)
            if found:
                p.message += f" — did you mean {' or '.join(found)}?"


def _unconverted(tables, structural) -> list[Problem]:
    """Cells Frictionless accepted but our reader cannot type (e.g. a date like 2017-6-30):
    refused too, or the value would silently vanish from the site."""
    reported = {(p.resource, p.row, p.column) for p in structural}
    out = []
    for table in tables.values():
        for line, column, value, type_ in table.unreadable:
            if (table.name, line, column) not in reported:
                row = table.rows[line - 2] if 0 <= line - 2 < len(table.rows) else {}
                out.append(Problem("error", "type-error",
                                   type_words(type_, column, [f["name"] for f in table.fields],
                                              value),
                                   resource=table.name, file=table.path, row=line, column=column,
                                   value=value, row_id=str(row.get("id") or "")))
    return out


def _downgrade_noted(report: Report, notes) -> None:
    """A domain problem on a row that a note records becomes a warning naming the note."""
    if notes is None:
        return
    noted: dict[str, str] = {}
    for row in notes.rows:
        for ref in (row.get("rows") or "").split():
            noted.setdefault(ref, row.get("id") or "")
    for p in report.problems:
        if p.rule in checks.NOTABLE_RULES and p.row_id:
            note_id = noted.get(f"{p.resource}:{p.row_id}")
            if note_id:
                p.severity, p.note_id = "warning", note_id


# --- the domain checks, each kept in the cache under the tables it read ---------------------

def _domain_problems(tables: dict, store=None, keys=None, deltas=None) -> list[Problem]:
    """checks.run_all + checks_commune.run_all: the same problems in the same order. With a
    store, each check (a check of checks.PER_TABLE: each table's part) whose key is unchanged
    (the tables whose content it read, recorded as it ran; the whole descriptor, the code, the
    set of tables checked, and the date for a check of checks.DATED) is taken from the store."""
    from dataclasses import asdict

    from .table_cache import _hash

    if store is None:
        return checks.run_all(tables) + checks_commune.run_all(tables)
    old, new, out = store.checks(), {}, []
    watch = _Watch(tables)
    state = _hash(keys.base, *sorted(tables))
    deltas = deltas or {}
    today = ""  # the date, in the key of the check being run if it compares with it (DATED)

    def key(reads, files=keys.file) -> str:
        return _hash(state, today, *(f"{t}={files.get(t)}" for t in sorted(reads)))

    def made(reads, columns, problems) -> dict:
        return {"reads": sorted(reads), "key": key(reads),
                "columns": None if columns is None else {t: sorted(c) for t, c in columns.items()},
                "problems": [asdict(p) for p in problems]}
    for check in checks.CHECKS + checks_commune.CHECKS:
        today = dt.date.today().isoformat() if check in checks.DATED else ""
        for scope in (list(tables) if check in checks.PER_TABLE else [None]):
            label = f"{check.__module__}.{check.__name__}" + (f"/{scope}" if scope else "")
            entry = old.get(label)
            entry = entry if isinstance(entry, dict) else None
            if entry and entry.get("key") == key(entry.get("reads", [])):
                problems = [Problem(**p) for p in entry["problems"]]
            elif entry and _cells_read_unchanged(entry, tables, deltas, key, keys.file):
                problems = [Problem(**p) for p in entry["problems"]]
                entry = {**entry, "key": key(entry["reads"])}
            elif entry and (local := _row_local(check, scope, deltas)) and \
                    entry.get("key") == key(  # only that table changed
                        entry["reads"], {**keys.file, local[0]: deltas[local[0]].file_key}):
                found = _changed_rows(check, tables, local[0], deltas[local[0]], entry,
                                      local[1])
                if found is None:
                    reads, problems = watch.run(check, scope)
                    found = reads, watch.columns, problems
                problems = found[2]
                entry = made(*found)
            else:
                reads, problems = watch.run(check, scope)
                entry = made(reads, watch.columns, problems)
            new[label] = entry
            out.extend(problems)
    store.put_checks(new)
    return out


def _cells_read_unchanged(entry: dict, tables: dict, deltas: dict, key, files: dict) -> bool:
    """Whether a check's kept findings (`entry`) are still its findings: the tables it read are
    as they were, except tables a few of whose rows changed (`deltas`, row_delta.py) in cells
    of columns the check did not read (the same number of rows, in the same places)."""
    changed = [t for t in entry.get("reads", []) if t in deltas]
    columns = entry.get("columns")
    if not changed or not isinstance(columns, dict):
        return False
    if entry.get("key") != key(entry["reads"], {**files, **{t: deltas[t].file_key
                                                             for t in changed}}):
        return False  # another table it read changed too (or the code, the date...)
    return all(deltas[t].unchanged(columns.get(t, ["*"]), [f["name"] for f in tables[t].fields])
               for t in changed)


def _changed_rows(check, tables: dict, scope: str, delta, entry: dict, whole: tuple = ()):
    """(tables read, columns read, problems) of a check of checks.ROW_LOCAL in the table `scope`,
    a few of whose rows changed (`delta`, row_delta.py): the check runs on the changed rows
    alone, and the findings it kept (`entry`) in the other rows are moved to their new rows.
    `whole`: a check of checks_commune.ROW_LOCAL (all the tables it reports, in its order: its
    findings in the others kept as they are)."""
    from .row_delta import middle_table

    if any(p.get("resource") not in (whole or (scope,)) or
           (p.get("resource") == scope and p.get("row") is None) for p in entry["problems"]):
        return None
    table = tables[scope]
    watch = _Watch({**tables, scope: middle_table(table, delta)})
    reads, middle = watch.run(check, None if whole else scope)
    columns = entry.get("columns")
    if isinstance(columns, dict):  # what it read of the rows kept and of the changed ones
        columns = {t: set(columns.get(t, ())) | watch.columns.get(t, set())
                   for t in set(columns) | set(watch.columns)}
    kept = []
    for p in entry["problems"]:
        row = delta.place(p["row"]) if p["resource"] == scope else None
        if row is not None:
            kept.append(Problem(**{**p, "row": row}))
    passes = checks.PASSES.get(check, checks_commune.PASSES.get(check, ()))
    names = [f["name"] for f in table.fields]
    order = {rule: i for i, rule in enumerate(passes)}
    kept += [p for p in middle if p.resource == scope]
    kept.sort(key=lambda p: (order.get(p.rule, 0), p.row,
                             names.index(p.column) if p.column in names else -1))
    if whole:
        kept = [p for name in whole for p in (kept if name == scope else [
            Problem(**q) for q in entry["problems"] if q["resource"] == name])]
    return set(entry["reads"]) | reads, columns, kept


def _row_local(check, scope, deltas: dict) -> tuple | None:
    """(the table, the tables it reports) where a check's findings in the rows of a table
    with changed rows (`deltas`) can be found in those rows alone (see _changed_rows)."""
    if scope is not None:
        return (scope, ()) if scope in deltas and \
            scope not in checks.ROW_LOCAL.get(check, (scope,)) else None
    whole = checks_commune.ROW_LOCAL.get(check, ("",))
    return (whole[0], whole) if whole[0] in deltas else None


class _Watched:
    """A table whose content, when a check reads it, is noted in `watch`: which columns (a
    row read whole, or its unreadable cells: "*"; its number of rows: "#")."""

    def __init__(self, table, watch):
        self._table, self._watch = table, watch

    def __getattr__(self, name):
        value = getattr(self._table, name)
        if name in ("column", "distinct"):
            def read(column, *args, _read=value):
                self._watch.note(self._table.name, column)
                return _read(column, *args)
            return read
        if name == "rows":
            self._watch.note(self._table.name, "#")
            return _WatchedRows(value, self._table.name, self._watch)
        if name == "unreadable":
            self._watch.note(self._table.name, "*")
        return value


class _WatchedRows:
    """A watched table's rows: their number read alone is "#", a row read is every column."""

    def __init__(self, rows, name: str, watch):
        self._rows, self._name, self._watch = rows, name, watch

    def __len__(self):
        return len(self._rows)

    def __iter__(self):
        self._watch.note(self._name, "*")
        return iter(self._rows)

    def __getitem__(self, i):
        self._watch.note(self._name, "*")
        return self._rows[i]

    def __getattr__(self, name):
        self._watch.note(self._name, "*")
        return getattr(self._rows, name)


class _Checked(checks_commune.CheckedTables):
    """The tables as the checks see them (watched); `scope`: the one table a check of
    checks.PER_TABLE goes through (the others it can still get by name)."""

    def __init__(self, tables: dict, watch, scope=None, made=None):
        super().__init__(tables)
        self.watch, self.scope = watch, scope
        if made is not None:
            self.made = made

    def frame(self, table, names):
        if table is None:
            return super().frame(None, names)
        for name in [*names, "_line"]:  # (a frame made by an earlier check: read all the same)
            self.watch.note(table._table.name, name)
        return super().frame(table._table, names)

    def values(self):
        return [self[self.scope]] if self.scope else super().values()

    def items(self):
        return [(self.scope, self[self.scope])] if self.scope else super().items()


class _Watch:
    def __init__(self, tables: dict):
        self.reads: set = set()
        self.columns: dict[str, set] = {}
        self.tables = {name: _Watched(table, self) for name, table in tables.items()}
        self.shared = _Checked(self.tables, self)  # frames shared by the unscoped checks

    def note(self, table: str, column: str) -> None:
        self.reads.add(table)
        self.columns.setdefault(table, set()).add(column)

    def run(self, check, scope):
        """(tables read, problems); the columns read are in `self.columns`."""
        self.reads, self.columns = set(), {}
        view = _Checked(self.tables, self, scope, self.shared.made) if scope else self.shared
        return self.reads, list(check(view))


def _stat_fingerprint(package_dir: Path) -> list:
    """Sizes and modification times of the package's files: a cheap check that nothing
    changed while it was validated."""
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                  for p in package_dir.rglob("*") if p.is_file())


def validate_package_cached(package_dir: str | Path, cache_dir: str | Path) -> Report:
    """`validate_package(package_dir)`, redoing only what changed since the last validation
    whose findings are kept in `cache_dir` (e.g. under the build folder), one resource and one
    domain check at a time (see table_cache). The report is the same either way; the cache
    keeps one version of each resource's findings, so it does not grow with the edits."""
    from .table_cache import Store

    package_dir, cache_dir = Path(package_dir), Path(cache_dir)
    store = Store(cache_dir, package_dir)
    before = _stat_fingerprint(package_dir)
    report = validate_package(package_dir, store)
    if _stat_fingerprint(package_dir) != before:  # changed while it was read: keep nothing, and
        report.file_keys, report.deltas = {}, {}  # its keys and deltas may be of two versions
    elif getattr(store, "names", None) is not None:
        store.flush(store.names)
    return report
