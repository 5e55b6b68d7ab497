"""Browser tests: the real site (built once a session by `real_site` in tests/conftest.py) served
on 127.0.0.1 by a threaded http.server and opened in Debian's headless Chromium through
Playwright. `make test` runs tests/browser/install-browser.sh first (Chromium, axe-core)."""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .server import serve

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# One page of every type (URL under the site root).
PAGE_TYPES = {
    "home": "",
    "province": "tien-do/",
    "province-topic": "tien-do/nguon-von/",
    "district-index": "huyen/",
    "district": "huyen/huyen-dinh-lap/",
    "commune-index": "xa/",
    "commune": "xa/xa-kien-moc-dinh-lap/",
    "merged-commune": "xa/xa-gia-cat-cao-loc/",
    "criteria-index": "tieu-chi/",
    "criterion": "tieu-chi/02/",
    "honour-index": "vinh-danh/",
    "honour-donors": "vinh-danh/nha-tai-tro/",
    "honour-land": "vinh-danh/hien-dat/",
    "documents": "van-ban/",
    "sources": "nguon/",
    "disagreements": "sai-lech/",
    "data": "du-lieu/",
    "about": "gioi-thieu/",
}
# Page types that only exist in some versions of the site: tested when built.
OPTIONAL_PAGE_TYPES = {"changes": "thay-doi/"}

PHONE = dict(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="vi-VN",
             user_agent="Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/120.0.0.0 Mobile Safari/537.36")
DESKTOP = dict(viewport={"width": 1280, "height": 900}, locale="vi-VN")
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


def all_page_types(site: Path) -> dict[str, str]:
    types = dict(PAGE_TYPES)
    types.update({k: v for k, v in OPTIONAL_PAGE_TYPES.items() if (site / v / "index.html").is_file()})
    return types


def pytest_configure(config):
    config.addinivalue_line("markers", "viewports(*names): run only at these viewports (phone, desktop)")
    # Screenshots of an earlier run would mislead a reviewer: start clean.
    if SCREENSHOTS.is_dir() and not hasattr(config, "workerinput"):
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)


def pytest_generate_tests(metafunc):
    # `page_type` × `viewport`: every page type (optional ones skip when not built) at every
    # viewport, or those of a `viewports` mark. With the module-scoped `loaded` page, pytest
    # groups the tests by page, so each page is opened once per module.
    scope = "module" if "loaded" in metafunc.fixturenames else "function"
    if "page_type" in metafunc.fixturenames:
        metafunc.parametrize("page_type", list(PAGE_TYPES) + list(OPTIONAL_PAGE_TYPES), scope=scope)
    if "viewport" in metafunc.fixturenames:
        mark = metafunc.definition.get_closest_marker("viewports")
        metafunc.parametrize("viewport", list(mark.args) if mark else list(VIEWPORTS), scope=scope)


@pytest.fixture(scope="session")
def site_dir(real_site) -> Path:
    return real_site


@pytest.fixture(scope="session")
def base_url(site_dir):
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="module")
def page_path(page_type, site_dir) -> str:
    types = all_page_types(site_dir)
    if page_type not in types:
        pytest.skip(f"this build has no {page_type} page ({OPTIONAL_PAGE_TYPES[page_type]})")
    return types[page_type]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (or bash tests/browser/install-browser.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core not found at {AXE}: run `make test` (or bash tests/browser/install-browser.sh)")
    return AXE.read_text(encoding="utf-8")


@dataclass
class Watch:
    """What went wrong while a page was open: console errors, uncaught exceptions, failed
    requests (network errors and HTTP >= 400), and any request to another host (blocked)."""
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", lambda m: self.console_errors.append(f"{m.text} ({m.location.get('url')})")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(f"uncaught: {e}"))
        # net::ERR_ABORTED is a load the browser itself cancelled: the page was left while the
        # search index was still loading, or a file went to the downloads instead of the tab.
        page.on("requestfailed", lambda r: None if r.url in self.external or r.failure == "net::ERR_ABORTED"
                else self.failed.append(f"{r.url}: {r.failure}"))
        page.on("response", lambda r: self.failed.append(f"{r.url}: HTTP {r.status}")
                if r.status >= 400 else None)

    def problems(self) -> list[str]:
        return ([f"console error: {e}" for e in self.console_errors]
                + [f"failed request: {e}" for e in self.failed]
                + [f"request to another host: {e}" for e in self.external])

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems)


def _new_context(browser, base_url, options, watch_holder):
    context = browser.new_context(base_url=base_url, **options)

    def route(route):
        url = route.request.url
        if url.startswith(base_url) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            for watch in watch_holder:
                watch.external.append(url)
            route.abort()

    context.route("**/*", route)
    return context


class Browsing:
    """A browser context (phone or desktop) whose pages are watched for problems."""

    def __init__(self, browser, base_url, name):
        self.base_url = base_url
        self.name = name
        self.watches: list[Watch] = []
        self.context = _new_context(browser, base_url, VIEWPORTS[name], self.watches)
        self.context.set_default_timeout(30_000)

    def open(self, path: str = "", wait: bool = True):
        """A new tab showing `path`, fully loaded (the load event, then no network for 0.5 s)."""
        page = self.context.new_page()
        watch = Watch(self.base_url)
        watch.attach(page)
        self.watches.append(watch)
        page.watch = watch
        if path is not None:
            page.goto(self.base_url + path, wait_until="load")
            if wait:
                page.wait_for_load_state("networkidle")
        return page

    def close(self):
        self.context.close()


@pytest.fixture
def desktop(browser, base_url):
    b = Browsing(browser, base_url, "desktop")
    yield b
    b.close()


@pytest.fixture
def phone(browser, base_url):
    b = Browsing(browser, base_url, "phone")
    yield b
    b.close()


@pytest.fixture
def browsing(viewport, browser, base_url):
    b = Browsing(browser, base_url, viewport)
    yield b
    b.close()


@pytest.fixture(scope="module")
def loaded(viewport, page_path, browser, base_url):
    """The page of `page_type` at `viewport`, loaded once for the tests of a module, with every
    chart fetched (they load lazily, as the reader scrolls; here all of them, so they are checked)."""
    b = Browsing(browser, base_url, viewport)
    try:
        page = b.open(page_path)
        assert page.url == base_url + page_path
        page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("[...document.images].every(i => i.complete)")
        page.evaluate("window.scrollTo(0, 0)")
        yield page
    finally:
        b.close()


SCREENSHOT_MAX_HEIGHT = 10_000  # CSS px; the province page is ~250 000 px tall on a phone


def screenshot(page, name: str) -> Path:
    """The whole page (its first 10 000 px when longer) as test-output/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    width, height = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollHeight]")
    page.screenshot(path=str(path), full_page=True, timeout=120_000,
                    clip={"x": 0, "y": 0, "width": width, "height": min(height, SCREENSHOT_MAX_HEIGHT)})
    return path


def run_axe(page, axe_source: str, rules: dict | None = None, only: list[str] | None = None) -> list[dict]:
    """axe-core's violations on the loaded page (its default rules: WCAG 2.x A/AA and best
    practices); `rules` switches rules on or off, `only` runs just those rules."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    options = {"resultTypes": ["violations"]}
    if rules:
        options["rules"] = rules
    if only:
        options["runOnly"] = {"type": "rule", "values": only}
    return page.evaluate(
        """async (options) => {
             const r = await axe.run(document, options);
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
           }""", options)


def format_violations(violations: list[dict]) -> str:
    out = []
    for v in violations:
        out.append(f"{v['id']} ({v['impact']}): {v['help']}")
        out.extend(f"    {n}" for n in v["nodes"][:5])
        if len(v["nodes"]) > 5:
            out.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(out)
