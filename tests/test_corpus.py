"""The corpus (tests/corpus/cases.py): every broken or hostile package is refused with a plain
message, or published harmlessly. Each case is a small mutation of the real package applied to a
copy in a temporary folder.

- error:    the real `build` command path exits 1, prints the problem (resource, row, column,
            value, rule, what to fix), and leaves an existing site folder byte-for-byte as it was
- warning:  `validate` exits 0 and names the note that records the disagreement
- accepted: the package is valid and the data read is identical to the unchanged package's
- renders / left-out: all applied at once to the synthetic fixture package, built once; the
            hostile text shows as text (HTML and the real browser: no dialog, no console error),
            withdrawn persons appear in no output file
- distinct: the real site (built once per session) keeps same-named units apart
"""
from __future__ import annotations

import functools
import io
import json
import re
import shutil
import threading
import zipfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from browser.server import serve  # the one local server the browser tests use
from conftest import REAL_PACKAGE, make_package, read_rows
from corpus.cases import CASES, Expect
from corpus.mutations import apply
from site_builder import build as build_module
from site_builder.cli import main
from site_builder.model import build_model
from site_builder.report import FIXES
from site_builder.validate import validate_package
from site_builder.vn import fold
from site_builder.writer import WriteConflict, Writer


def cases(*outcomes):
    """Cases with one of these outcomes, as pytest params named by case id."""
    return [pytest.param(c, id=c.id) for c in CASES if c.expect.outcome in outcomes]


def real_copy(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(REAL_PACKAGE, pkg)
    return pkg


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def matching(problems, expect: Expect, touched: list):
    row = touched[0] if expect.row == "mutated" else expect.row
    found = [p for p in problems
             if p.rule == expect.rule and p.resource == expect.resource
             and (not expect.column or p.column == expect.column)
             and (row is None or p.row == row)]
    assert found, (f"expected {expect.rule} at {expect.resource} row {row} column "
                   f"{expect.column!r}; got:\n" + "\n".join(p.describe() for p in problems))
    return found[0]


def assert_plain(problem, expect: Expect) -> None:
    if expect.value is not None:
        assert problem.value == expect.value, problem.describe()
    for words in expect.words:
        assert words in problem.message, (words, problem.describe())
    # plain words, not the validator's internals
    for jargon in ('position "', 'constraint "', "None", "Traceback", "Errno"):
        assert jargon not in problem.message, problem.describe()
    assert problem.rule in FIXES and problem.fix, f"no 'what to fix' for {problem.rule}"


# --- the corpus itself ----------------------------------------------------------------------------

def test_corpus_has_at_least_40_cases_each_described_in_one_line():
    from collections import Counter
    outcomes = Counter(c.expect.outcome for c in CASES)
    print(f"\ncorpus: {len(CASES)} cases ({', '.join(f'{n} {k}' for k, n in sorted(outcomes.items()))})")
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    for c in CASES:
        assert c.says and "\n" not in c.says and len(c.says) < 140, c.id
        assert c.expect.outcome in ("error", "warning", "accepted", "renders", "distinct", "left-out")
        if c.expect.outcome in ("error", "warning"):
            assert c.expect.rule and (c.expect.resource or c.expect.rule == "package-error")
    outcomes = {c.expect.outcome for c in CASES}
    assert outcomes == {"error", "warning", "accepted", "renders", "distinct", "left-out"}


# --- refused -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", cases("error"))
def test_refused_with_a_plain_message_and_nothing_published(case, tmp_path, monkeypatch, capsys):
    pkg = real_copy(tmp_path)
    touched = apply(pkg, case.ops)
    site = tmp_path / "site"  # a site published earlier: must stay exactly as it is
    (site / "xa").mkdir(parents=True)
    (site / "index.html").write_text("<h1>phiên bản trước</h1>", encoding="utf-8")
    (site / "xa" / "index.html").write_text("trang cũ", encoding="utf-8")
    before = snapshot(site)
    reports = []
    real_validate = build_module.validate_package_cached

    def spy(package_dir, cache_dir):
        reports.append(real_validate(package_dir, cache_dir))
        return reports[-1]

    monkeypatch.setattr(build_module, "validate_package_cached", spy)
    code = main(["build", str(pkg), "--site-dir", str(site), "--work-dir", str(tmp_path / "work")])
    out, err = capsys.readouterr()

    assert code == 1, out + err
    assert "Nothing was published" in err and "Built" not in out
    problem = matching(reports[0].errors, case.expect, touched)
    assert_plain(problem, case.expect)
    assert problem.describe() in err  # the person sees it, with resource, row, column, value, rule
    assert f"[{problem.rule}]" in err and (not problem.resource or f"'{problem.resource}'" in err)
    if problem.row:
        assert f"row {problem.row}" in err
    if problem.column:
        assert f"column '{problem.column}'" in err
    assert snapshot(site) == before
    assert not (tmp_path / ".site.building").exists() and not (tmp_path / ".site.old").exists()
    assert not (tmp_path / "work" / "docs").exists()  # refused before any page was written


# --- published with a warning --------------------------------------------------------------------

@pytest.mark.parametrize("case", cases("warning"))
def test_warning_names_the_note(case, tmp_path, capsys):
    pkg = real_copy(tmp_path)
    touched = apply(pkg, case.ops)
    assert main(["validate", str(pkg), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True and report["errors"] == 0
    row = touched[0] if case.expect.row == "mutated" else case.expect.row
    found = [p for p in report["problems"] if p["severity"] == "warning" and p["rule"] == case.expect.rule
             and p["resource"] == case.expect.resource and p["row"] == row
             and p["column"] == case.expect.column]
    assert found, report["problems"]
    assert found[0]["note_id"]
    for words in case.expect.words:
        assert words in found[0]["message"]
    # in text, known disagreements are one line unless asked for (--verbose)
    assert main(["validate", str(pkg)]) == 0
    text = capsys.readouterr().out
    assert "WARNING" not in text and "known disagreement(s) between reports" in text
    assert main(["validate", str(pkg), "--verbose"]) == 0
    assert f"WARNING [{case.expect.rule}]" in capsys.readouterr().out


# --- accepted: same data -------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _real_model_tables():
    return build_model(REAL_PACKAGE).tables


@functools.lru_cache(maxsize=1)
def _real_findings():
    return sorted((p.severity, p.rule, p.resource, p.row, p.column)
                  for p in validate_package(REAL_PACKAGE).problems)


@pytest.mark.parametrize("case", cases("accepted"))
def test_accepted_and_read_as_the_same_data(case, tmp_path, capsys):
    pkg = real_copy(tmp_path)
    apply(pkg, case.ops)
    assert snapshot(pkg) != snapshot(REAL_PACKAGE)  # the bytes differ...
    assert main(["validate", str(pkg), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True
    assert sorted((p["severity"], p["rule"], p["resource"], p["row"], p["column"])
                  for p in report["problems"]) == _real_findings()  # ...the findings do not
    assert build_model(pkg).tables == _real_model_tables()


# --- published: the hostile text, the withdrawn persons -----------------------------------------

BUILT = cases("renders", "left-out")


def _build(work: Path, params) -> Path:
    """The real `build` command on the fixture package with these mutations: exit code 0."""
    pkg = make_package(work / "pkg")
    for param in sorted(params, key=lambda p: p.values[0].expect.outcome != "left-out"):
        apply(pkg, param.values[0].ops)
    site = work / "site"
    code = main(["build", str(pkg), "--site-dir", str(site), "--work-dir", str(work / "build")])
    assert code == 0 and (site / "index.html").is_file()
    return site


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """The synthetic fixture package with every `renders` and `left-out` mutation at once
    """
    return _build(tmp_path_factory.mktemp("corpus-build"), BUILT)


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).replace("\xa0", " ")


def _set_value(case) -> str:
    return next(op[4] for op in case.ops if op[0] == "set")


def _shown(case) -> str:
    return case.expect.text or " ".join(_set_value(case).split())


def _article(html: str) -> str:
    m = re.search(r"<article[^>]*>(.*)</article>", html, flags=re.S)
    return m.group(1) if m else html


def test_hostile_cases_are_valid_on_the_real_package(tmp_path):
    """The validator does not refuse odd but harmless text: it is the site's job to show it."""
    pkg = real_copy(tmp_path)
    for param in BUILT:
        apply(pkg, param.values[0].ops)
    report = validate_package(pkg)
    assert report.valid, report.to_text()


@pytest.mark.parametrize("case", cases("renders"))
def test_hostile_text_is_shown_as_text(case, hostile_build):
    _assert_shown_as_text(case, hostile_build)


def _assert_shown_as_text(case, site: Path) -> None:
    html = (site / case.expect.page / "index.html").read_text(encoding="utf-8")
    value, shown = _set_value(case), _shown(case)
    assert shown in _visible(html), f"{shown!r} not visible on {case.expect.page}"
    article = _article(html)
    if "<" in value:
        for tag in re.findall(r"<[a-zA-Z!][^<>]*>?", value):
            assert tag not in article, f"raw {tag!r} in {case.expect.page}"
    # one text node: the value did not split into elements (no emphasis, link, rule, heading)
    nodes = [" ".join(unescape(n).split()) for n in re.split(r"<[^>]+>", article)]
    assert any(shown in n for n in nodes), f"{shown!r} split into elements on {case.expect.page}"


class Markup(HTMLParser):
    """Everything in a page that could run: handlers, script text, javascript: and foreign URLs.
    <title> and <textarea> hold text only, as in a browser (a tag there is inert)."""

    CDATA_CONTENT_ELEMENTS = ("script", "style", "title", "textarea")

    def __init__(self):
        super().__init__()
        self.bad, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "xlink:href", "data") and value and (
                    value.strip().lower().startswith(("javascript:", "data:text"))
                    or "evil.example" in value):
                self.bad.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed", "svg", "img") and any(
                "corpus" in (v or "") or "onerror" in (v or "")
                for n, v in attrs if n not in ("alt", "title", "aria-label")):
            self.bad.append(f"<{tag}> from data")  # (data as alt text is text)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and ("corpus-" in data or "alert(" in data):
            self.bad.append("script text from data")

    def handle_comment(self, data):
        if "phần sau" in data:
            self.bad.append("comment opened by data")


def test_no_hostile_markup_reaches_any_page(hostile_build):
    pages = list(hostile_build.rglob("*.html"))
    assert len(pages) > 20
    for f in pages:
        parser = Markup()
        parser.feed(f.read_text(encoding="utf-8"))
        assert not parser.bad, (f.relative_to(hostile_build), parser.bad)
    for svg in hostile_build.rglob("*.svg"):
        root = ElementTree.fromstring(svg.read_bytes())  # well-formed: quotes stayed escaped
        for el in root.iter():
            assert not el.tag.endswith("script"), svg
            assert not [a for a in el.attrib if a.lower().startswith("on")], svg
    for f in list(hostile_build.rglob("*.json")) + list(hostile_build.rglob("*.xml")):
        text = f.read_text(encoding="utf-8")
        if f.suffix == ".json":
            json.loads(text)  # stays valid: no string broke out
        else:
            ElementTree.fromstring(text.encode("utf-8"))


def _titles(site: Path) -> dict:
    return {f.relative_to(site).as_posix(): re.findall(r"<title>(.*?)</title>", f.read_text(encoding="utf-8"), re.S)
            for f in site.rglob("*.html")}


def test_page_titles_keep_hostile_text_escaped(hostile_build):
    """Material prints page.title|striptags into <title>, and striptags unescapes: the
    override in overrides/main.html escapes it again, so no markup reaches the title."""
    raw = {page: t for page, titles in _titles(hostile_build).items() for t in titles if "<" in t}
    assert not raw, next(iter(raw.items()))


@pytest.mark.parametrize("case", cases("left-out"))
def test_withdrawn_persons_are_left_out_everywhere(case, hostile_build):
    """Pages, search index, finder, per-page extracts, downloads (CSV, JSON, zip, SQLite, XLSX)
    and the feed: no file of the built site carries a withdrawn person's name."""
    names = case.extra["names"]
    needles = [n.encode("utf-8") for n in names] + [fold(n).encode("utf-8") for n in names]
    files = [p for p in hostile_build.rglob("*") if p.is_file()]
    assert any(p.name == "search_index.json" for p in files)
    for path in files:
        data = path.read_bytes()
        blobs = [data]
        if data[:2] == b"PK":  # zip, xlsx: look inside
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                blobs += [zf.read(n) for n in zf.namelist()]
        for blob in blobs:
            for needle in needles:
                assert needle not in blob, (path.relative_to(hostile_build), needle.decode())
    # the downloads the Data page offers exist and keep the other persons
    for table, kept in (("households", "h-1"), ("land_donors", "l-1"), ("donors", "d-1")):
        csv_bytes = (hostile_build / "du-lieu" / f"{table}.csv").read_bytes()
        assert kept.encode() in csv_bytes
    with zipfile.ZipFile(hostile_build / "du-lieu" / "ntm-lang-son-datapackage.zip") as zf:
        assert b"h-1," in zf.read("ntm-lang-son-datapackage/data/households.csv")


def test_withdrawn_person_left_out_of_the_model_pages_and_counts(tmp_path):
    """The model is where persons are filtered: a withdrawn row never reaches a page module."""
    pkg = make_package(tmp_path / "pkg")
    case = next(c for c in CASES if c.expect.outcome == "left-out")
    apply(pkg, case.ops)
    model = build_model(pkg)
    for table in ("households", "land_donors", "donors"):
        assert all(r["publication_basis"] == "named_in_public_report" for r in model.rows(table))
        assert len(model.rows(table)) == len(read_rows(pkg, table)) - 1


# --- in the real browser -------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def served(hostile_build):
    with serve(hostile_build) as url:
        yield url


def run_in_browser(fn):
    """fn(browser) with a Chromium of its own, run in a fresh thread: the Playwright sync API
    allows one running instance per thread, and the browser tests keep theirs open all session."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs it)")
    outcome = {}

    def target():
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    outcome["value"] = fn(b)
                finally:
                    b.close()
        except BaseException as exc:  # re-raised in the test's own thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def test_nothing_executes_in_the_browser(hostile_build, served):
    """Every page of the hostile site, then the commune finder and the site search fed with the
    hostile names: no dialog ever opens, no console error, no request leaves the host, and the
    hostile text is on screen as text."""
    dialogs, errors, foreign = [], [], []

    def visit(browser):
        context = browser.new_context()

        def route(r):
            if r.request.url.startswith(served):
                r.continue_()
            else:
                foreign.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))

        shown = {c.values[0].expect.page: [] for c in cases("renders")}
        for param in cases("renders"):
            shown[param.values[0].expect.page].append(_shown(param.values[0]))
        for html_file in sorted(hostile_build.rglob("*.html")):
            rel = html_file.relative_to(hostile_build).as_posix()
            url_path = rel[: -len("index.html")] if rel.endswith("index.html") else rel
            page.goto(served + url_path, wait_until="load")
            for text in shown.get(url_path, []):
                body = " ".join(page.inner_text("body").split())
                assert text in body, (url_path, text)

        page.goto(served, wait_until="load")
        # The finder (communes, donors and every named row) shows the hostile names as text.
        for query, expected in (("corpus script", '<script>alert("corpus-script")</script>'),
                                ("onerror", '<img src=x onerror=alert("corpus-img")>')):
            page.fill("#finder-input", query)
            page.wait_for_selector("#finder-results li a")
            assert expected in page.inner_text("#finder-results"), (query, expected)
            assert page.locator("#finder-results script, #finder-results img").count() == 0
        page.fill("#finder-input", "")

        # Material's search: result titles and excerpts are built in the page from the index
        field = page.locator(".md-search__input")
        field.click()
        page.wait_for_function("() => document.querySelector('.md-search-result__meta')"
                               ".textContent.trim() === 'Nhập để bắt đầu tìm kiếm'")
        # (data tables are not in the search index: the donor's name is the finder's; the
        # commune's name is in its page's title, which the index holds)
        for query, expected in (("script", '<script>alert("corpus-script")</script>'),):
            field.fill("")
            field.press_sequentially(query, delay=30)
            page.wait_for_function("() => /tài liệu liên quan/.test(document.querySelector("
                                   "'.md-search-result__meta').textContent)")
            page.locator(".md-search-result__item").first.wait_for()
            assert expected in page.inner_text(".md-search-result"), (query, expected)
            assert page.locator(".md-search-result script, .md-search-result img").count() == 0
        context.close()

    run_in_browser(visit)
    assert not dialogs, dialogs
    assert not errors, errors
    assert not foreign, foreign


# --- same names in different districts (the real registry) ----------------------------------------

@pytest.mark.parametrize("case", cases("distinct"))
def test_same_named_units_keep_their_own_pages_and_links(case, real_site):
    communes = read_rows(REAL_PACKAGE, "communes")
    districts = {d["id"]: d["name"] for d in read_rows(REAL_PACKAGE, "districts")}
    finder = json.loads((real_site / "assets" / "finder.json").read_text(encoding="utf-8"))
    index_html = (real_site / "xa" / "index.html").read_text(encoding="utf-8")
    search = json.loads((real_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for name in case.extra["names"]:
        units = [c for c in communes if c["name"] == name]
        assert len({c["district_id"] for c in units if c["district_id"]}) >= 2, name
        titles, labels = set(), set()
        for c in units:
            html = (real_site / "xa" / c["id"] / "index.html").read_text(encoding="utf-8")
            h1 = _visible(re.search(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S).group(1)).strip()
            title = unescape(re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1))
            if c["district_id"]:
                assert districts[c["district_id"]] in h1, (c["id"], h1)
            titles.add((h1, title))
            assert f'href="{c["id"]}/"' in index_html, c["id"]
            entries = [u for u in finder if u["u"] == f"xa/{c['id']}/"]
            assert len(entries) == 1, c["id"]
            labels.add((entries[0]["n"], entries[0]["k"]))  # name with district; kind (old or today's)
            docs = [d for d in search["docs"] if d["location"] == f"xa/{c['id']}/"]
            # in the search index under its own title (district included); its code is on the page
            # (tables are not in the index)
            assert docs and c["gso_code"] in html and docs[0]["title"] == h1.replace("¶", "").strip(), c["id"]
        assert len(titles) == len(units), (name, titles)      # every page says which unit it is
        assert len(labels) == len(units), (name, labels)      # the finder tells them apart


# --- the writer: the last guard against a path outside the output folder -------------------------

@pytest.mark.parametrize("path", ["../x.md", "a/../../x.md", "/etc/passwd", "", ".", "a/../b/../../c"])
def test_writer_refuses_paths_outside_the_output_folder(tmp_path, path):
    writer = Writer(tmp_path / "out")
    with pytest.raises(WriteConflict):
        writer.add(path, "x")
        writer.flush()
    assert not (tmp_path / "x.md").exists() and not (tmp_path / "c").exists()


def test_writer_guards_an_id_that_slipped_past_validation(tmp_path):
    """Even without the validator, a funding id with '../' cannot write outside docs/."""
    from site_builder.build import generate

    pkg = make_package(tmp_path / "pkg")
    apply(pkg, [("set", "funding", 0, "id", "../../../escaped"),
                ("set", "funding", 1, "parent_id", "../../../escaped"),
                ("set", "funding", 2, "parent_id", "../../../escaped")])
    assert any(p.rule == "unsafe-id" for p in validate_package(pkg).errors)
    with pytest.raises(WriteConflict):
        generate(pkg, tmp_path / "work" / "docs", cache_dir=tmp_path / "work" / "cache")
    assert not list(tmp_path.rglob("*escaped*"))


def test_every_rule_says_what_to_fix():
    """Every rule the validator can report is in the registry (rules.py) with a fix: ours (a
    check reporting an unregistered code raises KeyError, so the corpus run below would fail)
    and the Frictionless ones it passes on."""
    from site_builder import rules
    frictionless = {"type-error", "constraint-error", "foreign-key", "primary-key", "scheme-error",
                    "missing-cell", "extra-cell", "blank-row", "unique-error", "encoding-error",
                    "extra-label", "missing-label", "incorrect-label", "duplicate-label",
                    "blank-label"}
    assert frictionless <= {r.code for r in rules.RULES.values() if r.frictionless}
    for rule, (meaning, fix) in FIXES.items():
        assert meaning and fix and fix[0].isupper(), rule
    with pytest.raises(KeyError):
        rules.rule("no-such-rule")


def test_readme_rule_table_is_the_registry():
    """The README's "message → what to fix" table is exactly rules.table_markdown(): after
    registering a rule, paste that output into the README."""
    from site_builder import rules
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("| rule | what it means | what to fix |")
    table = readme[start:readme.index("\n\n", start)]
    assert table == rules.table_markdown()
