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
import shutil
from pathlib import Path

import pytest

from conftest import REAL_PACKAGE, read_rows
from site_builder.build import build_site
from test_site import page, visible_text

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
    tables = re.findall(r"<table>.*?</table>", html, flags=re.S)
    table = next(t for t in tables if "Số tiêu chí đạt gần nhất" in t)
    rows = re.findall(r"<tr>.*?</tr>", table, flags=re.S)
    binh_xa = visible_text(next(r for r in rows if "Bính Xá" in r))
    assert "Nông thôn mới: được công nhận năm 2018" in binh_xa
    assert len(rows) - 1 == sum(1 for c in read_rows(REAL_PACKAGE, "communes")
                                if c["district_id"] == "huyen-dinh-lap")
    # and a chart of its communes' recognitions: an SVG with a text description
    assert "assets/charts/huyen-huyen-dinh-lap-cong-nhan.svg" in html
    assert (real_site / "assets/charts/huyen-huyen-dinh-lap-cong-nhan.svg").read_text(encoding="utf-8").startswith("<svg")


# --- a copy of the real package with commune-level criteria rows ---------------------------------

T7 = "web-vietnam-vn-giu-tam-nong-thon-moi"


def append(pkg: Path, resource: str, rows: list[dict]) -> None:
    path = pkg / "data" / f"{resource}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        columns = next(csv.reader(fh))
    with open(path, "a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writerows({c: r.get(c, "") for c in columns} for r in rows)


def count(id_, commune, cset, as_of, text, prec, met, source, locator, kind="actual"):
    return dict(id=id_, commune_id=commune, level="ntm", criteria_set=cset, as_of=as_of, as_of_text=text,
                as_of_precision=prec, kind=kind, criteria_met=met, criteria_total=19,
                value_text=f"{met}/19", source_id=source, source_locator=locator)


@pytest.fixture(scope="module")
def enriched_site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("enriched")
    pkg = work / "package"
    shutil.copytree(REAL_PACKAGE, pkg)
    if not any(s["id"] == T7 for s in read_rows(pkg, "sources")):
        append(pkg, "sources", [dict(id=T7, kind="web_page", issuer="vietnam.vn",
                                     title="Giữ tâm nông thôn mới", short_title="vietnam.vn: Giữ tâm nông thôn mới",
                                     url="https://www.vietnam.vn/en/giu-tam-nong-thon-moi",
                                     description="Bài tiếng Anh: xã Châu Sơn mới đạt 17/19 tiêu chí (2025).")])
    kien_moc = "web-baolangson-kien-moc"
    append(pkg, "commune_criteria_counts", [
        count("test-km-2011", "xa-kien-moc-dinh-lap", "qd491", "2011-12-31", "năm 2011", "year", 1,
              kien_moc, "đoạn về kết quả 2011-2020"),
        count("test-km-2020", "xa-kien-moc-dinh-lap", "qd1980", "2020-12-31", "năm 2020", "year", 19,
              kien_moc, "đoạn về kết quả 2011-2020"),
        count("test-nt-2018", "xa-nhat-tien-bac-son", "qd1980", "2018-12-31", "cuối năm 2018", "year", 12,
              "web-nongthonmoi-hdcdp-80", "mục tin về xã Nhất Tiến"),
        count("test-cs-2025", "xa-chau-son-2025", "qd318", "2025-12-31", "năm 2025", "year", 17,
              T7, "đoạn về xã Châu Sơn sau sắp xếp"),
    ])
    # 19/19 in 2020 means every criterion met: the per-criterion rows of that date
    append(pkg, "commune_criteria", [
        dict(id=f"test-km-2020-{k:02d}", commune_id="xa-kien-moc-dinh-lap", criteria_set="qd1980",
             criterion_number=k, as_of="2020-12-31", as_of_text="năm 2020", as_of_precision="year",
             status="met", source_id=kien_moc, source_locator="đoạn về kết quả 2011-2020")
        for k in range(1, 20)])
    return build_site(pkg, work / "site", work_dir=work / "build")


def test_kien_moc_criteria_over_time_with_chart(enriched_site):
    html = page(enriched_site, "xa/xa-kien-moc-dinh-lap")
    top = lead(html)
    assert "19/19" in top and "năm 2020" in top and "Kiên Mộc đón bằng" in top
    text = visible_text(html)
    assert "1/19" in text and "19/19" in text
    # a chart, one mark per stated figure: 1/19 (2011, QĐ 491) and 19/19 (2020, QĐ 1980)
    svg = enriched_site / "assets/charts/xa-xa-kien-moc-dinh-lap-tieu-chi.svg"
    assert "assets/charts/xa-xa-kien-moc-dinh-lap-tieu-chi.svg" in html
    assert svg.read_text(encoding="utf-8").startswith("<svg")
    with open(svg.with_suffix(".csv"), encoding="utf-8-sig", newline="") as fh:
        chart_rows = list(csv.DictReader(fh))
    assert [(r["Thời điểm"], r["Số tiêu chí đạt"]) for r in chart_rows] == [("năm 2011", "1/19"), ("năm 2020", "19/19")]
    assert chart_rows[0]["Loại số liệu"] != chart_rows[1]["Loại số liệu"]  # two criteria sets, two series
    # the 19-criteria table of 2020: every criterion "đạt"
    table = section(html, "Từng tiêu chí theo thời điểm")
    assert table.count("đạt") == 19 and "chưa đạt" not in table


def test_nhat_tien_12_of_19_with_source(enriched_site):
    top = lead(page(enriched_site, "xa/xa-nhat-tien-bac-son"))
    assert "12/19" in top and "cuối năm 2018" in top and source_title("web-nongthonmoi-hdcdp-80") in top


def test_chau_son_17_of_19_on_todays_unit(enriched_site):
    top = lead(page(enriched_site, "xa/xa-chau-son-2025"))
    assert "17/19" in top and "năm 2025" in top and "vietnam.vn" in top
    # and today's Kiên Mộc lists the former Kiên Mộc's latest count among its former units
    formers = section(page(enriched_site, "xa/xa-kien-moc-2025"), "Các đơn vị cũ hợp thành")
    assert "19/19" in formers


def test_district_chart_of_criteria_per_commune(enriched_site):
    html = page(enriched_site, "huyen/huyen-dinh-lap")
    assert "assets/charts/huyen-huyen-dinh-lap-tieu-chi.svg" in html
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if "Kiên Mộc" in r and "Tồn tại" not in r)
    assert "19/19" in visible_text(row)


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
