"""Public pages speak Vietnamese (issue 15): no page but the change history shows an internal id
(`criteria_progress:bc2018-cp-001`, a source id like `bc2020-tu`), a `key=value`, a file name of
the project (`commune-facts.md`), or a column name."""
from __future__ import annotations

import re
from html import unescape

from conftest import REAL_PACKAGE, read_rows

SKIP = ("thay-doi", "search", "assets")


def article_text(html: str) -> str:
    m = re.search(r"<article[^>]*>(.*?)</article>", html, re.S)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", m.group(1) if m else "", flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def pages_showing(real_site, pattern: re.Pattern, skip=SKIP, most: int | None = None) -> dict:
    """{page: the distinct matches of pattern in its article text (the first `most`)}, for every
    built page but those under `skip`."""
    found = {}
    for html in sorted(real_site.rglob("index.html")):
        rel = html.parent.relative_to(real_site).as_posix()
        if rel.startswith(skip):
            continue
        hits = pattern.findall(article_text(html.read_text(encoding="utf-8")))
        if hits:
            found[rel] = sorted(set(hits))[:most]
    return found


def test_no_public_page_shows_internal_ids(real_site):
    tables = {p.stem for p in (REAL_PACKAGE / "data").glob("*.csv")}
    source_ids = [r["id"] for r in read_rows(REAL_PACKAGE, "sources") if "-" in r["id"] or r["id"][-1].isdigit()]
    internal = re.compile(
        r"(?<![\w/.-])(?:(?:" + "|".join(sorted(tables)) + r"):[a-z0-9-]+"   # table:row-id
        r"|kind=\w+|\w+\.md\b|nguồn S\d"                                       # key=value, files
        r"|(?:" + "|".join(map(re.escape, sorted(source_ids, key=len, reverse=True))) + r")(?![\w-]))")
    found = pages_showing(real_site, internal, most=5)
    assert not found, found


def test_no_public_page_shows_column_names_or_english_source_words(real_site):
    # the data dictionary names the columns on purpose; the change history is another issue's
    words = re.compile(r"\b(?:[a-z]+_[a-z_]+|renamed at same code|same code|new row)\b")
    found = pages_showing(real_site, words, skip=SKIP + ("du-lieu",), most=5)
    assert not found, found


def test_one_spelling_per_word(real_site):
    # The site writes the tone on the first vowel ("hóa", "thủy", "hòa"), as most of its sources
    # do; "hoá", "thuỷ" on one page and "hóa", "thủy" on another read as two words.
    other = re.compile(r"\b(?:[Hh]oá|[Tt]huỷ|[Hh]oà|[Kk]hoẻ|[Tt]uỳ|[Ll]uỹ|[Hh]oả|[Tt]hoả)\b")
    found = pages_showing(real_site, other)
    assert not found, found
