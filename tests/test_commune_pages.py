"""Commune and district pages answer "where does my commune stand?": the real pages show the
recognitions with their decisions and sources on top, a 2025 unit carries its former units'
record, a unit dissolved in 2019 says what is known; with commune-level criteria rows (added
here to a copy of the real package, as the data tables are being filled in parallel) a page shows
"n/19" per date with its chart and the 19-criteria table; the synthetic demo shows full pages
and says on every page that its data is made up."""
from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import pytest
from test_site import page, visible_text

from conftest import REAL_PACKAGE, read_rows
from site_builder.build import build_site

BENCH = Path(__file__).parent / "benchmarks"
BANNER = "Dữ liệu mô phỏng — không phải số liệu thật"


def lead(html: str) -> str:
    """What comes before the first section heading: the first phone screen's answer."""
    body = html.split('<article', 1)[1]
    return visible_text(body.split("<h2", 1)[0])


def section(html: str, heading: str) -> str:
    """The text of the section under an h2 heading, up to the next h2."""
    for part in html.split("<h2")[1:]:
        if visible_text(part.split("</h2>", 1)[0]).strip(" >¶").endswith(heading):
            return visible_text(part.split("</h2>", 1)[1])
    raise AssertionError(f"no section {heading!r}")


def source_title(source_id: str) -> str:
    s = next(s for s in read_rows(REAL_PACKAGE, "sources") if s["id"] == source_id)
    return s["short_title"] or s["title"]


# --- the real package ----------------------------------------------------------------------------

def test_todays_kien_moc_carries_its_former_units_record(real_site):
    html = page(real_site, "xa/xa-kien-moc-2025")
    top = lead(html)
    # on the first screen: the former units, with their recognitions
    assert "Hình thành từ" in top and "Bính Xá" in top and "2018" in top and "2020" in top
    formers = section(html, "Các đơn vị cũ hợp thành")
    assert "2165/QĐ-UBND" in formers and "năm 2018" in formers and "năm 2020" in formers
    assert source_title("web-vanphong-54897") in formers and source_title("web-baolangson-kien-moc") in formers
    assert "1672/NQ-UBTVQH15" in formers and "16/06/2025" in formers and "01/07/2025" in formers
    assert 'href="../xa-binh-xa-dinh-lap/"' in html and 'href="../xa-kien-moc-dinh-lap/"' in html


def test_recognised_commune_shows_its_status_on_top(real_site):
    top = lead(page(real_site, "xa/xa-binh-xa-dinh-lap"))
    assert "Đạt chuẩn nông thôn mới năm 2018" in top
    assert "2165/QĐ-UBND" in top and "31/10/2018" in top
    assert source_title("web-vanphong-54897") in top
    assert "Ngày nay thuộc" in top and "Kiên Mộc" in top


def test_unit_dissolved_in_2019_says_what_is_known(real_site):
    html = page(real_site, "xa/xa-xuan-mai-van-quan")
    known = section(html, "Đơn vị đã giải thể: những gì đã biết")
    assert "818/NQ-UBTVQH14" in known
    assert "không có số liệu công bố" in known  # where the territory went: no source says
    # the code 06298 is now Yên Phúc's: said, linked, and said what it does not prove
    assert "Mã 06298" in known and "Yên Phúc" in known and "không chứng minh" in known
    assert 'href="../xa-yen-phuc-2025/"' in html


def test_merged_unit_lineage_in_the_resolutions_words(real_site):
    text = visible_text(page(real_site, "xa/xa-vu-le-bac-son"))
    assert "Xã Vũ Lễ cũ nay là một phần của Xã Vũ Lễ mới (cùng với" in text
    assert "Chiến Thắng" in text and "Vũ Sơn" in text
    assert "thông qua ngày 16/06/2025" in text and "hoạt động từ 01/07/2025" in text


def test_commune_without_any_data_says_so_once_per_subject(real_site):
    text = visible_text(page(real_site, "xa/xa-hoa-binh-chi-lang"))
    assert "Không có số liệu công bố về việc công nhận" in text
    assert "Số tiêu chí đạt của từng xã: không có số liệu công bố" not in text  # the old hard-coded line


def test_district_page_lists_its_communes_as_a_table_with_their_latest_status(real_site):
    html = page(real_site, "huyen/huyen-dinh-lap")
    tables = re.findall(r"<table[^>]*>.*?</table>", html, flags=re.S)
    table = next(t for t in tables if "Số tiêu chí đạt gần nhất" in t)
    rows = re.findall(r"<tr>.*?</tr>", table, flags=re.S)
    binh_xa = visible_text(next(r for r in rows if "Bính Xá" in r))
    assert "Nông thôn mới: được công nhận năm 2018" in binh_xa
    assert len(rows) - 1 == sum(1 for c in read_rows(REAL_PACKAGE, "communes")
                                if c["district_id"] == "huyen-dinh-lap")


# --- the commune-level facts of the real package ---------------------------------------------------

def chart_rows(site: Path, slug: str) -> list[dict]:
    with open(site / f"assets/charts/{slug}.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_kien_moc_criteria_over_time_with_chart(real_site):
    html = page(real_site, "xa/xa-kien-moc-dinh-lap")
    top = lead(html)
    assert "19/19" in top and "năm 2020" in top and source_title("web-baolangson-kien-moc") in top
    text = visible_text(html)
    assert "1/19" in text and "19/19" in text
    # a chart, one mark per stated figure: 1/19 (2011, QĐ 491) and 19/19 (2020, QĐ 1980)
    slug = "xa-xa-kien-moc-dinh-lap-tieu-chi"
    assert f"assets/charts/{slug}.svg" in html
    assert (real_site / f"assets/charts/{slug}.svg").read_text(encoding="utf-8").startswith("<svg")
    rows = chart_rows(real_site, slug)
    assert [(r["Thời điểm"], r["Giá trị"], r["Đơn vị"]) for r in rows] == [
        ("năm 2011", "1", "trên 19 tiêu chí"), ("năm 2020", "19", "trên 19 tiêu chí")]
    assert rows[0]["Chuỗi số liệu"] != rows[1]["Chuỗi số liệu"]  # two criteria sets, two series
    assert {r["Nguồn"] for r in rows} == {source_title("web-baolangson-kien-moc")}


def test_per_criterion_table_where_a_source_names_the_criteria(real_site):
    """Hùng Sơn: 10 of 19 met; the source names the 9 not met. The table says 'chưa đạt' for
    those, 'không có số liệu' for the others (no criterion is said met without a source)."""
    html = page(real_site, "xa/xa-hung-son-trang-dinh")
    assert "10/19" in lead(html)
    table = section(html, "Từng tiêu chí theo thời điểm")
    assert table.count("chưa đạt") == 9
    assert "năm không in" in table or "suy ra" in table


def test_nhat_tien_12_of_19_with_source(real_site):
    top = lead(page(real_site, "xa/xa-nhat-tien-bac-son"))
    assert "12/19" in top and "cuối năm 2018" in top and source_title("web-nongthonmoi-hdcdp-80") in top


def test_chau_son_17_of_19_on_todays_unit(real_site):
    top = lead(page(real_site, "xa/xa-chau-son-2025"))
    assert "17/19" in top and "năm 2025" in top and source_title("web-vietnam-vn-giu-tam-ntm") in top
    # and today's Kiên Mộc lists the former Kiên Mộc's latest count among its former units
    formers = section(page(real_site, "xa/xa-kien-moc-2025"), "Các đơn vị cũ hợp thành")
    assert "19/19" in formers


def test_district_chart_of_criteria_per_commune(real_site):
    html = page(real_site, "huyen/huyen-trang-dinh")
    slug = "huyen-huyen-trang-dinh-tieu-chi"
    assert f"assets/charts/{slug}.svg" in html
    rows = chart_rows(real_site, slug)
    assert {(r["Thời điểm"], r["Giá trị"]) for r in rows} == {("Hùng Sơn", "10"), ("Cao Minh", "11")}
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if "Cao Minh" in r and "Tồn tại" not in r)
    assert "11/19" in visible_text(row)


# --- the synthetic demo ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("ntm_synth", BENCH / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    work = tmp_path_factory.mktemp("demo")
    synth.generate(24, work / "package", seed=3, provinces=1)
    return build_site(work / "package", work / "demo-site", work_dir=work / "build")


def test_demo_commune_page_is_full_and_says_it_is_synthetic(demo_site):
    pages = sorted(p for p in (demo_site / "xa").iterdir() if p.is_dir() and "2025" not in p.name)
    html = (pages[0] / "index.html").read_text(encoding="utf-8")
    assert BANNER in lead(html)
    table = section(html, "Từng tiêu chí theo thời điểm")
    assert all(f"{k}. " in table for k in range(1, 20))
    chart = re.search(r'src="(\.\./\.\./assets/charts/[^"]+\.svg)"', html)
    assert chart and (pages[0] / chart.group(1)).resolve().read_text(encoding="utf-8").startswith("<svg")
    # every page, hand-written ones included, carries the banner, under another site name
    for path in demo_site.rglob("index.html"):
        text = path.read_text(encoding="utf-8")
        assert BANNER in text, path
        assert "<title>" in text and "Nông thôn mới Lạng Sơn</title>" not in text, path
