"""Check a built site's internal links: every relative href/src must lead to a file of the
site, and every #anchor to an element id on that page. External links are not fetched."""
from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "img", "link", "script", "source"):
                self.refs.append(a[key])


def _target(site: Path, page: Path, ref: str) -> tuple[Path, str] | None:
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment
    base = page.parent.relative_to(site).as_posix()
    resolved = posixpath.normpath(posixpath.join(base, path)) if not path.startswith("/") else path.lstrip("/")
    target = site / resolved
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def check_links(site: Path) -> list[str]:
    site = Path(site)
    pages: dict[Path, _Page] = {}
    for html in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(html.read_text(encoding="utf-8"))
        pages[html] = parser
    broken = []
    for html, parser in pages.items():
        for ref in parser.refs:
            found = _target(site, html, ref)
            if found is None:
                continue
            target, fragment = found
            where = html.relative_to(site).as_posix()
            if not target.is_file():
                broken.append(f"{where}: link {ref!r} leads to no file")
            elif fragment and target in pages and fragment not in pages[target].ids \
                    and not re.fullmatch(r"__\w+", fragment):
                broken.append(f"{where}: link {ref!r}: no #{fragment} on that page")
    return broken
