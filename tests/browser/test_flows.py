"""What a person does on the site, in a real browser: find a commune typed without diacritics
(the finder on the home page and the search box), follow a merged commune to today's unit,
browse province → district → commune → criterion → policy document and back, read the charts
with their description and table, read the honour rolls and the document index, download data."""
from __future__ import annotations

import csv
import io
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

from conftest import REAL_PACKAGE, read_rows  # tests/conftest.py
from site_builder.vn import sort_key

from .bandwidth import CHART_LIBRARY
from .checks import CROWDED_TARGETS_JS, main_controls_too_small


def h1(page) -> str:
    return page.locator("article h1").inner_text().replace("¶", "").strip()


# --- the finder on the home page (phone: that is where people type without diacritics) ------

FINDER_CASES = [
    # query, the result to tap, its page's title
    ("Kien Moc", "xa/xa-kien-moc-dinh-lap/", "Xã Kiên Mộc (Huyện Đình Lập)"),
    ("Gia Cat", "xa/xa-gia-cat-cao-loc/", "Xã Gia Cát (Huyện Cao Lộc)"),
    ("Xuan Mai", "xa/xa-xuan-mai-van-quan/", "Xã Xuân Mai (Huyện Văn Quan)"),
    ("dinh lap", "xa/thi-tran-dinh-lap-dinh-lap/", "Thị trấn Đình Lập (Huyện Đình Lập)"),
    ("huu lung", "xa/thi-tran-huu-lung-huu-lung/", "Thị trấn Hữu Lũng (Huyện Hữu Lũng)"),
    ("lang son", None, "(Thành phố Lạng Sơn)"),
]


def finder_results(page) -> list[tuple[str, str]]:
    links = page.locator("#finder-results a")
    return [(links.nth(i).get_attribute("href"), links.nth(i).inner_text()) for i in range(links.count())]


def type_in_finder(page, query: str) -> list[tuple[str, str]]:
    field = page.get_by_label(re.compile("Gõ tên xã"))
    field.tap()
    field.press_sequentially(query, delay=20)
    page.locator("#finder-results a").first.wait_for(state="visible")
    page.wait_for_function("() => /kết quả/.test(document.querySelector('.finder-status').textContent)")
    return finder_results(page)


@pytest.mark.parametrize("query,target,title", FINDER_CASES, ids=[c[0] for c in FINDER_CASES])
def test_finder_finds_units_typed_without_diacritics(phone, query, target, title):
    page = phone.open("")
    results = type_in_finder(page, query)
    hrefs = [href for href, _ in results]
    if target:
        # Units named like the query come first, before those only in a district of that name.
        assert target in hrefs[:3], results[:5]
    else:
        # "lang son": the city itself first (its exact name), then the units of the city,
        # each saying so.
        assert hrefs[0] == "huyen/thanh-pho-lang-son/", results[:3]
        in_city = [("(Lạng Sơn)" in label) for _, label in results[1:6]]
        assert in_city == [True] * 5, results
        target = hrefs[1]
    assert page.locator(".finder-status").inner_text().strip()  # a count, read out by screen readers
    page.locator(f'#finder-results a[href="{target}"]').tap()
    page.wait_for_url("**/" + target)
    assert title in h1(page)
    page.watch.assert_clean()


def test_finder_district_name_leads_to_the_district_page(phone):
    page = phone.open("")
    type_in_finder(page, "dinh lap")
    page.locator('#finder-results a[href="xa/thi-tran-dinh-lap-dinh-lap/"]').tap()
    page.wait_for_url("**/xa/thi-tran-dinh-lap-dinh-lap/")
    page.locator("article").get_by_role("link", name="Huyện Đình Lập", exact=True).first.tap()
    page.wait_for_url("**/huyen/huyen-dinh-lap/")
    assert h1(page) == "Huyện Đình Lập"


def test_finder_enter_opens_the_first_result_and_nonsense_finds_nothing(desktop):
    page = desktop.open("")
    field = page.locator("#finder-input")
    field.fill("zzqx")
    page.wait_for_function("() => /Không tìm thấy/.test(document.querySelector('.finder-status').textContent)")
    assert page.locator(".finder-status").inner_text() == "Không tìm thấy kết quả nào."
    assert page.locator("#finder-results a").count() == 0
    field.fill("")
    field.press_sequentially("gia cat")
    page.locator("#finder-results a").first.wait_for()
    field.press("Enter")
    page.wait_for_url("**/xa/xa-gia-cat-cao-loc/")


# --- Material's search box ---------------------------------------------------------------

SEARCH_CASES = [
    # query, the page that must come first (or among the first two for the two Kiên Mộc)
    ("dinh lap", ["huyen/huyen-dinh-lap/"]),
    ("huu lung", ["huyen/huyen-huu-lung/"]),
    ("lang son", ["huyen/thanh-pho-lang-son/"]),
    ("Kien Moc", ["xa/xa-kien-moc-dinh-lap/", "xa/xa-kien-moc-2025/"]),
    ("Xuan Mai", ["xa/xa-xuan-mai-van-quan/"]),
    ("Gia Cat", ["xa/xa-gia-cat-cao-loc/"]),
]


def search(page, query: str) -> list[str]:
    """Type in the header search box like a person and return the result pages, best first."""
    meta = page.locator(".md-search-result__meta")
    field = page.locator(".md-search__input")
    field.click()
    # The index loads in the background ("Đang chuẩn bị tìm kiếm"); a person waits for the
    # prompt to type before typing.
    page.wait_for_function("() => document.querySelector('.md-search-result__meta').textContent.trim()"
                           " === 'Nhập để bắt đầu tìm kiếm'")
    field.press_sequentially(query, delay=30)
    # Results update as one types: wait for those of the whole query (the best page matched
    # every word, which its link carries for highlighting: ?h=kien+moc).
    page.wait_for_function("""h => {
        const a = document.querySelector('.md-search-result__item > a');
        return a && a.href.includes('?h=' + h);
      }""", arg="+".join(query.lower().split()))
    assert "Không tìm thấy" not in meta.inner_text()
    links = page.locator(".md-search-result__item > a:first-child")
    return [links.nth(i).get_attribute("href") for i in range(min(links.count(), 10))]


@pytest.mark.parametrize("query,expected", SEARCH_CASES, ids=[c[0] for c in SEARCH_CASES])
def test_search_box_finds_pages_typed_without_diacritics(desktop, query, expected):
    page = desktop.open("")
    results = [path_of_url(u, desktop.base_url) for u in search(page, query)]
    assert sorted(results[:len(expected)]) == sorted(expected), results
    page.locator(".md-search-result__item > a:first-child").first.click()
    page.wait_for_url(re.compile(re.escape(results[0])))
    assert page.locator("article h1").is_visible()
    page.watch.assert_clean()


def path_of_url(url: str, base_url: str) -> str:
    return url.split("#")[0].split("?")[0].removeprefix(base_url)


# --- on a phone: the menu and the search box ------------------------------------------------

def test_menu_and_search_open_on_a_phone(phone):
    page = phone.open("xa/xa-kien-moc-dinh-lap/")
    # The menu (drawer) opens from the header button and its links are big enough to tap.
    page.locator("label.md-header__button[for='__drawer']").tap()
    drawer = page.locator(".md-sidebar--primary")
    link = drawer.get_by_role("link", name="Tiêu chí", exact=True)
    link.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('.md-sidebar--primary').getBoundingClientRect().left >= 0")
    crowded = page.evaluate(CROWDED_TARGETS_JS, True)
    assert not crowded, "small controls too close together in the open menu:\n" + "\n".join(crowded[:20])
    assert not main_controls_too_small(page)
    box = link.bounding_box()
    assert box["height"] >= 24 and box["x"] >= 0
    link.tap()
    page.wait_for_url("**/tieu-chi/")
    assert "tiêu chí" in page.locator("article h1").inner_text().lower()
    # Search opens full screen from the magnifier and finds a commune typed without diacritics.
    page.locator("label.md-header__button[for='__search']").tap()
    page.locator(".md-search__input").wait_for(state="visible")
    results = search(page, "gia cat")
    assert path_of_url(results[0], phone.base_url) == "xa/xa-gia-cat-cao-loc/", results
    page.locator(".md-search-result__item > a:first-child").first.tap()
    page.wait_for_url("**/xa/xa-gia-cat-cao-loc/*")
    page.watch.assert_clean()


# --- merged communes --------------------------------------------------------------------

def test_merged_commune_leads_to_todays_unit(desktop):
    page = desktop.open("xa/xa-gia-cat-cao-loc/")
    notice = page.locator(".admonition.warning")
    assert "Đơn vị này không còn" in notice.inner_text()
    assert "30/06/2025" in notice.inner_text()
    notice.get_by_role("link", name="Phường Kỳ Lừa").click()
    page.wait_for_url("**/xa/phuong-ky-lua-2025/")
    assert h1(page) == "Phường Kỳ Lừa"
    # Today's unit lists where it came from, Gia Cát among them, and leads back.
    page.locator("article").get_by_role("link", name=re.compile(r"^Xã Gia Cát")).first.click()
    page.wait_for_url("**/xa/xa-gia-cat-cao-loc/")
    page.go_back()
    page.wait_for_url("**/xa/phuong-ky-lua-2025/")
    page.go_back()
    page.wait_for_url("**/xa/xa-gia-cat-cao-loc/")
    page.watch.assert_clean()


def test_merged_commune_without_known_destination_says_so(desktop):
    page = desktop.open("xa/xa-xuan-mai-van-quan/")
    notice = page.locator(".admonition.warning").inner_text()
    assert "Đơn vị này không còn" in notice
    assert "Không nguồn nào đã đọc cho biết" in notice and "không có số liệu công bố" in notice
    assert page.locator(".admonition.warning a").count() == 0  # no made-up destination


def test_commune_split_between_two_units_links_both(desktop):
    page = desktop.open("xa/xa-kien-moc-dinh-lap/")
    links = page.locator(".admonition.warning a")
    assert {links.nth(i).get_attribute("href") for i in range(links.count())} == {
        "../xa-kien-moc-2025/", "../xa-chau-son-2025/"}


# --- browsing and coming back -------------------------------------------------------------

def test_browse_province_district_commune_criterion_document_and_back(desktop):
    page = desktop.open("")
    article = page.locator("article")
    nav = page.locator(".md-sidebar--primary")
    visited = []

    def go(click, expect_path, expect_title):
        click()
        page.wait_for_url(desktop.base_url + expect_path + "*")
        assert expect_title.lower() in h1(page).lower()
        visited.append((expect_path, h1(page)))

    visited.append(("", h1(page)))
    go(lambda: article.get_by_role("link", name="Tiến độ toàn tỉnh", exact=True).click(),
       "tien-do/", "Tiến độ")
    go(lambda: nav.get_by_role("link", name="Huyện, thành phố", exact=True).click(),
       "huyen/", "huyện")
    go(lambda: article.get_by_role("link", name="Huyện Đình Lập", exact=True).first.click(),
       "huyen/huyen-dinh-lap/", "Huyện Đình Lập")
    go(lambda: article.locator("a[href$='xa-kien-moc-dinh-lap/']").first.click(),
       "xa/xa-kien-moc-dinh-lap/", "Xã Kiên Mộc")
    go(lambda: nav.get_by_role("link", name="Tiêu chí", exact=True).click(),
       "tieu-chi/", "tiêu chí")
    go(lambda: article.get_by_role("link", name="Tiêu chí 2", exact=True).click(),
       "tieu-chi/02/", "Tiêu chí 2")
    go(lambda: nav.get_by_role("link", name="Văn bản chính sách", exact=True).click(),
       "van-ban/", "Văn bản")
    # The criteria set in force 2016-2020 is in the index, with a link to its own row.
    row = page.locator("tr", has=page.locator("#qd-1980-qd-ttg-2016"))
    assert "Bộ tiêu chí quốc gia về xã nông thôn mới" in row.inner_text()
    # A link to a document (#its-id) shows its row, below the header bar, not under it.
    page.goto(desktop.base_url + "van-ban/#qd-1980-qd-ttg-2016")
    page.wait_for_function("""() => {
        const row = document.getElementById('qd-1980-qd-ttg-2016').closest('tr').getBoundingClientRect();
        const header = document.querySelector('.md-header').getBoundingClientRect();
        return row.top >= header.bottom - 1 && row.top < innerHeight;
      }""")
    assert row.is_visible()
    page.go_back()  # the #anchor
    for path, title in reversed(visited[:-1]):
        page.go_back()
        page.wait_for_url(desktop.base_url + path + "*")
        assert h1(page) == title
    page.watch.assert_clean()


# --- charts ------------------------------------------------------------------------------

CHART_PAGES = ["", "tieu-chi/02/", "tien-do/tieu-chi/"]


@pytest.mark.parametrize("path", CHART_PAGES, ids=["home", "criterion", "province"])
def test_charts_are_visible_with_description_and_table(browsing, path):
    page = browsing.open(path)
    charts = page.locator("article img[src*='/charts/'][src$='.svg']")
    count = charts.count()
    assert count >= 1
    width = page.viewport_size["width"]
    for i in range(count):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
        box = chart.bounding_box()
        assert box["width"] > 100 and box["height"] > 50, (i, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (i, box)  # fits the screen
        alt = chart.get_attribute("alt")
        assert len(alt) > 40, alt
        # The description follows the chart (after its legend) as text, then the table in a
        # box, then its CSV.
        after = chart.locator("xpath=ancestor::p[1]/following-sibling::p[position() <= 3]").all_inner_texts()
        assert any(p.startswith(alt[:30]) for p in after), (alt, after)
        details = chart.locator("xpath=ancestor::p[1]/following-sibling::details[1]")
        summary = details.locator("summary")
        assert summary.inner_text().startswith("Bảng số liệu")
        table = details.locator("table")
        if i < 3 or i == count - 1:  # open a few: each opens the same way
            assert not table.is_visible()
            summary.click()
            table.wait_for(state="visible")
            assert table.locator("thead th").count() >= 2
            assert table.locator("tbody tr").count() >= 1
            summary.click()
        csv_link = details.locator("xpath=following-sibling::p[1]/a").first
        assert csv_link.get_attribute("href") == chart.get_attribute("src")[:-4] + ".csv"
    page.watch.assert_clean()


def test_no_chart_needs_javascript(desktop, site_dir):
    """Charts are static SVG images: with JavaScript off they are all there."""
    context = desktop.context.browser.new_context(java_script_enabled=False, base_url=desktop.base_url)
    try:
        page = context.new_page()
        page.goto(desktop.base_url + "tieu-chi/02/")
        chart = page.locator("article img[src$='tieu-chi-02.svg']")
        chart.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
        assert chart.bounding_box()["width"] > 100
    finally:
        context.close()
    scripts = {p.name for p in site_dir.rglob("*.js")}
    assert not [s for s in scripts if CHART_LIBRARY.search(s)], scripts


# --- honour rolls and the document index ---------------------------------------------------

def table_rows(table) -> list[list[str]]:
    return table.evaluate("t => [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.innerText.trim()))")


def table_header(table) -> list[str]:
    return table.evaluate("t => [...t.tHead.rows[0].cells].map(c => c.innerText.trim())")


@pytest.mark.parametrize("path,resource,columns", [
    ("vinh-danh/nha-tai-tro/", "donors", ["Tên", "Loại", "Ủng hộ", "Nguồn"]),
    ("vinh-danh/hien-dat/", "land_donors", ["Người hiến", "Xã, huyện", "Diện tích (như báo cáo)", "Nguồn"]),
], ids=["donors", "land-donors"])
def test_honour_roll_reads_as_built(browsing, path, resource, columns):
    """Every named person or organisation is in the table, in Vietnamese alphabetical order (as
    built), with its source; on a phone each row is a card that fits the screen."""
    page = browsing.open(path)
    table = page.locator("article table").first
    header = table_header(table)
    for column in columns:
        assert column in header, header
    rows = table_rows(table)
    names = [row[0] for row in rows]
    expected = [r["name"] for r in read_rows(REAL_PACKAGE, resource)]
    assert sorted(names) == sorted(expected)
    assert names == sorted(names, key=sort_key)
    source = header.index("Nguồn")
    assert all(row[source] for row in rows), "a row without its source"
    # Every link in the table leads to a page of the site (commune, district, source).
    hrefs = table.evaluate("t => [...t.querySelectorAll('a')].map(a => a.href)")
    assert hrefs and all(h.startswith(browsing.base_url) for h in hrefs)
    if browsing.name == "phone":
        # Each row is a card (extra.css): every cell, the last column too, is on screen
        # without scrolling sideways, after its column's name.
        box = table.locator("xpath=ancestor::div[contains(@class, 'md-typeset__scrollwrap')][1]")
        assert not box.evaluate("b => b.scrollWidth > b.clientWidth")
        last = table.locator("tbody tr").first.locator("td").last
        cell = last.bounding_box()
        assert cell["x"] >= 0 and cell["x"] + cell["width"] <= page.viewport_size["width"]
        assert last.get_attribute("data-label") == header[-1]
        assert page.evaluate("window.scrollX") == 0
    page.watch.assert_clean()


def test_document_index_reads_as_built(desktop):
    """Every policy document once, grouped by kind, in order of year within a kind, each row
    with its number, issuer and where a report cites it; its own anchor to link to."""
    page = desktop.open("van-ban/")
    documents = read_rows(REAL_PACKAGE, "documents")
    tables = page.locator("article table")
    seen = []
    for i in range(tables.count()):
        table = tables.nth(i)
        header = table_header(table)
        assert header == ["Văn bản", "Trích yếu", "Trích dẫn tại"], header
        rows = table_rows(table)   # "<number>, ngày dd/mm/yyyy (or năm yyyy), <issuer>"
        years = [int(m.group(1)) for r in rows
                 if (m := re.search(r", (?:ngày \d{2}/\d{2}/|năm )(\d{4})", r[0]))]
        assert years == sorted(years), years
        seen += table.evaluate("t => [...t.tBodies[0].rows].map(r => r.querySelector('a[id]').id)")
    assert sorted(seen) == sorted(d["id"] for d in documents)
    kinds = page.locator("article h2").all_inner_texts()
    assert len(kinds) == tables.count()


# --- downloads ---------------------------------------------------------------------------

EXPECTED_TYPES = {
    ".zip": "application/zip",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".sqlite": "application/vnd.sqlite3",
}


def check_file(suffix: str, body: bytes) -> None:
    """The file is what its name says: a zip with the data package, a CSV with a header, an
    SQLite database with tables, an XLSX workbook."""
    if suffix == ".zip":
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        assert any(n.endswith("datapackage.json") for n in names), names
        assert sum(n.endswith(".csv") for n in names) >= 10, names
    elif suffix == ".csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        assert len(rows) >= 2 and len(rows[0]) >= 2 and all(rows[0]), rows[:2]
    elif suffix == ".sqlite":
        assert body.startswith(b"SQLite format 3\x00")
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "x.sqlite"
            db.write_bytes(body)
            con = sqlite3.connect(db)
            try:
                tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
            finally:
                con.close()
        assert "communes" in tables, tables
    elif suffix == ".xlsx":
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        assert "[Content_Types].xml" in names and any(n.startswith("xl/worksheets/") for n in names)


def test_download_links_return_the_files(desktop, site_dir):
    page = desktop.open("du-lieu/")
    links = page.locator("article a[href]")
    hrefs = {}
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        suffix = Path(href.split("#")[0].split("?")[0]).suffix
        if suffix in EXPECTED_TYPES and "://" not in href:
            hrefs.setdefault(href, suffix)
    suffixes = set(hrefs.values())
    assert {".zip", ".csv"} <= suffixes, hrefs  # SQLite and XLSX are checked when linked
    for table in json_resources():
        assert f"{table}.csv" in hrefs, f"no download link for {table}.csv"
    for href, suffix in hrefs.items():
        response = page.request.get(desktop.base_url + "du-lieu/" + href)
        assert response.status == 200, href
        content_type = response.headers["content-type"].split(";")[0].strip()
        assert content_type == EXPECTED_TYPES[suffix], (href, content_type)
        body = response.body()
        assert body == (site_dir / "du-lieu" / href).read_bytes()
        check_file(suffix, body)
    # Clicking the package link downloads it (the browser saves it rather than showing it).
    zip_link = page.locator("article a[href$='.zip']").first
    with page.expect_download() as info:
        zip_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    check_file(".zip", Path(download.path()).read_bytes())
    page.watch.assert_clean()


def json_resources() -> list[str]:
    import json

    return [r["name"] for r in json.loads((REAL_PACKAGE / "datapackage.json").read_text(encoding="utf-8"))["resources"]]
