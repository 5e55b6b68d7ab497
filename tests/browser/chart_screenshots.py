"""Screenshots at 360 px of the charts issue 13 is about (home, poverty, funding, one criterion),
for a before/after comparison: `python -m tests.browser.chart_screenshots SITE_DIR LABEL`.
Serves SITE_DIR with `python -m http.server` on a free loopback port and opens each page in
headless Chromium (Playwright) with a phone viewport, scrolled to the chart; writes
test-output/charts-360/<LABEL>-<name>.png."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, ROOT

# name -> (page, chart SVG file stem)
SHOTS = {
    "home": ("", "xa-dat-chuan-ntm"),
    "poverty": ("tien-do/", "chi-tieu-poverty-rate"),
    "funding": ("tien-do/", "von-bc2020-tu-fund-001"),
    "criterion": ("tieu-chi/02/", "tieu-chi-02"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(site: Path, label: str) -> None:
    out = ROOT / "test-output" / "charts-360"
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(site)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(**PHONE)
            for name, (path, stem) in SHOTS.items():
                page.goto(f"http://127.0.0.1:{port}/{path}")
                img = page.locator(f"img[src*='{stem}.svg']").first
                if not img.count():
                    print(f"{label}-{name}: no chart {stem} on /{path}")
                    continue
                img.scroll_into_view_if_needed()
                page.wait_for_timeout(300)
                # the chart and what is written just above it (title, source line)
                page.evaluate("(el) => window.scrollBy(0, el.getBoundingClientRect().top - 150)",
                              img.element_handle())
                page.wait_for_timeout(200)
                file = out / f"{label}-{name}.png"
                page.screenshot(path=str(file))
                print(file)
            browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), sys.argv[2])
