"""Problems found in a data package and the report that collects them. Messages are in English
(the Frictionless validator's own wording is English; ours keeps one language). `FIXES` says,
for every rule, what a person should do when it fails; README's table is made from it."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass
class Problem:
    severity: str            # "error" or "warning"
    rule: str                # short code, e.g. "type-error", "count-above-base"
    message: str             # plain words
    resource: str = ""
    file: str = ""
    row: int | None = None   # line in the CSV file (header = line 1)
    column: str = ""
    value: str = ""
    row_id: str = ""         # the row's `id`, used to match notes
    note_id: str = ""        # note that records this disagreement, for warnings

    @property
    def fix(self) -> str:
        """What to do about it, in plain words ('' for a rule without an entry)."""
        return FIXES.get(self.rule, ("", ""))[1]

    def describe(self) -> str:
        where = [p for p in (
            f"resource '{self.resource}'" if self.resource else "",
            self.file,
            f"row {self.row}" if self.row else "",
            f"column '{self.column}'" if self.column else "",
        ) if p]
        value = f" value {self.value!r}" if self.value != "" else ""
        known = f" (known disagreement, recorded in notes:{self.note_id})" if self.note_id else ""
        return f"{self.severity.upper()} [{self.rule}] {', '.join(where)}:{value} {self.message}{known}"


# rule -> (what the message says, what to fix). Every rule the validator can report is here.
FIXES: dict[str, tuple[str, str]] = {
    "package-error": ("datapackage.json is missing or is not valid JSON",
                      "Restore datapackage.json (from git) or fix the JSON syntax it names."),
    "resource-missing": ("a table was removed from datapackage.json",
                         "Put the resource's entry (name, path, schema) back into datapackage.json."),
    "unsafe-path": ("a resource's path points outside the package folder",
                    "Write the path as data/<table>.csv: relative, no '..', no drive letter."),
    "scheme-error": ("the CSV file of a table does not exist",
                     "Restore the file (from git or your copy) or correct its path in datapackage.json."),
    "encoding-not-utf8": ("the file is saved as UTF-16 or a Windows code page (e.g. Windows-1258)",
                          "Open the file and save it as \"CSV UTF-8 (Comma delimited)\" (Excel) "
                          "or Text CSV, UTF-8, delimiter \",\" (LibreOffice). A UTF-8 BOM and "
                          "CRLF line ends are fine."),
    "wrong-separator": ("the columns are separated by ';' or tabs",
                        "Save again as CSV with commas (Excel: \"CSV UTF-8 (Comma delimited)\"; "
                        "LibreOffice: field delimiter \",\")."),
    "empty-file": ("the file has no header line", "Restore the file; it needs at least the header."),
    "extra-column": ("the header has a column the schema does not define",
                     "Delete the column (or fix its name); a new column needs a schema change first."),
    "missing-column": ("a column of the schema is missing from the header",
                       "Add the column back, in its place; it may stay empty if not required."),
    "duplicate-column": ("a column name appears twice in the header", "Delete the extra copy."),
    "column-order": ("the columns are not in the schema's order",
                     "Put the columns in the order the message lists (the data dictionary's order)."),
    "type-error": ("a cell is not of its column's type (number, integer, date, year, boolean)",
                   "Numbers plain (1352449, 11.54), dates YYYY-MM-DD, booleans true/false; the "
                   "report's notation goes in the *_stated / *_text column, words in qualifier or note."),
    "constraint-error": ("a cell is empty though required, or not an allowed value, negative, "
                         "too large, or an id with characters other than a-z, 0-9, '-'",
                         "Fill the cell / pick one of the listed values / correct the number or id."),
    "foreign-key": ("an id points at a row that does not exist (commune, district, source, …)",
                    "Correct the spelling to an existing id, or add the missing row to that table first."),
    "primary-key": ("two rows share the same id", "Give the new row its own id (e.g. next number)."),
    "missing-cell": ("a row has fewer cells than the header",
                     "A comma is missing: every row needs one cell per column."),
    "extra-cell": ("a row has more cells than the header",
                   "A cell contains an unquoted comma: put that cell in double quotes."),
    "blank-row": ("a row is completely empty", "Delete the empty row."),
    "unsafe-id": ("an id contains characters other than a-z, 0-9 and '-' (e.g. '../', accents)",
                  "Rewrite the id in lower-case ASCII with hyphens, e.g. bc2017-fund-014."),
    "unsafe-url": ("a URL is not a plain http(s) address (e.g. javascript:, spaces, quotes, <>)",
                   "Copy the address from the browser's address bar; it must start with https:// or http://."),
    "control-character": ("a text cell contains an invisible control character (from a PDF)",
                          "Delete the character or retype the cell; line breaks and tabs are fine."),
    "text-not-nfc": ("text has decomposed accents (copied from a PDF or a Mac)",
                     "Retype the cell, or convert the file to Unicode NFC (e.g. uconv -x NFC)."),
    "count-above-base": ("more communes than the base they are counted in",
                         "Check the report: fix the count or the base; if the report itself says "
                         "so, add a row in notes pointing at the row (then it is a warning)."),
    "percent-over-100": ("a share of communes above 100%", "Fix percent_stated (a share is at most 100)."),
    "percent-mismatch": ("percent_stated does not match communes/base (or the amount's share)",
                         "Check the report; if it states that figure, record it in notes (warning)."),
    "amount-without-text": ("amount_million_vnd is filled but amount_stated is empty",
                            "Write the amount as the report states it in amount_stated."),
    "amount-not-a-number": ("amount_stated is not a number in Vietnamese notation",
                            "Write digits only (1.352.449 or 29.038,0); put 'khoảng', 'trên' in qualifier."),
    "unknown-unit": ("unit_stated is not a known unit",
                     "Use triệu đồng, tỷ đồng, nghìn đồng or đồng."),
    "amount-conversion": ("amount_stated × unit is not amount_million_vnd",
                          "Recompute amount_million_vnd from amount_stated and unit_stated."),
    "parts-sum-mismatch": ("the parts of a funding total do not add up to it",
                           "Check the figures; if the report's parts really do not add up, add a "
                           "notes row (kind sum_mismatch) naming the total: it becomes a warning."),
    "distribution-sum-mismatch": ("the bands of a distribution add up to more than the base",
                                  "Check the bands; a real disagreement in the report goes in notes."),
    "band-order": ("criteria_min is above criteria_max", "Swap or correct the band limits."),
    "date-in-future": ("a date after today on a row that is not a target",
                       "Fix the date (YYYY-MM-DD), or set kind to target if it is a plan."),
    "date-too-early": ("a date before 2009, when the programme's criteria were set",
                       "Fix the date; only documents may be older."),
    "duplicate-name-in-district": ("two units of the same kind and name in one district at the same time",
                                   "Check the registry: fix the district, the dates or the name."),
    "note-row-missing": ("a note points at a row that does not exist",
                         "Correct the reference in notes.rows (table:id, separated by spaces)."),
    "mapping-without-target": ("mapping_known is true but to_commune_id is empty",
                               "Fill to_commune_id or set mapping_known to false."),
    "date-order": ("valid_to is before valid_from", "Correct one of the two dates."),
}


def fixes_markdown() -> str:
    """The README table: rule, what the message says, what to fix."""
    lines = ["| rule | what it means | what to fix |", "| --- | --- | --- |"]
    for rule, (meaning, fix) in FIXES.items():
        lines.append(f"| `{rule}` | {meaning} | {fix} |")
    return "\n".join(lines)


@dataclass
class Report:
    package: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_json(self) -> str:
        return json.dumps({"package": self.package, "valid": self.valid,
                           "errors": len(self.errors), "warnings": len(self.warnings),
                           "problems": [asdict(p) for p in self.problems]},
                          ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        lines = [p.describe() for p in self.errors + self.warnings]
        verdict = "VALID" if self.valid else "INVALID"
        lines.append(f"{verdict}: {self.package}: {len(self.errors)} error(s), "
                     f"{len(self.warnings)} warning(s)")
        return "\n".join(lines)
