"""Selective regeneration of the place pages (site_builder/inputs.py): after an edit, a build that
keeps the commune and district pages whose inputs did not change gives the docs folder a full
generation gives, byte for byte, and makes again only the pages the edit reaches. SYNTHETIC
package (tests/benchmarks/synth.py, 30 communes in 2 made-up provinces)."""
from __future__ import annotations

import shutil

import pytest

from conftest import read_rows, set_cell, synth_module, write_rows
from site_builder import inputs, routes
from site_builder.build import generate
from site_builder.inputs import FILE
from site_builder.pages import commune as commune_module
from site_builder.pages import data, validation


def files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def places(site) -> set[str]:
    """The commune and district pages this generation made."""
    return {p for p in site.rendered if p.startswith(("xa/", "huyen/")) and not p.endswith("index.md")}


@pytest.fixture(scope="module", autouse=True)
def no_downloads():
    """The downloads and the data-check page (the validator run again) are left out of these
    generations, selective and full alike: they are not place pages, and they are most of the
    time of a generation of this package (exports.py and its cache have their own tests)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data, "generate", lambda site: None)
        patch.setattr(validation, "generate", lambda site: None)
        yield


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, no_downloads):
    """The package and a cache folder holding its chart SVGs (so each test renders no chart)."""
    base = tmp_path_factory.mktemp("selective")
    synth_module().generate(30, base / "package", seed=11, provinces=2)
    generate(base / "package", base / "docs", cache_dir=base / "cache")
    return base


@pytest.fixture
def work(tmp_path, synthetic):
    """The package copied, generated once into docs/ with a cache (which stores the keys)."""
    pkg = tmp_path / "package"
    shutil.copytree(synthetic / "package", pkg)
    shutil.copytree(synthetic / "cache" / "charts", tmp_path / "cache" / "charts")
    site = generate(pkg, tmp_path / "docs", cache_dir=tmp_path / "cache")
    every = places(site)
    assert every and (tmp_path / "cache" / FILE).is_file()
    return pkg, tmp_path, every


def rebuild(pkg, tmp):
    """The selective generation, and a full one of the same package into a fresh folder."""
    site = generate(pkg, tmp / "docs", cache_dir=tmp / "cache")
    full = tmp / "full"
    shutil.rmtree(full, ignore_errors=True)
    shutil.copytree(tmp / "cache" / "charts", full / "cache" / "charts")
    generate(pkg, full / "docs", cache_dir=full / "cache")  # a new docs folder: every page made
    assert files(tmp / "docs") == files(full / "docs")
    return places(site)


def reached(pkg, commune_ids) -> set[str]:
    """The pages that show the rows placed at these communes: their own, the pages of the units
    formed from them (which show their former units' record), and their districts'."""
    communes = {r["id"]: r for r in read_rows(pkg, "communes")}
    shown_by = set(commune_ids)
    for ch in read_rows(pkg, "unit_changes"):
        if ch["from_commune_id"] in commune_ids and communes.get(ch["to_commune_id"], {}).get("valid_from"):
            shown_by.add(ch["to_commune_id"])
    districts = {communes[c]["district_id"] for c in commune_ids if communes[c]["district_id"]}
    return {routes.commune(c) for c in shown_by} | {routes.district(d) for d in districts}


def test_nothing_changed_makes_no_place_page_again(work):
    pkg, tmp, _ = work
    before = files(tmp / "docs")
    assert rebuild(pkg, tmp) == set()
    assert files(tmp / "docs") == before


def test_a_recognition_edit_makes_only_its_communes_and_district_again(work):
    pkg, tmp, every = work
    rows = read_rows(pkg, "commune_recognitions")
    row = next(r for r in rows if r["decision"])
    row["decision"] = "4321/QĐ-UBND"
    write_rows(pkg, "commune_recognitions", rows)
    made = rebuild(pkg, tmp)
    assert made == reached(pkg, {row["commune_id"]}) and len(made) < len(every) / 4
    page = (tmp / "docs" / routes.commune(row["commune_id"])).read_text(encoding="utf-8")
    assert "4321/QĐ-UBND" in page


def test_a_criterion_status_edit_makes_only_its_communes_and_district_again(work):
    pkg, tmp, every = work
    rows = read_rows(pkg, "commune_criteria")
    rows[-1]["status"] = "not_met" if rows[-1]["status"] == "met" else "met"
    write_rows(pkg, "commune_criteria", rows)
    assert rebuild(pkg, tmp) == reached(pkg, {rows[-1]["commune_id"]})


@pytest.mark.parametrize("table", ["donors", "households"])
def test_a_person_edit_or_withdrawal_makes_only_its_place_again(work, table):
    pkg, tmp, _ = work
    rows = read_rows(pkg, table)
    row = next(r for r in rows if r["commune_id"] and r["publication_basis"] == "named_in_public_report")
    name = row["name"]
    row["name"] += " Mới"
    write_rows(pkg, table, rows)
    assert rebuild(pkg, tmp) == reached(pkg, {row["commune_id"]})
    row["publication_basis"] = "withdrawn"  # withdrawn: in no file any more
    write_rows(pkg, table, rows)
    assert rebuild(pkg, tmp) == reached(pkg, {row["commune_id"]})
    assert not [p for p, data in files(tmp / "docs").items() if name.encode("utf-8") in data]


def test_a_province_figure_edit_makes_no_place_page_again(work):
    pkg, tmp, _ = work
    rows = read_rows(pkg, "funding")
    row = next(r for r in rows if not r["commune_id"] and not r["district_id"])
    row["amount_stated"] += "0"
    write_rows(pkg, "funding", rows)
    assert rebuild(pkg, tmp) == set()


@pytest.mark.parametrize("edit", ["commune", "district", "source", "note"])
def test_an_edit_of_what_every_place_page_shows_makes_them_all_again(work, edit):
    pkg, tmp, every = work
    if edit == "commune":  # its name is in the links of other pages
        set_cell(pkg, "communes", 0, "name", "Tên Đổi Thử")
    elif edit == "district":
        set_cell(pkg, "districts", 0, "name", "Huyện Đổi Thử")
    elif edit == "source":
        set_cell(pkg, "sources", 0, "short_title", "Báo cáo đổi tên (giả lập)")
    else:
        rows = read_rows(pkg, "notes")
        write_rows(pkg, "notes", [*rows, dict(rows[0], id="n-them-thu", summary_vi="Ghi chú thêm (giả lập).")])
    assert rebuild(pkg, tmp) == every


def test_a_code_change_makes_every_place_page_again(work, monkeypatch):
    pkg, tmp, every = work
    monkeypatch.setattr(inputs, "code_fingerprint", lambda: "a template or module changed")
    assert rebuild(pkg, tmp) == every


def test_a_kept_pages_file_changed_or_removed_in_docs_makes_that_page_again(work):
    pkg, tmp, _ = work
    docs = tmp / "docs"
    chart = next(docs.glob("assets/charts/xa-*-tieu-chi.svg"))
    commune_id = chart.name[len("xa-"):-len("-tieu-chi.svg")]
    chart.unlink()
    page = docs / routes.commune(next(c for c in read_rows(pkg, "communes") if c["id"] != commune_id)["id"])
    page.write_text(page.read_text(encoding="utf-8") + "\nsửa tay\n", encoding="utf-8")
    made = rebuild(pkg, tmp)
    assert made == {routes.commune(commune_id), page.relative_to(docs).as_posix()}


def test_a_failure_mid_generation_leaves_docs_and_keys_as_they_were(work, monkeypatch):
    pkg, tmp, _ = work
    set_cell(pkg, "communes", 0, "name", "Tên Đổi Thử")  # every commune page is made again
    before, keys = files(tmp / "docs"), (tmp / "cache" / FILE).read_bytes()
    real, made = commune_module.commune_page, []

    def failing(*a, **k):
        if made:
            raise RuntimeError("a bug in a page module")
        made.append(real(*a, **k))
    monkeypatch.setattr(commune_module, "commune_page", failing)
    with pytest.raises(RuntimeError):
        generate(pkg, tmp / "docs", cache_dir=tmp / "cache")
    assert files(tmp / "docs") == before and (tmp / "cache" / FILE).read_bytes() == keys
    monkeypatch.setattr(commune_module, "commune_page", real)
    rebuild(pkg, tmp)
