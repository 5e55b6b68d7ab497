"""The province progress is split into topic pages behind a short overview (issue 15)."""
from __future__ import annotations

import re
from html import unescape

from site_builder import routes
from site_builder.pages import province


def test_history_knows_every_province_page():
    # history.py marks these pages as changed when a province table changes
    assert tuple(province.PAGES) == routes.PROVINCE_PAGES


def test_indicators_are_sorted_into_themes():
    assert province.theme_of("road_new_km") == "giao-thong-thuy-loi.md"
    assert province.theme_of("poverty_rate") == "kinh-te-giam-ngheo.md"
    assert province.theme_of("forest_cover") == "moi-truong.md"
    assert province.theme_of("militia_members") == "to-chuc-an-ninh.md"


def headings(html: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", "").strip()
            for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, re.S)]


def test_topic_pages_have_unique_capitalised_headings(real_site):
    for name in province.PAGES:
        path = real_site / "tien-do" / name.replace(".md", "").replace("index", "") / "index.html"
        found = headings(path.read_text(encoding="utf-8"))
        assert found, path
        assert len(found) == len(set(found)), f"{path}: repeated heading"
        assert all(h[:1] == h[:1].upper() for h in found), found
    overview = (real_site / "tien-do" / "index.html").read_text(encoding="utf-8")
    assert "Hội nghị trực tuyến năm 2020" in overview or "kết luận Hội nghị trực tuyến năm 2020" in overview
    plans = (real_site / "tien-do" / "ke-hoach" / "index.html").read_text(encoding="utf-8")
    assert "Hội nghị trực tuyến năm 2020" in plans and 'id="tb2020-' in plans


def test_each_indicator_row_has_an_anchor(real_site):
    from conftest import REAL_PACKAGE, read_rows

    pages = "".join((real_site / "tien-do" / t[0][:-3] / "index.html").read_text(encoding="utf-8")
                    for t in province.THEMES)
    missing = [r["id"] for r in read_rows(REAL_PACKAGE, "indicators") if f'id="{r["id"]}"' not in pages]
    assert not missing


def test_search_index_is_light_and_leaves_tables_to_the_finder(real_site):
    index = real_site / "search" / "search_index.json"
    assert index.stat().st_size <= 600_000  # was 1,8 MB, loaded on every first visit
    text = index.read_text(encoding="utf-8")
    assert "\\u1ea1" not in text and "ạ" in text  # plain UTF-8, not \uXXXX escapes
    # A donor's name sits in a table: Material's search leaves it to the finder...
    assert "Công ty TNHH Bảo Long" not in text
    import json
    finder = json.loads((real_site / "assets" / "finder.json").read_text(encoding="utf-8"))
    assert any(e["n"] == "Công ty TNHH Bảo Long" and e["u"].endswith("#bc2018-don-001") for e in finder)
    # ...and heading anchors keep đ as d
    assert 'id="tu-dien-du-lieu"' in (real_site / "du-lieu" / "index.html").read_text(encoding="utf-8")


def test_publisher_and_report_link_come_from_one_setting(real_site, tmp_path):
    """Staff set extra.publisher in mkdocs.yml; every page shows the contact, and commune,
    district and honour pages get "Báo sai sót" carrying the page's address."""
    import subprocess
    import sys

    import yaml

    from site_builder.build import ROOT, mkdocs_config

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["extra"]["publisher"].update(name="Văn phòng thử nghiệm", email="loi@example.org")
    config["theme"]["custom_dir"] = str(ROOT / "overrides")
    base = tmp_path / "base.yml"
    base.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    docs = real_site.parent / "build" / "docs"
    out = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                    str(mkdocs_config(tmp_path, docs, out, base=base))], check=True)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Đơn vị xuất bản: Văn phòng thử nghiệm" in home and "mailto:loi@example.org" in home
    assert "Báo sai sót" not in home
    for path in ("xa/xa-kien-moc-dinh-lap", "huyen/huyen-dinh-lap", "vinh-danh/nha-tai-tro"):
        html = (out / path / "index.html").read_text(encoding="utf-8")
        link = re.search(r'<a href="(mailto:loi@example.org[^"]*)" data-report>Báo sai sót', html)
        assert link and f"/{path}/" in unescape(link.group(1)), path


def test_without_a_contact_error_reports_go_to_the_repository_issues(real_site, tmp_path, monkeypatch):
    """Before staff set a contact, the deployed site (REPO_URL set by the workflow) still offers
    "Báo sai sót" on commune pages: a new issue in the repository, with the page's address."""
    import subprocess
    import sys

    from site_builder.build import mkdocs_config

    monkeypatch.setenv("REPO_URL", "https://github.com/example/ntm")
    monkeypatch.setenv("SITE_URL", "https://example.github.io/ntm/")
    docs = real_site.parent / "build" / "docs"
    out = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                    str(mkdocs_config(tmp_path, docs, out))], check=True)
    html = (out / "xa" / "xa-kien-moc-dinh-lap" / "index.html").read_text(encoding="utf-8")
    link = re.search(r'<a href="([^"]*)" data-report>Báo sai sót', html)
    assert link and unescape(link.group(1)).startswith("https://github.com/example/ntm/issues/new?title=")
    assert "https%3A//example.github.io/ntm/xa/xa-kien-moc-dinh-lap/" in unescape(link.group(1))


def test_data_check_page_reports_in_vietnamese_with_notes(real_site):
    html = (real_site / "kiem-tra" / "index.html").read_text(encoding="utf-8")
    from conftest import REAL_PACKAGE
    from site_builder.validate import validate_package

    report = validate_package(REAL_PACKAGE)
    assert f"0 lỗi, {len(report.warnings)} cảnh báo" in html
    for p in report.warnings:  # each warning links to the note that explains it
        assert re.search(rf'sai-lech/[a-z-]+/#{p.note_id}"', html), p.note_id
    assert "WARNING" not in html and "known disagreement" not in html


def test_funding_parts_sit_under_their_own_total_only():
    from conftest import REAL_PACKAGE
    from site_builder.model import build_model

    model = build_model(REAL_PACKAGE)
    for total, parts in province.funding_groups(model):
        for breakdown, rows in parts.items():
            parent_at_depth = {}
            for row, depth in rows:
                # a row at depth d follows its parent, the last row at depth d-1
                if depth:
                    assert row["parent_id"] == parent_at_depth[depth - 1], (total["id"], row["id"])
                else:
                    assert row["parent_id"] == total["id"] and row["breakdown"] == breakdown
                parent_at_depth[depth] = row["id"]


def test_notes_pad_dates_in_their_own_words_but_keep_quotes():
    from site_builder.pages.notes import padded_dates

    assert padded_dates("từ 01/7/2025, ghi “7/1/2020”") == "từ 01/07/2025, ghi “7/1/2020”"
