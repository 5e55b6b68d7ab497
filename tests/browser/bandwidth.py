"""Low-bandwidth benchmark: what each page type costs a phone on a slow connection.

    .venv/bin/python tests/browser/bandwidth.py            # builds the site into a temp folder
    .venv/bin/python tests/browser/bandwidth.py --site site  # or measures an existing build

Not a timed test: it counts bytes and requests, in headless Chromium at phone size, with the
site served the way a typical static host serves it (gzip for text, `Cache-Control:
max-age=600`, like GitHub Pages). For every page type it prints:

- first visit: bytes over the network (compressed, headers included) and requests, empty cache;
- second page: the same page opened after another page of the site (home; for home, the about
  page), so the shared assets (CSS, JavaScript, search index, finder) are already cached;
- the page's own HTML (gzip) and the scripts it loads;

then the size of the search index (raw and gzip) and the budgets:

- a commune page costs at most 100 KB beyond the cached shared assets;
- no chart JavaScript: charts are SVG images, and a page with charts loads no script that a
  page without charts does not;
- the search index is at most 1 MB gzip.

Exit status 1 when a budget is exceeded. tests/browser/test_bandwidth.py checks the same budgets.
"""
from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

if __package__:
    from .server import serve
else:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from server import serve  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = dict(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="vi-VN")

PAGE_TYPES = {
    "home": "", "province": "tien-do/", "province-topic": "tien-do/nguon-von/", "district-index": "huyen/",
    "district": "huyen/huyen-dinh-lap/", "commune-index": "xa/",
    "commune": "xa/xa-kien-moc-dinh-lap/", "merged-commune": "xa/xa-gia-cat-cao-loc/",
    "criteria-index": "tieu-chi/", "criterion": "tieu-chi/02/", "honour-index": "vinh-danh/",
    "honour-donors": "vinh-danh/nha-tai-tro/", "honour-land": "vinh-danh/hien-dat/",
    "documents": "van-ban/", "sources": "nguon/", "disagreements": "sai-lech/",
    "data": "du-lieu/", "about": "gioi-thieu/",
}
SEARCH_INDEX = "search/search_index.json"

# File names of chart libraries (Vega/Altair, Chart.js, Plotly, D3, ECharts, Highcharts).
CHART_LIBRARY = re.compile(r"vega|altair|chart\.?js|plotly|echarts|highcharts|(^|[^a-z0-9])d3([^a-z0-9]|$)", re.I)

BUDGET_COMMUNE_WARM = 100 * 1024
BUDGET_SEARCH_INDEX_GZIP = 1024 * 1024


@dataclass
class Visit:
    """One page load: every request the page made, with the bytes it cost on the network
    (0 when it came from the cache)."""
    path: str
    requests: list[tuple[str, str, int]] = field(default_factory=list)  # url, resource type, bytes

    @property
    def bytes(self) -> int:
        return sum(n for _, _, n in self.requests)

    @property
    def network_requests(self) -> int:
        return sum(1 for _, _, n in self.requests if n)

    @property
    def document_bytes(self) -> int:
        return sum(n for _, kind, n in self.requests if kind == "document")

    @property
    def scripts(self) -> list[str]:
        return sorted({url.split("?")[0] for url, kind, _ in self.requests if kind == "script"})


@dataclass
class Result:
    page_type: str
    path: str
    first: Visit
    warm: Visit


def _visit(page, base_url: str, path: str) -> Visit:
    visit = Visit(path)

    def finished(request):
        try:
            sizes = request.sizes()
            n = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        except Exception:  # noqa: BLE001 - a request without sizes cost nothing measurable
            n = 0
        visit.requests.append((request.url.removeprefix(base_url), request.resource_type, max(n, 0)))

    page.on("requestfinished", finished)
    try:
        with page.expect_event("requestfinished", timeout=60_000,
                               predicate=lambda r: r.url.endswith(SEARCH_INDEX)):
            page.goto(base_url + path, wait_until="load")
        page.wait_for_load_state("networkidle")
    finally:
        page.remove_listener("requestfinished", finished)
    return visit


def measure(browser, base_url: str, page_types: dict[str, str] = PAGE_TYPES) -> list[Result]:
    results = []
    for name, path in page_types.items():
        context = browser.new_context(**PHONE)
        try:
            first = _visit(context.new_page(), base_url, path)
        finally:
            context.close()
        context = browser.new_context(**PHONE)
        try:
            page = context.new_page()
            _visit(page, base_url, "gioi-thieu/" if path == "" else "")  # warms the cache
            warm = _visit(page, base_url, path)
        finally:
            context.close()
        results.append(Result(name, path, first, warm))
    return results


def search_index_sizes(site_dir: Path) -> tuple[int, int]:
    raw = (site_dir / SEARCH_INDEX).read_bytes()
    return len(raw), len(gzip.compress(raw, compresslevel=6, mtime=0))


def budget_problems(results: list[Result], index_sizes: tuple[int, int]) -> list[str]:
    problems = []
    for r in results:
        if r.page_type in ("commune", "merged-commune") and r.warm.bytes > BUDGET_COMMUNE_WARM:
            problems.append(f"{r.page_type} page costs {kb(r.warm.bytes)} beyond the cached shared "
                            f"assets (budget {kb(BUDGET_COMMUNE_WARM)})")
    plain = {s for r in results if r.page_type in ("about", "commune", "sources") for s in r.first.scripts}
    for r in results:
        extra = [s for s in r.first.scripts if s not in plain]
        if extra:
            problems.append(f"{r.page_type} loads scripts that pages without charts do not: {extra}")
        chart_js = [s for s in r.first.scripts if CHART_LIBRARY.search(s.rsplit("/", 1)[-1])]
        if chart_js:
            problems.append(f"{r.page_type} loads chart JavaScript: {chart_js}")
    if index_sizes[1] > BUDGET_SEARCH_INDEX_GZIP:
        problems.append(f"search index is {kb(index_sizes[1])} gzip (budget {kb(BUDGET_SEARCH_INDEX_GZIP)})")
    return problems


def kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB"


def format_report(results: list[Result], index_sizes: tuple[int, int]) -> str:
    header = ["page type", "URL", "first visit", "requests", "2nd page (warm)", "requests", "HTML (gzip)", "scripts"]
    rows = [header]
    for r in results:
        rows.append([r.page_type, "/" + r.path, kb(r.first.bytes), str(len(r.first.requests)),
                     kb(r.warm.bytes), f"{r.warm.network_requests} of {len(r.warm.requests)}",
                     kb(r.warm.document_bytes), str(len(r.first.scripts))])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("| " + " | ".join(cells) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    raw, gz = index_sizes
    scripts = sorted({s for r in results for s in r.first.scripts})
    lines += ["",
              "first visit: empty cache; 2nd page: after another page of the site (requests: over the",
              "network of all made, the rest from the cache). Bytes as transferred: gzip, headers included.",
              "",
              f"search index ({SEARCH_INDEX}): {kb(raw)} raw, {kb(gz)} gzip "
              "(loaded once, in the background, then cached)",
              "scripts on any page: " + ", ".join(scripts)]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site folder (default: build one into a temp folder)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ntm-bandwidth-") as tmp:
        site_dir = args.site
        if site_dir is None:
            sys.path.insert(0, str(ROOT))
            from site_builder.build import build_site

            print("building the site…", file=sys.stderr, flush=True)
            site_dir = build_site(ROOT / "datapackage", Path(tmp) / "site", work_dir=Path(tmp) / "build")
        with serve(site_dir, gzip=True, cache_seconds=600) as base_url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                results = measure(browser, base_url)
            finally:
                browser.close()
        index_sizes = search_index_sizes(site_dir)
    print(format_report(results, index_sizes))
    problems = budget_problems(results, index_sizes)
    print()
    if problems:
        print("OVER BUDGET:\n" + "\n".join("- " + p for p in problems))
        return 1
    print(f"budgets met: commune page ≤ {kb(BUDGET_COMMUNE_WARM)} beyond cached shared assets; "
          f"no chart JavaScript; search index ≤ {kb(BUDGET_SEARCH_INDEX_GZIP)} gzip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
