"""Domain checks: the rules a schema cannot say. Each check yields Problems naming the
resource, file, row, column, value and rule; `run_all` collects every one into one list."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal
from typing import Iterator

from . import rules
from .package import REQUIRED_RESOURCES, Table
from .report import Problem
from .vn import UNIT_FACTORS, parse_vn_number

EARLIEST = dt.date(2009, 1, 1)  # the national criteria date from QĐ 491/QĐ-TTg (16/4/2009)

# Rules whose findings a row of `notes` may record as a known disagreement (see rules.py).
NOTABLE_RULES = rules.NOTABLE_RULES

COUNTED = ("criteria_progress", "criteria_distribution", "ntm_counts")
AMOUNTS = ("funding", "donors", "projects")


def _problem(table: Table, row: dict, column: str, rule: str, message: str,
             severity: str = "error") -> Problem:
    value = row.get(column)
    rule = rules.rule(rule).code  # a rule nobody registered fails here, with its code
    return Problem(severity, rule, message, resource=table.name, file=table.path,
                   row=row.get("_line"), column=column,
                   value="" if value is None else str(value), row_id=str(row.get("id") or ""))


def _flagged(table: Table, names: list[str], bad) -> Iterator[tuple[dict, str]]:
    """(row, column) of every cell of the named columns whose value `bad(value)` flags, in row
    order and, within a row, in the order of `names`. Each distinct value is tested once and
    rows are read only where a value is flagged, so a clean table of millions of rows costs a
    few set operations per column."""
    cells = []
    for position, name in enumerate(names):
        flagged = {value for value in table.distinct(name) if bad(value)}
        if flagged:
            column = table.column(name)
            cells.extend((i, position) for i, value in enumerate(column) if value in flagged)
    for i, position in sorted(cells):
        yield table.rows[i], names[position]


def check_nfc(tables):
    for table in tables.values():
        text_fields = [f["name"] for f in table.fields if f.get("type", "string") == "string"]
        for row, name in _flagged(table, text_fields, _not_nfc):
            yield _problem(table, row, name, "text-not-nfc",
                           "text is not in Unicode NFC form (decomposed accents, often "
                           "from copying out of a PDF or a Mac); save it as NFC")


def _not_nfc(value) -> bool:
    return bool(value) and unicodedata.normalize("NFC", value) != value


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def check_control_characters(tables):
    """Invisible control characters (a PDF's form feed, \\x02...) cannot be shown; tabs and
    line breaks inside a cell are fine (they show as spaces)."""
    for table in tables.values():
        text_fields = [f["name"] for f in table.fields if f.get("type", "string") == "string"]
        for row, name in _flagged(table, text_fields, lambda v: bool(v and CONTROL.search(v))):
            m = CONTROL.search(row.get(name))
            yield _problem(table, row, name, "control-character",
                           f"the text contains an invisible control character "
                           f"(U+{ord(m.group()):04X}), often from copying out of a PDF: "
                           "delete it or retype the text")


# Invisible and direction-changing characters: bidi embeddings and overrides (U+202A-202E) and
# isolates (U+2066-2069) reverse the text around them (on the page and in search results);
# zero-width and other format characters (U+200B-200F, U+2060, U+FEFF, soft hyphen U+00AD) hide
# inside names and break search. A zero-width joiner between two emoji is part of the emoji.
INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff\u00ad]")


def _invisible(value: str):
    """The first invisible character of a text and its position, or None."""
    for m in INVISIBLE.finditer(value or ""):
        i, ch = m.start(), m.group()
        if ch == "\u200d" and 0 < i < len(value) - 1 and \
                unicodedata.category(value[i - 1]) in ("So", "Sk", "Mn") and \
                unicodedata.category(value[i + 1]) == "So":
            continue  # joins an emoji sequence (👩‍🌾)
        return i, ch
    return None


def check_invisible_characters(tables):
    for table in tables.values():
        text_fields = [f["name"] for f in table.fields if f.get("type", "string") == "string"]
        for row, name in _flagged(table, text_fields, lambda v: bool(v) and _invisible(v) is not None):
            i, ch = _invisible(row.get(name))
            what = unicodedata.name(ch, "FORMAT CHARACTER")
            yield _problem(table, row, name, "invisible-character",
                           f"the text contains the invisible character U+{ord(ch):04X} ({what}) "
                           f"at character {i + 1}: it changes the direction of the text or hides "
                           "inside it and breaks search; delete it (retype the cell)")


# Names Windows keeps for devices: a file or folder named so cannot be created or opened there,
# and ids become file names (xa/<id>/, du-lieu/<id>.csv) in the site staff unpack.
RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                  *(f"lpt{i}" for i in range(1, 10))}
NAME_MAX = 500  # characters in a name column
NAME_COLUMNS = ("name", "recipient", "short_title", "band_label", "label")


def check_reserved_and_long_names(tables):
    for table in tables.values():
        if table.field("id"):
            for row, _ in _flagged(table, ["id"], lambda v: (v or "").split(".")[0] in RESERVED_NAMES):
                yield _problem(table, row, "id", "reserved-name",
                               f"the id {row.get('id')!r} is a name Windows reserves for a device "
                               "(con, prn, aux, nul, com1-com9, lpt1-lpt9): pages and files named "
                               "after it cannot be opened there; choose another id, e.g. with the "
                               "table's prefix (bc2017-aux-001)")
        names = [f["name"] for f in table.fields if f["name"] in NAME_COLUMNS]
        for row, name in _flagged(table, names, lambda v: len(v or "") > NAME_MAX):
            yield _problem(table, row, name, "text-too-long",
                           f"this name is {len(row.get(name))} characters long, more than "
                           f"{NAME_MAX}: keep the name itself here and put the rest in note")


def check_count_base(tables):
    for name in COUNTED:
        table = tables.get(name)
        for row in table.rows if table else ():
            count, base = row.get("communes"), row.get("base")
            if count is not None and base is not None and count > base:
                yield _problem(table, row, "communes", "count-above-base",
                               f"{count} communes is more than the base of {base}")


def _tolerance(percent: Decimal) -> Decimal:
    """A stated percent may be rounded or cut at its last digit: allow one unit of it."""
    exponent = percent.as_tuple().exponent
    return Decimal(1).scaleb(min(int(exponent), 0))


def check_percent(tables):
    for name in COUNTED:
        table = tables.get(name)
        for row in table.rows if table else ():
            pct, count, base = row.get("percent_stated"), row.get("communes"), row.get("base")
            if pct is None:
                continue
            if pct > 100:
                yield _problem(table, row, "percent_stated", "percent-over-100",
                               "a share of communes cannot exceed 100%")
            elif count is not None and base:
                exact = Decimal(count) * 100 / Decimal(base)
                if abs(exact - pct) > _tolerance(pct):
                    yield _problem(table, row, "percent_stated", "percent-mismatch",
                                   f"{pct}% does not match {count}/{base} = {exact:.2f}%")
    funding = tables.get("funding")
    if funding:
        by_id = {r.get("id"): r for r in funding.rows}
        for row in funding.rows:
            pct, amount = row.get("percent_stated"), row.get("amount_million_vnd")
            totals = [t for t in _ancestors(row, by_id) if t.get("amount_million_vnd")]
            if pct is None or amount is None or not totals:
                continue
            # a report states a share of the part's own total or of the grand total
            shares = [amount * 100 / t["amount_million_vnd"] for t in totals]
            if all(abs(s - pct) > _tolerance(pct) for s in shares):
                total = totals[0]["amount_million_vnd"]
                yield _problem(funding, row, "percent_stated", "percent-mismatch",
                               f"{pct}% does not match {amount}/{total} million VND = {shares[0]:.2f}%")


def _ancestors(row, by_id):
    out, seen = [], set()
    while row.get("parent_id") in by_id and row["parent_id"] not in seen:
        seen.add(row["parent_id"])
        row = by_id[row["parent_id"]]
        out.append(row)
    return out


def check_amounts(tables):
    """amount_stated × unit must equal amount_million_vnd; amounts cannot be negative."""
    for name in AMOUNTS:
        table = tables.get(name)
        for row in table.rows if table else ():
            stated, unit, amount = row.get("amount_stated"), row.get("unit_stated"), row.get("amount_million_vnd")
            if not stated:
                if amount is not None:
                    yield _problem(table, row, "amount_stated", "amount-without-text",
                                   "amount_million_vnd is filled but amount_stated is empty: "
                                   "write the amount as the report states it")
                continue
            try:
                parsed = parse_vn_number(stated)
            except ValueError:
                yield _problem(table, row, "amount_stated", "amount-not-a-number",
                               "write the amount in Vietnamese notation, digits only "
                               "(e.g. 1.352.449 or 29.038,0); put words like 'khoảng' in qualifier")
                continue
            if unit not in UNIT_FACTORS:
                yield _problem(table, row, "unit_stated", "unknown-unit",
                               f"unit must be one of: {', '.join(UNIT_FACTORS)}")
                continue
            expected = parsed * UNIT_FACTORS[unit]
            if amount is None or abs(expected - amount) > Decimal("0.000001"):
                yield _problem(table, row, "amount_million_vnd", "amount-conversion",
                               f"{stated} {unit} is {_plain(expected)} million VND, not {amount}: "
                               "write that in amount_million_vnd")


def _plain(d: Decimal) -> str:
    """15800.0 -> '15800', 0.0015 -> '0.0015': the value as a person writes it."""
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _stated_precision(row) -> Decimal:
    """One unit of the last digit written in amount_stated, in million VND."""
    try:
        parsed = parse_vn_number(row.get("amount_stated") or "")
    except ValueError:
        return Decimal(0)
    exponent = min(int(parsed.as_tuple().exponent), 0)
    return Decimal(1).scaleb(exponent) * UNIT_FACTORS.get(row.get("unit_stated"), Decimal(1))


def check_parts_sum(tables):
    funding = tables.get("funding")
    if not funding:
        return
    by_id = {r.get("id"): r for r in funding.rows}
    parts = defaultdict(list)
    for row in funding.rows:
        if row.get("parent_id") in by_id:
            parts[(row["parent_id"], row.get("breakdown"))].append(row)
    for (parent_id, breakdown), rows in sorted(parts.items(), key=lambda kv: str(kv[0])):
        parent = by_id[parent_id]
        total = parent.get("amount_million_vnd")
        if total is None or any(r.get("amount_million_vnd") is None for r in rows):
            continue
        summed = sum(r["amount_million_vnd"] for r in rows)
        # each stated figure may be rounded by half a unit of its last digit
        slack = (sum(_stated_precision(r) for r in rows) + _stated_precision(parent)) / 2
        if summed > total + slack or (summed < total - slack and _claims_complete(rows)):
            yield _problem(funding, parent, "amount_million_vnd", "parts-sum-mismatch",
                           f"the {len(rows)} parts ({breakdown}) add up to {summed} million VND, "
                           f"not the stated total {total}")


def _claims_complete(rows) -> bool:
    """Parts that carry percents adding to ~100 claim to be the whole total."""
    pcts = [r.get("percent_stated") for r in rows]
    return all(p is not None for p in pcts) and abs(sum(pcts) - 100) <= 1


def check_distribution(tables):
    table = tables.get("criteria_distribution")
    if not table:
        return
    groups = defaultdict(list)
    for row in table.rows:
        groups[(row.get("source_id"), row.get("as_of"), row.get("kind"))].append(row)
    for rows in groups.values():
        bases = {r.get("base") for r in rows if r.get("base")}
        counts = [r.get("communes") for r in rows]
        if len(bases) != 1 or None in counts:
            continue
        base = bases.pop()
        if sum(counts) > base:
            yield _problem(table, rows[0], "communes", "distribution-sum-mismatch",
                           f"the bands add up to {sum(counts)} communes, more than the base of {base}")
        for row in rows:
            lo, hi = row.get("criteria_min"), row.get("criteria_max")
            if lo is not None and hi is not None and lo > hi:
                yield _problem(table, row, "criteria_min", "band-order",
                               f"criteria_min {lo} is above criteria_max {hi}")


def check_dates(tables, today: dt.date | None = None):
    today = today or dt.date.today()
    for table in tables.values():
        date_fields = [f["name"] for f in table.fields if f.get("type") == "date"]
        outside = lambda v: v is not None and (v > today or v < EARLIEST)  # noqa: E731
        for row, name in _flagged(table, date_fields, outside):
            value = row.get(name)
            if value > today and row.get("kind") != "target":
                yield _problem(table, row, name, "date-in-future",
                               f"{value.isoformat()} is after today ({today.isoformat()}); "
                               "only a target may lie in the future")
            elif value < EARLIEST and table.name not in ("documents",):
                yield _problem(table, row, name, "date-too-early",
                               f"{value.isoformat()} is before 2009, when the programme's "
                               "criteria were set")


def check_commune_names(tables):
    """Two units of the same kind and name in one district, existing at the same time, cannot
    be told apart by a reader."""
    table = tables.get("communes")
    if not table:
        return
    seen = defaultdict(list)
    for row in table.rows:
        key = (row.get("kind"), (row.get("name") or "").casefold(), row.get("district_id"))
        for other in seen[key]:
            if _overlap(row, other):
                yield _problem(table, row, "name", "duplicate-name-in-district",
                               f"another {row.get('kind')} named {row.get('name')!r} exists in the "
                               f"same district at the same time (row {other.get('_line')})")
        seen[key].append(row)


def _overlap(a: dict, b: dict) -> bool:
    lo, hi = dt.date.min, dt.date.max
    return (a.get("valid_from") or lo) <= (b.get("valid_to") or hi) and \
           (b.get("valid_from") or lo) <= (a.get("valid_to") or hi)


def check_note_rows(tables):
    notes = tables.get("notes")
    if not notes:
        return
    ids: dict[str, set] = {}  # the ids of a table, read when a note first points into it
    for row in notes.rows:
        for ref in (row.get("rows") or "").split():
            resource, _, row_id = ref.partition(":")
            if resource in REQUIRED_RESOURCES and resource not in tables:
                continue  # that table could not be read: reported on its own
            if resource not in ids:
                ids[resource] = tables[resource].distinct("id") if resource in tables else set()
            if row_id not in ids[resource]:
                yield _problem(notes, row, "rows", "note-row-missing",
                               f"the note points at {ref}, which does not exist")


DATE_COLUMNS = ("as_of", "date", "decision_date")


def _districts_at(commune_id: str, day, communes: dict, successors: dict, seen=None) -> set:
    """The districts a commune lay in on `day` (None: any time of its life): its own, or, after
    it ceased to exist, those of the units it became (unit_changes)."""
    unit = communes.get(commune_id)
    if not unit:
        return set()
    seen = (seen or set()) | {commune_id}
    if day is not None and unit.get("valid_to") and day > unit["valid_to"] and successors.get(commune_id):
        out = set()
        for nxt in successors[commune_id] - seen:
            out |= _districts_at(nxt, day, communes, successors, seen)
        return out | ({unit.get("district_id")} if not out else set())
    return {unit.get("district_id")} if unit.get("district_id") else set()


def check_commune_in_district(tables):
    """A row placed in a commune and a district: the commune must lie in that district at the
    row's date (as_of, date; the commune's whole life when the row has no date), or the row
    shows on the wrong district's page."""
    communes_table = tables.get("communes")
    placed = [table for table in tables.values() if table.field("commune_id") and
              table.field("district_id") and table.name != "communes"]
    if not communes_table or not placed:  # (the validation cache asks one table at a time)
        return
    communes = {r.get("id"): r for r in communes_table.rows}
    successors = defaultdict(set)
    changes = tables.get("unit_changes")
    for ch in changes.rows if changes else ():
        if ch.get("to_commune_id"):
            successors[ch.get("from_commune_id")].add(ch["to_commune_id"])
    for table in placed:
        date_column = next((c for c in DATE_COLUMNS if table.field(c)), None)
        for row in table.rows:
            commune, district = row.get("commune_id"), row.get("district_id")
            if not (commune and district) or commune not in communes:
                continue
            day = row.get(date_column) if date_column else None
            day = day if isinstance(day, dt.date) else None
            lay_in = _districts_at(commune, day, communes, successors)
            if lay_in and district not in lay_in:
                when = f" on {day.isoformat()}" if day else ""
                yield _problem(table, row, "district_id", "commune-not-in-district",
                               f"commune {commune} lay in {', '.join(sorted(lay_in))}{when}, not in "
                               f"{district}: correct district_id (or commune_id), or leave "
                               "district_id empty (the commune says where it is)")


def _core_name(name: str) -> str:
    """A person's name without the honorific the report writes ('ông', 'bà', 'gia đình ông')."""
    words = (name or "").split()
    while words and words[0].casefold() in ("ông", "bà", "anh", "chị", "gia", "đình", "hộ", "cụ"):
        words = words[1:]
    return " ".join(words)


def check_withdrawn_names(tables):
    """A person withdrawn from the data must be in no published file: their name may not stay
    in another cell (an award's recipient, a note, another table's text)."""
    from .model import PERSON_TABLES, PUBLISHABLE
    withdrawn = {}
    for name in PERSON_TABLES:
        table = tables.get(name)
        if not table:
            continue
        for id_, person, basis in zip(table.column("id"), table.column("name"),
                                      table.column("publication_basis")):
            core = _core_name(person)
            if basis != PUBLISHABLE and len(core.split()) >= 2:
                withdrawn[core.casefold()] = (name, id_)
    if not withdrawn:
        return
    pattern = re.compile("|".join(re.escape(n) for n in sorted(withdrawn, key=len, reverse=True)))
    for table in tables.values():
        text_fields = [f["name"] for f in table.fields if f.get("type", "string") == "string"]
        for row, column in _flagged(table, text_fields,
                                    lambda v: bool(v) and bool(pattern.search(v.casefold()))):
            m = pattern.search(row.get(column).casefold())
            source = withdrawn[m.group()]
            if (table.name, row.get("id")) == source or (
                    table.name in PERSON_TABLES and row.get("publication_basis") != PUBLISHABLE):
                continue
            problem = _problem(table, row, column, "withdrawn-name-shown",
                               f"this cell names a person withdrawn from the data ({source[0]}:"
                               f"{source[1]}): remove the name from it (e.g. write 'một hộ gia "
                               "đình'); a withdrawn person must be in no published file")
            # the report (and the CI summary made from it) must not print the name either
            problem.value = re.sub(pattern.pattern, "[…]", problem.value, flags=re.IGNORECASE)
            yield problem


def check_ranges(tables):
    table = tables.get("unit_changes")
    for row in table.rows if table else ():
        if row.get("mapping_known") and not row.get("to_commune_id"):
            yield _problem(table, row, "to_commune_id", "mapping-without-target",
                           "mapping_known is true but no new unit is named")
    table = tables.get("communes")
    for row in table.rows if table else ():
        if row.get("valid_from") and row.get("valid_to") and row["valid_from"] > row["valid_to"]:
            yield _problem(table, row, "valid_to", "date-order", "valid_to is before valid_from")


SAFE_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?")


def check_ids(tables):
    """Ids name pages, files and anchors (xa/<id>/, charts, #<id>): lower-case ASCII letters,
    digits and hyphens only, so no id can climb out of a folder ('../') or break a link. The
    schema's own pattern, where it has one, is reported by the structural validation."""
    for table in tables.values():
        field = table.field("id")
        if not field or (field.get("constraints") or {}).get("pattern"):
            continue
        for row, _ in _flagged(table, ["id"],
                               lambda v: v is not None and not SAFE_ID.fullmatch(v)):
            yield _problem(table, row, "id", "unsafe-id",
                           "an id may contain only lower-case letters a-z, digits and hyphens "
                           "(no accents, spaces, '/', '.' or '..'), at most 120 characters, "
                           "e.g. bc2017-fund-014")


SAFE_URL = re.compile(r"https?://[^\s<>\"'`\\{}|^]+")


def check_urls(tables):
    """A URL is printed as a link: only http(s) addresses without spaces, quotes or angle
    brackets, so no 'javascript:' link and no markup can ride in on it."""
    for table in tables.values():
        names = [f["name"] for f in table.fields
                 if f["name"] == "url" or f["name"].endswith("_url") or f.get("format") == "uri"]
        for row, name in _flagged(table, names, lambda v: bool(v and not SAFE_URL.fullmatch(v))):
            yield _problem(table, row, name, "unsafe-url",
                           "a URL must start with http:// or https:// and contain no "
                           "spaces, quotes, angle brackets or backslashes: copy the "
                           "address from the browser's address bar")


# The checks that go through every table (tables.values()) and report a table's rows from that
# table alone (and the tables they get by name): the validation cache runs each one table at a
# time, so an edit to one table checks only that table again.
PER_TABLE = (check_ids, check_urls, check_control_characters, check_invisible_characters,
             check_reserved_and_long_names, check_commune_in_district, check_withdrawn_names,
             check_nfc, check_dates)

# The checks of PER_TABLE whose findings in a table's rows each depend on that row alone (and
# on the tables they get by name, listed), in row order within each pass (the passes: their
# rules in order): after an edit of a few rows of a large table, the validation cache checks
# only those rows again (row_delta.py) and keeps the findings of the others.
ROW_LOCAL = {check_ids: (), check_urls: (), check_control_characters: (),
             check_invisible_characters: (), check_reserved_and_long_names: (),
             check_commune_in_district: ("communes", "unit_changes"),
             check_withdrawn_names: ("households", "land_donors", "donors"), check_nfc: (),
             check_dates: ()}
# The checks whose findings depend on today's date (a date after today): the validation cache
# keeps them for one day.
DATED = {check_dates}
PASSES = {check_reserved_and_long_names: ("reserved-name", "text-too-long")}

CHECKS = (check_ids, check_urls, check_control_characters, check_invisible_characters,
          check_reserved_and_long_names, check_commune_in_district, check_withdrawn_names,
          check_nfc, check_count_base, check_percent, check_amounts, check_parts_sum,
          check_distribution, check_dates, check_commune_names, check_note_rows, check_ranges)


def run_all(tables: dict[str, Table]) -> list[Problem]:
    return [problem for check in CHECKS for problem in check(tables)]
