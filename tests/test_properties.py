"""Property-based tests (hypothesis): slugs, number and date formatting, escaping of arbitrary
Unicode, and the writer's refusal of paths outside its folder."""
from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
import tempfile
import unicodedata
from decimal import Decimal
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import REAL_PACKAGE, ROOT, read_rows
from site_builder.render import Safe, text
from site_builder.vn import fold, format_date, format_number, parse_vn_number, slugify
from site_builder.writer import WriteConflict, Writer

# --- strategies -----------------------------------------------------------------------------------

_BASES = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
_TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
VOWELS = sorted({unicodedata.normalize("NFC", b + t) for b in _BASES for t in _TONES})
LETTERS = VOWELS + list("bcdđghklmnpqrstvxBCDĐGHKLMNPQRSTVX")
vietnamese_words = st.lists(st.text(alphabet=LETTERS, min_size=1, max_size=8), min_size=1, max_size=5)
vietnamese = vietnamese_words.map(" ".join)
# names as staff type them: Vietnamese words, digits, punctuation, odd spacing
names = st.lists(st.one_of(vietnamese, st.text(alphabet="0123456789-–()/.,'’ ", max_size=4)),
                 min_size=1, max_size=4).map("".join)
SLUG = re.compile(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*)?")


# --- slugs -----------------------------------------------------------------------------------------

@given(st.text())
@example("Xã Đình Lập")
@example("đ Đ ð Ð")
@example("<script>../../etc</script>")
def test_slug_is_ascii_stable_and_clean(s):
    slug = slugify(s)
    assert SLUG.fullmatch(slug), slug                 # ASCII letters, digits, single hyphens
    assert slugify(s) == slug                         # deterministic
    assert slugify(slug) == slug                      # a slug is its own slug
    assert slugify(unicodedata.normalize("NFD", s)) == slugify(unicodedata.normalize("NFC", s))


@given(vietnamese)
def test_slug_maps_d_with_stroke_to_d_and_ignores_tones_and_case(s):
    slug = slugify(s)
    assert slug == slugify(s.replace("đ", "d").replace("Đ", "D"))
    assert slug == slugify(s.upper()) == slugify(s.lower())
    assert slug == slugify(fold(s))
    assert len(slug) == len(" ".join(s.split()).replace(" ", "-"))  # one ASCII letter per letter
    if "đ" in s.lower():
        assert "d" in slug


@given(st.lists(st.from_regex(SLUG, fullmatch=True).filter(bool), min_size=2, max_size=20, unique=True))
def test_distinct_slugs_stay_distinct(slugs):
    assert len({slugify(s) for s in slugs}) == len(slugs)


def test_every_unit_of_the_real_registry_has_a_unique_slug_id():
    """Commune ids are the slug of kind + name + district (or 2025 for today's units): unique
    even where names repeat (Hòa Bình, Tân Thành, Chi Lăng…)."""
    districts = {d["id"]: d["name"] for d in read_rows(REAL_PACKAGE, "districts")}
    communes = read_rows(REAL_PACKAGE, "communes")
    for c in communes:
        assert c["id"] == slugify(f"{c['kind']} {c['name']} {districts.get(c['district_id'], '2025')}")
    assert len({c["id"] for c in communes}) == len(communes)
    assert len({c["name"] for c in communes}) < len(communes)  # the names alone do repeat


# --- numbers and dates --------------------------------------------------------------------------

decimals = st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), allow_nan=False,
                       allow_infinity=False, places=None).filter(lambda d: d.as_tuple().exponent >= -8)


@given(decimals)
@example(Decimal("1352449"))
@example(Decimal("11.54"))
@example(Decimal("29038.0"))
@example(Decimal("0"))
@example(Decimal("-0.5"))
def test_number_format_is_vietnamese_and_reads_back(d):
    s = format_number(d)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?", s), s
    sign = -1 if s.startswith("-") else 1
    assert sign * parse_vn_number(s.lstrip("-")) == d     # same value, trailing zeros aside
    assert format_number(d) == s                          # stable
    assert format_number(str(d)) == s                     # a string of the number, the same


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_integers_group_by_thousands_with_dots(n):
    s = format_number(n)
    assert s.replace(".", "") == str(n)
    assert all(len(g) == 3 for g in s.lstrip("-").split(".")[1:])


@given(decimals, st.integers(min_value=0, max_value=4))
def test_fixed_decimals(d, places):
    s = format_number(d, places)
    frac = s.partition(",")[2]
    assert len(frac) == places
    assert abs(parse_vn_number(s.lstrip("-")) - abs(round(d, places))) == 0


def test_number_format_empty_for_missing():
    assert format_number(None) == "" and format_number("") == ""


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
@example(dt.date(2017, 6, 30))
@example(dt.date(2009, 4, 16))
def test_date_format_is_day_month_year_and_reads_back(d):
    s = format_date(d)
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", s), s
    assert dt.datetime.strptime(s, "%d/%m/%Y").date() == d
    assert format_date(d.isoformat()) == s


# --- escaping: whatever the text, Markdown shows exactly that text -------------------------------

def _site_markdown() -> markdown.Markdown:
    """Python-Markdown with the site's own extensions (mkdocs.yml)."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    extensions, configs = [], {}
    for item in config.get("markdown_extensions", []):
        if isinstance(item, dict):
            (name, conf), = item.items()
            extensions.append(name)
            configs[name] = conf or {}
        else:
            extensions.append(item)
    return markdown.Markdown(extensions=extensions, extension_configs=configs)


MD = _site_markdown()


def render(source: str) -> str:
    MD.reset()
    return MD.convert(source)


def shown(s: str) -> str:
    """What the page must show: the text, whitespace folded (a cell is one line); a control
    character (which the validator refuses in data) as U+FFFD."""
    return "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in " ".join(s.split()))


def inner(html_out: str, tag: str) -> str:
    m = re.search(rf"<{tag}[^>]*>(.*)</{tag}>", html_out, re.S)
    assert m, html_out
    return m.group(1)


HOSTILE_EXAMPLES = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "**đậm** _nghiêng_ `mã`", "{{ x }} {% if %}", "---", "- a", "1. b", "# h", "> q", "| a | b |",
    "??? note \"x\"", "??? note", "???+ danger x", "!!! danger", "[TOC]", "{: .c #i onclick=x }",
    "&lt;b&gt; &amp; &#x3C;",
    "a  \nb", "\\*x\\*", "<!-- c", "<http://evil.example>", "http://evil.example", "    code",
    "***", "___", "~~x~~", "==x==", "^^x^^", "\x00\x02\x03", "Mới 🌾 👩‍🌾 🇻🇳", "a\u2028b\u00a0c",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_text_renders_back_to_exactly_that_text(s):
    _check_paragraph(s)


@pytest.mark.parametrize("s", HOSTILE_EXAMPLES)
def test_hostile_examples_render_back_to_that_text(s):
    _check_paragraph(s)
    _check_contexts(s)


def _check_paragraph(s):
    out = render(text(s))
    if not shown(s):
        assert out == ""
        return
    body = inner(out, "p")
    assert "<" not in body, (s, out)                 # no raw <: no element came from the text
    assert html.unescape(body) == shown(s), (s, out)
    assert out.count("<p>") == 1


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1).filter(lambda s: shown(s)))
def test_text_in_table_cell_list_item_heading_and_link(s):
    _check_contexts(s)


def _check_contexts(s):
    if not shown(s):
        return
    t = text(s)
    cell = inner(render(f"| a |\n| --- |\n| {t} |\n"), "td")
    assert "<" not in cell and html.unescape(cell) == shown(s), (s, cell)
    item = inner(render(f"- {t}\n"), "li")
    assert "<" not in item and html.unescape(item) == shown(s), (s, item)
    heading = render(f"# {t}\n")
    h1 = re.sub(r"<a class=\"headerlink\".*?</a>", "", inner(heading, "h1"))
    assert "<" not in h1 and html.unescape(h1) == shown(s), (s, heading)
    label = inner(render(f"[{t}](../x/)\n"), "a")
    assert "<" not in label and html.unescape(label) == shown(s), (s, label)


@given(st.text())
def test_safe_markup_is_passed_through_and_text_is_idempotent_on_it(s):
    escaped = text(s)
    assert text(Safe(escaped)) == escaped
    assert "\n" not in escaped and "<" not in escaped and ">" not in escaped


# --- data tables as HTML blocks (render.html_tables) ----------------------------------------------
# Every data table of a page reaches MkDocs as HTML; it must show exactly what the Markdown table
# showed: each value as its own text, links to the same pages, the same elements.

def _table_md(cells: list[str], indent: str = "") -> str:
    head = "| " + " | ".join(f"c{i}" for i in range(len(cells))) + " |"
    rule = "| " + " | ".join("---" for _ in cells) + " |"
    return "\n".join(indent + line for line in (head, rule, "| " + " | ".join(cells) + " |")) + "\n"


def _as_before(out: str) -> str:
    return re.sub(r"\n+", "\n", out)   # an HTML block adds a blank line after it: nothing else


def _same_html(source: str, page: str = "xa/x.md", monkeypatch=None) -> str:
    """`source` with its tables made HTML; asserts Python-Markdown renders both the same (links
    compared as written: MkDocs rewrites the Markdown ones, `page_url` tested below)."""
    from site_builder import render as r
    converted = r.html_tables(source, page)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(r, "page_url", lambda _page, href: href)
        same_links = r.html_tables(source, page)
    assert _as_before(render(same_links)) == _as_before(render(source)), (source, same_links)
    return converted


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1).filter(lambda s: shown(s)))
@example("<script>alert(1)</script>")
@example("*bold* **b** | [x](y) `c` &amp; ??? note \"x\"")
def test_a_value_in_an_html_table_shows_as_that_text(s):
    from site_builder.render import link
    t = text(s)
    converted = _same_html(_table_md([t, link(s, "../nguon.md#a"), f"**{t}**"]))
    assert converted.startswith('<table data-search-exclude="">'), converted
    cells = re.findall(r"<td>(.*?)</td>", converted)
    assert html.unescape(cells[0]) == shown(s) and "<" not in cells[0], (s, cells)
    assert cells[1] == f'<a href="../../nguon/#a">{cells[0]}</a>', (s, cells)
    assert cells[2] == f"<strong>{cells[0]}</strong>", (s, cells)


@pytest.mark.parametrize("s", HOSTILE_EXAMPLES)
def test_hostile_values_in_html_tables_and_boxes(s):
    if not shown(s):
        return
    t = text(s)
    box = f'Ghi chú.\n??? note "Bảng số liệu: {t}"\n\n' + _table_md([t, t], "    ") + "\nSau bảng.\n"
    converted = _same_html(box)
    assert "<details" in converted and "??? note" not in converted, converted
    summary = re.search(r"<summary>(.*)</summary>", converted)[1]
    assert html.unescape(summary) == "Bảng số liệu: " + shown(s), (s, summary)


@pytest.mark.parametrize("cell", ["*x*", "_x_", "`x`", "<http://x.example>", "![a](b.png)", "a & b"])
def test_a_table_with_markdown_we_do_not_write_stays_markdown(cell):
    source = _table_md(["a", cell])
    assert _same_html(source) == source


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["xa", "huyen", "tien-do", "x", "index.md"]), max_size=3),
       st.lists(st.sampled_from(["xa", "huyen", "x.md", "index.md", "nguon.md", "a.csv", ".."]),
                min_size=1, max_size=4), st.sampled_from(["", "#a"]))
def test_table_links_are_the_addresses_mkdocs_makes(page_dirs, href_parts, anchor):
    """MkDocs rewrites no link inside HTML: page_url must write the address MkDocs would."""
    from mkdocs.structure.files import File
    from mkdocs.utils import get_relative_url

    from site_builder.render import page_url
    page = "/".join([d for d in page_dirs if d != "index.md"] + ["p.md" if "index.md" not in page_dirs else "index.md"])
    href = "/".join(href_parts)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href))
    if target.startswith("..") or not href_parts[-1].endswith((".md", ".csv")):
        return
    url = lambda path: File(path, "docs", "site", use_directory_urls=True).url  # noqa: E731
    assert page_url(page, href + anchor) == get_relative_url(url(target), url(page)) + anchor


# --- the writer -----------------------------------------------------------------------------------

segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=12) \
    .filter(lambda p: p not in (".", ".."))


@settings(max_examples=60)
@given(st.lists(segment, min_size=1, max_size=4))
def test_writer_writes_inside_its_folder(parts):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "out"
        writer = Writer(root)
        rel = "/".join(parts)
        writer.add(rel, "x")
        writer.flush()
        target = (root / rel).resolve()
        assert target.is_file() and root.resolve() in target.parents
        assert [p for p in Path(tmp).rglob("*") if p.is_file()] == [root / rel]


@settings(max_examples=100)
@given(st.lists(st.one_of(segment, st.just("..")), min_size=1, max_size=5).filter(lambda p: ".." in p),
       st.booleans())
def test_writer_refuses_any_path_with_dotdot_or_absolute(parts, absolute):
    rel = ("/" if absolute else "") + "/".join(parts)
    writer = Writer(Path("/nonexistent-writer-root"))
    with pytest.raises(WriteConflict):
        writer.add(rel, "x")


@given(segment)
def test_writer_refuses_absolute_paths(name):
    with pytest.raises(WriteConflict):
        Writer(Path("/nonexistent-writer-root")).add("/" + name, "x")
