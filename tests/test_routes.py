"""routes: every page path in one place, and the page registry from which the page generation
and each page's "last changed" date derive. A page that no table change reaches would silently
show the oldest release as its last change; a module left out of the registry would make no
page at all."""
from __future__ import annotations

import pkgutil
import re

import pytest
import yaml

from conftest import MINIMAL, ROOT, make_package, read_rows
from site_builder import pages, routes
from site_builder.build import make_site, mkdocs_config


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    return make_site(make_package(tmp_path_factory.mktemp("routes") / "pkg"))


def test_every_page_module_is_in_the_registry_once():
    modules = sorted(m.name for m in pkgutil.iter_modules(pages.__path__))
    assert sorted(t.module for t in routes.PAGE_TYPES) == modules


def test_every_generated_page_learns_when_its_data_last_changed(fixture_site):
    """Each page is named by `pages_of` for a change to some row of the package."""
    communes = fixture_site.model.communes
    touched = set()
    for path in sorted((MINIMAL / "data").glob("*.csv")):
        for row in read_rows(MINIMAL, path.stem):
            touched |= routes.pages_of(row, path.stem, communes)
    assert sorted(set(fixture_site.pages) - touched) == []


def test_pages_of_names_the_pages_of_a_commune_row(fixture_site):
    commune = next(c for c in fixture_site.model.communes.values() if c.get("district_id"))
    row = {"id": "x", "commune_id": commune["id"], "name": "Hộ A"}
    assert routes.pages_of(row, "households", fixture_site.model.communes) == {
        routes.commune(commune["id"]), routes.district(commune["district_id"]),
        routes.honour("households"), routes.HONOUR, routes.DATA, routes.CHANGES, routes.SOURCES,
        routes.VALIDATION}


def test_links_use_the_routes(fixture_site):
    page = routes.commune("xa-a")
    assert fixture_site.href(page, routes.source_anchor("bc2017")) == "../nguon.md#bc2017"
    assert fixture_site.href(routes.HOME, routes.criterion(3)) == "tieu-chi/03.md"
    assert routes.url(routes.commune("xa-a")) == "xa/xa-a/" and routes.url(routes.COMMUNES) == "xa/"


def test_the_nav_is_made_from_the_routes_and_names_every_menu_page(fixture_site, tmp_path):
    """The menu is routes.nav(), written into each build's mkdocs.yml (mkdocs.yml keeps none):
    every entry is a page the generator or content/ makes, and every province topic and honour
    page is in it (a page left out of the menu is reachable only by links)."""
    assert "nav" not in yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config = mkdocs_config(tmp_path, tmp_path / "docs", tmp_path / "site")
    nav = yaml.safe_load(config.read_text(encoding="utf-8"))["nav"]
    assert nav == routes.nav()
    listed = re.findall(r"[\w/.-]+\.md", yaml.safe_dump(nav))
    made = set(fixture_site.pages) | {p.relative_to(ROOT / "content").as_posix()
                                      for p in (ROOT / "content").rglob("*.md")}
    assert [p for p in listed if p not in made] == []
    assert len(listed) == len(set(listed))
    assert {routes.province(p) for p in routes.PROVINCE_PAGES} <= set(listed)
    assert set(routes.HONOUR_PAGES.values()) <= set(listed)
