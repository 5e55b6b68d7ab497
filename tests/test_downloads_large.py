"""A long table in the downloads: its published rows are counted without parsing it again where
that is exact (a file without quotes: one record a line end) or known (the model's rows, given
by the data page), and parsed otherwise, a cell spanning lines counted once; its zip member is
compressed in pieces, an edit compressing again only the pieces it changed, and the zip is the
one a build from an empty cache gives, that unzip reads back byte for byte."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import zipfile

import pytest

from conftest import make_package, read_rows, set_cell, write_rows
from site_builder import exports
from site_builder.build import make_site
from site_builder.model import build_model
from site_builder.package import load_descriptor

MULTI_LINE = "ghi chú dòng một,\ndòng hai có \"ngoặc kép\"\ndòng ba"


def downloads(pkg, cache, counts=None):
    return exports.download_files(pkg, load_descriptor(pkg), cache, counts)


@pytest.fixture
def parsed(monkeypatch):
    """The tables whose rows were parsed to count them (exports._parsed_count)."""
    seen = []
    original = exports._parsed_count

    def spy(package_dir, res):
        seen.append(res["name"])
        return original(package_dir, res)
    monkeypatch.setattr(exports, "_parsed_count", spy)
    return seen


def zip_only_funding(tmp_path, monkeypatch, note=MULTI_LINE):
    """The fixture package with funding (3 rows) over a limit of 2 rows, its first note `note`."""
    monkeypatch.setattr(exports, "LARGE_TABLE_ROWS", 2)
    pkg = make_package(tmp_path / "pkg")
    set_cell(pkg, "funding", 0, "note", note)
    return pkg


def test_a_long_table_with_a_cell_over_three_lines_counts_its_records(tmp_path, monkeypatch, parsed):
    pkg = zip_only_funding(tmp_path, monkeypatch)
    assert (pkg / "data" / "funding.csv").read_text(encoding="utf-8").count("\n") == 6  # 3 rows, 6 lines
    got = downloads(pkg, tmp_path / "cache")
    assert "funding" in got.zip_only and "du-lieu/funding.csv" not in got.files
    assert got.counts["funding"] == len(read_rows(pkg, "funding")) == 3
    assert "funding" in parsed  # the file has quotes: its line ends are not its records


def test_the_models_counts_spare_the_parse_and_equal_it(tmp_path, monkeypatch, parsed):
    pkg = zip_only_funding(tmp_path, monkeypatch)
    counts = {name: len(rows) for name, rows in build_model(pkg).tables.items()}
    given = downloads(pkg, tmp_path / "given", counts)
    assert parsed == []
    cold = downloads(pkg, tmp_path / "cold")
    assert given.counts == cold.counts and given.counts["funding"] == 3
    for rel in cold.files:
        assert given.files[rel].read_bytes() == cold.files[rel].read_bytes(), rel


def test_the_data_page_shows_the_exact_count_of_a_long_table(tmp_path, monkeypatch, parsed):
    pkg = zip_only_funding(tmp_path, monkeypatch)
    rows = read_rows(pkg, "funding")
    write_rows(pkg, "funding", rows + [dict(rows[-1], id=f"f-them-{n}") for n in range(1200)])
    page = make_site(pkg, cache_dir=tmp_path / "cache").pages["du-lieu/index.md"]
    lines = page.splitlines()
    at = next(k for k, line in enumerate(lines) if '<td><a href="#funding">' in line)
    row = lines[at:lines.index("</tr>", at)]  # the table's row of the list of tables
    assert "<td>1.203</td>" in row and any(">trong gói ZIP</a>" in cell for cell in row)
    assert "funding" not in parsed


@pytest.mark.parametrize("ends", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_a_long_table_without_quotes_is_counted_off_its_line_ends(tmp_path, monkeypatch, parsed, ends):
    monkeypatch.setattr(exports, "LARGE_TABLE_ROWS", 2)
    pkg = make_package(tmp_path / "pkg")
    path = pkg / "data" / "criteria.csv"
    text = path.read_text(encoding="utf-8")
    assert '"' not in text and "\r" not in text
    path.write_bytes(text.replace("\n", ends).rstrip(ends).encode("utf-8"))  # no line end at the end
    got = downloads(pkg, tmp_path / "cache")
    assert got.counts["criteria"] == len(read_rows(pkg, "criteria")) == 19 and "criteria" in got.zip_only
    assert "criteria" not in parsed


def pieces(cache, table):
    (folder,) = (cache / "downloads" / "tables" / table).iterdir()
    return [digest for digest, _ in json.loads((folder / "pieces.json").read_text())["pieces"]]


def test_an_edit_compresses_again_only_the_pieces_it_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "PIECE_LINES", 2)   # criteria.csv: 20 lines, 10 pieces
    monkeypatch.setattr(exports, "WINDOW", 64)       # the dictionary: the 64 bytes before a piece
    pkg = make_package(tmp_path / "pkg")
    downloads(pkg, tmp_path / "cache")
    before = pieces(tmp_path / "cache", "criteria")
    rows = read_rows(pkg, "criteria")
    set_cell(pkg, "criteria", 10, "note", "sửa thử")
    compressed = []
    original = exports._deflate_piece
    monkeypatch.setattr(exports, "_deflate_piece", lambda *a: compressed.append(1) or original(*a))
    warm = downloads(pkg, tmp_path / "cache")
    after = pieces(tmp_path / "cache", "criteria")
    assert len(after) == len(before) == 10 and len(rows) == 19
    changed = [k for k, digest in enumerate(after) if digest != before[k]]
    assert changed[0] == 5 and len(changed) <= 2  # the edited piece and the next (its dictionary)
    assert len(compressed) == len(changed)       # (the other tables are unchanged)
    cold = downloads(pkg, tmp_path / "cold")
    for rel in cold.files:
        assert warm.files[rel].read_bytes() == cold.files[rel].read_bytes(), rel
    member = f"{exports.ZIP_FOLDER}/data/criteria.csv"
    with zipfile.ZipFile(warm.files[exports.ZIP]) as zf:
        assert zf.read(member) == (pkg / "data" / "criteria.csv").read_bytes()
        assert zf.getinfo(member).compress_type == zipfile.ZIP_DEFLATED


@pytest.mark.skipif(not shutil.which("unzip"), reason="unzip is not installed")
def test_unzip_reads_every_member_back(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "PIECE_LINES", 3)
    pkg = make_package(tmp_path / "pkg")
    set_cell(pkg, "funding", 0, "note", MULTI_LINE)
    got = downloads(pkg, tmp_path / "cache")
    subprocess.run(["unzip", "-q", got.files[exports.ZIP], "-d", tmp_path / "out"], check=True)
    for res in load_descriptor(pkg)["resources"]:
        if res["name"] not in ("households", "donors", "land_donors"):
            assert (tmp_path / "out" / exports.ZIP_FOLDER / res["path"]).read_bytes() == \
                (pkg / res["path"]).read_bytes(), res["name"]
    with open(tmp_path / "out" / exports.ZIP_FOLDER / "data" / "funding.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.DictReader(fh))["note"] == MULTI_LINE


def test_an_edit_of_a_zip_only_table_leaves_the_database_and_workbook_as_they_were(tmp_path, monkeypatch):
    pkg = zip_only_funding(tmp_path, monkeypatch)
    first = downloads(pkg, tmp_path / "cache")
    kept = {rel: (first.files[rel].stat().st_ino, first.files[rel].read_bytes())
            for rel in (exports.SQLITE, exports.XLSX)}
    zipped = first.files[exports.ZIP].read_bytes()
    set_cell(pkg, "funding", 1, "note", "sửa thử")
    warm = downloads(pkg, tmp_path / "cache")
    assert {rel: (warm.files[rel].stat().st_ino, warm.files[rel].read_bytes()) for rel in kept} == kept
    assert warm.files[exports.ZIP].read_bytes() != zipped
    cold = downloads(pkg, tmp_path / "cold")
    for rel in cold.files:
        assert warm.files[rel].read_bytes() == cold.files[rel].read_bytes(), rel
    # an edit of a table in the database makes them again
    set_cell(pkg, "households", 0, "note", "sửa thử")
    again = downloads(pkg, tmp_path / "cache")
    assert again.files[exports.SQLITE].stat().st_ino != kept[exports.SQLITE][0]
    assert again.files[exports.XLSX].read_bytes() != kept[exports.XLSX][1]
