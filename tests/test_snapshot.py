"""Snapshot of the generated Markdown (as Pelican's functional tests do): every page the
synthetic fixture package (tests/fixtures/minimal) gives is compared with the copy committed
under tests/snapshots/minimal/. Any change to a page shows here as a diff; when the change is
intended, update the snapshot and commit it with the change:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_snapshot.py
"""
from __future__ import annotations

import difflib
import os
import re
import shutil
from pathlib import Path

from conftest import make_package
from site_builder.build import make_site

SNAPSHOT = Path(__file__).parent / "snapshots" / "minimal"
# The size of a download depends on the zlib and openpyxl versions, not on this code.
SIZES = re.compile(r"\| \d+ KB \|")


def generated(tmp_path: Path) -> dict[str, str]:
    site = make_site(make_package(tmp_path / "pkg"), cache_dir=tmp_path / "cache")
    return {path: SIZES.sub("| … KB |", text) for path, text in site.pages.items()}


def test_generated_markdown_matches_the_snapshot(tmp_path):
    pages = generated(tmp_path)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        shutil.rmtree(SNAPSHOT, ignore_errors=True)
        for path, text in pages.items():
            (SNAPSHOT / path).parent.mkdir(parents=True, exist_ok=True)
            (SNAPSHOT / path).write_text(text, encoding="utf-8", newline="\n")
    stored = {p.relative_to(SNAPSHOT).as_posix(): p.read_text(encoding="utf-8")
              for p in sorted(SNAPSHOT.rglob("*.md"))}
    assert sorted(pages) == sorted(stored), "pages added or removed (see the update command above)"
    changed = [path for path in sorted(pages) if pages[path] != stored[path]]
    diff = "".join(line for path in changed[:3] for line in difflib.unified_diff(
        stored[path].splitlines(keepends=True), pages[path].splitlines(keepends=True),
        f"snapshot/{path}", f"generated/{path}"))
    assert not changed, f"{len(changed)} page(s) differ from the snapshot:\n{diff}"
