"""Problems found in a data package and the report that collects them. Messages are in English
(the Frictionless validator's own wording is English; ours keeps one language). What a person
should do about each rule is in the rule registry (rules.py); README's table is made from it."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from .rules import FIXES  # code -> (meaning, fix), the registry's


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


@dataclass
class Report:
    package: str
    problems: list[Problem] = field(default_factory=list)
    # the typed tables the validation read (name -> package.Table), handed on to the model so
    # a build reads each file once; empty for a report from the cache. Not part of the JSON.
    tables: dict = field(default_factory=dict, repr=False, compare=False)
    # what the validation knows of each file, for the build's page inputs (inputs.py), not part
    # of the JSON either: its key (`table_cache.Keys.file`: code, date, descriptor entry,
    # content), and the changed lines of a large table checked in those only (row_delta.Delta,
    # from the kept copy whose key is `delta.file_key`)
    file_keys: dict = field(default_factory=dict, repr=False, compare=False)
    deltas: dict = field(default_factory=dict, repr=False, compare=False)

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

    def to_text(self, verbose: bool = False) -> str:
        """Every error; the known disagreements (warnings) in full only if `verbose`, else as
        one line counting them."""
        lines = [p.describe() for p in self.errors + (self.warnings if verbose else [])]
        if self.warnings and not verbose:
            lines.append(f"{len(self.warnings)} known disagreement(s) between reports, recorded "
                         "in notes (warnings); add --verbose to list them")
        verdict = "VALID" if self.valid else "INVALID"
        lines.append(f"{verdict}: {self.package}: {len(self.errors)} error(s), "
                     f"{len(self.warnings)} warning(s)")
        return "\n".join(lines)
