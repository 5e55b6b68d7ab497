"""Data releases from git history: each commit that changed the package is a release, its data
diff says what changed, and each page learns when its own data last changed. Dates come from
git, never from the clock, so the same commit always builds the same site."""
from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .diff import DataDiff, diff_packages, extract_from_git

MAX_RELEASES = 30
PROVINCE_TABLES = {"criteria_progress", "criteria_distribution", "average_criteria", "ntm_counts",
                   "funding", "indicators"}
PROVINCE_PAGES = ("index.md", "tieu-chi.md", "xa-dat-chuan.md", "nguon-von.md", "moi-truong.md",
                  "giao-thong-thuy-loi.md", "ha-tang-khac.md", "san-xuat.md", "kinh-te-giam-ngheo.md",
                  "van-hoa-xa-hoi.md", "tuyen-truyen-tap-huan.md", "to-chuc-an-ninh.md",
                  "ke-hoach.md")  # = pages.province.PAGES (tests/test_site.py checks)
HONOUR_PAGES = {"donors": "vinh-danh/nha-tai-tro.md", "households": "vinh-danh/ho-dien-hinh.md",
                "land_donors": "vinh-danh/hien-dat.md", "awards": "vinh-danh/khen-thuong.md",
                "projects": "vinh-danh/cong-trinh-mo-hinh.md",
                "production_models": "vinh-danh/cong-trinh-mo-hinh.md"}


@dataclass
class Release:
    commit: str
    short: str
    date: dt.date
    subject: str
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
    line = _git(package_dir, "log", "-1", "--format=%H|%h|%cs|%ct", "--", ".")
    if not line:
        return {}
    full, short, date, epoch = line.split("|")
    dirty = bool(_git(package_dir, "status", "--porcelain", "--", "."))
    return {"commit": short + ("+thay đổi chưa commit" if dirty else ""), "full": full, "date": date,
            "date_vn": dt.date.fromisoformat(date).strftime("%d/%m/%Y"), "epoch": int(epoch)}


def pages_of(change, communes: dict[str, dict]) -> set[str]:
    """The generated pages whose data a changed row belongs to."""
    row, resource = change.row, change.resource
    pages = {"du-lieu/index.md", "thay-doi.md"}
    commune_ids = {row.get("commune_id"), row.get("from_commune_id"), row.get("to_commune_id")}
    if resource == "communes":
        commune_ids.add(row.get("id"))
    for cid in filter(None, commune_ids):
        pages.add(f"xa/{cid}.md")
        district = (communes.get(cid) or {}).get("district_id")
        if district:
            pages.add(f"huyen/{district}.md")
    if row.get("district_id"):
        pages.add(f"huyen/{row['district_id']}.md")
    if resource == "districts":
        pages.add(f"huyen/{row.get('id')}.md")
    if resource in PROVINCE_TABLES:
        pages |= {"index.md"} | {f"tien-do/{p}" for p in PROVINCE_PAGES}
    if resource == "criteria_progress" and (row.get("criterion_number") or "").isdigit():
        pages.add(f"tieu-chi/{int(row['criterion_number']):02d}.md")
    if resource == "criteria" and (row.get("number") or "").isdigit():
        pages.add(f"tieu-chi/{int(row['number']):02d}.md")
    if resource in HONOUR_PAGES:
        pages |= {HONOUR_PAGES[resource], "vinh-danh/index.md"}
    if resource in ("documents", "document_citations"):
        pages.add("van-ban.md")
    if resource == "sources":
        pages.add("nguon.md")
    if resource == "notes":
        pages |= {"sai-lech/index.md", f"sai-lech/{(row.get('kind') or '').replace('_', '-')}.md"}
    return pages


def load_history(package_dir: Path, communes: dict[str, dict]) -> History | None:
    log = _git(package_dir, "log", f"-{MAX_RELEASES + 1}", "--format=%H|%h|%cs|%s", "--", ".")
    if not log:
        return None
    entries = [line.split("|", 3) for line in log.splitlines()]
    prefix = _git(package_dir, "rev-parse", "--show-prefix").rstrip("/")
    top = Path(_git(package_dir, "rev-parse", "--show-toplevel"))
    history = History()
    with tempfile.TemporaryDirectory() as tmp:
        versions = {}
        for full, *_ in entries:
            versions[full] = _extract(top, full, prefix, Path(tmp))
        for i, (full, short, date, subject) in enumerate(entries[:MAX_RELEASES]):
            older = entries[i + 1][0] if i + 1 < len(entries) else None
            diff = None
            if older and versions.get(older) and versions.get(full):
                diff = diff_packages(versions[older], versions[full], entries[i + 1][1], short)
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
