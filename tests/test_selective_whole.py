"""Selective regeneration of the pages made whole from a few tables (Site.whole): the honour rolls,
the finder's index, the commune and district indexes, the province pages are kept as the last build made them while
the files of the tables they read (their READS), the code, the descriptor and the data version
are the same; a build that keeps them gives the docs folder a full generation gives, byte for
byte. SYNTHETIC package (tests/benchmarks/synth.py, 30 communes in 2 made-up provinces)."""
from __future__ import annotations

import csv
import json
import re
import shutil

import pytest

from conftest import files, read_rows, selective_copy, set_cell, write_rows
from site_builder import build, inputs, package, routes
from site_builder.build import generate
from site_builder.model import build_model
from site_builder.pages import Site, commune, district, finder, honour, province
from site_builder.render import make_env

# each part kept whole: its module, the tables it declares, the docs paths it makes
PARTS = {"honour": (honour, honour.READS, lambda p: p.startswith("vinh-danh/")),
         "finder": (finder, finder.READS, lambda p: p == routes.FINDER_INDEX),
         "commune_index": (commune, commune.INDEX_READS, lambda p: p == routes.COMMUNES),
         "district_index": (district, district.INDEX_READS, lambda p: p == routes.DISTRICTS),
         "province": (province, province.READS, lambda p: p.startswith("tien-do/"))}
ALL = set(PARTS)
UNITS = {"honour", "finder", "commune_index", "district_index"}  # the parts that name communes


pytestmark = pytest.mark.usefixtures("no_downloads")


@pytest.fixture
def work(tmp_path, selective_base):
    pkg, site = selective_copy(selective_base, tmp_path)
    assert set(site.remade) == ALL
    return pkg, tmp_path


def rebuild(pkg, tmp) -> set[str]:
    """The selective generation (returns the parts it made again), and a full one of the same
    package into a fresh folder: the two docs folders are the same, byte for byte."""
    site = generate(pkg, tmp / "docs", cache_dir=tmp / "cache")
    full = tmp / "full"
    shutil.rmtree(full, ignore_errors=True)
    shutil.copytree(tmp / "cache" / "charts", full / "cache" / "charts")
    generate(pkg, full / "docs", cache_dir=full / "cache")
    assert files(tmp / "docs") == files(full / "docs")
    return set(site.remade)


def first_row(pkg, table, column, value, where=lambda r: True) -> dict:
    rows = read_rows(pkg, table)
    row = next(r for r in rows if where(r))
    row[column] = value
    write_rows(pkg, table, rows)
    return row


def person_row(table):
    return lambda r: r["publication_basis"] == "named_in_public_report" and r["commune_id"]


EDITS = {  # edit -> the parts it must make again
    "nothing": (lambda pkg: None, set()),
    "a donor renamed": (lambda pkg: first_row(pkg, "donors", "name", "Công ty Đổi Tên Thử", person_row("donors")),
                        {"honour", "finder"}),
    "a source's title": (lambda pkg: set_cell(pkg, "sources", 0, "short_title", "Báo cáo đổi tên (giả lập)"),
                         {"honour", "province"}),
    "a commune renamed": (lambda pkg: set_cell(pkg, "communes", 0, "name", "Tên Đổi Thử"), UNITS),
    "a district renamed": (lambda pkg: set_cell(pkg, "districts", 0, "name", "Huyện Đổi Thử"), UNITS),
    "a document's subject": (lambda pkg: set_cell(pkg, "documents", 0, "subject", "Về việc thử (giả lập)"),
                             {"finder", "province"}),
    "a criterion's name": (lambda pkg: first_row(pkg, "criteria", "name", "Tiêu chí đổi tên thử"),
                           {"finder", "province"}),
    "a criterion status": (lambda pkg: first_row(pkg, "commune_criteria", "note", "ghi chú thử"), set()),
    "a recognition": (lambda pkg: first_row(pkg, "commune_recognitions", "decision", "4321/QĐ-UBND",
                                            lambda r: r["decision"]), set()),
    "a province figure": (lambda pkg: first_row(pkg, "funding", "note", "ghi chú thử",
                                                lambda r: not r["commune_id"] and not r["district_id"]),
                          {"province"}),
}


@pytest.mark.parametrize("edit", EDITS)
def test_a_part_is_made_again_exactly_when_a_table_it_reads_changed(work, edit):
    pkg, tmp = work
    change, parts = EDITS[edit]
    change(pkg)
    assert rebuild(pkg, tmp) == parts
    assert rebuild(pkg, tmp) == set()  # and kept on the next build


@pytest.mark.parametrize("table", ["donors", "households"])
def test_a_person_withdrawn_is_in_no_file_of_the_kept_parts(work, table):
    pkg, tmp = work
    row = first_row(pkg, table, "publication_basis", "withdrawn", person_row(table))
    assert rebuild(pkg, tmp) == {"honour", "finder"}
    assert not [p for p, body in files(tmp / "docs").items() if row["name"].encode("utf-8") in body]


def test_a_code_or_version_change_makes_every_part_again(work, monkeypatch):
    pkg, tmp = work
    monkeypatch.setattr(package, "code_fingerprint", lambda: "a template or module changed")
    monkeypatch.setattr(inputs, "code_fingerprint", lambda: "a template or module changed")
    assert rebuild(pkg, tmp) == ALL
    monkeypatch.setattr(build, "data_version", lambda _: {
        "commit": "abc1234", "full": "abc1234" * 5, "date": "2026-11-22", "date_vn": "22/11/2026",
        "epoch": 1795305600})
    assert rebuild(pkg, tmp) == ALL


def test_a_kept_parts_file_changed_or_removed_in_docs_makes_that_part_again(work):
    pkg, tmp = work
    docs = tmp / "docs"
    (docs / routes.FINDER_INDEX).unlink()
    page = docs / routes.honour("awards")
    page.write_text(page.read_text(encoding="utf-8") + "\nsửa tay\n", encoding="utf-8")
    assert rebuild(pkg, tmp) == {"finder", "honour"}
    charts = re.findall(r"assets/charts/[^)\"']+\.svg", (docs / "tien-do" / "nguon-von.md").read_text(encoding="utf-8"))
    (docs / charts[0]).unlink()  # a chart of a province page
    assert rebuild(pkg, tmp) == {"province"}


# --- each part's READS: every table it reads ---------------------------------------------------------

def made_in_memory(pkg, part) -> dict:
    """The files of a part, generated from the package into memory (no keeping), with its charts
    (their data and Vega-Lite spec: what the SVG is rendered from)."""
    module, _, mine = PARTS[part]
    site = Site(build_model(pkg), make_env(), package_dir=pkg)
    module.generate(site)
    charts = {c.svg_path: (c.csv_text(), json.dumps(c.spec, sort_keys=True, default=str))
              for c in site.charts} if part == "province" else {}
    return {path: body for path, body in site.out.files.items() if mine(path)} | charts


@pytest.mark.parametrize("part", PARTS)
def test_a_part_reads_no_table_but_those_it_declares(selective_base, tmp_path, part):
    """Every table of the package a part does not declare emptied (its header only): the part's
    files are the same. So its key, made of its declared tables, is all it depends on."""
    pkg = shutil.copytree(selective_base / "package", tmp_path / "package")
    before = made_in_memory(pkg, part)
    assert before
    declared = PARTS[part][1]
    emptied = [res for res in build_model(pkg).descriptor["resources"] if res["name"] not in declared]
    for res in emptied:
        with open(pkg / res["path"], encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        write_rows(pkg, res["name"], [], fieldnames=header)
    assert len(emptied) > 10
    assert made_in_memory(pkg, part) == before
