"""Selective regeneration of the place pages (site_builder/inputs.py): after an edit, a build that
keeps the commune and district pages whose inputs did not change gives the docs folder a full
generation gives, byte for byte, and makes again only the pages the edit reaches. SYNTHETIC
package (tests/benchmarks/synth.py, 30 communes in 2 made-up provinces)."""
from __future__ import annotations

import shutil

import pytest

from conftest import files, read_rows, selective_copy, set_cell, write_rows
from site_builder import inputs, routes
from site_builder.build import generate
from site_builder.inputs import FILE
from site_builder.pages import commune as commune_module
from site_builder.validate import validate_package_cached


def places(site) -> set[str]:
    """The commune and district pages this generation made."""
    return {p for p in site.rendered if p.startswith(("xa/", "huyen/")) and not p.endswith("index.md")}


pytestmark = pytest.mark.usefixtures("no_downloads")


@pytest.fixture
def work(tmp_path, selective_base):
    pkg, site = selective_copy(selective_base, tmp_path)
    every = places(site)
    assert every and (tmp_path / "cache" / FILE).is_file()
    return pkg, tmp_path, every


def rebuild(pkg, tmp, report=None):
    """The selective generation (with `report`, the validation's: its file keys and row deltas
    used), and a full one of the same package into a fresh folder."""
    site = generate(pkg, tmp / "docs", cache_dir=tmp / "cache", report=report)
    same_as_full(pkg, tmp)
    return places(site)


def same_as_full(pkg, tmp):
    """The docs folder is the one a full generation of the package gives."""
    full = tmp / "full"
    shutil.rmtree(full, ignore_errors=True)
    shutil.copytree(tmp / "cache" / "charts", full / "cache" / "charts")
    generate(pkg, full / "docs", cache_dir=full / "cache")  # a new docs folder: every page made
    assert files(tmp / "docs") == files(full / "docs")


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


# --- a large table's rows changed: the place hashes from the validation's row delta ----------

CRITERIA = "commune_criteria"  # 5,000+ rows: streamed, its changed lines checked alone


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The files whose place hashes are made from the whole file (inputs.csv_place_hashes)."""
    names, real = [], inputs.csv_place_hashes

    def spy(path, *a, **k):
        names.append(path.stem)
        return real(path, *a, **k)
    monkeypatch.setattr(inputs, "csv_place_hashes", spy)
    return names


def validated(pkg, tmp):
    """The validation a build runs (its cache under the build's cache folder)."""
    report = validate_package_cached(pkg, tmp / "cache" / "validation")
    assert report.valid, report.to_text()
    return report


@pytest.fixture
def built(work):
    """`work`, built once more with its validation (which keeps a copy of commune_criteria)."""
    pkg, tmp, every = work
    generate(pkg, tmp / "docs", cache_dir=tmp / "cache", report=validated(pkg, tmp))
    return pkg, tmp, every


def edit_rows(pkg, change) -> list[dict]:
    rows = read_rows(pkg, CRITERIA)
    change(rows)
    write_rows(pkg, CRITERIA, rows)
    return rows


def rebuild_by_delta(pkg, tmp, hashed) -> set[str]:
    """A rebuild after a few rows of commune_criteria changed: the validation found them, and no
    place hash was made from the whole file."""
    report = validated(pkg, tmp)
    assert CRITERIA in report.deltas
    hashed.clear()
    site = generate(pkg, tmp / "docs", cache_dir=tmp / "cache", report=report)
    assert hashed == []
    same_as_full(pkg, tmp)  # (which hashes each file)
    return places(site)


def flip(row: dict) -> None:
    row["status"] = "met" if row["status"] != "met" else "not_met"


def test_a_row_edited_added_deleted_or_moved_makes_only_its_communes_again(built, hashed):
    pkg, tmp, every = built
    rows = edit_rows(pkg, lambda rows: rows[100].update(note="Ghi chú sửa thử (giả lập)."))
    assert rebuild_by_delta(pkg, tmp, hashed) == reached(pkg, {rows[100]["commune_id"]})
    rows = edit_rows(pkg, lambda rows: flip(rows[-1]))  # (an earlier year's: an aggregate differs)
    assert rebuild_by_delta(pkg, tmp, hashed) == reached(pkg, {rows[-1]["commune_id"]})
    before = rows[100]["commune_id"]
    after = next(r["commune_id"] for r in rows if r["commune_id"] != before)
    edit_rows(pkg, lambda rows: rows[100].update(commune_id=after))
    made = rebuild_by_delta(pkg, tmp, hashed)
    assert made == reached(pkg, {before, after}) and len(made) < len(every) / 4
    rows = edit_rows(pkg, lambda rows: rows.insert(500, dict(rows[499], id="syn-cc-them-thu", note="thêm")))
    assert rebuild_by_delta(pkg, tmp, hashed) == reached(pkg, {rows[499]["commune_id"], rows[500]["commune_id"]})
    gone = rows[800]["commune_id"]
    edit_rows(pkg, lambda rows: rows.pop(800))
    assert rebuild_by_delta(pkg, tmp, hashed) == reached(pkg, {gone})
    hashed.clear()  # nothing changed: no file hashed, no page made
    site = generate(pkg, tmp / "docs", cache_dir=tmp / "cache", report=validated(pkg, tmp))
    assert hashed == [] and places(site) == set()


def test_an_edit_after_a_failed_build_hashes_the_whole_table(built, hashed, monkeypatch):
    """The validation's delta starts from the version of the failed build, not from the one the
    kept pages and hashes describe: the whole table is hashed, and the pages of both edits are
    made."""
    pkg, tmp, _ = built
    rows = edit_rows(pkg, lambda rows: rows[100].update(note="Sửa thử một (giả lập)."))
    first = rows[100]["commune_id"]
    real = commune_module.commune_page

    def failing(*a, **k):
        raise RuntimeError("a bug in a page module")
    monkeypatch.setattr(commune_module, "commune_page", failing)
    with pytest.raises(RuntimeError):
        generate(pkg, tmp / "docs", cache_dir=tmp / "cache", report=validated(pkg, tmp))
    monkeypatch.setattr(commune_module, "commune_page", real)
    second = rows[-1]["commune_id"]
    assert second != first
    edit_rows(pkg, lambda rows: rows[-1].update(note="Sửa thử hai (giả lập)."))
    report = validated(pkg, tmp)
    assert CRITERIA in report.deltas  # from the failed build's version
    hashed.clear()
    site = generate(pkg, tmp / "docs", cache_dir=tmp / "cache", report=report)
    same_as_full(pkg, tmp)  # (the first edit's pages not kept as the failed build found them)
    assert places(site) == reached(pkg, {first, second}) and hashed[0] == CRITERIA


def test_a_package_changed_while_validated_is_hashed_from_its_files(built, hashed, monkeypatch):
    """The validation's keys and delta may be of two versions of a file edited while it was
    read: not used (the files hashed, as without a validation)."""
    from site_builder import validate as validate_module

    pkg, tmp, _ = built
    rows = edit_rows(pkg, lambda rows: rows[100].update(note="Sửa thử (giả lập)."))
    seen = iter(range(1_000_000))
    monkeypatch.setattr(validate_module, "_stat_fingerprint", lambda package_dir: next(seen))
    report = validated(pkg, tmp)
    assert report.deltas == {} and report.file_keys == {}
    hashed.clear()
    site = generate(pkg, tmp / "docs", cache_dir=tmp / "cache", report=report)
    same_as_full(pkg, tmp)
    assert places(site) == reached(pkg, {rows[100]["commune_id"]}) and hashed[0] == CRITERIA
