"""Row-incremental validation of a large table (row_delta.py): after an edit of a few rows of
a streamed table whose last version is in the cache, only the changed lines are checked again,
and the report is the one a fresh validation gives (errors and warnings with file, row, column,
rule, in order); what cannot be told so (a repeated key, a new header) is checked in full. The
model made from the spliced table is the one made from the files. Packages: SYNTHETIC
(tests/benchmarks/synth.py), built in code."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import read_rows, resources_checked, write_rows
from site_builder import checks_commune
from site_builder import model as model_module
from site_builder import validate as validate_module
from site_builder.model import build_model
from site_builder.validate import validate_package, validate_package_cached

TABLE = "commune_criteria"


@pytest.fixture
def checked(monkeypatch) -> list[str]:
    """The resources checked in full (their file read and checked from the first line)."""
    return resources_checked(monkeypatch)


def same_as_fresh(pkg: Path, cache: Path, checked: list, full: bool):
    """The cached report, equal to a fresh validation's; `full`: whether commune_criteria was
    checked in full (else only its changed lines)."""
    checked.clear()
    cached = validate_package_cached(pkg, cache)
    assert (TABLE in checked) == full, checked
    fresh = validate_package(pkg)
    assert cached.to_json() == fresh.to_json()
    assert [p.describe() for p in cached.problems] == [p.describe() for p in fresh.problems]
    return cached


def edit(pkg: Path, change) -> list[dict]:
    rows = read_rows(pkg, TABLE)
    change(rows)
    write_rows(pkg, TABLE, rows)
    return rows


def errors(report) -> set:
    return {(p.rule, p.file, p.row, p.column, p.value) for p in report.errors
            if p.resource == TABLE}


def flip(row: dict) -> None:
    row["status"] = "met" if row["status"] != "met" else "not_met"


def test_a_changed_added_or_deleted_row_is_checked_alone_and_reported_as_fresh(
        synthetic, tmp_path, checked):
    cache = tmp_path / "cache"
    assert same_as_fresh(synthetic, cache, checked, full=True).valid
    edit(synthetic, lambda rows: flip(rows[2000]))  # a status changed (an aggregate may differ)
    assert not errors(same_as_fresh(synthetic, cache, checked, full=False))
    # errors after the edits, to see them move with their rows
    rows = edit(synthetic, lambda rows: rows[4000].update(criterion_number="mười"))
    report = same_as_fresh(synthetic, cache, checked, full=False)
    assert errors(report) == {("type-error", "data/commune_criteria.csv", 4002,
                               "criterion_number", "mười")}
    added = dict(rows[1000], id="syn-cc-test-added")
    edit(synthetic, lambda rows: rows.insert(1500, added))  # a row added: the rows after move
    report = same_as_fresh(synthetic, cache, checked, full=False)
    assert {e[2] for e in errors(report)} == {4003}
    edit(synthetic, lambda rows: rows.pop(10))  # a row deleted
    edit(synthetic, lambda rows: rows.pop(len(rows) - 1))  # the last one
    report = same_as_fresh(synthetic, cache, checked, full=False)
    assert {e[2] for e in errors(report)} == {4002}
    edit(synthetic, lambda rows: rows.append(dict(rows[0], id="syn-cc-test-last")))
    same_as_fresh(synthetic, cache, checked, full=False)
    edit(synthetic, lambda rows: rows[4000].update(criterion_number="7"))  # fixed again
    assert not errors(same_as_fresh(synthetic, cache, checked, full=False))


def test_an_unknown_commune_and_a_domain_finding_are_found_in_the_changed_rows(
        synthetic, tmp_path, checked):
    cache = tmp_path / "cache"
    same_as_fresh(synthetic, cache, checked, full=True)
    rows = read_rows(synthetic, TABLE)
    commune = rows[300]["commune_id"]
    edit(synthetic, lambda rows: rows[300].update(commune_id=commune + "x"))
    report = same_as_fresh(synthetic, cache, checked, full=False)
    [error] = [p for p in report.errors if p.rule == "foreign-key"]
    assert (error.resource, error.row, error.column) == (TABLE, 302, "commune_id")
    assert commune in error.message  # the id it probably meant
    # a criterion set not in force at the row's date: a domain check over the whole table
    edit(synthetic, lambda rows: rows[300].update(commune_id=commune, criteria_set="qd318",
                                                  as_of="2012-12-31"))
    report = same_as_fresh(synthetic, cache, checked, full=False)
    assert ("criteria-set-not-in-force", 302) in {(p.rule, p.row) for p in report.errors}
    edit(synthetic, lambda rows: rows.__setitem__(300, read_rows(synthetic, TABLE)[300]))


def test_a_repeated_key_or_a_new_header_checks_the_whole_table(synthetic, tmp_path, checked):
    cache = tmp_path / "cache"
    same_as_fresh(synthetic, cache, checked, full=True)
    original = read_rows(synthetic, TABLE)
    edit(synthetic, lambda rows: rows[3000].update(id=rows[10]["id"]))  # a key used twice
    report = same_as_fresh(synthetic, cache, checked, full=True)
    assert ("primary-key", 3002) in {(p.rule, p.row) for p in report.errors}
    write_rows(synthetic, TABLE, original)  # fixed: the last check had a key finding
    assert same_as_fresh(synthetic, cache, checked, full=True).valid
    fields = list(original[0])
    renamed = ["ghi_chu" if f == "note" else f for f in fields]
    write_rows(synthetic, TABLE, [{("ghi_chu" if k == "note" else k): v for k, v in r.items()}
                                  for r in original], fieldnames=renamed)
    report = same_as_fresh(synthetic, cache, checked, full=True)
    assert not report.valid
    write_rows(synthetic, TABLE, original, fieldnames=fields)
    assert same_as_fresh(synthetic, cache, checked, full=True).valid
    # a note written over two lines: a row is no longer a line
    edit(synthetic, lambda rows: rows[2000].update(note="dòng một\ndòng hai"))
    same_as_fresh(synthetic, cache, checked, full=True)
    edit(synthetic, lambda rows: flip(rows[100]))  # the kept copy has it too
    same_as_fresh(synthetic, cache, checked, full=True)
    write_rows(synthetic, TABLE, original)
    same_as_fresh(synthetic, cache, checked, full=True)
    edit(synthetic, lambda rows: flip(rows[100]))  # lines are rows again
    same_as_fresh(synthetic, cache, checked, full=False)


def test_the_model_made_after_changed_rows_is_the_one_made_from_the_files(
        synthetic, tmp_path, checked, monkeypatch):
    monkeypatch.setattr(model_module, "COLUMN_ROWS", 1000)  # commune_criteria kept as columns
    cache = tmp_path / "cache"
    same_as_fresh(synthetic, cache, checked, full=True)

    def change(rows):
        flip(rows[100])
        rows.insert(700, dict(rows[699], id="syn-cc-test-new", note="thêm"))
        del rows[2500:2503]
    edit(synthetic, change)
    report = same_as_fresh(synthetic, cache, checked, full=False)
    model, fresh = build_model(synthetic, report.tables), build_model(synthetic)
    assert list(model.rows(TABLE)) == list(fresh.rows(TABLE))
    # one status changed (the other columns' kept pickles are reused), then the table as the
    # cache keeps it
    edit(synthetic, lambda rows: flip(rows[3000]))
    same_as_fresh(synthetic, cache, checked, full=False)
    checked.clear()
    report = validate_package_cached(synthetic, cache)
    assert checked == []
    model, fresh = build_model(synthetic, report.tables), build_model(synthetic)
    assert list(model.rows(TABLE)) == list(fresh.rows(TABLE))
    assert model.source_uses == fresh.source_uses
    for cid in model.communes:
        assert model.located(TABLE, commune_id=cid) == fresh.located(TABLE, commune_id=cid)
        assert model.criteria.counts(cid) == fresh.criteria.counts(cid)
        a, b = model.criteria.statuses(cid), fresh.criteria.statuses(cid)
        assert (a is None and b is None) or a.equals(b)
    assert model.criteria.latest().equals(fresh.criteria.latest())


def test_findings_of_the_checks_run_one_table_at_a_time_move_with_their_rows(
        synthetic, tmp_path, checked, monkeypatch):
    """Control and invisible characters, a date in the future: kept from the cache in the rows
    that did not change, at their new rows, and found in the changed ones."""
    spliced, original = [], validate_module._changed_rows

    def spy(check, *args):
        found = original(check, *args)
        if found is not None:
            spliced.append(check.__name__)
        return found
    monkeypatch.setattr(validate_module, "_changed_rows", spy)
    def dirty(rows):
        rows[50]["note"] = "trang\x0c2"
        rows[4500]["source_locator"] += "\u200b"
        rows[4600]["as_of"] = "2099-12-31"
    edit(synthetic, dirty)
    cache = tmp_path / "cache"
    before = same_as_fresh(synthetic, cache, checked, full=True)
    assert {"control-character", "invisible-character", "date-in-future"} <= \
        {p.rule for p in before.errors}
    edit(synthetic, lambda rows: rows.insert(1000, dict(rows[999], id="syn-cc-test-1",
                                                        note="a\x0cb")))
    report = same_as_fresh(synthetic, cache, checked, full=False)
    assert {(p.rule, p.row) for p in report.errors} >= {
        ("control-character", 52), ("control-character", 1002), ("invisible-character", 4503),
        ("date-in-future", 4603)}
    assert {"check_control_characters", "check_invisible_characters", "check_dates"} <= \
        set(spliced)  # those checks went through the changed rows alone
    edit(synthetic, lambda rows: rows.__delitem__(slice(40, 60)))  # the first one with them
    same_as_fresh(synthetic, cache, checked, full=False)


def test_the_commune_checks_run_again_only_when_a_cell_they_read_changed(
        synthetic, tmp_path, checked, monkeypatch):
    """A note edited: the checks of checks_commune keep their findings without running; a
    status, a date, a row added or deleted: the checks that read those cells run again and find
    what a fresh validation finds (a count contradicted, a recognised commune with a criterion
    not met, a commune that no longer existed at the row's date), at the rows they moved to."""
    ran, original = [], validate_module._Watch.run

    def spy(watch, check, scope):
        ran.append(check.__name__)
        return original(watch, check, scope)
    monkeypatch.setattr(validate_module._Watch, "run", spy)
    rows = read_rows(synthetic, TABLE)
    recognised = {r["commune_id"]: r for r in read_rows(synthetic, "commune_recognitions")
                  if r["level"] == "ntm" and r["status"] == "recognised" and r["decision_date"]}
    i = next(i for i, r in enumerate(rows) if r["commune_id"] in recognised and r["status"] == "met"
             and r["as_of"][:4] == recognised[r["commune_id"]]["decision_date"][:4]
             and r["as_of"] >= recognised[r["commune_id"]]["decision_date"])
    group = [r for r in rows if (r["commune_id"], r["as_of"], r["criteria_set"]) ==
             (rows[i]["commune_id"], rows[i]["as_of"], rows[i]["criteria_set"])]
    assert all(r["status"] == "met" for r in group)
    counts = read_rows(synthetic, "commune_criteria_counts")  # a count that agrees with them
    write_rows(synthetic, "commune_criteria_counts", counts + [dict(
        counts[0], id="syn-ccc-test", commune_id=rows[i]["commune_id"], as_of=rows[i]["as_of"],
        criteria_set=rows[i]["criteria_set"], criteria_met=str(len(group)),
        criteria_total=str(len(group)), value_text=f"{len(group)}/{len(group)}")])
    cache = tmp_path / "cache"
    before = same_as_fresh(synthetic, cache, checked, full=True)
    commune_checks = {c.__name__ for c in checks_commune.CHECKS}

    ran.clear()
    edit(synthetic, lambda rows: rows[i].update(note="ghi chú mới"))
    assert same_as_fresh(synthetic, cache, checked, full=False).to_json() == before.to_json()
    assert not commune_checks & set(ran), ran  # their findings kept: no cell they read changed

    ran.clear()
    edit(synthetic, lambda rows: rows[i].update(status="not_met"))
    report = same_as_fresh(synthetic, cache, checked, full=False)
    assert ("count-disagrees-with-criteria", "commune_criteria_counts") in \
        {(p.rule, p.resource) for p in report.errors}
    assert ("recognised-criterion-not-met", i + 2) in {(p.rule, p.row) for p in report.warnings}
    assert {"check_counts", "check_recognised", "check_aggregates"} <= set(ran)
    assert not {"check_criteria_sets", "check_commune_dates"} & set(ran), ran  # no set or date

    ended = {c["id"]: c["valid_to"] for c in read_rows(synthetic, "communes") if c["valid_to"]}
    j = next(j for j, r in enumerate(rows) if j > 2000 and r["commune_id"] in ended
             and r["as_of"] <= ended[r["commune_id"]])
    edit(synthetic, lambda rows: rows[j].update(as_of="2025-12-31", criteria_set="qd318"))
    report = same_as_fresh(synthetic, cache, checked, full=False)
    assert ("commune-not-in-force", j + 2) in {(p.rule, p.row) for p in report.errors}
    edit(synthetic, lambda rows: rows.insert(1500, dict(rows[1499], id="syn-cc-test-added")))
    report = same_as_fresh(synthetic, cache, checked, full=False)  # the rows after it move
    assert ("commune-not-in-force", j + 3) in {(p.rule, p.row) for p in report.errors}
    edit(synthetic, lambda rows: rows.pop(1500))  # deleted again
    edit(synthetic, lambda rows: rows.pop(i))  # the row not met: the count agrees again
    report = same_as_fresh(synthetic, cache, checked, full=False)
    assert ("commune-not-in-force", j + 2 - (i < j)) in {(p.rule, p.row) for p in report.errors}
    assert "count-disagrees-with-criteria" not in {p.rule for p in report.errors}
