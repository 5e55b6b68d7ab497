"""Domain checks of the commune-level tables (`commune_criteria`, `commune_criteria_counts`) and
of the district and province aggregates against them. Like `checks`, each check yields Problems
naming the resource, file, row, column, value and rule; `run_all` collects them.

The tables may be large (a national package: 19 criteria x ~8,000 communes x 13 years, ~2 M
status rows), so the work is done on pandas frames built once from the table columns; a row is
turned into a Problem only where a rule fails.

Rules
- criterion-unknown: the criterion number is not in its set (`criteria` table)
- criteria-set-not-in-force: the set was neither in force at `as_of` nor the set of its period
- commune-not-in-force: the commune did not exist at `as_of` (communes.valid_from/valid_to)
- count-above-total: more criteria met than the count's total, or a total above the set's size
- count-disagrees-with-criteria: a count contradicts the same commune's per-criterion rows at
  the same date
- recognised-criterion-not-met (warning, naming the note where a row of `notes` records it): a
  commune recognised NTM has a criterion not met in the recognition year, on or after the
  decision date
- aggregate-mismatch: a district or province figure (average_criteria, criteria_progress)
  differs from what the commune rows give for the same date and the same base (all the xã of
  that district or province at that date); a warning naming the note where a row of `notes`
  records the disagreement, an error where none does
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd

from . import rules
from .package import Table
from .report import Problem

# When each national criteria set took effect (the date of its decision): QĐ 491/QĐ-TTg of
# 16/4/2009, QĐ 1980/QĐ-TTg of 17/10/2016, QĐ 318/QĐ-TTg of 08/3/2022. A set is in force from
# its date until the next one's. A status may also be given under the set of the period it
# belongs to (1980: 2016-2020, 318: 2021-2025), as communes were assessed for those periods
# before the decisions were signed.
SET_START = {"qd491": dt.date(2009, 4, 16), "qd1980": dt.date(2016, 10, 17),
             "qd318": dt.date(2022, 3, 8)}
SET_PERIOD_START = {"qd491": 2009, "qd1980": 2016, "qd318": 2021}
SET_LABEL = {"qd491": "QĐ 491/QĐ-TTg (2009)", "qd1980": "QĐ 1980/QĐ-TTg (2016)",
             "qd318": "QĐ 318/QĐ-TTg (2022)"}

COMMUNE_FIXES = {
    "criterion-unknown": (
        "a criterion number that its criteria set does not have",
        "Check criteria_set and criterion_number against the criteria table (1-19 in each set)."),
    "criteria-set-not-in-force": (
        "the criteria set was neither in force at the row's date (491: 16/4/2009, 1980: "
        "17/10/2016, 318: 8/3/2022) nor the set of its period (1980: 2016-2020, 318: 2021-2025)",
        "Use the set in force at as_of, or correct as_of; leave criteria_set empty in "
        "commune_criteria_counts if the source does not say."),
    "commune-not-in-force": (
        "the commune did not exist at the row's date (before valid_from or after valid_to)",
        "Use the unit as it was at that date (the former commune before a merger, the new one "
        "after), or correct as_of."),
    "count-above-total": (
        "more criteria met than the total, or a total above the size of the criteria set",
        "Check criteria_met and criteria_total against the source (19 for the NTM sets)."),
    "count-disagrees-with-criteria": (
        "a commune's count contradicts its per-criterion rows at the same date",
        "Check both against the source: criteria met (đạt) can be at most the count, criteria "
        "not met at most the total minus the count."),
    "recognised-criterion-not-met": (
        "a commune recognised NTM has a criterion not met in the year of its recognition",
        "Check the status and the recognition's year or decision date; if the source says so, "
        "keep both and explain in the note."),
    "aggregate-mismatch": (
        "a district or province figure differs from what its communes' rows give for the same "
        "date and the same communes",
        "Check the figure and the commune rows; if the sources really disagree, add a notes row "
        "pointing at the aggregate row (then it is a warning)."),
}
rules.register(*(rules.Rule(code, meaning, fix, notable=code == "aggregate-mismatch")
                  for code, (meaning, fix) in COMMUNE_FIXES.items()))

AGGREGATED = ("average_criteria", "criteria_progress")


class CheckedTables(dict):
    """The tables being checked (name -> Table), given to every check, with what the checks
    make of them once and share: the frames of their columns and the status counts. Made by
    `run_all` for one validation, and gone with it."""

    def __init__(self, tables: dict[str, Table]):
        super().__init__(tables)
        self.made: dict = {}

    def frame(self, table: Table | None, names: list[str]) -> pd.DataFrame:
        """The columns of a table (and its CSV line, as `_line`), as a frame; empty if no
        table. Each column made into a series once (callers filter frames, never change them):
        a check asks for the columns it uses, so the validation cache knows what it read."""
        key = (id(table), tuple(names))
        if key not in self.made:
            if table is None or not len(table.rows):
                frame = pd.DataFrame(columns=names + ["_line"])
            else:
                frame = pd.DataFrame({name: self._series(table, name)
                                      for name in [*names, "_line"]})
            self.made[key] = frame
        return self.made[key]

    def _series(self, table: Table, name: str) -> pd.Series:
        key = ("column", id(table), name)
        if key not in self.made:
            self.made[key] = series(table.column(name))
        return self.made[key]


def series(values) -> pd.Series:
    """`pd.Series(list(values))`, the same values and type, made without pandas guessing the
    type value by value for the usual columns (millions of rows): row numbers, texts and dates
    (kept as objects), whole numbers."""
    if isinstance(values, range):
        return pd.Series(np.arange(values.start, values.stop, values.step, dtype=np.int64))
    kinds = set(map(type, values))
    if values and kinds <= {str, dt.date, type(None)}:
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return pd.Series(array, dtype=object)
    if kinds == {int}:
        try:
            return pd.Series(np.fromiter(values, dtype=np.int64, count=len(values)))
        except OverflowError:
            pass
    return pd.Series(list(values))


STATUS_COLUMNS = ["commune_id", "criteria_set", "criterion_number", "as_of", "status"]
COUNT_COLUMNS = ["id", "commune_id", "level", "criteria_set", "as_of", "kind", "criteria_met",
                 "criteria_total"]


def _problem(table: Table, row, column: str, rule: str, message: str,
             severity: str = "error", note_id: str = "") -> Problem:
    value = row[column]
    row_id = row["id"] if "id" in row.index else _row_id(table, int(row["_line"]))
    rule = rules.rule(rule).code  # a rule nobody registered fails here
    return Problem(severity, rule, message, resource=table.name, file=table.path,
                   row=int(row["_line"]), column=column,
                   value="" if value is None or value is pd.NaT or value != value else str(value),
                   row_id=str(row_id or ""), note_id=note_id)


def _row_id(table: Table, line: int) -> str:
    """The id of the row on a CSV line (frames of large tables leave the ids out)."""
    lines = table.column("_line")
    i = line - 2  # rows are read in order, one line each, unless the file has blank lines
    if not (0 <= i < len(lines) and lines[i] == line):
        i = list(lines).index(line)
    return table.column("id")[i]


def _set_in_force(day: dt.date) -> str | None:
    current = None
    for name, start in sorted(SET_START.items(), key=lambda kv: kv[1]):
        if day >= start:
            current = name
    return current


def _set_of_period(day: dt.date) -> str | None:
    current = None
    for name, year in sorted(SET_PERIOD_START.items(), key=lambda kv: kv[1]):
        if day.year >= year:
            current = name
    return current


def check_criteria_sets(tables):
    """criterion-unknown, criteria-set-not-in-force."""
    criteria = tables.frame(tables.get("criteria"), ["criteria_set", "number"])
    known = set(zip(criteria["criteria_set"], criteria["number"]))
    for name, number in (("commune_criteria", "criterion_number"), ("commune_criteria_counts", None)):
        table = tables.get(name)
        if table is None:
            continue
        df = tables.frame(table, ["criteria_set", number, "as_of"] if number else
                          ["id", "criteria_set", "as_of"])
        df = df.dropna(subset=["criteria_set", "as_of"])
        if df.empty:
            continue
        if number:
            pairs = df[["criteria_set", number]].dropna().drop_duplicates()
            unknown = pairs[[k not in known for k in zip(pairs["criteria_set"], pairs[number])]]
            bad = df.merge(unknown, on=["criteria_set", number])["_line"] if len(unknown) else []
            for _, row in df[df["_line"].isin(set(bad))].iterrows():
                yield _problem(table, row, number, "criterion-unknown",
                               f"criterion {row[number]} is not in the set {row['criteria_set']} "
                               "(see the criteria table)")
        allowed = {day: {_set_in_force(day), _set_of_period(day)} for day in df["as_of"].unique()}
        pairs = df[["as_of", "criteria_set"]].drop_duplicates()
        wrong = pairs[[s not in allowed[d] for d, s in zip(pairs["as_of"], pairs["criteria_set"])]]
        if wrong.empty:
            continue
        bad = set(df.merge(wrong, on=["as_of", "criteria_set"])["_line"])
        for _, row in df[df["_line"].isin(bad)].iterrows():
            expected = _set_in_force(row["as_of"])
            yield _problem(table, row, "criteria_set", "criteria-set-not-in-force",
                           f"on {row['as_of'].isoformat()} the criteria set in force was "
                           f"{SET_LABEL.get(expected, 'none')}, not "
                           f"{SET_LABEL.get(row['criteria_set'], row['criteria_set'])}")


def _communes(tables) -> pd.DataFrame:
    df = tables.frame(tables.get("communes"), ["id", "kind", "district_id", "valid_from", "valid_to"])
    # a repeated or empty id is reported as a primary-key / constraint error: keep the first
    return df.dropna(subset=["id"]).drop_duplicates("id").set_index("id", drop=False)


def check_commune_dates(tables):
    """commune-not-in-force: the unit existed at as_of."""
    communes = _communes(tables)
    for name in ("commune_criteria", "commune_criteria_counts"):
        table = tables.get(name)
        if table is None or communes.empty:
            continue
        df = tables.frame(table, ["commune_id", "as_of"] if name == "commune_criteria" else
                          ["id", "commune_id", "as_of"])
        pairs = df[["commune_id", "as_of"]].dropna().drop_duplicates()
        pairs = pairs[pairs["commune_id"].isin(communes.index)]  # unknown ids: foreign-key error
        start = pairs["commune_id"].map(communes["valid_from"])
        end = pairs["commune_id"].map(communes["valid_to"])
        before = start.notna() & (pairs["as_of"] < start.where(start.notna(), dt.date.min))
        after = end.notna() & (pairs["as_of"] > end.where(end.notna(), dt.date.max))
        outside = pairs[before | after]
        if outside.empty:
            continue
        bad = df.merge(outside, on=["commune_id", "as_of"])["_line"]
        for _, row in df[df["_line"].isin(set(bad))].iterrows():
            c = communes.loc[row["commune_id"]]
            span = (f"from {c['valid_from'].isoformat() if c['valid_from'] else 'before 2019'} "
                    f"to {c['valid_to'].isoformat() if c['valid_to'] else 'today'}")
            yield _problem(table, row, "commune_id", "commune-not-in-force",
                           f"{row['commune_id']} did not exist on {row['as_of'].isoformat()} "
                           f"(it existed {span}): use the unit as it was at that date")


def _set_sizes(tables) -> dict:
    criteria = tables.frame(tables.get("criteria"), ["criteria_set", "number"])
    return criteria.groupby("criteria_set")["number"].nunique().to_dict()


def check_counts(tables):
    """count-above-total and count-disagrees-with-criteria."""
    table = tables.get("commune_criteria_counts")
    if table is None:
        return
    sizes = _set_sizes(tables)
    counts = tables.frame(table, COUNT_COLUMNS)
    met = pd.to_numeric(counts["criteria_met"], errors="coerce")
    total = pd.to_numeric(counts["criteria_total"], errors="coerce")
    size = pd.to_numeric(counts["criteria_set"].map(sizes), errors="coerce")
    over_total = met > total
    over_size = ~over_total & (total > size)
    for i, row in counts[over_total | over_size].iterrows():
        if over_total[i]:
            yield _problem(table, row, "criteria_met", "count-above-total",
                           f"{row['criteria_met']} criteria met is more than the total of "
                           f"{row['criteria_total']}")
        else:
            yield _problem(table, row, "criteria_total", "count-above-total",
                           f"the set {row['criteria_set']} has {sizes[row['criteria_set']]} "
                           f"criteria, not {row['criteria_total']}")
    status = _status_counts(tables)
    if status.empty:
        return
    actual = counts[(counts["level"] == "ntm") & (counts["kind"] != "target")]
    joined = actual.merge(status, on=["commune_id", "as_of"], how="inner")
    same_set = joined["criteria_set"].isna() | (joined["criteria_set"] == joined["set"])
    joined = joined[same_set]
    bad = (joined["met"] > joined["criteria_met"]) | \
          (joined["not_met"] > joined["criteria_total"] - joined["criteria_met"])
    for _, row in joined[bad].iterrows():
        yield _problem(table, row, "criteria_met", "count-disagrees-with-criteria",
                       f"{row['criteria_met']}/{row['criteria_total']} criteria met, but "
                       f"commune_criteria has {row['met']} met and {row['not_met']} not met for "
                       f"{row['commune_id']} on {row['as_of'].isoformat()}")


def _status_counts(tables) -> pd.DataFrame:
    """Per commune, date and set: how many criteria the per-criterion rows say are met / not
    met, and how many criteria they cover."""
    df = tables.frame(tables.get("commune_criteria"), STATUS_COLUMNS)  # first: a check using
    if "status" in tables.made:  # the counts reads this table (the validation cache notes it)
        return tables.made["status"]
    if df.empty:
        out = pd.DataFrame(columns=["commune_id", "as_of", "set", "met", "not_met", "rows"])
    else:
        out = group_counts(df.dropna(subset=["commune_id", "as_of", "criteria_set"]))
    tables.made["status"] = out
    return out


def group_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Per commune, date and set (in the order they first appear), the criteria met, not met
    and covered, each criterion counted once (its first row): what drop_duplicates and
    groupby(sort=False) give, made from each column's integer codes (hashed once, not three
    times: 2 M rows)."""
    key, group, size = np.zeros(len(df), dtype=np.int64), None, 1
    for name in ("commune_id", "as_of", "criteria_set", "criterion_number"):
        codes, uniques = pd.factorize(df[name])  # an empty cell: -1
        size *= len(uniques) + 1
        key = key * (len(uniques) + 1) + (codes + 1)
        group = key.copy() if name == "criteria_set" else group
    if not len(df) or size >= 2 ** 62:  # (no row; or too many values for one number)
        df = df.drop_duplicates(["commune_id", "as_of", "criteria_set", "criterion_number"])
        df = df.assign(is_met=df["status"] == "met", is_not_met=df["status"] == "not_met")
        g = df.groupby(["commune_id", "as_of", "criteria_set"], sort=False).agg(
            met=("is_met", "sum"), not_met=("is_not_met", "sum"), rows=("status", "size"))
        return g.reset_index().rename(columns={"criteria_set": "set"})
    first = ~pd.Series(key).duplicated().to_numpy()
    ids, _ = pd.factorize(group[first])  # groups numbered in the order they first appear
    starts = np.unique(ids, return_index=True)[1]
    status = df["status"].to_numpy()[first]
    out = {name: df[column].to_numpy()[first][starts] for name, column in
           (("commune_id", "commune_id"), ("as_of", "as_of"), ("set", "criteria_set"))}
    for name, value in (("met", "met"), ("not_met", "not_met")):
        out[name] = np.bincount(ids, weights=status == value, minlength=len(starts)).astype(np.int64)
    out["rows"] = np.bincount(ids, minlength=len(starts)).astype(np.int64)
    return pd.DataFrame(out)


def check_recognised(tables):
    """recognised-criterion-not-met (warning)."""
    table, recs = tables.get("commune_criteria"), tables.get("commune_recognitions")
    if table is None or recs is None:
        return
    rec = tables.frame(recs, ["id", "commune_id", "level", "status", "year", "decision_date"])
    rec = rec[(rec["level"] == "ntm") & (rec["status"] == "recognised")]
    rec = rec.assign(year=[d.year if isinstance(d, dt.date) else y
                           for y, d in zip(rec["year"], rec["decision_date"])])
    rec = rec.dropna(subset=["year"])
    if rec.empty:
        return
    rec = rec.assign(year=rec["year"].astype(int))
    if rec.empty:
        return
    wanted = set(rec["commune_id"])  # only their not-met rows are made into a frame
    keep = [i for i, (status, commune) in enumerate(zip(table.column("status"),
                                                         table.column("commune_id")))
            if status == "not_met" and commune in wanted]
    df = pd.DataFrame({name: [column[i] for i in keep] for name, column in
                       ((name, table.column(name)) for name in [*STATUS_COLUMNS, "_line"])})
    df = df[df["as_of"].notna()] if len(df) else df
    if df.empty:
        return
    df = df.assign(year=[d.year for d in df["as_of"]])
    rec = rec.drop(columns="_line").rename(columns={"id": "rec_id", "status": "rec_status"})
    joined = df.merge(rec, on=["commune_id", "year"])
    decided = joined["decision_date"]
    since = decided.isna() | (joined["as_of"] >= decided.fillna(dt.date.min))
    noted = _noted(tables)
    for _, row in joined[since].iterrows():
        problem = _problem(table, row, "status", "recognised-criterion-not-met",
                           f"{row['commune_id']} is recognised as meeting the NTM standard in "
                           f"{int(row['year'])} (commune_recognitions:{row['rec_id']}), but "
                           f"criterion {row['criterion_number']} is not met on "
                           f"{row['as_of'].isoformat()}", severity="warning")
        problem.note_id = noted.get(f"{table.name}:{problem.row_id}", "")
        yield problem


def _noted(tables) -> dict:
    notes = tables.get("notes")
    out = {}
    for row in notes.rows if notes else ():
        for ref in (row.get("rows") or "").split():
            out.setdefault(ref, row.get("id") or "")
    return out


def _tolerance(value) -> float:
    """Half a unit of the value's last written digit, e.g. 9.77 -> 0.005."""
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    return float(Decimal(1).scaleb(min(int(exponent), 0))) / 2 + 1e-9


def _commune_scores(tables) -> pd.DataFrame:
    """Criteria met per commune and date (kind actual), from the counts or from a full set of
    per-criterion rows."""
    counts = tables.frame(tables.get("commune_criteria_counts"), COUNT_COLUMNS)
    counts = counts[(counts["level"] == "ntm") & (counts["kind"] == "actual")]
    scores = counts[["commune_id", "as_of", "criteria_met"]].dropna()
    status = _status_counts(tables)
    sizes = _set_sizes(tables)
    if not status.empty:
        full = status[status["rows"] == status["set"].map(sizes)]
        scores = pd.concat([scores, full.rename(columns={"met": "criteria_met"})[
            ["commune_id", "as_of", "criteria_met"]]])
    return scores.drop_duplicates(["commune_id", "as_of"])


def _base(communes: pd.DataFrame, day: dt.date, district: str | None, memo: dict) -> set:
    """The xã that existed on `day` (in `district`, or in the whole package); each asked once
    per check (`memo`: one per check run; the callers do not change the set)."""
    if (day, district) in memo:
        return memo[(day, district)]
    memo[(day, district)] = _alive(communes, day, district)
    return memo[(day, district)]


def _alive(communes: pd.DataFrame, day: dt.date, district: str | None) -> set:
    c = communes[communes["kind"] == "xã"]
    if district:
        c = c[c["district_id"] == district]
    alive = [(f is None or f != f or f <= day) and (t is None or t != t or day <= t)
             for f, t in zip(c["valid_from"], c["valid_to"])]
    return set(c["id"][alive])


def check_aggregates(tables):
    """aggregate-mismatch: average_criteria and criteria_progress against the commune rows."""
    communes = _communes(tables)
    if communes.empty:
        return
    noted, bases = _noted(tables), {}
    scores = _commune_scores(tables)
    by_day = {day: g.set_index("commune_id")["criteria_met"] for day, g in scores.groupby("as_of")}
    table = tables.get("average_criteria")
    if table is not None and by_day:
        df = tables.frame(table, ["id", "as_of", "kind", "scope", "commune_id", "district_id", "value"])
        df = df[(df["kind"] == "actual") & df["commune_id"].isna() & df["as_of"].isin(by_day)
                & df["value"].notna()]
        for _, row in df.iterrows():
            district = row["district_id"] if isinstance(row["district_id"], str) else None
            if not district and str(row["scope"]).strip().lower() != "toàn tỉnh":
                continue
            base = _base(communes, row["as_of"], district, bases)
            have = by_day[row["as_of"]]
            if not base or not base <= set(have.index):
                continue  # not every commune of the base has a figure at that date
            computed = float(have[list(base)].mean())
            if abs(computed - float(row["value"])) > _tolerance(row["value"]):
                yield _aggregate(table, row, "value", noted,
                                 f"the {len(base)} xã of {district or 'the province'} average "
                                 f"{computed:.2f} criteria on {row['as_of'].isoformat()} in "
                                 f"commune_criteria/commune_criteria_counts, but "
                                 f"average_criteria:{row['id']} reports {row['value']}")
    yield from _check_progress(tables, communes, noted, bases)


def _check_progress(tables, communes, noted, bases):
    table, status = tables.get("criteria_progress"), tables.get("commune_criteria")
    if table is None or status is None or not len(status.rows):
        return
    df = tables.frame(table, ["id", "as_of", "kind", "criteria_set", "criterion_number", "communes", "base"])
    df = df[df["kind"] == "actual"]
    st = tables.frame(status, STATUS_COLUMNS)
    st = st[st["as_of"].isin(set(df["as_of"]))]
    if st.empty:
        return
    groups = {k: g for k, g in st.groupby(["as_of", "criteria_set", "criterion_number"])}
    for _, row in df.iterrows():
        g = groups.get((row["as_of"], row["criteria_set"], row["criterion_number"]))
        if g is None:
            continue
        base = _base(communes, row["as_of"], None, bases)
        if len(base) != row["base"] or not base <= set(g["commune_id"]):
            continue  # not the same communes
        met = int((g[g["commune_id"].isin(base)]["status"] == "met").sum())
        if met != row["communes"]:
            yield _aggregate(table, row, "communes", noted,
                             f"{met} of the {len(base)} xã meet criterion {row['criterion_number']} "
                             f"on {row['as_of'].isoformat()} in commune_criteria, but "
                             f"criteria_progress:{row['id']} reports {row['communes']}")


def _aggregate(table, row, column, noted, message) -> Problem:
    note_id = noted.get(f"{table.name}:{row['id']}", "")
    return _problem(table, row, column, "aggregate-mismatch", message,
                    severity="warning" if note_id else "error", note_id=note_id)


CHECKS = (check_criteria_sets, check_commune_dates, check_counts, check_recognised,
          check_aggregates)


# The checks whose findings in a row of commune_criteria depend on that row alone (and on the
# other tables they read), in row order within each pass (PASSES: their rules in order), and
# whose findings in the other tables they report (all of them, in this order) do not depend on
# commune_criteria: after an edit of a few of its rows, the validation cache runs them on those
# rows alone (validate._changed_rows) and keeps their other findings.
ROW_LOCAL = {check_criteria_sets: ("commune_criteria", "commune_criteria_counts"),
             check_commune_dates: ("commune_criteria", "commune_criteria_counts"),
             check_recognised: ("commune_criteria",)}
PASSES = {check_criteria_sets: ("criterion-unknown", "criteria-set-not-in-force")}


def run_all(tables: dict[str, Table]) -> list[Problem]:
    checked = CheckedTables(tables)
    return [problem for check in CHECKS for problem in check(checked)]
