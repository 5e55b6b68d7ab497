"""Domain checks: the rules a schema cannot say. Each check yields Problems naming the
resource, file, row, column, value and rule; `run_all` collects every one into one list."""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from decimal import Decimal

from .package import Table
from .report import Problem
from .vn import UNIT_FACTORS, parse_vn_number

EARLIEST = dt.date(2009, 1, 1)  # the national criteria date from QĐ 491/QĐ-TTg (16/4/2009)

# Rules whose findings a row of `notes` may record as a known disagreement between reports.
NOTABLE_RULES = {"count-above-base", "percent-mismatch", "parts-sum-mismatch",
                 "distribution-sum-mismatch"}

COUNTED = ("criteria_progress", "criteria_distribution", "ntm_counts")
AMOUNTS = ("funding", "donors", "projects")


def _problem(table: Table, row: dict, column: str, rule: str, message: str,
             severity: str = "error") -> Problem:
    value = row.get(column)
    return Problem(severity, rule, message, resource=table.name, file=table.path,
                   row=row.get("_line"), column=column,
                   value="" if value is None else str(value), row_id=str(row.get("id") or ""))


def check_nfc(tables):
    for table in tables.values():
        text_fields = [f["name"] for f in table.fields if f.get("type", "string") == "string"]
        for row in table.rows:
            for name in text_fields:
                value = row.get(name)
                if value and unicodedata.normalize("NFC", value) != value:
                    yield _problem(table, row, name, "text-not-nfc",
                                   "text is not in Unicode NFC form (decomposed accents, often "
                                   "from copying out of a PDF or a Mac); save it as NFC")


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
                               f"{stated} {unit} is {expected} million VND, not {amount}")


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
        for row in table.rows:
            for name in date_fields:
                value = row.get(name)
                if value is None:
                    continue
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
    ids = {name: {r.get("id") for r in t.rows} for name, t in tables.items()}
    for row in notes.rows:
        for ref in (row.get("rows") or "").split():
            resource, _, row_id = ref.partition(":")
            if row_id not in ids.get(resource, set()):
                yield _problem(notes, row, "rows", "note-row-missing",
                               f"the note points at {ref}, which does not exist")


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


CHECKS = (check_nfc, check_count_base, check_percent, check_amounts, check_parts_sum,
          check_distribution, check_dates, check_commune_names, check_note_rows, check_ranges)


def run_all(tables: dict[str, Table]) -> list[Problem]:
    return [problem for check in CHECKS for problem in check(tables)]
