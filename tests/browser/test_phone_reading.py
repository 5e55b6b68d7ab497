"""Reading and finding on a 360×740 phone (issue 15): no page is endlessly tall, and the finder
in the header reaches a named entry, a document by number and a donation in at most two taps."""
from __future__ import annotations

from pathlib import Path

import pytest

MAX_HEIGHT = 30_000  # CSS px at 360 px wide (the old province page was ~258 000 px)


def pages_to_measure(site: Path) -> list[str]:
    """Every page except the per-unit ones, plus the three largest commune and district pages
    (their layout is shared, so the largest HTML is the tallest candidate)."""
    out, units = [], []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        path = "" if rel == "." else rel + "/"
        if path.startswith(("xa/", "huyen/")) and path not in ("xa/", "huyen/"):
            units.append((html.stat().st_size, path))
        elif not path.startswith(("assets/", "search/")):
            out.append(path)
    return out + [p for _, p in sorted(units, reverse=True)[:3]]


def test_no_page_is_taller_than_30000_px_on_a_phone(phone, site_dir):
    heights = {}
    page = phone.open(None)
    for path in pages_to_measure(site_dir):
        page.goto(phone.base_url + path, wait_until="load")
        page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
        page.wait_for_function("[...document.images].every(i => i.complete)")
        heights[path] = page.evaluate("document.documentElement.scrollHeight")
    tallest = max(heights, key=heights.get)
    print(f"\ntallest page at 360 px: /{tallest} {heights[tallest]:,} px ({len(heights)} pages measured)")
    for p, h in sorted(heights.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  /{p}: {h:,} px")
    too_tall = {p: h for p, h in heights.items() if h > MAX_HEIGHT}
    assert not too_tall, too_tall
    assert len(heights) > 20  # the topic pages, honour rolls, documents... were all measured


FINDS = [
    # typed, text of the result to tap, where it leads (page#row)
    ("bao long", "Công ty TNHH Bảo Long", "vinh-danh/nha-tai-tro/#bc2018-don-001"),
    ("315/qd-ubnd", "315/QĐ-UBND", "van-ban/#qd-315-qd-ubnd-2017"),
    ("toa an nhan dan tinh", "Tòa án nhân dân tỉnh", "vinh-danh/nha-tai-tro/#bc2018-don-002"),
]


@pytest.mark.parametrize("query,label,target", FINDS, ids=[f[0] for f in FINDS])
def test_header_finder_reaches_the_row_in_one_tap(phone, query, label, target):
    # From a page other than the home page: the finder is in the header of every page.
    page = phone.open("tien-do/")
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    assert not any("finder.json" in u for u in requested)  # not loaded before it is used
    field = page.locator("#finder-input")
    field.tap()
    field.press_sequentially(query, delay=10)
    results = page.locator("#finder-results a")
    results.first.wait_for(state="visible")
    # The entity itself is the first result, visible on the first screen without scrolling.
    first = results.first
    assert label in first.inner_text(), [results.nth(i).inner_text() for i in range(min(5, results.count()))]
    box = first.bounding_box()
    assert box["y"] + box["height"] <= 740 and box["height"] >= 44
    first.tap()  # the only tap after typing
    path, anchor = target.split("#")
    page.wait_for_url("**/" + target)
    row = page.locator(f"#{anchor}").locator("xpath=ancestor::tr")
    assert label.split(":")[0] in row.inner_text()
    page.wait_for_function("""(id) => {
        const row = document.getElementById(id).closest('tr').getBoundingClientRect();
        const header = document.querySelector('.md-header').getBoundingClientRect();
        return row.top >= header.bottom - 1 && row.top < innerHeight;
      }""", arg=anchor)
    page.watch.assert_clean()
