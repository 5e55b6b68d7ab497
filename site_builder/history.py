"""Data releases from git history: each commit that changed the package is a release, its data
diff says what changed, and each page learns when its own data last changed. Dates come from
git, never from the clock, so the same commit always builds the same site."""
from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import routes
from .diff import DataDiff, diff_packages, extract_from_git, named_persons

MAX_RELEASES = 30


@dataclass
class Release:
    commit: str
    short: str
    date: dt.date
    subject: str            # the commit message: never published (it may name a person)
    diff: DataDiff | None  # None for the first version (everything new)


@dataclass
class History:
    releases: list[Release] = field(default_factory=list)       # newest first
    page_changed: dict[str, Release] = field(default_factory=dict)

    def last_change(self, page: str) -> Release | None:
        return self.page_changed.get(page) or (self.releases[-1] if self.releases else None)


def _git(cwd: Path, *args) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def data_version(package_dir: Path) -> dict:
    """Date and short commit of the last commit that changed the package; {} outside git."""
    line = _git(package_dir, "log", "--first-parent", "-1", "--format=%H|%h|%cs|%ct", "--", ".")
    if not line:
        return {}
    full, short, date, epoch = line.split("|")
    dirty = bool(_git(package_dir, "status", "--porcelain", "--", "."))
    return {"commit": short + ("+thay đổi chưa commit" if dirty else ""), "full": full, "date": date,
            "date_vn": dt.date.fromisoformat(date).strftime("%d/%m/%Y"), "epoch": int(epoch)}


def pages_of(change, communes: dict[str, dict]) -> set[str]:
    """The generated pages whose data a changed row belongs to (from the page registry)."""
    return routes.pages_of(change.row, change.resource, communes)


def load_history(package_dir: Path, communes: dict[str, dict]) -> History | None:
    # main's own line of history: a merged branch is one release, its inner commits are not
    log = _git(package_dir, "log", "--first-parent", f"-{MAX_RELEASES + 1}", "--format=%H|%h|%cs|%s",
               "--", ".")
    if not log:
        return None
    entries = [line.split("|", 3) for line in log.splitlines()]
    prefix = _git(package_dir, "rev-parse", "--show-prefix").rstrip("/")
    top = Path(_git(package_dir, "rev-parse", "--show-toplevel"))
    history = History()
    named = named_persons(package_dir)  # a person withdrawn now is named in no older release
    with tempfile.TemporaryDirectory() as tmp:
        versions = {}
        for full, *_ in entries:
            versions[full] = _extract(top, full, prefix, Path(tmp))
        for i, (full, short, date, subject) in enumerate(entries[:MAX_RELEASES]):
            older = entries[i + 1][0] if i + 1 < len(entries) else None
            diff = None
            if older and versions.get(older) and versions.get(full):
                diff = diff_packages(versions[older], versions[full], entries[i + 1][1], short,
                                     named=named)
            history.releases.append(Release(full, short, dt.date.fromisoformat(date), subject, diff))
    for release in reversed(history.releases):  # oldest first, so newer releases overwrite
        for change in release.diff.changes if release.diff else ():
            for page in pages_of(change, communes):
                history.page_changed[page] = release
    return history


def _extract(top: Path, commit: str, prefix: str, tmp: Path) -> Path | None:
    try:
        package = extract_from_git(commit, prefix, tmp / commit, cwd=top)
    except ValueError:
        return None
    return package if (package / "datapackage.json").is_file() else None
