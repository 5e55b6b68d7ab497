"""Markdown rendering. Every value a template prints is escaped as text (HTML entities plus
Markdown backslash escapes, newlines folded), unless Python marked it as `Safe` markup. So a
name like `<script>`, `**x**`, `{{ x }}` or `---` reaches the page as those characters."""
from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=1 << 16)
def rel(from_page: str, to_path: str) -> str:
    """Relative URL from a generated page (e.g. 'xa/x.md') to another docs path: posixpath.relpath
    from the page's folder, worked out from the paths' parts when none is empty, '.' or '..' (the
    paths the page modules write: relpath makes both absolute first), and each (page, path) once:
    a page links the same sources and pages many times (~40,000 links on a national honour roll)."""
    start, parts = from_page.split("/"), to_path.split("/")
    if {"", ".", ".."} & {*start, *parts}:
        return posixpath.relpath(to_path, posixpath.dirname(from_page) or ".")
    start.pop()  # the page's folder
    common = 0
    while common < min(len(start), len(parts)) and start[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + parts[common:]) or "."


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


# --- data tables as HTML blocks ---------------------------------------------------------------
# Python-Markdown spends most of a page's time on its inline patterns over every table cell.
# A data table needs none of them: `html_tables` turns each pipe table of a generated page into
# the HTML Python-Markdown would have made of it (with the site's `data-search-exclude`, which
# keeps the table out of Material's search index), so MkDocs passes it through untouched.
# Cells hold only what our own code writes: text escaped by `text` (backslashes and entities),
# links from `link`, **bold** and inline tags such as anchors. A table with anything else stays
# Markdown. MkDocs rewrites no link inside HTML, so hrefs are written as the addresses it makes.
_TABLE_START = '<table data-search-exclude="">'
_CELL_LINK = re.compile(r"\[((?:\\.|[^\\\[\]])*)\]\(([^()\s<>]*)\)")
_BOLD = re.compile(r"\*\*(?=\S)((?:\\.|[^\\*])+?)(?<=\S)\*\*")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
# what may be left once escapes, entities and our own tags are taken out: no Markdown syntax
_TAG = re.compile(r"</?[a-z][a-z0-9]*(?:\s[^<>]*)?>|&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I)
_MARKUP = re.compile(r"[\\`*_{}\[\]<>&!]")
_MARKDOWN_LEFT = re.compile(r"[\\`*_\[\]<>&]|!\[|\{|\}")
_DETAILS = re.compile(r'\?\?\? note "([^"]*)"')


@functools.lru_cache(maxsize=4096)
def page_url(page: str, href: str) -> str:
    """The address MkDocs (use_directory_urls) makes of a relative link written in `page`:
    'xa/x.md' links '../nguon.md#a' as '../../nguon/#a'."""
    if not href or href.startswith("#") or re.match(r"[a-z][a-z0-9+.-]*:", href, re.I):
        return href
    path, hash_, anchor = href.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    target_url = routes.url(target) or "./"
    out = posixpath.relpath("/" + target_url, "/" + (routes.url(page) or "./"))  # as rel() does
    return (out + "/" if target_url.endswith("/") else out) + hash_ + anchor


def _inline_html(cell: str, page: str) -> str | None:
    """A cell's Markdown (as our code writes it) as HTML; None when it holds other Markdown."""
    if "[" not in cell:
        return _plain_html(cell)
    out, pos = [], 0
    for m in _CELL_LINK.finditer(cell):
        if _ESCAPED.sub("", cell[pos:m.start()]).endswith("!"):
            return None                                   # an image
        out += [_plain_html(cell[pos:m.start()]), '<a href="', html.escape(page_url(page, m[2])), '">',
                _plain_html(m[1]), "</a>"]
        pos = m.end()
    out.append(_plain_html(cell[pos:]))
    return None if None in out else "".join(out)


def _plain_html(s: str) -> str | None:
    if not _MARKUP.search(s):
        return s                                          # most cells: words and numbers
    s = _BOLD.sub(lambda m: f"\x01{m[1]}\x02", s)   # **bold**, marked until checked
    if _MARKDOWN_LEFT.search(_TAG.sub("", _ESCAPED.sub("", s))):
        return None
    return _ESCAPED.sub(r"\1", s).replace("\x01", "<strong>").replace("\x02", "</strong>")


def _row(line: str) -> list[str]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)]


def html_table(lines: list[str], page: str) -> str | None:
    """A pipe table (header, `---` line, rows) as an HTML block; None if it is not one we make."""
    if len(lines) < 2 or not all(line.lstrip().startswith("|") for line in lines) \
            or not re.fullmatch(r"\|?(\s*-{3,}\s*\|)*\s*(-{3,}\s*)?", lines[1].strip()):
        return None
    head = _row(lines[0])
    if len(_row(lines[1])) != len(head):
        return None
    out = [_TABLE_START, "<thead>", "<tr>"]
    for c in head:
        cell = _inline_html(c, page)
        if cell is None:
            return None
        out.append(f"<th>{cell}</th>")
    out += ["</tr>", "</thead>", "<tbody>"]
    for line in lines[2:]:
        cells = (_row(line) + [""] * len(head))[:len(head)]
        html_cells = [_inline_html(c, page) for c in cells]
        if None in html_cells:
            return None
        out += ["<tr>", *(f"<td>{c}</td>" for c in html_cells), "</tr>"]
    return "\n".join(out + ["</tbody>", "</table>"])


def html_tables(markdown: str, page: str) -> str:
    """The page with each pipe table (also one alone in a `??? note` box) as an HTML block."""
    parts = re.split(r"(\n\n+)", markdown)   # blocks, and the blank lines between them
    for i in range(0, len(parts), 2):
        block = parts[i].rstrip("\n")
        end = parts[i][len(block):]
        before, _, last = block.rpartition("\n")  # a box may open on a paragraph's last line
        summary = _DETAILS.fullmatch(last)
        if summary and i + 2 < len(parts) and not (i + 4 < len(parts) and parts[i + 4].startswith(" ")):
            lines = parts[i + 2].rstrip("\n").split("\n")
            title = _inline_html(summary[1], page)
            table = html_table([line[4:] for line in lines], page) \
                if title is not None and all(line.startswith("    ") for line in lines) else None
            if table:
                body = parts[i + 2]
                parts[i] = (before + "\n\n" if before else "") + \
                    f'<details class="note">\n<summary>{title}</summary>\n{table}\n</details>'
                parts[i + 1], parts[i + 2] = "", body[len(body.rstrip("\n")):]
        elif block.startswith("|"):
            parts[i] = (html_table(block.split("\n"), page) or block) + end
    return "".join(parts)
