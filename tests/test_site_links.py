"""Site.href's relative links (pages.relative: worked out without posixpath.relpath for the paths
the page modules write) are the links render.rel makes, for any two docs paths."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from site_builder.pages import relative
from site_builder.render import rel

part = st.sampled_from(["xa", "huyen", "vinh-danh", "index.md", "a.md", "du-lieu", "x", ".", "..", ""])
path = st.lists(part, min_size=1, max_size=4).map("/".join)


def outcome(link, page, target):
    try:
        return link(page, target)
    except ValueError as exc:  # no target: refused alike
        return type(exc)


@given(path, path)
def test_a_relative_link_is_the_one_rel_makes(page, target):
    assert outcome(relative, page, target) == outcome(rel, page, target)


def test_links_between_pages():
    assert relative("vinh-danh/nha-tai-tro.md", "xa/x.md") == "../xa/x.md"
    assert relative("xa/x.md", "xa/y.md") == "y.md"
    assert relative("index.md", "nguon.md") == "nguon.md"
    assert relative("tien-do/index.md", "tien-do") == "."
