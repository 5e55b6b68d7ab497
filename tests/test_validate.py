"""The validator: every rule, each on a one-cell change to the synthetic fixture package,
asserting the problem names the resource, row and column a person must fix."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import REAL_PACKAGE, read_rows, set_cell, write_rows
from site_builder.cli import main
from site_builder.validate import validate_package


def errors(pkg):
    return validate_package(pkg).errors


def only(problems, rule):
    found = [p for p in problems if p.rule == rule]
    assert found, f"no {rule} among: " + "\n".join(p.describe() for p in problems)
    return found[0]


def test_fixture_package_is_valid(package):
    report = validate_package(package)
    assert report.valid, report.to_text()


def test_real_package_is_valid():
    report = validate_package(REAL_PACKAGE)
    assert report.valid, report.to_text()


def test_stock_frictionless_cli_accepts_real_package():
    cli = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(cli), "validate", "datapackage.json"], cwd=REAL_PACKAGE,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


# (resource, row index, column, bad value, expected rule)
CELL_CASES = [
    ("ntm_counts", 0, "communes", "khoảng 600", "type-error"),
    ("funding", 0, "amount_million_vnd", "1.352.449", "type-error"),
    ("sources", 0, "title", "", "constraint-error"),
    ("funding", 1, "unit_stated", "USD", "constraint-error"),
    ("funding", 1, "amount_million_vnd", "-5", "constraint-error"),
    ("donors", 0, "commune_id", "xa-khong-ton-tai", "foreign-key"),
    ("funding", 0, "source_id", "bao-cao-khong-co", "foreign-key"),
    ("households", 0, "name", unicodedata.normalize("NFD", "ông Nguyễn Văn Giả"), "text-not-nfc"),
    ("criteria_progress", 0, "communes", "300", "count-above-base"),
    ("ntm_counts", 0, "percent_stated", "50", "percent-mismatch"),
    ("ntm_counts", 0, "percent_stated", "120", "percent-over-100"),
    ("funding", 1, "percent_stated", "30", "percent-mismatch"),
    ("donors", 0, "amount_million_vnd", "5000", "amount-conversion"),
    ("donors", 0, "amount_stated", "khoảng 500", "amount-not-a-number"),
    ("indicators", 0, "as_of", "2099-01-01", "date-in-future"),
    ("indicators", 0, "as_of", "2005-01-01", "date-too-early"),
    ("notes", 0, "rows", "funding:khong-co", "note-row-missing"),
    ("communes", 2, "valid_to", "2020-01-01", "date-order"),
]


@pytest.mark.parametrize("resource, index, column, value, rule", CELL_CASES)
def test_bad_cell_is_refused_with_resource_row_column(package, resource, index, column, value, rule):
    set_cell(package, resource, index, column, value)
    problem = only(errors(package), rule)
    assert problem.resource == resource
    assert problem.row == index + 2  # line in the CSV: the header is line 1
    if rule != "primary-key":
        assert problem.column == column
    assert f"row {index + 2}" in problem.describe() and resource in problem.describe()


def test_duplicate_primary_key(package):
    rows = read_rows(package, "communes")
    rows.append(dict(rows[0]))
    write_rows(package, "communes", rows)
    problem = only(errors(package), "primary-key")
    assert (problem.resource, problem.row) == ("communes", len(rows) + 1)


def test_duplicate_name_in_same_district(package):
    rows = read_rows(package, "communes")
    twin = dict(rows[1], id="xa-hoa-binh-thu-nghiem-2", gso_code="99909")
    write_rows(package, "communes", rows + [twin])
    problem = only(errors(package), "duplicate-name-in-district")
    assert (problem.resource, problem.column, problem.row) == ("communes", "name", len(rows) + 2)


def test_same_name_in_another_district_is_fine(package):
    districts = read_rows(package, "districts")
    write_rows(package, "districts", districts + [dict(districts[0], id="huyen-khac", gso_code="998", name="Khác")])
    rows = read_rows(package, "communes")
    write_rows(package, "communes", rows + [dict(rows[1], id="xa-hoa-binh-khac", gso_code="99808", district_id="huyen-khac")])
    assert validate_package(package).valid


def test_future_date_allowed_for_a_target(package):
    set_cell(package, "indicators", 1, "as_of", "2030-12-31")
    assert validate_package(package).valid


def test_parts_not_adding_up_is_an_error_unless_recorded_in_notes(package):
    set_cell(package, "funding", 1, "amount_stated", "329.160")
    set_cell(package, "funding", 1, "amount_million_vnd", "329160")
    set_cell(package, "funding", 1, "percent_stated", "")
    set_cell(package, "funding", 2, "percent_stated", "")
    problem = only(errors(package), "parts-sum-mismatch")
    assert (problem.resource, problem.row_id) == ("funding", "f-1")
    # the same disagreement, recorded in notes, becomes a warning naming the note
    set_cell(package, "notes", 0, "rows", "funding:f-1 funding:f-2")
    report = validate_package(package)
    assert report.valid
    warning = only(report.warnings, "parts-sum-mismatch")
    assert warning.note_id == "n-1" and "known disagreement" in warning.describe()


def test_missing_file_is_named(package):
    (package / "data" / "awards.csv").unlink()
    problem = only(errors(package), "scheme-error")
    assert problem.resource == "awards" and "awards.csv" in problem.describe()


def test_resource_removed_from_descriptor(package):
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "donors"]
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    problem = only(errors(package), "resource-missing")
    assert problem.resource == "donors"


def test_every_problem_collected_in_one_report(package):
    set_cell(package, "ntm_counts", 0, "communes", "khoảng 600")
    set_cell(package, "donors", 0, "amount_million_vnd", "5000")
    set_cell(package, "criteria_progress", 0, "communes", "300")
    rules = {p.rule for p in errors(package)}
    assert {"type-error", "amount-conversion", "count-above-base"} <= rules


def test_cli_exit_codes_and_json(package, capsys):
    assert main(["validate", str(package)]) == 0
    assert "VALID" in capsys.readouterr().out
    set_cell(package, "ntm_counts", 0, "communes", "khoảng 600")
    assert main(["validate", str(package), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    problem = next(p for p in report["problems"] if p["rule"] == "type-error")
    assert (problem["resource"], problem["row"], problem["column"], problem["value"]) == \
        ("ntm_counts", 2, "communes", "khoảng 600")


def test_cli_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "validate" in out and "build" in out
