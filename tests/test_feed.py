"""The Atom feed (feedgenerator): the data's words are text for a feed reader, never markup, and
a build outside git (no release) still gives the same bytes every time (no clock)."""
from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from types import SimpleNamespace
from xml.etree import ElementTree

from site_builder.history import History, Release
from site_builder.pages.changes import atom

ATOM = "{http://www.w3.org/2005/Atom}"


def _site(releases):
    return SimpleNamespace(history=History(releases=releases) if releases is not None else None)


def _visible_text(html: str) -> tuple[str, list[str]]:
    """What a feed reader shows for an entry's HTML content, and the tags it would obey."""
    parser = HTMLParser(convert_charrefs=True)
    shown, tags = [], []
    parser.handle_data = shown.append
    parser.handle_starttag = lambda tag, attrs: tags.append(tag)
    parser.feed(html)
    parser.close()
    return "".join(shown), tags


def test_markup_in_the_data_is_shown_as_text_in_the_feed():
    hostile = "Sửa dự án <script>alert(1)</script> & <b>đậm</b>: 1 → 2"
    diff = SimpleNamespace(summary=lambda: "Sửa 1 dự án.", changes=[SimpleNamespace(sentence=hostile)])
    release = Release("a" * 40, "aaaaaaa", dt.date(2024, 3, 9), "message", diff)
    entry = ElementTree.fromstring(atom(_site([release]))).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "09/03/2024: Sửa 1 dự án."
    shown, tags = _visible_text(entry.findtext(f"{ATOM}content"))
    assert hostile in shown
    assert set(tags) <= {"br"}, tags  # only the line breaks between sentences are markup
    assert entry.find(f"{ATOM}link").get("href").startswith(("http://", "https://"))


def test_a_feed_without_releases_has_a_fixed_date():
    first = atom(_site(None))
    assert first == atom(_site([]))
    assert ElementTree.fromstring(first).findtext(f"{ATOM}updated") == "2020-01-01T00:00:00Z"
