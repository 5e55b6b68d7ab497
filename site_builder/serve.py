"""Preview with live reload: `mkdocs serve` on the generated Markdown, and a watchdog watch on
the package and content/ that regenerates the Markdown after each change. A regeneration that
fails (invalid data, a bug in a page module) is printed and the watch goes on; the preview
keeps the last good pages."""
from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from .build import ROOT, make_site, mkdocs_config, write_docs
from .package import forget_file_hashes
from .pages import generate_all
from .render import make_env
from .validate import validate_package_cached
from .writer import Collect

# Made after the other pages are shown: the downloads (about a second on the real package) and
# the data-check page (it waits for the validation process's report).
LATER = frozenset({"data", "validation"})

# Only changes count: reading a file (as a regeneration does) must not trigger another one.
CHANGES = {EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MODIFIED, EVENT_TYPE_MOVED}


def failed() -> None:
    traceback.print_exc(file=sys.stderr)
    print("Regeneration failed (above); the preview keeps the last good pages. "
          "Save again after fixing.", file=sys.stderr, flush=True)


class _Changes(FileSystemEventHandler):
    def __init__(self, notify: Callable[[Path], None]):
        self.notify = notify

    def on_any_event(self, event) -> None:
        if event.event_type in CHANGES and not event.is_directory:
            self.notify(Path(event.src_path))
            if getattr(event, "dest_path", ""):
                self.notify(Path(event.dest_path))


def watch(folders: Iterable[Path], on_change: Callable[[set[Path]], None],
          settle: float = 0.1) -> Callable[[], None]:
    """Call `on_change(changed_paths)` on one worker thread after each burst of changes under
    `folders` (waiting `settle` seconds, so a save of several files is one regeneration). An
    exception in `on_change` is printed and the watch goes on. Returns a function that stops it."""
    changed: set[Path] = set()
    lock, wake, stopped = threading.Lock(), threading.Event(), threading.Event()

    def notify(path: Path) -> None:
        with lock:
            changed.add(path)
            wake.set()

    def worker() -> None:
        while True:
            wake.wait()
            if stopped.is_set():
                return
            time.sleep(settle)
            with lock:
                paths = set(changed)
                changed.clear()
                wake.clear()
            try:
                on_change(paths)
            except Exception:  # any bug: say so, keep watching
                failed()

    observer = Observer()
    for folder in folders:
        if Path(folder).is_dir():
            observer.schedule(_Changes(notify), str(folder), recursive=True)
    observer.start()
    thread = threading.Thread(target=worker, name="regenerate", daemon=True)
    thread.start()

    def stop() -> None:
        stopped.set()
        wake.set()
        observer.stop()
        observer.join()
        thread.join()
    return stop


def _problems(package_dir: Path, cache_dir: Path) -> str | None:
    """In the validation process: None when the package is valid, else the validator's report."""
    forget_file_hashes()  # a long-lived process: each refresh reads the files again
    report = validate_package_cached(package_dir, cache_dir)
    return None if report.valid else report.to_text()


class Preview:
    """The generated Markdown of a package, kept up to date: `regenerate(changed_paths)`
    validates and regenerates everything, or, when only hand-written pages (content/) changed,
    rewrites just those with the last good site. The package is validated in a second process
    while this one generates the pages (each takes about a second on the real package; the
    machine has two cores); the pages are written only if it is valid, first beside the last
    downloads and data-check page, which are then made again (LATER: about a second more on the
    real package, that the changed page does not wait for). Invalid data prints the validator's
    report and keeps the last good pages."""

    def __init__(self, package_dir: Path, work_dir: Path, content_dir: Path):
        self.package_dir, self.content_dir = Path(package_dir), Path(content_dir).resolve()
        self.docs_dir, self.cache_dir = Path(work_dir) / "docs", Path(work_dir) / "cache"
        self.site = None  # the last good site
        self.env = make_env()  # compiled templates kept between regenerations (Jinja reloads an edited one)
        self.pool = None  # the validation process, started on first use and kept
        self.later = None  # the files of the LATER page types last made

    def validate(self) -> Future:
        """Start validating the package in the validation process; the future gives None when
        it is valid, else the report to print."""
        if self.pool is None:
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        try:
            return self.pool.submit(_problems, self.package_dir, self.cache_dir / "validation")
        except BrokenExecutor:  # the process died (killed, out of memory): start another
            self.pool = None
            return self.validate()

    def problems(self, check: Future) -> str | None:
        try:
            return check.result()
        except BrokenExecutor:  # the process died: validate here, start another next time
            self.pool = None
            return _problems(self.package_dir, self.cache_dir / "validation")

    def regenerate(self, changed: set[Path]) -> None:
        if self.site and changed and all(self.content_dir in p.resolve().parents for p in changed):
            write_docs(self.site, self.docs_dir, self.content_dir, self.cache_dir)
            print("pages regenerated (content/)", flush=True)
            return
        forget_file_hashes()  # each file of the package is read once this refresh
        check = self.validate()
        site = error = None
        try:
            site = make_site(self.package_dir, self.cache_dir, self.env, skip=LATER)
        except Exception as exc:  # invalid data can break a page module: the report says why
            error = exc
        if (problems := self.problems(check)) is not None:
            print(problems, file=sys.stderr, flush=True)
            return
        if error is not None:
            raise error
        pages = site.out
        if self.later is not None:  # the changed pages first, beside the last downloads and data check
            pages.files.update(self.later)
            write_docs(site, self.docs_dir, self.content_dir, self.cache_dir)
            print("pages regenerated", flush=True)
        site.out = Collect()
        generate_all(site, only=LATER)  # the validation report is in the cache by now
        self.later = dict(site.out.files)
        pages.files.update(self.later)
        site.out, self.site = pages, site
        write_docs(site, self.docs_dir, self.content_dir, self.cache_dir)
        print("downloads and data check regenerated", flush=True)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def serve(package_dir: Path, work_dir: Path, content_dir: Path = ROOT / "content",
          addr: str | None = None) -> int:
    """Generate the pages, watch the package and content/, and run `mkdocs serve --dirty`,
    which rebuilds only the pages whose Markdown changed (the writer rewrites only those) and
    reloads the browser. A page's navigation and the search index can lag until the next full
    build; a restart rebuilds everything."""
    work_dir.mkdir(parents=True, exist_ok=True)
    preview = Preview(package_dir, work_dir, content_dir)
    try:
        preview.regenerate(set())
    except Exception:
        failed()
    stop = watch([package_dir, content_dir], preview.regenerate)
    try:
        config = mkdocs_config(work_dir, preview.docs_dir, work_dir / "serve-site")
        return subprocess.call([sys.executable, "-m", "mkdocs", "serve", "--dirty", "--no-strict", "-f", str(config),
                                *(["-a", addr] if addr else [])])
    finally:
        stop()
        preview.close()
