"""The build: validate -> model -> pages and assets (plain Markdown, no MkDocs import) -> MkDocs.
The site is built in a temporary folder and swapped in only when everything succeeded, so a
failed build leaves the previous site/ untouched."""
from __future__ import annotations

import ctypes
import filecmp
import gc
import hashlib
import json
import os
import pickle
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import yaml

from . import charts, routes
from .diff import named_persons
from .history import data_version, load_history
from .inputs import PageInputs
from .model import build_model
from .package import code_fingerprint, forget_file_hashes
from .pages import DEMO_BANNER, DEMO_SITE_NAME, Site, generate_all, with_banner
from .render import make_env
from .validate import validate_package_cached
from .writer import Writer, files_under

ROOT = Path(__file__).resolve().parent.parent
WEB_ASSETS = Path(__file__).parent / "assets" / "web"


class BuildError(Exception):
    pass


def make_site(package_dir: Path, cache_dir: Path | None = None, env=None, out=None,
              renderer=None, report=None, skip: frozenset = frozenset()) -> Site:
    """Read the package and generate every page, chart and file: into `out`, a Writer that
    writes each to disk as it is made, with `renderer` (charts.Renderer) for the charts; or,
    without them, kept in memory (site.pages, site.charts: tests and the preview). With `env`,
    a Jinja environment from make_env() kept by the preview, its compiled templates are reused;
    with `report`, the package's validation report (validate.Report), the model takes the typed
    tables it read instead of reading the files again, and the data-check page shows it)."""
    model = build_model(package_dir, report.tables if report else None)
    site = Site(model, env or make_env(), version=data_version(package_dir),
                history=cached_history(package_dir, model.communes, cache_dir),
                package_dir=Path(package_dir), cache_dir=cache_dir,
                banner=DEMO_BANNER if model.descriptor.get("synthetic") else "", report=report)
    if out is not None:
        site.out, site.renderer = out, renderer
    if cache_dir is not None and getattr(site.out, "root", None) is not None:
        # a writer into a docs folder: the place pages whose inputs did not change are kept
        site.inputs = PageInputs(cache_dir, site.out.root, model, package_dir,
                                 json.dumps([site.banner, site.version], sort_keys=True), report)
    generate_all(site, skip)  # `skip`: page types the preview makes after the others
    if site.extracts:
        site.extracts.finish()
    return site


DERIVED = ("recognitions", "changes_in", "changes_out", "_line")  # model fields not from communes.csv


def cached_history(package_dir: Path, communes: dict, cache_dir: Path | None):
    """load_history, kept in cache_dir under a key of all it reads: the package's git log (its
    commits never change), the persons the package names now, its communes, and the code. Saves
    the 1-2 s of git extracts and diffs on a rebuild or a preview save (an uncommitted edit too);
    a package outside git has no history to keep."""
    log = subprocess.run(["git", "log", "--first-parent", "-32", "--format=%H", "--", "."], cwd=package_dir,
                         capture_output=True, text=True)
    if log.returncode != 0 or not log.stdout.strip() or cache_dir is None:
        return load_history(package_dir, communes)
    # the communes as communes.csv gives them (not the recognitions and changes the model adds),
    # so an edit of one commune's data elsewhere keeps the key; load_history gets the same
    communes = {cid: {k: v for k, v in c.items() if k not in DERIVED} for cid, c in communes.items()}
    key = [code_fingerprint(), str(Path(package_dir).resolve()), log.stdout,
           sorted(named_persons(package_dir)), communes]
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode("utf-8"))
    folder = cache_dir / "history"
    path = folder / f"{digest.hexdigest()[:24]}.pickle"
    if path.is_file():
        return pickle.loads(path.read_bytes())
    history = load_history(package_dir, communes)
    shutil.rmtree(folder, ignore_errors=True)  # one version kept: the current one
    folder.mkdir(parents=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(history))
    os.replace(tmp, path)
    return history


def add_static(writer, content_dir: Path | None, banner: str) -> None:
    """The hand-written pages of content_dir and the web assets."""
    for folder, prefix in ((content_dir, ""), (WEB_ASSETS, "assets/")):
        if folder and folder.is_dir():
            for f in sorted(folder.rglob("*")):
                if f.is_file():
                    content = f.read_bytes()
                    if banner and f.suffix == ".md":  # hand-written pages say it too
                        content = with_banner(content.decode("utf-8"), banner)
                    writer.add(prefix + f.relative_to(folder).as_posix(), content)


def into_docs(docs_dir: Path, cache_dir: Path | None, fill):
    """Run fill(writer, renderer) with a Writer into docs_dir and a chart Renderer writing through
    it; then the charts are finished and the changes moved in. On any failure both are dropped,
    so docs_dir stays as it was. Returns what fill returns."""
    writer = Writer(docs_dir)
    renderer = charts.Renderer(writer, cache_dir and cache_dir / "charts")
    try:
        result = fill(writer, renderer)
        renderer.finish()
    except BaseException:
        renderer.close()
        writer.abort()
        raise
    writer.commit()
    return result


def write_docs(site: Site, docs_dir: Path, content_dir: Path | None = None,
               cache_dir: Path | None = None) -> None:
    """Write a site kept in memory (make_site without a writer), its charts, the hand-written
    pages of content_dir and the web assets into docs_dir: only files whose content changed;
    files no longer made are removed."""
    def fill(writer, renderer) -> None:
        for path, content in site.out.files.items():
            (writer.add_file if isinstance(content, Path) else writer.add)(path, content)
        for chart in site.charts:
            renderer.add(chart)
        add_static(writer, content_dir, site.banner)
    into_docs(docs_dir, cache_dir, fill)


def generate(package_dir: Path, docs_dir: Path, content_dir: Path | None = None,
             cache_dir: Path | None = None, report=None) -> Site:
    """Generate the site straight into docs_dir: each page, chart and file is written as it is
    made (only if its bytes changed) and nothing is held until the end; the changes are moved in
    when everything succeeded, so a failure leaves docs_dir as it was. With a cache_dir, a commune
    or district page whose inputs did not change since the last generation is not made again
    (inputs.py); its keys are stored once the changes are in."""
    def fill(writer, renderer) -> Site:
        site = make_site(package_dir, cache_dir, out=writer, renderer=renderer, report=report)
        add_static(writer, content_dir, site.banner)
        return site
    site = into_docs(docs_dir, cache_dir, fill)
    if site.inputs is not None:  # the new files are in: the keys describe docs_dir now
        site.inputs.save()
    return site


def release_memory() -> None:
    """Give the memory of the freed model back to the system (glibc keeps freed blocks in the
    process otherwise: ~half of it at 2,500 communes), so MkDocs, which runs next, has it."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def site_url(base: Path = ROOT / "mkdocs.yml") -> str:
    """The site's public address, ending in '/': the environment variable SITE_URL (CI sets the
    GitHub Pages address) or mkdocs.yml's site_url."""
    url = os.environ.get("SITE_URL") or yaml.safe_load(base.read_text(encoding="utf-8")).get("site_url") or ""
    return url.rstrip("/") + "/" if url else ""


def mkdocs_config(work_dir: Path, docs_dir: Path, site_dir: Path, base: Path = ROOT / "mkdocs.yml",
                  site_name: str | None = None) -> Path:
    """The project's mkdocs.yml with absolute docs, site and theme folders and the menu of
    routes.nav(), for one build or preview (and another site name for a synthetic package)."""
    config = yaml.safe_load(base.read_text(encoding="utf-8"))
    config["nav"] = routes.nav()
    if site_name:
        config["site_name"] = site_name
    config["docs_dir"] = str(docs_dir.resolve())
    config["site_dir"] = str(site_dir.resolve())
    config["site_url"] = site_url(base)
    publisher = config.setdefault("extra", {}).setdefault("publisher", {}) or {}
    repo = os.environ.get("REPO_URL", "").rstrip("/")
    if repo and not (publisher.get("email") or publisher.get("report_url")):
        # no contact set by staff yet: error reports go to the repository's issues (deploy sets
        # REPO_URL), so every commune, district and honour page still has "Báo sai sót"
        publisher["issues_url"] = f"{repo}/issues/new"
    theme = config.setdefault("theme", {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str((base.parent / theme["custom_dir"]).resolve())
    path = work_dir / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def build_site(package_dir: Path, site_dir: Path, run_mkdocs: bool = True,
               work_dir: Path = Path("build"), content_dir: Path = ROOT / "content") -> Path:
    work_dir.mkdir(parents=True, exist_ok=True)
    forget_file_hashes()  # each file of the package is read once this build
    report = validate_package_cached(package_dir, work_dir / "cache" / "validation")
    if not report.valid:
        raise BuildError(report.to_text())
    docs_dir = work_dir / "docs"
    try:
        site = generate(package_dir, docs_dir, content_dir, cache_dir=work_dir / "cache",
                        report=report)  # the model takes the tables validation read
    except Exception as exc:  # a generator bug must not publish half a site either
        raise BuildError(f"page generation failed: {exc!r}") from exc
    if not run_mkdocs:
        return docs_dir
    # MkDocs stamps the sitemap with the build date: take it from the data version instead,
    # so that two builds of one commit are byte-identical.
    epoch, banner = str(site.version.get("epoch", 1577836800)), site.banner
    del site, report  # MkDocs runs beside this process: the model is not needed any more
    release_memory()
    out = (work_dir / "mkdocs-site").resolve()
    config = mkdocs_config(work_dir, docs_dir, out, site_name=DEMO_SITE_NAME if banner else None)
    run_mkdocs_incremental(config, docs_dir, out, epoch)
    return publish(out, site_dir.resolve())


def run_mkdocs_incremental(config: Path, docs_dir: Path, out: Path, epoch: str) -> None:
    """`mkdocs build --strict` into the persistent folder `out`. When nothing that every page
    shows changed since the last successful build (structure_key: the page set, the config and
    its nav, the theme overrides, the code and libraries, the nav pages' titles, the date),
    `--dirty` renders only the pages whose Markdown is newer than their HTML, and the search
    index (which MkDocs then writes with those pages only) is merged into the previous one; when
    no file is newer than its copy in `out`, MkDocs is not run at all.
    Otherwise, or if the dirty build fails, a full `--clean` build."""
    state = out.with_name(out.name + ".key")
    key = structure_key(config, docs_dir, epoch)
    index_path = out / "search" / "search_index.json"
    dirty = state.is_file() and state.read_text(encoding="utf-8") == key and index_path.is_file()
    state.unlink(missing_ok=True)  # until this build succeeds, `out` is no base for a dirty one
    if dirty:
        rebuilt, assets = stale_pages(docs_dir, out)
        if not rebuilt and not assets:  # nothing newer than the site MkDocs left: it is this one
            state.write_text(key, encoding="utf-8")
            return
        old_index = json.loads(index_path.read_text(encoding="utf-8"))
        if _mkdocs(config, epoch, "--dirty").returncode == 0:
            merged = merge_search_index(old_index, _read_json(index_path), rebuilt)
            if merged is not None:
                write_search_index(index_path, merged)
                state.write_text(key, encoding="utf-8")
                return
    proc = _mkdocs(config, epoch, "--clean")
    if proc.returncode != 0 or not (out / "index.html").is_file():
        raise BuildError("mkdocs build --strict failed:\n" + proc.stdout + proc.stderr)
    write_search_index(index_path, _read_json(index_path))
    state.write_text(key, encoding="utf-8")


def _mkdocs(config: Path, epoch: str, mode: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch, NO_MKDOCS_2_WARNING="1")
    # not -q: MkDocs' strict mode counts warnings as they are logged, and -q silences them
    return subprocess.run([sys.executable, "-m", "site_builder.mkdocs_run", "build", "--strict", mode,
                           "-f", str(config)], capture_output=True, text=True, env=env)


def _read_json(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def structure_key(config: Path, docs_dir: Path, epoch: str) -> str:
    """A hash of what every built page shows besides its own Markdown: the set of files (a page
    added or removed changes every page's navigation), the generated mkdocs config (nav, site
    address, publisher), the theme overrides, the code and every library's version, the build
    date, and the title and front matter of each page the nav lists (MkDocs reads no other
    page in a dirty build, so these must not change)."""
    digest = hashlib.sha256()

    def add(*parts) -> None:
        for part in parts:
            digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
            digest.update(b"\0")
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    add(code_fingerprint(), epoch, config.read_bytes())
    add("\n".join(sorted(files_under(docs_dir))))
    theme_dir = (settings.get("theme") or {}).get("custom_dir")
    for f in sorted(Path(theme_dir).rglob("*")) if theme_dir else ():
        if f.is_file():
            add(f.relative_to(theme_dir).as_posix(), f.read_bytes())
    for rel in _nav_files(settings.get("nav")):
        path = docs_dir / rel
        add(rel, _title_lines(path.read_text(encoding="utf-8")) if path.is_file() else "")
    return digest.hexdigest()


def _nav_files(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        nav = list(nav.values())
    return [f for item in nav or () for f in _nav_files(item)]


def _title_lines(markdown: str) -> str:
    """What MkDocs takes a page's title and metadata from: the first block (YAML front matter
    or MultiMarkdown meta) and every level-1 heading (`# Title` or underlined with `=`)."""
    lines = markdown.splitlines()
    end = lines.index("---", 1) if lines[:1] == ["---"] and "---" in lines[1:] else None
    head = lines[:end + 1] if end else lines[:lines.index("") if "" in lines else len(lines)]
    headings = [line for i, line in enumerate(lines) if line.startswith("# ")
                or (i + 1 < len(lines) and line.strip() and re.fullmatch(r"=+\s*", lines[i + 1]))]
    return "\n".join(head + ["\0"] + headings)


def stale_pages(docs_dir: Path, out: Path) -> tuple[set[str], bool]:
    """The addresses of the pages a dirty build renders: those whose Markdown is newer than their
    HTML (MkDocs' own rule; the writer rewrites only changed files); and whether any other file
    (a chart, a CSV) is newer than its copy, which a dirty build copies again."""
    stale, assets = set(), False

    def newer(source: str, copy: str) -> bool:
        try:
            return os.stat(copy).st_mtime < os.stat(source).st_mtime
        except FileNotFoundError:
            return True
    for rel in files_under(docs_dir):
        if not rel.endswith(".md"):
            assets = assets or newer(f"{docs_dir}/{rel}", f"{out}/{rel}")
            continue
        page = rel[:-3]
        url = "" if page == "index" else page[:-5] if page.endswith("/index") else page + "/"
        if newer(f"{docs_dir}/{rel}", f"{out}/{url}index.html"):
            stale.add(url)
    return stale, assets


def merge_search_index(old: dict, new: dict | None, rebuilt: set[str]) -> dict | None:
    """The previous full search index with the entries of the rebuilt pages replaced by those of
    `new` (MkDocs' index of a dirty build: the rebuilt pages only), in the same order as a full
    build. None when a page cannot be placed (it had no entries before): build in full."""
    if new is None:
        return None
    fresh: dict[str, list] = {}
    for entry in new["docs"]:
        fresh.setdefault(entry["location"].split("#")[0], []).append(entry)
    docs, placed = [], set()
    for entry in old["docs"]:
        page = entry["location"].split("#")[0]
        if page not in rebuilt:
            docs.append(entry)
        elif page not in placed:
            docs.extend(fresh.get(page, []))
            placed.add(page)
    if not set(fresh) <= placed:
        return None
    return {**new, "docs": docs}


def publish(out: Path, site_dir: Path) -> Path:
    """Put a copy of MkDocs' output in site_dir atomically: built beside it, then swapped in, so
    the previous site stays whole until the new one is complete. A file unchanged since the
    last publish (same size and time as the copy in the published site, or the same bytes) is
    hard-linked from it; any other is copied. MkDocs writes in place into `out`, so no file of
    `out` is ever linked into the published site. When every file is unchanged and none removed,
    site_dir is left as is."""
    src, dst = f"{out}/", f"{site_dir}/"
    files = files_under(out)
    same = {rel for rel in files if _unchanged(src + rel, dst + rel)}
    if len(same) == len(files) and len(files_under(site_dir)) == len(files):
        return site_dir
    tmp = site_dir.with_name(f".{site_dir.name}.building")
    shutil.rmtree(tmp, ignore_errors=True)
    new = f"{tmp}/"
    try:
        for folder in {os.path.dirname(rel) for rel in files}:
            os.makedirs(new + folder, exist_ok=True)
        for rel in files:
            if rel in same:
                os.link(dst + rel, new + rel)
            else:
                shutil.copy2(src + rel, new + rel)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = site_dir.with_name(f".{site_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if site_dir.exists():
        os.replace(site_dir, old)
    os.replace(tmp, site_dir)
    shutil.rmtree(old, ignore_errors=True)
    return site_dir


def _unchanged(src: str, published: str) -> bool:
    """The published file has src's bytes: same size and time (copied from it), or same size and
    the same bytes (MkDocs rewrites every page on a full build, and on every build the sitemap,
    404 page and search index); then the published file takes src's time, so the next publish
    knows it by its time without reading both again."""
    try:
        st, pst = os.stat(src), os.stat(published)
    except OSError:  # not published before
        return False
    if not stat.S_ISREG(pst.st_mode) or st.st_size != pst.st_size:
        return False
    if st.st_mtime_ns == pst.st_mtime_ns:
        return True
    if not filecmp.cmp(src, published, shallow=False):
        return False
    os.utime(published, ns=(pst.st_atime_ns, st.st_mtime_ns))
    return True


def write_search_index(path: Path, data: dict | None) -> None:
    """Material writes its search index with every Vietnamese letter as a \\uXXXX escape
    (6 bytes instead of 2-3): write it as plain UTF-8, the same JSON, a third smaller, so
    the first visit (which loads the index) stays light."""
    if data is not None:
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

