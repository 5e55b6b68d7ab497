"""Downloads rebuilt per table: after an edit, only the edited table's files are written again
(the others are the previous build's files, untouched), and the result is what a build of the
edited package from an empty cache gives: the same bytes for every file, the SQLite database
included (its SQL dump compared too, for a readable failure)."""
from __future__ import annotations

import csv
import json
import sqlite3
import zipfile

import pytest
from openpyxl import load_workbook

from conftest import make_package, read_rows, set_cell
from site_builder import exports
from site_builder.package import load_descriptor

WITHDRAWN = "ông Nguyễn Văn Giả"  # households h-1 of the fixture


def downloads(pkg, cache):
    return exports.download_files(pkg, load_descriptor(pkg), cache)


def dump(path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def table_of(rel: str) -> str | None:
    """The table a per-table download belongs to (du-lieu/funding.csv -> funding)."""
    name = rel.rsplit("/", 1)[-1]
    if rel in (exports.ZIP, exports.SQLITE, exports.XLSX):
        return None
    return name.rsplit(".", 1)[0]


EDITS = {
    "a recognition's note": ("commune_recognitions", 0, "note", "ghi chú sửa thử"),
    "a funding figure": ("funding", 0, "amount_stated", "1.352.450"),
    "a person withdrawn": ("households", 0, "publication_basis", "withdrawn"),
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_a_rebuild_after_an_edit_gives_the_files_of_a_cold_build(tmp_path, edit):
    pkg = make_package(tmp_path / "pkg")
    downloads(pkg, tmp_path / "cache")                      # the previous build's cache
    table, row, column, value = EDITS[edit]
    set_cell(pkg, table, row, column, value)
    warm = downloads(pkg, tmp_path / "cache")
    cold = downloads(pkg, tmp_path / "cold")
    assert warm.files.keys() == cold.files.keys() and warm.counts == cold.counts
    assert dump(warm.files[exports.SQLITE]) == dump(cold.files[exports.SQLITE])
    for rel in cold.files:
        assert warm.files[rel].read_bytes() == cold.files[rel].read_bytes(), rel
    # the edit is in the downloads of its table, the database, the workbook and the zip
    if table != "households":
        assert value in warm.files[f"du-lieu/{table}.csv"].read_text(encoding="utf-8-sig")
        con = sqlite3.connect(warm.files[exports.SQLITE])
        assert con.execute(f"SELECT count(*) FROM [{table}] WHERE [{column}] = ?", [value]).fetchone() == (1,)
        con.close()
    with zipfile.ZipFile(warm.files[exports.ZIP]) as zf:
        assert zf.testzip() is None
        for res in load_descriptor(pkg)["resources"]:
            if res["name"] not in ("households", "donors", "land_donors"):
                assert zf.read(f"{exports.ZIP_FOLDER}/{res['path']}") == (pkg / res["path"]).read_bytes()


def test_a_withdrawn_person_leaves_every_download_of_the_rebuild(tmp_path):
    pkg = make_package(tmp_path / "pkg")
    before = downloads(pkg, tmp_path / "cache")
    assert WITHDRAWN in before.files["du-lieu/households.csv"].read_text(encoding="utf-8-sig")
    set_cell(pkg, "households", 0, "publication_basis", "withdrawn")
    after = downloads(pkg, tmp_path / "cache")
    for rel, path in after.files.items():
        if rel.endswith((".csv", ".json")):
            assert WITHDRAWN not in path.read_text(encoding="utf-8-sig"), rel
    assert not any(WITHDRAWN in line for line in dump(after.files[exports.SQLITE]))
    wb = load_workbook(after.files[exports.XLSX], read_only=True)
    assert not any(WITHDRAWN in str(cell) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                   for cell in row)
    with zipfile.ZipFile(after.files[exports.ZIP]) as zf:
        assert not any(WITHDRAWN in zf.read(n).decode("utf-8") for n in zf.namelist())
    assert after.counts["households"] == before.counts["households"] - 1


def test_only_the_edited_tables_files_are_written_again(tmp_path, monkeypatch):
    pkg = make_package(tmp_path / "pkg")
    first = downloads(pkg, tmp_path / "cache")
    stats = {rel: path.stat() for rel, path in first.files.items()}
    contents = {rel: path.read_bytes() for rel, path in first.files.items()}
    written = []
    original = exports._write_table
    monkeypatch.setattr(exports, "_write_table", lambda pkg_dir, res, out: (
        written.append(res["name"]), original(pkg_dir, res, out))[1])
    root = tmp_path / "cache" / "downloads" / "tables"
    parts = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*")
             if p.is_file() and p.relative_to(root).parts[0] != "funding"}
    set_cell(pkg, "funding", 0, "amount_stated", "1.352.450")
    again = downloads(pkg, tmp_path / "cache")
    assert written == ["funding"]
    # the other tables' cached parts (SQLite part, sheet, zip member...) are not touched either
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in parts} == parts
    for rel, path in again.files.items():
        if table_of(rel) == "funding" or table_of(rel) is None:   # the edited table; all tables
            assert path.read_bytes() != contents[rel], f"{rel} did not change"
        else:  # the same file, not written again: same inode, same modification time, same bytes
            now = path.stat()
            assert path == first.files[rel], rel
            assert (now.st_ino, now.st_mtime_ns) == (stats[rel].st_ino, stats[rel].st_mtime_ns), rel
            assert path.read_bytes() == contents[rel], rel


def test_one_version_of_each_table_is_kept(tmp_path):
    pkg = make_package(tmp_path / "pkg")
    for n in range(3):
        set_cell(pkg, "funding", 0, "amount_stated", f"1.352.45{n}")
        downloads(pkg, tmp_path / "cache")
    root = tmp_path / "cache" / "downloads"
    (root / "0123456789abcdef01234567").mkdir()  # a folder of the cache before it was per table
    downloads(pkg, tmp_path / "cache")
    assert sorted(p.name for p in root.iterdir()) == ["tables", "whole"]
    tables = {p.name: len(list(p.iterdir())) for p in (root / "tables").iterdir()}
    assert set(tables) == {r["name"] for r in load_descriptor(pkg)["resources"]}
    assert set(tables.values()) == {1}
    assert len(list((root / "whole").iterdir())) == 1
    # a table removed from the package leaves the cache with it
    descriptor = load_descriptor(pkg)
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "awards"]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    files = downloads(pkg, tmp_path / "cache").files
    assert "du-lieu/awards.csv" not in files and not (root / "tables" / "awards").exists()


def test_a_table_that_grows_past_the_limit_moves_into_the_zip_only(tmp_path, monkeypatch):
    pkg = make_package(tmp_path / "pkg")
    limit = max(len(read_rows(pkg, r["name"])) for r in load_descriptor(pkg)["resources"])
    monkeypatch.setattr(exports, "LARGE_TABLE_ROWS", limit)
    first = downloads(pkg, tmp_path / "cache")
    assert "du-lieu/communes.csv" in first.files and first.zip_only == []
    rows = read_rows(pkg, "communes")
    with open(pkg / "data" / "communes.csv", "a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writerows(dict(rows[-1], id=f"xa-them-{n}", name=f"Thêm {n}")
                         for n in range(limit + 1 - len(rows)))
    warm = downloads(pkg, tmp_path / "cache")
    cold = downloads(pkg, tmp_path / "cold")
    assert warm.zip_only == cold.zip_only == ["communes"] and "du-lieu/communes.csv" not in warm.files
    assert warm.counts["communes"] == limit + 1
    for rel in cold.files:
        assert warm.files[rel].read_bytes() == cold.files[rel].read_bytes(), rel
    con = sqlite3.connect(warm.files[exports.SQLITE])
    assert "communes" not in {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    with zipfile.ZipFile(warm.files[exports.ZIP]) as zf:
        assert zf.read(f"{exports.ZIP_FOLDER}/data/communes.csv") == (pkg / "data" / "communes.csv").read_bytes()


def test_the_workbook_assembled_from_cached_sheets_is_the_one_openpyxl_writes_whole(tmp_path):
    """Each table's sheet is cached on its own and put into the workbook openpyxl writes with
    header-only sheets: the result has the very members of the workbook written in one go
    (dates with their style, a text beginning with '=' as text, the filters' defined names)."""
    from openpyxl import Workbook

    pkg = make_package(tmp_path / "pkg")
    set_cell(pkg, "households", 0, "note", "=1+1")
    files = downloads(pkg, tmp_path / "cache")
    root, code = tmp_path / "cache" / "downloads" / "tables", exports.code_fingerprint()
    resources = load_descriptor(pkg)["resources"]
    tables = {r["name"]: exports._table_files(pkg, r, root, code) for r in resources}
    wb = Workbook(write_only=True)
    exports._xlsx_intro(wb, resources, [])
    for res in resources:
        table = tables[res["name"]]
        exports._fill_sheet(wb, res, exports._part_rows(table.folder, res), table.count)
    exports._save_xlsx(wb, tmp_path / "whole.xlsx")
    with zipfile.ZipFile(files.files[exports.XLSX]) as got, zipfile.ZipFile(tmp_path / "whole.xlsx") as want:
        assert got.namelist() == want.namelist()
        for name in want.namelist():
            assert got.read(name) == want.read(name), name
    assert files.files[exports.XLSX].read_bytes() == (tmp_path / "whole.xlsx").read_bytes()
    sheet = load_workbook(files.files[exports.XLSX])["households"]
    assert [c.value for c in sheet[2]][[c.value for c in sheet[1]].index("note")] == "=1+1"
    assert sheet["A1"].value == "id" and sheet.auto_filter.ref.endswith(str(sheet.max_row))
    recognitions = load_workbook(files.files[exports.XLSX])["commune_recognitions"]
    day = recognitions.cell(2, [c.value for c in recognitions[1]].index("decision_date") + 1)
    assert day.is_date and day.number_format == "DD/MM/YYYY"


def test_the_database_assembled_from_parts_is_the_one_inserted_row_by_row(tmp_path):
    """Each table is filled from its SQLite part by SQLite; the dump equals a database where
    every row of the JSON download is inserted with sqlite-utils, as a fresh export does."""
    import sqlite_utils

    pkg = make_package(tmp_path / "pkg")
    files = downloads(pkg, tmp_path / "cache")
    resources = load_descriptor(pkg)["resources"]
    db = sqlite_utils.Database(tmp_path / "direct.sqlite")
    names = {r["name"] for r in resources}
    for res in resources:
        exports._sqlite_table(db, res, names)
        rows = json.loads(files.files[f"du-lieu/{res['name']}.json"].read_text(encoding="utf-8"))
        db[res["name"]].insert_all(rows)
    exports._sqlite_descriptions(db, resources)
    db.close()
    got = dump(files.files[exports.SQLITE])
    assert got == dump(tmp_path / "direct.sqlite")
    assert sum(line.startswith('INSERT INTO "households"') for line in got) == len(read_rows(pkg, "households"))
