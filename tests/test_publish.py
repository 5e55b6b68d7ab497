"""Publishing: reproducible builds, downloads that open, per-place extracts, data version,
the change page and its Atom feed."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from conftest import REAL_PACKAGE, files, make_package, read_rows, set_cell
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
    set_cell(pkg, "households", 0, "publication_basis", "withdrawn")  # ông Nguyễn Văn Giả
    git(repo, "commit", "-qam", f"Rút tên {WITHDRAWN_NAME} theo đề nghị")  # staff name him here
    return pkg


WITHDRAWN_NAME = "Nguyễn Văn Giả"  # households h-1 of the fixture, withdrawn in the third commit


def build(pkg, where: Path) -> Path:
    return build_site(pkg, where / "site", work_dir=where / "build")


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
    """In Vietnamese words, dates dd/mm/yyyy, the commit as a small note only; the feed's
    links are absolute (site_url)."""
    html = (site / "thay-doi" / "index.html").read_text(encoding="utf-8")
    assert "Sửa 2 số liệu vốn." in html
    assert "Sửa số liệu vốn 6 tháng đầu năm 2017, Ngân sách trung ương: " \
           "229.160 triệu đồng → 229.161 triệu đồng" in html
    assert "Sửa 1 hộ điển hình." in html
    assert "Sửa hộ điển hình (mã h-1): một dòng đã được rút khỏi danh sách theo đề nghị" in html
    assert "Sửa số vốn ngân sách trung ương" not in html  # commit messages are not published
    for word in ("new row", "row removed", "added", "publication_basis"):
        assert word not in html, word
    assert re.search(r"Ngày \d\d/\d\d/\d{4}", html)
    feed = ElementTree.parse(site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    titles = [e.findtext("a:title", namespaces=ns) for e in entries]
    assert len(titles) == 3 and "Sửa 1 hộ điển hình." in titles[0], titles
    assert "Sửa 2 số liệu vốn." in titles[1]
    for link in feed.iter("{http://www.w3.org/2005/Atom}link"):
        assert link.get("href").startswith(("http://", "https://")), link.get("href")


def test_withdrawn_in_a_commit_is_in_no_file_of_the_site(site):
    """A person withdrawn in a commit (whose message names him): the name is in no file of
    site/, inside the zip and the XLSX (unzipped) and the SQLite database included, with or
    without diacritics; the history says only "một dòng đã được rút"."""
    from site_builder.vn import fold
    needles = [n.encode("utf-8") for n in (WITHDRAWN_NAME, fold(WITHDRAWN_NAME),
                                           fold(WITHDRAWN_NAME).lower())]
    checked = 0
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        blobs = [path.read_bytes()]
        if blobs[0][:2] == b"PK":
            with zipfile.ZipFile(path) as zf:
                blobs += [zf.read(n) for n in zf.namelist()]
        if path.suffix == ".sqlite":
            con = sqlite3.connect(path)
            for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
                blobs.append(repr(con.execute(f'SELECT * FROM "{table}"').fetchall()).encode())
            con.close()
        for blob in blobs:
            for needle in needles:
                assert needle not in blob, (path.relative_to(site), needle.decode())
        checked += 1
    assert checked > 50 and (site / "search" / "search_index.json").is_file()


def test_pages_say_when_their_data_last_changed(site):
    province = (site / "tien-do" / "index.html").read_text(encoding="utf-8")
    assert "Số liệu trên trang này thay đổi lần cuối ngày" in province
    assert "Phiên bản dữ liệu" in (site / "du-lieu" / "index.html").read_text(encoding="utf-8")


def test_zip_validates_with_stock_frictionless(site, tmp_path):
    """The zip unpacks into one folder, and that folder validates."""
    with zipfile.ZipFile(site / "du-lieu" / "ntm-lang-son-datapackage.zip") as zf:
        assert {n.split("/")[0] for n in zf.namelist()} == {"ntm-lang-son-datapackage"}
        zf.extractall(tmp_path / "unzipped")
    cli = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(cli), "validate", "datapackage.json"],
                          cwd=tmp_path / "unzipped" / "ntm-lang-son-datapackage",
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_csv_has_bom_and_vietnamese(site):
    data = (site / "du-lieu" / "land_donors.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["name"] == "bà Trần Thị Lập"
    records = json.loads((site / "du-lieu" / "funding.json").read_text(encoding="utf-8"))
    assert records[0]["amount_stated"] == "1.352.450" and records[0]["amount_million_vnd"] == 1352450


def test_sqlite_has_every_table_with_its_rows(site, versioned):
    con = sqlite3.connect(site / "du-lieu" / "ntm-lang-son.sqlite")
    descriptor = json.loads((versioned / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        count = con.execute(f'SELECT COUNT(*) FROM "{res["name"]}"').fetchone()[0]
        published = [r for r in read_rows(versioned, res["name"])
                     if r.get("publication_basis", "named_in_public_report") == "named_in_public_report"]
        assert count == len(published), res["name"]
    assert con.execute("SELECT amount_stated FROM funding WHERE id='f-2'").fetchone() == ("229.161",)


def test_sqlite_declares_the_foreign_keys_and_describes_columns(site):
    con = sqlite3.connect(site / "du-lieu" / "ntm-lang-son.sqlite")
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    links = con.execute("PRAGMA foreign_key_list(funding)").fetchall()
    assert ("sources", "source_id", "id") in {(r[2], r[3], r[4]) for r in links}
    assert ("communes", "commune_id", "id") in {(r[2], r[3], r[4]) for r in links}
    words = dict(con.execute("SELECT column_name, description_vi FROM _column_descriptions "
                             "WHERE table_name = 'funding'").fetchall())
    assert words["source_id"].startswith("Mã nguồn")


def test_xlsx_works_as_staff_expect(site):
    """First sheet "Giới thiệu" in Vietnamese; header frozen, filter on, widths set, dates as
    real dates shown dd/mm/yyyy."""
    import datetime as dt
    wb = load_workbook(site / "du-lieu" / "ntm-lang-son.xlsx")
    intro = [[c for c in row if c] for row in wb["Giới thiệu"].iter_rows(values_only=True)]
    assert ["funding", "source_id", "Mã nguồn (bảng Nguồn dữ liệu) của số liệu. (chữ)", "có"] in intro
    ws = wb["ntm_counts"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.column_dimensions["A"].width >= 10
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("as_of") + 1)
    assert isinstance(cell.value, dt.datetime) and cell.number_format == "DD/MM/YYYY"


def test_xlsx_opens_with_one_sheet_per_table(site, versioned):
    wb = load_workbook(site / "du-lieu" / "ntm-lang-son.xlsx", read_only=True)
    descriptor = json.loads((versioned / "datapackage.json").read_text(encoding="utf-8"))
    assert wb.sheetnames == ["Giới thiệu"] + [r["name"] for r in descriptor["resources"]]
    ws = wb["land_donors"]
    assert [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))][1] == "bà Trần Thị Lập"


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


def test_sitemap_lists_every_page_at_its_absolute_address(site):
    """site_url (mkdocs.yml, env SITE_URL in CI) makes sitemap.xml absolute and complete."""
    from site_builder.build import site_url
    root = ElementTree.parse(site / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text for loc in root.findall("s:url/s:loc", ns)}
    base = site_url()
    assert base.startswith(("http://", "https://")) and all(u.startswith(base) for u in listed)
    pages = {base + (p.parent.relative_to(site).as_posix() + "/").removeprefix("./")
             for p in site.rglob("index.html")}
    assert pages - listed == set(), sorted(pages - listed)[:5]


def test_site_url_comes_from_the_environment_in_ci(monkeypatch, tmp_path):
    import yaml

    from site_builder.build import mkdocs_config, site_url
    monkeypatch.setenv("SITE_URL", "https://so-nong-nghiep.example.gov.vn/ntm")
    assert site_url() == "https://so-nong-nghiep.example.gov.vn/ntm/"
    config = yaml.safe_load(mkdocs_config(tmp_path, tmp_path / "d", tmp_path / "s").read_text())
    assert config["site_url"] == "https://so-nong-nghiep.example.gov.vn/ntm/"


def test_no_real_person_is_named_in_the_schema():
    """The data dictionary (published) is made from datapackage.json: its examples use made-up
    names, so withdrawing a person never has to touch the schema."""
    from site_builder.checks import _core_name
    descriptor = (REAL_PACKAGE / "datapackage.json").read_text(encoding="utf-8")
    people = [r["name"] for table in ("households", "land_donors")
              for r in read_rows(REAL_PACKAGE, table)]
    people += [r["recipient"] for r in read_rows(REAL_PACKAGE, "awards")
               if r.get("recipient_kind") == "individual"]
    assert len(people) > 10
    for name in people:
        core = _core_name(name)
        if len(core.split()) >= 2:
            assert core not in descriptor, core
