"""The real site, built once per session: pages for every unit, figures with their sources,
charts with SVG + description + table + CSV, nothing loaded from another host, and
diacritic-free search. Plus a site built from hostile data, which must show it as text."""
from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REAL_PACKAGE, make_package, read_rows, set_cell
from site_builder.build import BuildError, build_site
from site_builder.vn import fold


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).replace("\xa0", " ")


def test_a_page_for_every_district_and_commune(real_site):
    for d in read_rows(REAL_PACKAGE, "districts"):
        assert d["name"] in page(real_site, f"huyen/{d['id']}")
    communes = read_rows(REAL_PACKAGE, "communes")
    assert len(communes) >= 301
    for c in communes:
        html = page(real_site, f"xa/{c['id']}")
        assert c["name"] in html and c["gso_code"] in html


def test_commune_page_shows_recognition_with_decision_and_source(real_site):
    text = visible_text(page(real_site, "xa/xa-binh-xa-dinh-lap"))
    assert "2165/QĐ-UBND" in text and "31/10/2018" in text
    source = read_rows(REAL_PACKAGE, "commune_recognitions")
    rec = next(r for r in source if r["commune_id"] == "xa-binh-xa-dinh-lap")
    title = next(s for s in read_rows(REAL_PACKAGE, "sources") if s["id"] == rec["source_id"])
    assert (title["short_title"] or title["title"]) in text


def test_commune_without_data_says_so(real_site):
    text = visible_text(page(real_site, "xa/xa-hoa-binh-chi-lang"))
    assert "Không có số liệu công bố về số tiêu chí đạt của đơn vị này" in text
    assert "Không có số liệu công bố về việc công nhận đạt chuẩn nông thôn mới" in text


def test_merged_commune_leads_to_todays_unit(real_site):
    # Gia Cát (Cao Lộc) merged into Phường Kỳ Lừa on 01/07/2025 (NQ 1672/NQ-UBTVQH15)
    html = page(real_site, "xa/xa-gia-cat-cao-loc")
    assert "Ngày nay thuộc" in html and 'href="../phuong-ky-lua-2025/"' in html
    # Xuân Mai: dissolved in 2019, no source says where it went, and the page says so
    assert "không có số liệu công bố" in visible_text(page(real_site, "xa/xa-xuan-mai-van-quan"))


def test_province_page_shows_funding_as_stated_with_source(real_site):
    text = visible_text(page(real_site, "tien-do/nguon-von"))
    total = next(r for r in read_rows(REAL_PACKAGE, "funding")
                 if r["source_id"] == "bc2017" and r["breakdown"] == "total" and not r["parent_id"]
                 and r["amount_stated"] == "1.352.449")
    assert "1.352.449 triệu đồng" in text
    assert "Báo cáo 6 tháng đầu năm 2017" in text
    assert total["source_locator"] in text


def test_criterion_page_shows_counts_and_percent_in_vietnamese_notation(real_site):
    text = visible_text(page(real_site, "tieu-chi/02"))
    assert "35" in text and "207" in text and "16,91%" in text
    assert "Giao thông" in text


def test_every_district_page_is_marked_former(real_site):
    for d in read_rows(REAL_PACKAGE, "districts"):
        assert "Đơn vị hành chính cũ" in page(real_site, f"huyen/{d['id']}")


class Resources(HTMLParser):
    """Collect what a page loads (not what it links to), and the chart figures."""

    def __init__(self):
        super().__init__()
        self.loads, self.images, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {
                "stylesheet", "icon", "preload", "manifest", "modulepreload"}:
            self.loads.append(a["href"])
        if tag == "img":
            self.images.append(a)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])


def test_nothing_loads_from_another_host(real_site):
    for html_file in real_site.rglob("*.html"):
        parser = Resources()
        parser.feed(html_file.read_text(encoding="utf-8"))
        external = [u for u in parser.loads if re.match(r"^(https?:)?//", u)]
        assert not external, (html_file, external)
    for css in real_site.rglob("*.css"):
        assert not re.search(r"url\((['\"]?)(https?:)?//", css.read_text(encoding="utf-8")), css
        assert not re.search(r"@import\s+(url\()?\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css


def test_every_chart_has_svg_description_table_and_csv(real_site):
    charts = 0
    for html_file in real_site.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        parser = Resources()
        parser.feed(html)
        for img in parser.images:
            if not img.get("src", "").endswith(".svg") or "/charts/" not in img["src"]:
                continue
            charts += 1
            svg = (html_file.parent / img["src"]).resolve()
            assert svg.is_file() and svg.stat().st_size > 1000, svg
            assert len(img.get("alt", "")) > 40, (html_file, img)  # a description, not a label
            csv_href = img["src"][:-4] + ".csv"
            assert csv_href in parser.links and (html_file.parent / csv_href).resolve().is_file()
        # each chart is followed by its own table (a collapsible block), before the next chart
        order = re.findall(r'<img [^>]*src="[^"]*/charts/[^"]*\.svg"|<details[^>]*>\s*<summary>Bảng số liệu: [^<]+'
                           r'</summary>(?:(?!</details>).)*<table', html, flags=re.S)
        kinds = ["img" if o.startswith("<img") else "table" for o in order]
        assert kinds == ["img", "table"] * (len(kinds) // 2), (html_file, kinds)
    assert charts >= 20


def test_diacritic_free_search_finds_the_right_page(real_site):
    index = json.loads((real_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = index["docs"]

    def found(query, location_part):
        words = fold(query).split()
        return any(location_part in d["location"] and all(w in fold(d["text"] + " " + d["title"]) for w in words)
                   and all(w in d["text"] for w in words) for d in docs)

    assert found("dinh lap", "huyen/huyen-dinh-lap/")
    assert found("huu lung", "huyen/huyen-huu-lung/")
    assert found("kien moc", "xa/xa-kien-moc-dinh-lap/")
    assert found("lang son", "huyen/thanh-pho-lang-son/")


def test_finder_index_lists_every_unit_with_folded_names(real_site):
    finder = json.loads((real_site / "assets" / "finder.json").read_text(encoding="utf-8"))
    units = [e for e in finder if e["u"].startswith("xa/")]
    assert len(units) == len(read_rows(REAL_PACKAGE, "communes"))
    kien_moc = [u for u in finder if "kien moc" in u["f"]]
    assert {u["u"] for u in kien_moc} >= {"xa/xa-kien-moc-dinh-lap/", "xa/xa-kien-moc-2025/"}
    for entry in finder:  # every entry leads to a page, and to its row where it has one
        path, _, anchor = entry["u"].partition("#")
        html = (real_site / path / "index.html").read_text(encoding="utf-8")
        assert not anchor or f'id="{anchor}"' in html, entry


def test_downloads_are_published(real_site):
    import csv
    import io

    from site_builder import exports
    for res in json.loads((REAL_PACKAGE / "datapackage.json").read_text(encoding="utf-8"))["resources"]:
        data = (real_site / "du-lieu" / f"{res['name']}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads Vietnamese right
        published = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        text = {f["name"] for f in res["schema"]["fields"] if f.get("type", "string") == "string"}
        expected = [{k: exports.inert(v) if k in text else v for k, v in r.items()}
                    for r in read_rows(REAL_PACKAGE, res["name"])]  # formulas made inert
        assert published == expected, res["name"]
    assert (real_site / "du-lieu" / "ntm-lang-son-datapackage.zip").stat().st_size > 10_000
    import sqlite3
    con = sqlite3.connect(real_site / "du-lieu" / "ntm-lang-son.sqlite")
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []  # the real keys hold
    assert con.execute("PRAGMA foreign_key_list(donors)").fetchall()


HOSTILE = {
    ("donors", "name"): "<script>alert('x')</script>",
    ("households", "name"): "**đậm** {{ bien }} {% if x %}[bấm](http://evil.example)",
    ("land_donors", "name"): "---",
    ("land_donors", "purpose"): "<img src=x onerror=alert(1)>",
    ("projects", "name"): "# Tiêu đề giả | cột | ![ảnh](http://evil.example/a.png)",
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    pkg = make_package(work / "pkg")
    for (resource, column), value in HOSTILE.items():
        set_cell(pkg, resource, 0, column, value)
    return build_site(pkg, work / "site", work_dir=work / "build")


def test_markup_in_data_is_shown_as_text(hostile_site):
    html = page(hostile_site, "vinh-danh/nha-tai-tro")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html or \
        "&lt;script&gt;alert('x')&lt;/script&gt;" in html
    assert "<script>alert" not in html
    text = visible_text(page(hostile_site, "vinh-danh/ho-dien-hinh"))
    assert "**đậm** {{ bien }} {% if x %}[bấm](http://evil.example)" in text
    assert 'href="http://evil.example"' not in page(hostile_site, "vinh-danh/ho-dien-hinh")
    land = page(hostile_site, "vinh-danh/hien-dat")
    assert "<img src=x" not in land and "&lt;img src=x onerror=alert(1)&gt;" in land
    assert "| --- |" not in visible_text(land) and "<hr" not in land.split("md-content")[1].split("</article>")[0]
    projects = page(hostile_site, "vinh-danh/cong-trinh-mo-hinh")
    assert "evil.example/a.png" in visible_text(projects) and 'src="http://evil.example' not in projects
    for html_file in hostile_site.rglob("*.html"):
        assert "<script>alert" not in html_file.read_text(encoding="utf-8")


def test_data_tables_reach_mkdocs_as_html_and_stay_out_of_search(real_site, hostile_site):
    """Every data table is written as an HTML block (Python-Markdown passes it through) that
    carries data-search-exclude; no table is left for Python-Markdown's inline patterns."""
    for site in (real_site, hostile_site):
        docs = site.parent / "build" / "docs"
        for md in docs.rglob("*.md"):
            source = md.read_text(encoding="utf-8")
            assert not re.search(r"^ *\| *---", source, re.M), md    # no pipe table left
        tables = [t for f in site.rglob("*.html") for t in
                  re.findall(r"<table[^>]*>", f.read_text(encoding="utf-8").split("md-content")[-1])]
        assert tables and set(tables) == {'<table data-search-exclude="">'}, set(tables)
    index = (real_site / "search" / "search_index.json").read_text(encoding="utf-8")
    for header in ("Loại số liệu", "Ngày quyết định", "Số tiền (như báo cáo)"):   # only in tables
        assert header not in index, header


def test_invalid_package_publishes_nothing(tmp_path):
    pkg = make_package(tmp_path / "pkg")
    site = tmp_path / "site"
    build_site(pkg, site, work_dir=tmp_path / "build")
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    set_cell(pkg, "ntm_counts", 0, "communes", "khoảng 600")
    with pytest.raises(BuildError) as exc:
        build_site(pkg, site, work_dir=tmp_path / "build")
    assert "ntm_counts" in str(exc.value) and "row 2" in str(exc.value)
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before


def test_no_broken_internal_link(real_site):
    from site_builder.linkcheck import check_links

    assert check_links(real_site) == []
