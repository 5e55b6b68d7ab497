"""The validation cache, one table at a time (table_cache.py): after an edit to one table only
that table (and the tables pointing at it, and the checks reading it) is checked again, and the
report is the one a fresh validation gives, in the same order, with the same file, row and
column. The typed tables of large resources come from the cache; the model made from them is
the one made from the files. Packages: SYNTHETIC (tests/benchmarks/synth.py), built in code."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import read_rows, resources_checked, set_cell, write_rows
from site_builder import model as model_module
from site_builder import package as package_module
from site_builder import stream_check
from site_builder import validate as validate_module
from site_builder.model import build_model
from site_builder.package import ColumnRows
from site_builder.validate import validate_package, validate_package_cached


def same_as_fresh(pkg: Path, cache: Path, names: list | None = None):
    """The report from the cache, checked against a fresh validation (`names`: the resources
    checked again by the cached one are left in it)."""
    cached = validate_package_cached(pkg, cache)
    seen = list(names or ())
    assert cached.to_json() == validate_package(pkg).to_json()
    if names is not None:
        names[:] = seen
    return cached


def test_an_edit_to_one_table_checks_that_table_again_and_reports_it_as_fresh(
        synthetic, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = same_as_fresh(synthetic, cache)
    assert first.valid, first.to_text()
    names = resources_checked(monkeypatch)
    assert validate_package_cached(synthetic, cache).to_json() == first.to_json()
    assert names == [], "nothing changed, yet a resource was checked again"
    rows = read_rows(synthetic, "commune_recognitions")
    rows[1]["year"] = "năm 2019"
    write_rows(synthetic, "commune_recognitions", rows)
    report = same_as_fresh(synthetic, cache, names)
    assert names == ["commune_recognitions"]
    [error] = report.errors
    assert (error.rule, error.file, error.row, error.column, error.value) == (
        "type-error", "data/commune_recognitions.csv", 3, "year", "năm 2019")


def test_an_error_in_a_large_table_is_reported_with_its_row_and_column(synthetic, tmp_path):
    cache = tmp_path / "cache"
    same_as_fresh(synthetic, cache)
    rows = read_rows(synthetic, "commune_criteria")
    assert len(rows) > 1000  # streamed
    before = [dict(rows[2500]), dict(rows[4000])]
    rows[2500]["status"] = "đạt"
    rows[4000]["as_of"] = "31/12/2019"
    write_rows(synthetic, "commune_criteria", rows)
    report = same_as_fresh(synthetic, cache)
    found = {(p.rule, p.file, p.row, p.column, p.value) for p in report.errors}
    assert ("constraint-error", "data/commune_criteria.csv", 2502, "status", "đạt") in found
    assert ("type-error", "data/commune_criteria.csv", 4002, "as_of", "31/12/2019") in found
    # fixed again: valid, from the cache's versions of the other tables
    rows[2500], rows[4000] = before
    write_rows(synthetic, "commune_criteria", rows)
    assert same_as_fresh(synthetic, cache).valid


def test_a_commune_removed_rechecks_the_tables_pointing_at_it(synthetic, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    same_as_fresh(synthetic, cache)
    criteria = read_rows(synthetic, "commune_criteria")
    gone = criteria[0]["commune_id"]
    communes = read_rows(synthetic, "communes")
    write_rows(synthetic, "communes", [c for c in communes if c["id"] != gone])
    names = resources_checked(monkeypatch)
    report = same_as_fresh(synthetic, cache, names)
    assert "sources" not in names and {"communes", "commune_criteria", "commune_criteria_status"} <= set(names)
    lines = {p.row for p in report.errors
             if p.rule == "foreign-key" and p.resource == "commune_criteria"}
    assert lines >= {i + 2 for i, r in enumerate(criteria) if r["commune_id"] == gone}


def test_the_model_reads_large_tables_from_the_cache_as_from_the_files(synthetic, tmp_path,
                                                                     monkeypatch):
    cache = tmp_path / "cache"
    validate_package_cached(synthetic, cache)
    from_files = build_model(synthetic)
    monkeypatch.setattr(model_module, "COLUMN_ROWS", 1000)  # commune_criteria kept as columns
    report = validate_package_cached(synthetic, cache)  # every resource from the cache

    def no_reading(package_dir, res, compact=False):
        assert res["name"] not in ("commune_criteria", "commune_criteria_status"), \
            f"{res['name']}.csv read again, although its typed table is in the cache"
        return read_table(package_dir, res, compact)
    read_table = package_module.read_table
    monkeypatch.setattr(package_module, "read_table", no_reading)
    monkeypatch.setattr(model_module, "read_table", no_reading)
    model = build_model(synthetic, report.tables)
    rows = model.rows("commune_criteria")
    assert isinstance(rows, ColumnRows) and list(rows) == from_files.rows("commune_criteria")
    assert model.source_uses == from_files.source_uses
    for cid in model.communes:
        assert model.located("commune_criteria", commune_id=cid) == \
            from_files.located("commune_criteria", commune_id=cid)
        assert model.criteria.counts(cid) == from_files.criteria.counts(cid)
        a, b = model.criteria.statuses(cid), from_files.criteria.statuses(cid)
        assert (a is None and b is None) or a.equals(b)
    for did in model.districts:
        assert model.located("commune_criteria", district_id=did) == \
            from_files.located("commune_criteria", district_id=did)
    assert model.criteria.latest().equals(from_files.criteria.latest())


def test_a_withdrawn_person_stays_out_of_a_model_made_from_the_cache(synthetic, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setattr(validate_module, "STREAM_MIN_ROWS", 3)  # every table large and cached
    cache = tmp_path / "cache"
    same_as_fresh(synthetic, cache)
    households = read_rows(synthetic, "households")
    withdrawn = households[0]
    withdrawn["publication_basis"] = "withdrawn"
    write_rows(synthetic, "households", households)
    for _ in range(2):  # checked again, then every table from the cache
        report = same_as_fresh(synthetic, cache)
        model = build_model(synthetic, report.tables)
        assert withdrawn["id"] not in {r["id"] for r in model.rows("households")}
        assert withdrawn["name"] not in json.dumps(model.rows("households"), default=str)


def test_the_cache_keeps_one_version_of_each_table(synthetic, tmp_path):
    cache = tmp_path / "cache"
    same_as_fresh(synthetic, cache)
    files = sorted(p.name for p in cache.iterdir())
    for year in ("2019", "2020", "2021"):
        rows = read_rows(synthetic, "commune_recognitions")
        rows[0]["year"] = year
        write_rows(synthetic, "commune_recognitions", rows)
        same_as_fresh(synthetic, cache)
        assert sorted(p.name for p in cache.iterdir()) == files


def test_a_repeated_or_empty_id_in_a_streamed_table_is_reported_as_frictionless_does(
        synthetic, monkeypatch):
    """The streaming checker's one-field key (an id column of millions of rows) finds what
    Frictionless's own row checks find."""
    from dataclasses import asdict

    rows = read_rows(synthetic, "commune_criteria")
    rows[3000]["id"] = rows[10]["id"]
    rows[3500]["id"] = ""
    rows.append(dict(rows[20]))
    write_rows(synthetic, "commune_criteria", rows)
    streamed = validate_package(synthetic)
    assert "commune_criteria" not in {name for name, _ in stream_check.STREAM_FALLBACKS}
    monkeypatch.setattr(validate_module, "STREAM_MIN_ROWS", 10 ** 9)
    stock = validate_package(synthetic)
    assert [asdict(p) for p in streamed.problems] == [asdict(p) for p in stock.problems]
    found = {(p.rule, p.row) for p in streamed.errors if p.resource == "commune_criteria"}
    assert {("primary-key", 3002), ("primary-key", len(rows) + 1)} <= found
    assert any(row == 3502 for _, row in found)


def test_domain_checks_from_the_cache_report_what_a_fresh_validation_reports(synthetic, tmp_path):
    """A check across tables (a count against the per-criterion rows) and a check run one table
    at a time (control characters, in two tables): found again after the edit that makes them,
    kept from the cache after an edit elsewhere, gone after the fix."""
    cache = tmp_path / "cache"
    same_as_fresh(synthetic, cache)
    criteria = read_rows(synthetic, "commune_criteria")
    met = next(r for r in criteria if r["status"] == "met")
    counts = read_rows(synthetic, "commune_criteria_counts")
    write_rows(synthetic, "commune_criteria_counts", counts + [dict(
        counts[0], id="syn-ccc-test", commune_id=met["commune_id"], as_of=met["as_of"],
        criteria_set=met["criteria_set"], criteria_met="0", criteria_total="19", value_text="0/19")])
    for name in ("sources", "commune_recognitions"):
        rows = read_rows(synthetic, name)
        rows[0]["description" if name == "sources" else "note"] = "trang\x0c2"
        write_rows(synthetic, name, rows)
    report = same_as_fresh(synthetic, cache)
    rules = {(p.rule, p.resource) for p in report.problems}
    assert {("count-disagrees-with-criteria", "commune_criteria_counts"),
            ("control-character", "sources"), ("control-character", "commune_recognitions")} <= rules
    rows = read_rows(synthetic, "commune_recognitions")
    rows[1]["note"] = "một ghi chú"
    write_rows(synthetic, "commune_recognitions", rows)
    assert same_as_fresh(synthetic, cache).to_json() == report.to_json()  # that note is in no problem
    write_rows(synthetic, "commune_criteria_counts", counts)
    rules = {(p.rule, p.resource) for p in same_as_fresh(synthetic, cache).problems}
    assert ("count-disagrees-with-criteria", "commune_criteria_counts") not in rules
    assert ("control-character", "sources") in rules


def test_the_commune_checks_columns_are_the_series_pandas_makes_of_them():
    """checks_commune.series skips pandas' guessing for the usual columns: the same values and
    type as pd.Series of the list, whatever the column holds."""
    import datetime as dt

    import pandas as pd

    from site_builder.checks_commune import series
    day = dt.date(2020, 1, 1)
    for values in (["a", None, "b"], [None, None], [day, None], ["x", day], [1, 2, 3],
                   [1, None], [2 ** 70, 1], [True, False], [1.5, None], range(2, 10),
                   [dt.datetime(2020, 1, 1)]):
        pd.testing.assert_series_equal(series(values), pd.Series(list(values)))


def _pandas_group_counts(df):
    df = df.drop_duplicates(["commune_id", "as_of", "criteria_set", "criterion_number"])
    df = df.assign(is_met=df["status"] == "met", is_not_met=df["status"] == "not_met")
    g = df.groupby(["commune_id", "as_of", "criteria_set"], sort=False).agg(
        met=("is_met", "sum"), not_met=("is_not_met", "sum"), rows=("status", "size"))
    return g.reset_index().rename(columns={"criteria_set": "set"})


def test_the_status_counts_are_those_pandas_groupby_gives(synthetic_30):
    """checks_commune.group_counts (from the columns' codes) gives the frame drop_duplicates and
    groupby give: the same groups in the same order, the same counts and types; a criterion
    twice or without a number, a status empty or unknown, groups met again later."""
    import datetime as dt

    import pandas as pd

    from site_builder.checks_commune import STATUS_COLUMNS, CheckedTables, group_counts
    from site_builder.package import load_descriptor, read_table
    res = {r["name"]: r for r in load_descriptor(synthetic_30)["resources"]}
    frame = CheckedTables({}).frame(read_table(synthetic_30, res["commune_criteria"]),
                                    STATUS_COLUMNS).dropna(subset=STATUS_COLUMNS[:2])
    day, later = dt.date(2020, 12, 31), dt.date(2021, 12, 31)
    odd = pd.DataFrame({"commune_id": ["b", "a", "b", "a", "b", "a", "c"],
                        "criteria_set": ["qd1980"] * 6 + ["qd318"],
                        "criterion_number": [1, 1, 1, None, None, 2, 3],
                        "as_of": [day, day, day, later, later, day, later],
                        "status": ["met", "not_met", "not_met", None, "met", "x", "met"],
                        "_line": range(2, 9)})
    for df in (frame, odd, odd.iloc[:0]):
        pd.testing.assert_frame_equal(group_counts(df), _pandas_group_counts(df))


def test_the_next_day_only_the_check_of_dates_runs_again(synthetic, tmp_path, monkeypatch):
    """The cache is kept from one day to the next: only the check that compares dates with today
    (checks.DATED) runs again, so a decision dated tomorrow, refused today, is accepted the next
    day, with every other finding taken from the cache (a national package is not validated
    again each morning)."""
    import datetime as dt
    import types

    from site_builder import checks

    tomorrow = dt.date.today() + dt.timedelta(days=1)
    set_cell(synthetic, "commune_recognitions", 0, "decision_date", tomorrow.isoformat())
    cache = tmp_path / "cache"
    today = validate_package_cached(synthetic, cache)
    assert [p.rule for p in today.errors] == ["date-in-future"]

    class NextDay(dt.date):
        @classmethod
        def today(cls):
            return tomorrow + dt.timedelta(days=1)
    clock = types.SimpleNamespace(**{k: getattr(dt, k) for k in dir(dt) if not k.startswith("__")})
    clock.date = NextDay
    monkeypatch.setattr(checks, "dt", clock)
    monkeypatch.setattr(validate_module, "dt", clock)
    ran = []
    real_run = validate_module._Watch.run
    monkeypatch.setattr(validate_module._Watch, "run",
                        lambda self, check, scope: ran.append(check.__name__) or real_run(self, check, scope))
    checked = resources_checked(monkeypatch)
    next_day = validate_package_cached(synthetic, cache)
    assert next_day.valid and not next_day.errors
    assert checked == [] and ran and set(ran) == {"check_dates"}
    assert next_day.to_json() == validate_package(synthetic).to_json()
