"""A Python-Markdown extension (listed in mkdocs.yml after `toc`):

- heading anchors are made with the project's Vietnamese slug (vn.slugify: đ -> d), not
  Python-Markdown's default, which drops "đ" ("Từ điển dữ liệu" -> #tu-ien-du-lieu);
- data tables stay out of the full-text search index (`data-search-exclude`, honoured by
  Material's search plugin). Tables hold thousands of figures and names that drowned the search
  results and made the index 1,8 MB; names and numbers are found by the finder (pages/finder.py),
  which leads to the exact row. The generator writes its data tables as HTML blocks that carry
  the attribute already (render.html_tables); this sets it on any table still written in
  Markdown (one holding Markdown that html_tables leaves alone)."""
from __future__ import annotations

from markdown import Extension
from markdown.treeprocessors import Treeprocessor

from .vn import slugify


class _ExcludeTables(Treeprocessor):
    def run(self, root):
        for table in root.iter("table"):
            table.set("data-search-exclude", "")
        return None


def heading_slug(value: str, separator: str = "-") -> str:
    return slugify(value).replace("-", separator)


class SearchExcludeTables(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_ExcludeTables(md), "search_exclude_tables", 0)
        if "toc" in md.treeprocessors:  # mkdocs.yml lists toc first (a yaml !!python tag
            md.treeprocessors["toc"].slugify = heading_slug  # would not survive safe_load)


def makeExtension(**kwargs):  # noqa: N802 - Python-Markdown's entry point name
    return SearchExcludeTables(**kwargs)
