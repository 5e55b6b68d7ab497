"""Site.href's relative links (render.rel: worked out without posixpath.relpath for the paths the
page modules write, and cached) are the links posixpath.relpath makes from the page's folder, for
any two docs paths."""
from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from site_builder.render import rel

part = st.sampled_from(["xa", "huyen", "vinh-danh", "index.md", "a.md", "du-lieu", "x", ".", "..", ""])
path = st.lists(part, min_size=1, max_size=4).map("/".join)


def relpath(page, target):
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def outcome(link, page, target):
    try:
        return link(page, target)
    except ValueError as exc:  # no target: refused alike
        return type(exc)


@given(path, path)
def test_a_relative_link_is_the_one_relpath_makes(page, target):
    assert outcome(rel, page, target) == outcome(relpath, page, target)


def test_links_between_pages():
    assert rel("vinh-danh/nha-tai-tro.md", "xa/x.md") == "../xa/x.md"
    assert rel("xa/x.md", "xa/y.md") == "y.md"
    assert rel("index.md", "nguon.md") == "nguon.md"
    assert rel("tien-do/index.md", "tien-do") == "."
