"""The code paths that keep big builds linear, checked for what they must not change: the
placed-rows index gives exactly the rows a full scan gives, the downloads cache is reused only
for the same package, very long tables are published inside the zip only and the data page
says so, and charts rendered in worker processes are the same SVG as rendered in line."""
from __future__ import annotations

import json
import sqlite3
import zipfile

from openpyxl import load_workbook

from conftest import REAL_PACKAGE, make_package, read_rows, set_cell
from site_builder import charts, exports
from site_builder.build import build_site
from site_builder.model import PERSON_TABLES as PERSONS
from site_builder.model import build_model

PLACED = ("donors", "households", "land_donors", "projects", "production_models", "awards")


def scan(model, name, commune_id=None, district_id=None):
    """The plain full-table scan the index replaces."""
    out = []
    for row in model.rows(name):
        c = model.communes.get(row.get("commune_id") or "")
        if commune_id and row.get("commune_id") == commune_id:
            out.append(row)
        elif district_id and (row.get("district_id") == district_id
                              or (c and c.get("district_id") == district_id)):
            out.append(row)
    return out


def test_placed_rows_index_matches_a_full_scan_on_the_real_package():
    model = build_model(REAL_PACKAGE)
    found = 0
    for name in PLACED:
        for commune_id in model.communes:
            rows = model.located(name, commune_id=commune_id)
            assert rows == scan(model, name, commune_id=commune_id)
            found += len(rows)
        for district_id in model.districts:
            assert model.located(name, district_id=district_id) == scan(model, name, district_id=district_id)
    assert found > 0
    for district_id in [*model.districts, None]:
        assert model.communes_in(district_id) == [c for c in model.communes.values()
                                                  if (c.get("district_id") or None) == district_id]


def test_downloads_are_reused_for_the_same_package_only(tmp_path, monkeypatch):
    pkg = make_package(tmp_path / "pkg")
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    first = exports.download_files(pkg, descriptor, tmp_path / "cache")
    calls = []
    original = exports._write_downloads
    monkeypatch.setattr(exports, "_write_downloads", lambda *a: (calls.append(a), original(*a)))
    again = exports.download_files(pkg, descriptor, tmp_path / "cache")
    assert again.files == first.files and calls == []          # same package: nothing written
    set_cell(pkg, "funding", 0, "amount_stated", "1.352.450")
    changed = exports.download_files(pkg, descriptor, tmp_path / "cache")
    assert len(calls) == 1 and changed.files[exports.ZIP] != first.files[exports.ZIP]
    assert not first.files[exports.ZIP].exists()               # one version kept, not a pile
    with open(changed.files["du-lieu/funding.csv"], encoding="utf-8-sig") as fh:
        assert "1.352.450" in fh.read()


def test_very_long_tables_are_published_inside_the_zip_only_and_the_page_says_so(tmp_path, monkeypatch):
    pkg = make_package(tmp_path / "pkg")
    limit = min(len(read_rows(pkg, name)) for name in ("communes", "unit_changes")) - 1
    monkeypatch.setattr(exports, "LARGE_TABLE_ROWS", limit)
    site = build_site(pkg, tmp_path / "site", work_dir=tmp_path / "build")
    resources = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    over = [r for r in resources if len(read_rows(pkg, r["name"])) > limit and r["name"] not in PERSONS]
    assert {"communes", "unit_changes"} <= {r["name"] for r in over}
    data = site / "du-lieu"
    wb = load_workbook(data / "ntm-lang-son.xlsx", read_only=True)
    assert "sources" in wb.sheetnames
    con = sqlite3.connect(data / "ntm-lang-son.sqlite")
    tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    with zipfile.ZipFile(data / "ntm-lang-son-datapackage.zip") as zf:
        for r in over:
            assert not (data / f"{r['name']}.csv").exists() and not (data / f"{r['name']}.json").exists()
            assert r["name"] not in wb.sheetnames and r["name"] not in tables
            # whole, in the zip
            assert zf.read(f"ntm-lang-son-datapackage/{r['path']}") == (pkg / r["path"]).read_bytes()
    page = (data / "index.html").read_text(encoding="utf-8")
    said = page.split("nên chỉ có trong gói ZIP")[0][-400:]
    assert "communes" in said and "unit_changes" in said
    assert page.count(">trong gói ZIP</a>") == len(over)
    assert (data / "sources.csv").is_file() and (data / "sources.json").is_file()


def test_charts_rendered_in_worker_processes_equal_charts_rendered_in_line(monkeypatch):
    made = [charts.bar_chart_marks(f"c{i}", f"Biểu đồ {i}", "mô tả", "Nguồn: SYNTHETIC",
                                   [charts.Mark("2019", "Số xã", i, "Số xã", "SYNTHETIC"),
                                    charts.Mark("2020", "Số xã", i + 3, "Số xã", "SYNTHETIC")], "Số xã")
            for i in range(4)]
    in_line = [charts.render_svg(c.spec) for c in made]
    monkeypatch.setattr(charts, "PARALLEL_FROM", 2)
    monkeypatch.setattr(charts.os, "cpu_count", lambda: 2)
    files = charts.render_all(made)
    assert [files[c.svg_path] for c in made] == in_line
    assert "Giá trị: 6 Số xã" in files[made[3].svg_path]  # the mark of 2020 (3 + 3)
