"""The build: validate -> model -> pages and assets (plain Markdown, no MkDocs import) -> MkDocs.
The site is built in a temporary folder and swapped in only when everything succeeded, so a
failed build leaves the previous site/ untouched."""
from __future__ import annotations

import ctypes
import gc
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from . import charts
from .history import data_version, load_history
from .model import build_model
from .pages import DEMO_BANNER, DEMO_SITE_NAME, Site, generate_all, with_banner
from .render import make_env
from .validate import validate_package_cached
from .writer import Writer

ROOT = Path(__file__).resolve().parent.parent
WEB_ASSETS = Path(__file__).parent / "assets" / "web"


class BuildError(Exception):
    pass


def make_site(package_dir: Path, cache_dir: Path | None = None, env=None, out=None,
              renderer=None) -> Site:
    """Read the package and generate every page, chart and file: into `out`, a Writer that
    writes each to disk as it is made, with `renderer` (charts.Renderer) for the charts; or,
    without them, kept in memory (site.pages, site.charts: tests and the preview). With `env`,
    a Jinja environment from make_env() kept by the preview, its compiled templates are reused."""
    model = build_model(package_dir)
    site = Site(model, env or make_env(), version=data_version(package_dir),
                history=load_history(package_dir, model.communes),
                package_dir=Path(package_dir), cache_dir=cache_dir,
                banner=DEMO_BANNER if model.descriptor.get("synthetic") else "")
    if out is not None:
        site.out, site.renderer = out, renderer
    generate_all(site)
    if site.extracts:
        site.extracts.finish()
    return site


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


def write_docs(site: Site, docs_dir: Path, content_dir: Path | None = None,
               cache_dir: Path | None = None) -> int:
    """Write a site kept in memory (make_site without a writer), its charts, the hand-written
    pages of content_dir and the web assets into docs_dir: only files whose content changed;
    files no longer made are removed."""
    writer = Writer(docs_dir)
    renderer = charts.Renderer(writer, cache_dir and cache_dir / "charts")
    try:
        for path, content in site.out.files.items():
            (writer.add_file if isinstance(content, Path) else writer.add)(path, content)
        for chart in site.charts:
            renderer.add(chart)
        renderer.finish()
        add_static(writer, content_dir, site.banner)
    except BaseException:
        renderer.close()
        writer.abort()
        raise
    return writer.commit()


def generate(package_dir: Path, docs_dir: Path, content_dir: Path | None = None,
             cache_dir: Path | None = None) -> Site:
    """Generate the site straight into docs_dir: each page, chart and file is written as it is
    made (only if its bytes changed) and nothing is held until the end; the changes are moved in
    when everything succeeded, so a failure leaves docs_dir as it was."""
    writer = Writer(docs_dir)
    renderer = charts.Renderer(writer, cache_dir and cache_dir / "charts")
    try:
        site = make_site(package_dir, cache_dir, out=writer, renderer=renderer)
        renderer.finish()
        add_static(writer, content_dir, site.banner)
    except BaseException:
        renderer.close()
        writer.abort()
        raise
    writer.commit()
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
    """The project's mkdocs.yml with absolute docs, site and theme folders, for one build
    (and another site name for a synthetic package)."""
    config = yaml.safe_load(base.read_text(encoding="utf-8"))
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
    report = validate_package_cached(package_dir, work_dir / "cache" / "validation")
    if not report.valid:
        raise BuildError(report.to_text())
    docs_dir = work_dir / "docs"
    try:
        site = generate(package_dir, docs_dir, content_dir, cache_dir=work_dir / "cache")
    except Exception as exc:  # a generator bug must not publish half a site either
        raise BuildError(f"page generation failed: {exc!r}") from exc
    if not run_mkdocs:
        return docs_dir
    version, banner = site.version, site.banner
    del site  # MkDocs runs beside this process: the model is not needed any more
    release_memory()
    site_dir = site_dir.resolve()
    tmp = site_dir.with_name(f".{site_dir.name}.building")
    shutil.rmtree(tmp, ignore_errors=True)
    config = mkdocs_config(work_dir, docs_dir, tmp, site_name=DEMO_SITE_NAME if banner else None)
    # MkDocs stamps the sitemap with the build date: take it from the data version instead,
    # so that two builds of one commit are byte-identical.
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(version.get("epoch", 1577836800)),
               NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--clean",
                           "-q", "-f", str(config)], capture_output=True, text=True, env=env)
    if proc.returncode != 0 or not (tmp / "index.html").is_file():
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError("mkdocs build --strict failed:\n" + proc.stdout + proc.stderr)
    compact_search_index(tmp / "search" / "search_index.json")
    old = site_dir.with_name(f".{site_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if site_dir.exists():
        os.replace(site_dir, old)
    os.replace(tmp, site_dir)
    shutil.rmtree(old, ignore_errors=True)
    return site_dir


def compact_search_index(path: Path) -> None:
    """Material writes its search index with every Vietnamese letter as a \\uXXXX escape
    (6 bytes instead of 2-3): rewrite it as plain UTF-8, the same JSON, a third smaller, so
    the first visit (which loads the index) stays light."""
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

