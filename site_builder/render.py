"""Markdown rendering. Every value a template prints is escaped as text (HTML entities plus
Markdown backslash escapes, newlines folded), unless Python marked it as `Safe` markup. So a
name like `<script>`, `**x**`, `{{ x }}` or `---` reaches the page as those characters."""
from __future__ import annotations

import html
import posixpath
import re
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import labels, routes, vn

TEMPLATES = Path(__file__).parent / "templates"
# Python-Markdown backslash-escapes exactly these (plus | with tables); no extension here adds more.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc


class Safe(str):
    """Markup built by our own code (links, formatted numbers); printed as is."""


def text(value) -> str:
    """Escape any value so Markdown shows it as plain text."""
    if value is None:
        return ""
    if isinstance(value, Safe):
        return value
    s = " ".join(str(value).split())  # no newline can start a heading, rule or table row
    s = _CONTROL.sub("\ufffd", s)     # control characters (\x02, \x03 are Markdown's own
                                       # placeholders) show as U+FFFD; the validator refuses them
    s = _MD_SPECIAL.sub(r"\\\1", s)       # Markdown punctuation gets a backslash...
    s = html.escape(s, quote=True)     # ...then & < > " ' become entities, and ? too:
    return s.replace("?", "&#63;")     # '??? note' would open a collapsible block (details)


def link(label, href: str) -> Safe:
    return Safe(f"[{text(label)}]({href})")


def rel(from_page: str, to_path: str) -> str:
    """Relative URL from a generated page (e.g. 'xa/x.md') to another docs path."""
    start = posixpath.dirname(from_page) or "."
    return posixpath.relpath(to_path, start)


def num(value, decimals=None) -> Safe:
    return Safe(text(vn.format_number(value, decimals)))


def date(value) -> Safe:
    return Safe(text(vn.format_date(value)))


def cell(value) -> Safe:
    """A table cell: numbers in Vietnamese notation, anything else as text. Pass years as str."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return num(value)
    return Safe(text(value))


def when(row: dict, brief: bool = False):
    """labels.when for templates: the data's words and dates escaped as text, the wording kept
    as written (the brief form is plain text, escaped whole when printed)."""
    return labels.when(row, brief=True) if brief else Safe(labels.when(row, escape=text))


def make_env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), finalize=text,
                      undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=num, date=date, safe=Safe, cell=cell)
    env.globals["routes"] = routes  # page paths and anchors: site.href(page, routes.SOURCES)
    env.globals.update(labels.GLOBALS)  # LEVEL_LABEL, NO_DATA, …
    env.globals["when"] = when
    return env
