"""Validate a data package: the stock Frictionless validation (schemas, keys, foreign keys) and
our domain checks, collected into one report. Each problem names resource, file, row, column,
value and rule. Problems that a row of `notes` records as a known disagreement are warnings."""
from __future__ import annotations

from pathlib import Path

from . import checks
from .report import Problem, Report
from .package import REQUIRED_RESOURCES, PackageError, load_descriptor, read_table


def _frictionless_problems(package_dir: Path) -> list[Problem]:
    from frictionless import Package  # imported here: slow import, only needed to validate

    problems = []
    try:
        report = Package(str(package_dir / "datapackage.json")).validate()
    except Exception as exc:  # frictionless raises on descriptors it cannot read
        return [Problem("error", "package-error", f"the package descriptor cannot be read: {exc}",
                        file="datapackage.json")]
    for err in report.errors:
        problems.append(Problem("error", err.type, err.message, file="datapackage.json"))
    for task in report.tasks:
        for err in task.errors:
            column = getattr(err, "field_name", "") or ",".join(getattr(err, "field_names", None) or [])
            cell = getattr(err, "cell", None)
            if cell is None and getattr(err, "field_cells", None):
                cell = ",".join(str(c) for c in err.field_cells)
            problems.append(Problem(
                "error", err.type, _plain(err), resource=task.name or "",
                file=str(task.place or ""), row=getattr(err, "row_number", None),
                column=column, value="" if cell is None else str(cell)))
    return problems


def _plain(err) -> str:
    """Frictionless's note without its positional preamble, plus the error title."""
    note = getattr(err, "note", "") or ""
    return f"{err.title}: {note}" if note else err.message


def validate_package(package_dir: str | Path) -> Report:
    package_dir = Path(package_dir)
    report = Report(str(package_dir))
    try:
        descriptor = load_descriptor(package_dir)
    except PackageError as exc:
        report.problems.append(Problem("error", "package-error", str(exc), file="datapackage.json"))
        return report
    resources = {r.get("name"): r for r in descriptor.get("resources", [])}
    for name in REQUIRED_RESOURCES:
        if name not in resources:
            report.problems.append(Problem(
                "error", "resource-missing",
                f"the package must declare the resource '{name}' in datapackage.json",
                resource=name, file="datapackage.json"))
    structural = _frictionless_problems(package_dir)
    report.problems.extend(structural)
    unreadable = {p.resource for p in structural if p.rule in ("scheme-error", "encoding-error",
                                                              "source-error", "format-error")}
    tables = {}
    for name, res in resources.items():
        if name in unreadable or not (package_dir / res.get("path", "")).is_file():
            continue
        try:
            tables[name] = read_table(package_dir, res)
        except (UnicodeDecodeError, OSError):
            continue  # reported by the structural validation
    report.problems.extend(checks.run_all(tables))
    _downgrade_noted(report, tables.get("notes"))
    return report


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
