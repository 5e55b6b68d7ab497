"""Every page type, in headless Chromium, on a phone (360×740 CSS px, touch) and on a desktop.

- It loads with no console error, no failed request and no request to another host; a
  screenshot is kept for review: test-output/screenshots/<page type>-<phone|desktop>.png.
- Accessibility: axe-core finds no serious or critical violation (colour contrast included;
  on the phone also WCAG 2.2 target size); the page says it is in Vietnamese; headings go down
  one level at a time; every image, charts above all, has a text alternative.
- Phone: the page never scrolls sideways (a wide table scrolls inside its own box, by finger or
  keyboard), and controls are big enough, and far enough apart, to tap.

Each page is loaded once per viewport; the checks below run on it in this order."""
from __future__ import annotations

import pytest

from .checks import CROWDED_TARGETS_JS, HEADINGS_JS, OVERFLOW_JS, heading_problems, main_controls_too_small
from .conftest import format_violations, run_axe, screenshot

phone_only = pytest.mark.viewports("phone")


def test_loads_cleanly(loaded, page_type, viewport):
    page = loaded
    assert page.locator("article h1").count() == 1
    assert page.locator("article h1").inner_text().strip()
    page.watch.assert_clean()
    screenshot(page, f"{page_type}-{viewport}")


def test_accessibility(loaded, viewport, axe_source):
    page = loaded
    assert page.evaluate("document.documentElement.lang") == "vi"

    problems = heading_problems(page.evaluate(HEADINGS_JS))
    assert not problems, "\n".join(problems)

    missing_alt = page.evaluate("""() => [...document.querySelectorAll('img')]
        .filter(i => !i.hasAttribute('alt') || (i.src.includes('/charts/') && i.alt.trim().length < 40))
        .map(i => i.src)""")
    assert not missing_alt, f"images without a (descriptive) text alternative: {missing_alt}"

    rules = {"target-size": {"enabled": viewport == "phone"}}  # WCAG 2.2 AA, off by default
    violations = [v for v in run_axe(page, axe_source, rules=rules)
                  if v["impact"] in ("serious", "critical")]
    assert not violations, "\n" + format_violations(violations)


@phone_only
def test_no_sideways_scrolling(loaded):
    result = loaded.evaluate(OVERFLOW_JS)
    assert result["scrollWidth"] <= result["W"], result
    assert result["bodyScrollWidth"] <= result["W"], result
    assert not result["out"], "sticks out of the screen:\n" + "\n".join(result["out"][:20])


@phone_only
def test_controls_are_big_enough_to_tap(loaded):
    crowded = loaded.evaluate(CROWDED_TARGETS_JS, False)
    assert not crowded, "small controls too close together:\n" + "\n".join(crowded[:20])
    small = main_controls_too_small(loaded)
    assert not small, "main controls under 40 px high:\n" + "\n".join(small)


@phone_only
def test_wide_tables_scroll_inside_their_box(loaded, page_type):
    page = loaded
    # Tables on show (not those inside a closed "Bảng số liệu" box) wider than the screen.
    wide = page.evaluate("""() => [...document.querySelectorAll('article table')]
      .map((t, i) => [i, t.getBoundingClientRect().width, document.documentElement.clientWidth,
                      t.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})])
      .filter(([i, w, W, shown]) => shown && w > W)""")
    if page_type in ("honour-donors", "documents", "data"):
        # many-column tables: wider than a phone, or shown as cards (extra.css, finder.js)
        assert wide or page.locator("article table[data-cards]").count(), \
            "expected tables wider than a phone, or cards, on this page"
    for index, *_ in wide[:5]:
        table = page.locator("article table").nth(index)
        box = table.locator("xpath=ancestor::div[contains(@class, 'md-typeset__scrollwrap')][1]")
        assert box.count() == 1, f"table {index} is wider than the screen and not in a scroll box"
        assert box.evaluate("b => b.getBoundingClientRect().right") <= page.viewport_size["width"] + 1
        # Keyboard users reach the box and scroll it with the arrow keys; the page stays put.
        assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")
        box.focus()
        before = box.evaluate("b => b.scrollLeft")
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("b => b.scrollLeft > %d" % before, arg=box.element_handle())
        assert page.evaluate("window.scrollX") == 0
        # ...and a finger: the box scrolls to its end, the page still does not move sideways.
        box.evaluate("b => b.scrollTo({left: b.scrollWidth})")
        assert box.evaluate("b => b.scrollLeft + b.clientWidth >= b.scrollWidth - 1")
        assert page.evaluate("window.scrollX") == 0


