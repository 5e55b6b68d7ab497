"""The rule registry: one `Rule` per thing the validator can report (as frictionless-py has one
error class per error). A rule's code is what a message prints in brackets; `meaning` and `fix`
are the README's "message → what to fix" table (a test checks that the table equals this
registry); `notable` says a row of `notes` may record it as a known disagreement between reports
(it is then a warning). Checks refer to rules through `rule(code)`, which fails for a code that is
not registered, so no check can report a rule without a fix.

A new rule: `register(Rule(...))` here or in the module of its check (e.g. checks_commune.py),
then copy `table_markdown()` into the README (the test says so if you forget)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    meaning: str           # what the message says, in a few words
    fix: str               # what to do, as a sentence
    notable: bool = False  # a notes row may record it (known disagreement: a warning)
    frictionless: bool = False  # reported by the Frictionless validator, passed on


RULES: dict[str, Rule] = {}
FIXES: dict[str, tuple[str, str]] = {}   # code -> (meaning, fix), kept in step with RULES
NOTABLE_RULES: set[str] = set()          # codes a note may record


def register(*rules: Rule) -> None:
    for r in rules:
        if r.code in RULES and RULES[r.code] != r:
            raise ValueError(f"rule {r.code!r} is registered twice, differently")
        if not (r.meaning and r.fix and r.fix[0].isupper()):
            raise ValueError(f"rule {r.code!r} needs a meaning and a fix written as a sentence")
        RULES[r.code] = r
        FIXES[r.code] = (r.meaning, r.fix)
        if r.notable:
            NOTABLE_RULES.add(r.code)


def rule(code: str) -> Rule:
    """The registered rule (KeyError for a code nobody registered)."""
    return RULES[code]


def table_markdown() -> str:
    """The README table: rule, what it means, what to fix."""
    lines = ["| rule | what it means | what to fix |", "| --- | --- | --- |"]
    for r in RULES.values():
        lines.append(f"| `{r.code}` | {r.meaning.replace('|', '/')} | {r.fix.replace('|', '/')} |")
    return "\n".join(lines)


register(
    Rule('package-error',
         'datapackage.json is missing or is not valid JSON',
         'Restore datapackage.json (from git) or fix the JSON syntax it names.'),
    Rule('resource-missing',
         'a table was removed from datapackage.json',
         "Put the resource's entry (name, path, schema) back into datapackage.json."),
    Rule('unsafe-path',
         "a resource's path points outside the package folder",
         "Write the path as data/<table>.csv: relative, no '..', no drive letter."),
    Rule('scheme-error',
         'the CSV file of a table does not exist',
         'Restore the file (from git or your copy) or correct its path in datapackage.json.', frictionless=True),
    Rule('encoding-not-utf8',
         'the file is saved as UTF-16 or a Windows code page (e.g. Windows-1258)',
         'Open the file and save it as "CSV UTF-8 (Comma delimited)" (Excel) or Text CSV, UTF-8, delimiter "," (LibreOffice). A UTF-8 BOM and CRLF line ends are fine.'),
    Rule('wrong-separator',
         "the columns are separated by ';' or tabs",
         'Save again as CSV with commas (Excel: "CSV UTF-8 (Comma delimited)"; LibreOffice: field delimiter ",").'),
    Rule('empty-file',
         'the file has no header line',
         'Restore the file; it needs at least the header.'),
    Rule('extra-column',
         'the header has a column the schema does not define',
         'Delete the column (or fix its name); a new column needs a schema change first.'),
    Rule('missing-column',
         'a column of the schema is missing from the header',
         'Add the column back, in its place; it may stay empty if not required.'),
    Rule('duplicate-column',
         'a column name appears twice in the header',
         'Delete the extra copy.'),
    Rule('column-order',
         "the columns are not in the schema's order",
         "Put the columns in the order the message lists (the data dictionary's order)."),
    Rule('type-error',
         "a cell is not of its column's type (number, integer, date, year, boolean)",
         "Numbers plain (1352449, 11.54), dates YYYY-MM-DD, booleans true/false; the report's notation goes in the *_stated / *_text column, words in qualifier or note.", frictionless=True),
    Rule('constraint-error',
         "a cell is empty though required, or not an allowed value, negative, too large, or an id with characters other than a-z, 0-9, '-'",
         'Fill the cell / pick one of the listed values / correct the number or id.', frictionless=True),
    Rule('foreign-key',
         'an id points at a row that does not exist (commune, district, source, …)',
         'Correct the spelling to an existing id, or add the missing row to that table first.', frictionless=True),
    Rule('primary-key',
         'two rows share the same id',
         'Give the new row its own id (e.g. next number).', frictionless=True),
    Rule('missing-cell',
         'a row has fewer cells than the header',
         'A comma is missing: every row needs one cell per column.', frictionless=True),
    Rule('extra-cell',
         'a row has more cells than the header',
         'A cell contains an unquoted comma: put that cell in double quotes.', frictionless=True),
    Rule('blank-row',
         'a row is completely empty',
         'Delete the empty row.', frictionless=True),
    Rule('unsafe-id',
         "an id contains characters other than a-z, 0-9 and '-' (e.g. '../', accents)",
         'Rewrite the id in lower-case ASCII with hyphens, e.g. bc2017-fund-014.'),
    Rule('unsafe-url',
         'a URL is not a plain http(s) address (e.g. javascript:, spaces, quotes, <>)',
         "Copy the address from the browser's address bar; it must start with https:// or http://."),
    Rule('control-character',
         'a text cell contains an invisible control character (from a PDF)',
         'Delete the character or retype the cell; line breaks and tabs are fine.'),
    Rule('text-not-nfc',
         'text has decomposed accents (copied from a PDF or a Mac)',
         'Retype the cell, or convert the file to Unicode NFC (e.g. uconv -x NFC).'),
    Rule('count-above-base',
         'more communes than the base they are counted in',
         'Check the report: fix the count or the base; if the report itself says so, add a row in notes pointing at the row (then it is a warning).', notable=True),
    Rule('percent-over-100',
         'a share of communes above 100%',
         'Fix percent_stated (a share is at most 100).'),
    Rule('percent-mismatch',
         "percent_stated does not match communes/base (or the amount's share)",
         'Check the report; if it states that figure, record it in notes (warning).', notable=True),
    Rule('amount-without-text',
         'amount_million_vnd is filled but amount_stated is empty',
         'Write the amount as the report states it in amount_stated.'),
    Rule('amount-not-a-number',
         'amount_stated is not a number in Vietnamese notation',
         "Write digits only (1.352.449 or 29.038,0); put 'khoảng', 'trên' in qualifier."),
    Rule('unknown-unit',
         'unit_stated is not a known unit',
         'Use triệu đồng, tỷ đồng, nghìn đồng or đồng.'),
    Rule('amount-conversion',
         'amount_stated × unit is not amount_million_vnd',
         'Recompute amount_million_vnd from amount_stated and unit_stated.'),
    Rule('parts-sum-mismatch',
         'the parts of a funding total do not add up to it',
         "Check the figures; if the report's parts really do not add up, add a notes row (kind sum_mismatch) naming the total: it becomes a warning.", notable=True),
    Rule('distribution-sum-mismatch',
         'the bands of a distribution add up to more than the base',
         'Check the bands; a real disagreement in the report goes in notes.', notable=True),
    Rule('band-order',
         'criteria_min is above criteria_max',
         'Swap or correct the band limits.'),
    Rule('date-in-future',
         'a date after today on a row that is not a target',
         'Fix the date (YYYY-MM-DD), or set kind to target if it is a plan.'),
    Rule('date-too-early',
         "a date before 2009, when the programme's criteria were set",
         'Fix the date; only documents may be older.'),
    Rule('duplicate-name-in-district',
         'two units of the same kind and name in one district at the same time',
         'Check the registry: fix the district, the dates or the name.'),
    Rule('note-row-missing',
         'a note points at a row that does not exist',
         'Correct the reference in notes.rows (table:id, separated by spaces).'),
    Rule('mapping-without-target',
         'mapping_known is true but to_commune_id is empty',
         'Fill to_commune_id or set mapping_known to false.'),
    Rule('date-order',
         'valid_to is before valid_from',
         'Correct one of the two dates.'),    Rule('invisible-character',
         'a text cell contains an invisible or direction-changing character (U+200B zero-width space, U+202E right-to-left override, soft hyphen…)',
         'Delete the character the message names (retype the cell); in LibreOffice, View > Formatting Marks shows it.'),
    Rule('reserved-name',
         'an id is a name Windows reserves (con, prn, aux, nul, com1-com9, lpt1-lpt9)',
         'Choose another id, e.g. with the table\'s prefix (bc2017-aux-001): files named so cannot be opened on Windows.'),
    Rule('text-too-long',
         'a name (name, recipient, short title, label) is longer than 500 characters',
         'Keep only the name in that cell; put the rest in note.'),
    Rule('commune-not-in-district',
         "a row's commune does not lie in its district at the row's date (unit history: communes, unit_changes)",
         'Correct district_id or commune_id, or leave district_id empty (the commune says where it is).'),
    Rule('withdrawn-name-shown',
         'a cell still names a person withdrawn from the data (publication_basis not named_in_public_report)',
         "Remove the name from that cell (e.g. write 'một hộ gia đình'): a withdrawn person must be in no published file."),
    # Frictionless findings that had no fix of their own
    Rule('unique-error',
         'a column that must be unique has the same value on two rows',
         'Give each row its own value in that column (the message names the other row); a copied row keeps the old value by mistake.',
         frictionless=True),
    Rule('encoding-error',
         'the file contains bytes that are not UTF-8 text',
         'Save the file again as "CSV UTF-8 (Comma delimited)" (Excel) or Text CSV, UTF-8 (LibreOffice).',
         frictionless=True),
    Rule('source-error',
         'the file cannot be read at all (damaged, or not a text file)',
         'Restore the file from git or your copy, then make the change again.', frictionless=True),
    Rule('format-error',
         'the file is not a CSV file (e.g. an .xlsx saved under the .csv name)',
         'Open it in the spreadsheet and save it as "CSV UTF-8 (Comma delimited)".', frictionless=True),
    Rule('extra-label',
         'the header has more column names than the schema',
         'Delete the extra column; a new column needs a schema change first.', frictionless=True),
    Rule('missing-label',
         'the header has fewer column names than the schema',
         'Add the missing column name back, in its place.', frictionless=True),
    Rule('incorrect-label',
         'a column name in the header differs from the schema',
         'Write the column name exactly as the data dictionary does (lower case, with _).',
         frictionless=True),
    Rule('duplicate-label',
         'a column name appears twice in the header',
         'Delete or rename the extra copy.', frictionless=True),
    Rule('blank-label',
         'a column of the header has no name',
         'Delete the empty column (often a stray comma at the end of the header) or name it.',
         frictionless=True),
)
