"""Publishing: reproducible builds, downloads that open, per-place extracts, data version,
the change page and its Atom feed."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from conftest import REAL_PACKAGE, make_package, read_rows, set_cell
from site_builder.build import build_site


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=Cán bộ", "-c", "user.email=staff@example.org", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def versioned(tmp_path_factory):
    """A synthetic package in its own git repository with two data releases."""
    repo = tmp_path_factory.mktemp("repo")
    pkg = make_package(repo / "datapackage")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "Dữ liệu ban đầu")
    set_cell(pkg, "funding", 1, "amount_stated", "229.161")
    set_cell(pkg, "funding", 1, "amount_million_vnd", "229161")
    set_cell(pkg, "funding", 0, "amount_stated", "1.352.450")
    set_cell(pkg, "funding", 0, "amount_million_vnd", "1352450")
    git(repo, "commit", "-qam", "Sửa số vốn ngân sách trung ương")
    return pkg


def build(pkg, where: Path) -> Path:
    return build_site(pkg, where / "site", work_dir=where / "build")


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_builds_of_one_commit_are_byte_identical(versioned, tmp_path):
    first = files(build(versioned, tmp_path / "a"))
    second = files(build(versioned, tmp_path / "b"))  # separate work dir: no chart cache shared
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different, different[:10]


@pytest.fixture(scope="module")
def site(versioned, tmp_path_factory):
    return build(versioned, tmp_path_factory.mktemp("pub"))


def test_change_page_and_feed_list_the_release(site):
    html = (site / "thay-doi" / "index.html").read_text(encoding="utf-8")
    assert "Sửa số vốn ngân sách trung ương" in html
    assert "Ngân sách trung ương: 229.160 triệu đồng → 229.161 triệu đồng" in html
    feed = ElementTree.parse(site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert len(titles) == 2 and "Sửa số vốn ngân sách trung ương" in titles[0]


def test_pages_say_when_their_data_last_changed(site):
    province = (site / "tien-do" / "index.html").read_text(encoding="utf-8")
    assert "Số liệu trên trang này thay đổi lần cuối ngày" in province
    assert "Phiên bản dữ liệu" in (site / "du-lieu" / "index.html").read_text(encoding="utf-8")


def test_zip_validates_with_stock_frictionless(site, tmp_path):
    with zipfile.ZipFile(site / "du-lieu" / "ntm-lang-son-datapackage.zip") as zf:
        zf.extractall(tmp_path / "unzipped")
    cli = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(cli), "validate", "datapackage.json"], cwd=tmp_path / "unzipped",
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_csv_has_bom_and_vietnamese(site):
    data = (site / "du-lieu" / "households.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["name"] == "ông Nguyễn Văn Giả"
    records = json.loads((site / "du-lieu" / "funding.json").read_text(encoding="utf-8"))
    assert records[0]["amount_stated"] == "1.352.450" and records[0]["amount_million_vnd"] == 1352450


def test_sqlite_has_every_table_with_its_rows(site, versioned):
    con = sqlite3.connect(site / "du-lieu" / "ntm-lang-son.sqlite")
    descriptor = json.loads((versioned / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        count = con.execute(f'SELECT COUNT(*) FROM "{res["name"]}"').fetchone()[0]
        assert count == len(read_rows(versioned, res["name"])), res["name"]
    assert con.execute("SELECT amount_stated FROM funding WHERE id='f-2'").fetchone() == ("229.161",)


def test_xlsx_opens_with_one_sheet_per_table(site, versioned):
    wb = load_workbook(site / "du-lieu" / "ntm-lang-son.xlsx", read_only=True)
    descriptor = json.loads((versioned / "datapackage.json").read_text(encoding="utf-8"))
    assert wb.sheetnames == [r["name"] for r in descriptor["resources"]]
    ws = wb["households"]
    assert [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))][1] == "ông Nguyễn Văn Giả"


def test_each_commune_and_district_page_links_its_extract(site):
    html = (site / "xa" / "xa-hoa-binh-thu-nghiem" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../du-lieu/xa/xa-hoa-binh-thu-nghiem.csv"' in html
    extract = json.loads((site / "du-lieu" / "xa" / "xa-hoa-binh-thu-nghiem.json").read_text(encoding="utf-8"))
    assert extract["unit"]["name"] == "Hòa Bình" and extract["donors"][0]["name"] == "Công ty Giả Lập"
    assert (site / "du-lieu" / "huyen" / "huyen-thu-nghiem.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_cite_block_names_version_and_reports(site):
    html = (site / "du-lieu" / "index.html").read_text(encoding="utf-8")
    assert "Trích dẫn dữ liệu này" in html and "SYNTHETIC test report" in html
    assert "commit" in html
