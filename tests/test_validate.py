"""The validator: every rule, each on a one-cell change to the synthetic fixture package,
asserting the problem names the resource, row and column a person must fix."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import unicodedata
from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import REAL_PACKAGE, read_rows, set_cell, write_rows
from site_builder import stream_check
from site_builder import validate as validate_module
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
    write_rows(package, "communes",
               rows + [dict(rows[1], id="xa-hoa-binh-khac", gso_code="99808", district_id="huyen-khac")])
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


# --- large tables: the streaming checker finds what Frictionless finds ------------------------

STATUS_FIELDS = [
    {"name": "commune_id", "type": "string", "constraints": {"required": True}},
    {"name": "criteria_set", "type": "string",
     "constraints": {"required": True, "enum": ["qd491", "qd1980"]}},
    {"name": "criterion_number", "type": "integer",
     "constraints": {"required": True, "minimum": 1, "maximum": 19}},
    {"name": "year", "type": "year", "constraints": {"required": True}},
    {"name": "met", "type": "boolean", "constraints": {"required": True}},
    {"name": "source_id", "type": "string", "constraints": {"required": True}},
    {"name": "source_locator", "type": "string", "constraints": {"required": True}},
    {"name": "note", "type": "string"},
]
STATUS_NAMES = [f["name"] for f in STATUS_FIELDS]


def _status_package(pkg: Path, edit=None) -> Path:
    """The fixture package plus a SYNTHETIC table `status` of 3,420 rows (more than one
    streamed batch), one per commune x criterion x year, with a composite primary key and
    foreign keys to communes and sources; `edit(lines)` may change its CSV lines first."""
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append({
        "name": "status", "path": "data/status.csv", "profile": "tabular-data-resource",
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "schema": {"fields": STATUS_FIELDS,
                   "primaryKey": ["commune_id", "criteria_set", "criterion_number", "year"],
                   "foreignKeys": [
                       {"fields": "commune_id", "reference": {"resource": "communes", "fields": "id"}},
                       {"fields": "source_id", "reference": {"resource": "sources", "fields": "id"}}]}})
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    communes = [r["id"] for r in read_rows(pkg, "communes")]
    source = read_rows(pkg, "sources")[0]["id"]
    lines = [",".join(STATUS_NAMES)]
    for commune in communes:
        for number in range(1, 20):
            for year in range(1960, 2020):
                lines.append(f"{commune},qd491,{number},{year},{str(year % 3 == 0).lower()},"
                             f"{source},SYNTHETIC phụ lục {number},")
    if edit:
        edit(lines)
    (pkg / "data" / "status.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pkg


def _set(lines: list, line: int, column: str, value: str) -> None:
    """Set one cell of CSV line `line` (header = 1)."""
    cells = next(csv.reader([lines[line - 1]]))
    cells[STATUS_NAMES.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    lines[line - 1] = buf.getvalue()


def _stock_and_streamed(pkg: Path, monkeypatch):
    monkeypatch.setattr(validate_module, "STREAM_MIN_ROWS", 10 ** 9)
    stock = validate_package(pkg)
    monkeypatch.setattr(validate_module, "STREAM_MIN_ROWS", 1000)  # only `status` is that long
    monkeypatch.setattr(stream_check, "STREAM_FALLBACKS", [])
    streamed = validate_package(pkg)
    assert stream_check.STREAM_FALLBACKS == [], "the streaming checker was not used"
    return stock, streamed


def _broken_status(lines: list) -> None:
    _set(lines, 10, "criterion_number", "abc")           # type-error (and a key cell None)
    _set(lines, 20, "criteria_set", "qd999")             # constraint-error: enum
    _set(lines, 30, "criterion_number", "0")             # constraint-error: minimum
    _set(lines, 40, "met", "TRUE")                       # Frictionless accepts it, our reader not
    _set(lines, 50, "source_locator", "")                # constraint-error: required
    _set(lines, 60, "commune_id", "xa-khong-ton-tai")    # foreign-key
    lines[69] = lines[68]                                # primary-key: line 70 repeats line 69
    twin = next(csv.reader([lines[78]]))
    twin[2] = "0" + twin[2]
    lines[79] = ",".join(twin)                           # primary-key: line 79's key, as "07"
    lines[2099] = ",".join(lines[2099].split(",")[:4])   # missing-cell (line 2100, 2nd batch)
    lines[2199] += ",extra"                              # extra-cell
    _set(lines, 2300, "note", "bad\x0cchar")             # control character (domain check)
    _set(lines, 2400, "source_locator", unicodedata.normalize("NFD", "phụ lục"))  # not NFC
    lines.insert(3000, "")                               # a blank line
    lines.append(lines[5])                               # primary-key, far from its twin


@pytest.mark.parametrize("key_bits", [60, 2])  # 2: the packed keys must widen, repeatedly
def test_streamed_large_table_reports_what_frictionless_reports(package, monkeypatch, key_bits):
    monkeypatch.setattr(stream_check, "KEY_BITS", key_bits)
    pkg = _status_package(package, _broken_status)
    stock, streamed = _stock_and_streamed(pkg, monkeypatch)
    assert [asdict(p) for p in streamed.problems] == [asdict(p) for p in stock.problems]
    found = {(p.rule, p.row, p.column, p.value) for p in streamed.problems
             if p.resource == "status"}
    assert ("type-error", 10, "criterion_number", "abc") in found
    assert ("constraint-error", 20, "criteria_set", "qd999") in found
    assert ("constraint-error", 30, "criterion_number", "0") in found
    assert ("type-error", 40, "met", "TRUE") in found
    assert ("constraint-error", 50, "source_locator", "") in found
    assert ("foreign-key", 60, "commune_id", "xa-khong-ton-tai") in found
    assert ("missing-cell", 2100, "met", "") in found
    assert ("extra-cell", 2200, "", "extra") in found
    assert ("control-character", 2300, "note", "bad\x0cchar") in found
    assert {("primary-key", 70), ("primary-key", 80)} <= {(r, row) for r, row, _, _ in found}
    assert any(p.rule == "primary-key" and p.row == len(_lines_of(pkg)) and "row 6" in p.message
               for p in streamed.problems)
    assert any(p.rule == "blank-row" and p.row == 3001 for p in streamed.problems)


def _lines_of(pkg: Path) -> list:
    return (pkg / "data" / "status.csv").read_text(encoding="utf-8").split("\n")[:-1]


def test_streamed_large_table_stops_at_the_error_limit_as_frictionless(package, monkeypatch):
    def many_errors(lines):
        for line in range(2, 2600):
            _set(lines, line, "met", "maybe")
    pkg = _status_package(package, many_errors)
    stock, streamed = _stock_and_streamed(pkg, monkeypatch)
    assert [asdict(p) for p in streamed.problems] == [asdict(p) for p in stock.problems]
    assert sum(p.rule == "type-error" and p.resource == "status" for p in stock.problems) > 1000


def test_streamed_valid_large_table_is_valid(package, monkeypatch):
    pkg = _status_package(package)
    stock, streamed = _stock_and_streamed(pkg, monkeypatch)
    assert stock.valid and streamed.valid, streamed.to_text()


def test_validation_cache_returns_the_same_report_and_notices_a_change(package, tmp_path,
                                                                      monkeypatch):
    cache = tmp_path / "cache"
    set_cell(package, "ntm_counts", 0, "communes", "khoảng 600")
    first = validate_module.validate_package_cached(package, cache)
    assert first.to_json() == validate_package(package).to_json()
    files = sorted(cache.iterdir())

    def not_again(*_):
        raise AssertionError("a resource checked again although nothing changed")
    monkeypatch.setattr(validate_module, "check_file", not_again)
    assert validate_module.validate_package_cached(package, cache).to_json() == first.to_json()
    monkeypatch.undo()
    set_cell(package, "ntm_counts", 0, "communes", "600")
    second = validate_module.validate_package_cached(package, cache)
    assert second.to_json() == validate_package(package).to_json() != first.to_json()
    assert sorted(cache.iterdir()) == files  # only the newest version of each table is kept


def test_commune_lies_in_its_district_at_the_rows_date(package):
    """The unit history decides: a commune merged on 2020-01-01 into a unit of another district
    lies, for a row dated after the merger, in that other district; before it, in its own."""
    districts = read_rows(package, "districts")
    write_rows(package, "districts", districts + [dict(districts[0], id="huyen-khac", gso_code="998",
                                                        name="Khác")])
    communes = read_rows(package, "communes")
    write_rows(package, "communes", communes + [dict(communes[1], id="xa-ben-kia", gso_code="99904",
                                                      name="Bên Kia", district_id="huyen-khac")])
    changes = read_rows(package, "unit_changes")
    changes[0]["to_commune_id"] = "xa-ben-kia"
    write_rows(package, "unit_changes", changes)
    indicators = read_rows(package, "indicators")
    after = dict(indicators[0], id="i-sau", as_of="2020-06-30", commune_id="xa-dinh-lap-thu-nghiem",
                 district_id="huyen-khac")
    before = dict(after, id="i-truoc", as_of="2018-06-30")
    write_rows(package, "indicators", indicators + [after, before])
    found = [p for p in validate_package(package).errors if p.rule == "commune-not-in-district"]
    assert [(p.resource, p.row_id, p.column) for p in found] == [("indicators", "i-truoc", "district_id")]
    assert "lay in huyen-thu-nghiem on 2018-06-30, not in huyen-khac" in found[0].message
