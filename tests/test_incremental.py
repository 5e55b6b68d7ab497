"""The incremental publish build (build.run_mkdocs_incremental): after a data edit that leaves
the site's structure alone, MkDocs renders only the changed pages (`--dirty`) and the search
index is merged; the published site must be exactly what a full build of the same package
publishes. Anything every page shows (the page set, a nav title) changing means a full build."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, files, make_package, set_cell
from site_builder import build
from site_builder.build import build_site, merge_search_index


@pytest.fixture
def modes(monkeypatch):
    """The MkDocs runs of each build, by mode (--dirty / --clean)."""
    seen = []
    real = build._mkdocs

    def spy(config, epoch, mode):
        seen.append(mode)
        return real(config, epoch, mode)
    monkeypatch.setattr(build, "_mkdocs", spy)
    return seen


@pytest.fixture
def built(tmp_path):
    """A package built once, with its own content/ copy (so a test can edit a hand-written page)."""
    pkg = make_package(tmp_path / "pkg")
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    build_site(pkg, tmp_path / "site", work_dir=tmp_path / "build", content_dir=content)
    return pkg, content


def rebuild(tmp_path, pkg, content):
    return build_site(pkg, tmp_path / "site", work_dir=tmp_path / "build", content_dir=content)


def full_build(tmp_path, pkg, content):
    return build_site(pkg, tmp_path / "full-site", work_dir=tmp_path / "full-build", content_dir=content)


def test_one_commune_edit_rebuilds_dirty_and_publishes_what_a_full_build_does(tmp_path, built, modes):
    pkg, content = built
    set_cell(pkg, "commune_recognitions", 0, "decision", "9876/QĐ-UBND")
    site = rebuild(tmp_path, pkg, content)
    assert modes == ["--dirty"]
    assert "9876/QĐ-UBND" in (site / "xa" / "xa-dinh-lap-thu-nghiem" / "index.html").read_text(encoding="utf-8")
    assert files(site) == files(full_build(tmp_path, pkg, content))  # every file, byte for byte
    # MkDocs writes into its own folder in place: no published file may share its inode
    out = tmp_path / "build" / "mkdocs-site"
    for path in site.rglob("*"):
        if path.is_file():
            assert path.stat().st_ino != (out / path.relative_to(site)).stat().st_ino, path


def test_no_change_rebuilds_nothing_and_changes_nothing(tmp_path, built, modes):
    pkg, content = built
    before = files(tmp_path / "site")
    inodes = {p: p.stat().st_ino for p in (tmp_path / "site").rglob("*")}
    site = rebuild(tmp_path, pkg, content)
    assert modes == [] and files(site) == before  # nothing newer than the last site: no MkDocs run
    assert {p: p.stat().st_ino for p in site.rglob("*")} == inodes  # the published site left as it was


def test_a_chart_or_file_changed_alone_is_copied_by_a_dirty_build(tmp_path, built, modes):
    """A file of the docs folder that is not a page (a chart, a CSV), newer than its copy in the
    site, makes MkDocs run (dirty) and the site get the new file."""
    pkg, content = built
    rebuild(tmp_path, pkg, content)
    assert modes == []
    extra = content / "tai-lieu-thu.txt"
    extra.write_text("Tệp thử.\n", encoding="utf-8")
    site = rebuild(tmp_path, pkg, content)
    assert modes == ["--clean"]  # a file added changes the page set: full build
    extra.write_text("Tệp thử, sửa.\n", encoding="utf-8")
    site = rebuild(tmp_path, pkg, content)
    assert modes == ["--clean", "--dirty"]
    assert (site / "tai-lieu-thu.txt").read_text(encoding="utf-8") == "Tệp thử, sửa.\n"


def test_a_page_added_or_removed_means_a_full_build(tmp_path, built, modes):
    pkg, content = built
    (content / "trang-moi.md").write_text("# Trang mới\n\nNội dung.\n", encoding="utf-8")
    site = rebuild(tmp_path, pkg, content)
    assert modes == ["--clean"] and (site / "trang-moi" / "index.html").is_file()
    (content / "trang-moi.md").unlink()
    site = rebuild(tmp_path, pkg, content)
    assert modes == ["--clean", "--clean"] and not (site / "trang-moi").exists()
    assert files(site) == files(full_build(tmp_path, pkg, content))


def test_a_nav_page_title_change_means_a_full_build(tmp_path, built, modes):
    pkg, content = built
    page = content / "gioi-thieu.md"
    text = page.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("# "))
    page.write_text(text.replace(first, "# Giới thiệu (tên mới)", 1), encoding="utf-8")
    site = rebuild(tmp_path, pkg, content)
    assert modes == ["--clean"]
    assert files(site) == files(full_build(tmp_path, pkg, content))


def test_a_failed_build_leaves_the_site_and_forces_a_full_build_next(tmp_path, built, modes):
    pkg, content = built
    before = files(tmp_path / "site")
    page = content / "gioi-thieu.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + "\n[hỏng](khong-co-trang-nay.md)\n", encoding="utf-8")
    with pytest.raises(build.BuildError):
        rebuild(tmp_path, pkg, content)
    assert files(tmp_path / "site") == before
    page.write_text(good, encoding="utf-8")
    modes.clear()
    rebuild(tmp_path, pkg, content)
    assert modes == ["--clean"]


def test_search_index_merge_keeps_order_and_replaces_rebuilt_pages():
    old = {"config": {}, "docs": [{"location": "", "text": "a"}, {"location": "xa/a/", "text": "cũ"},
                                  {"location": "xa/a/#muc", "text": "cũ"}, {"location": "xa/b/", "text": "b"}]}
    new = {"config": {"lang": ["vi"]}, "docs": [{"location": "xa/a/", "text": "mới"}]}
    merged = merge_search_index(old, new, {"xa/a/"})
    assert merged["config"] == {"lang": ["vi"]}
    assert [(e["location"], e["text"]) for e in merged["docs"]] == [("", "a"), ("xa/a/", "mới"), ("xa/b/", "b")]
    # a rebuilt page that had no entries before cannot be placed: the caller builds in full
    assert merge_search_index(old, {"config": {}, "docs": [{"location": "xa/c/"}]}, {"xa/c/"}) is None


def test_git_history_is_kept_between_builds_and_renewed_when_the_package_changes(tmp_path, monkeypatch):
    from conftest import REAL_PACKAGE
    from site_builder.model import build_model

    communes = build_model(REAL_PACKAGE).communes
    calls = []
    real = build.load_history
    monkeypatch.setattr(build, "load_history", lambda *a: (calls.append(a), real(*a))[1])
    first = build.cached_history(REAL_PACKAGE, communes, tmp_path)
    again = build.cached_history(REAL_PACKAGE, communes, tmp_path)
    assert len(calls) == 1 and first.releases and \
        [r.commit for r in again.releases] == [r.commit for r in first.releases] and \
        {p: r.commit for p, r in again.page_changed.items()} == {p: r.commit for p, r in first.page_changed.items()}
    some = next(iter(communes))
    build.cached_history(REAL_PACKAGE, {**communes, some: {**communes[some], "recognitions": []}}, tmp_path)
    assert len(calls) == 1  # another recognition of a commune: same history
    build.cached_history(REAL_PACKAGE, {**communes, "xa-moi": {"name": "Xã mới"}}, tmp_path)
    assert len(calls) == 2  # other communes: the pages a change belongs to may differ


def test_publish_links_unchanged_files_copies_changed_ones_and_drops_removed_ones(tmp_path):
    """publish() without MkDocs: MkDocs' folder `out` rewritten as a full build does (every file
    a new time), one page changed, one removed, one added."""
    import time

    out, site = tmp_path / "out", tmp_path / "site"
    for rel, text in {"index.html": "trang chủ", "xa/a/index.html": "xã A", "xa/b/index.html": "xã B"}.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    build.publish(out, site)
    inode = (site / "index.html").stat().st_ino
    time.sleep(0.01)
    (out / "index.html").write_text("trang chủ", encoding="utf-8")  # same bytes, a new time
    (out / "xa/a/index.html").write_text("xã A, sửa", encoding="utf-8")
    (out / "xa/b/index.html").unlink()
    (out / "xa/c").mkdir()
    (out / "xa/c/index.html").write_text("xã C", encoding="utf-8")
    build.publish(out, site)
    assert files(site) == files(out)
    assert (site / "index.html").stat().st_ino == inode  # linked from the previous site, not copied
    # ... and it took MkDocs' time, so the next publish knows it unchanged without reading it
    assert (site / "index.html").stat().st_mtime_ns == (out / "index.html").stat().st_mtime_ns
    for rel in ("index.html", "xa/a/index.html", "xa/c/index.html"):  # nothing shares MkDocs' files
        assert (site / rel).stat().st_ino != (out / rel).stat().st_ino
    before = {p: p.stat().st_ino for p in site.rglob("*")}
    assert build.publish(out, site) == site
    assert {p: p.stat().st_ino for p in site.rglob("*")} == before  # nothing changed: left as it was
    assert not any(p.name.startswith(".site") for p in tmp_path.iterdir())


def test_a_build_reads_each_package_file_once_to_key_its_caches(tmp_path, monkeypatch):
    """The caches (validation, downloads, extracts, page inputs) each key a table by its file;
    the file is hashed once a build and the hash shared (the national criteria file is 200 MB),
    and a file edited between two builds is hashed again."""
    import hashlib
    from collections import Counter

    pkg = make_package(tmp_path / "pkg")
    hashed = Counter()
    real = hashlib.file_digest

    def spy(fh, name):
        hashed[Path(fh.name).resolve()] += 1
        return real(fh, name)
    monkeypatch.setattr(hashlib, "file_digest", spy)
    build_site(pkg, tmp_path / "site", run_mkdocs=False, work_dir=tmp_path / "build")
    csv = sorted(p.resolve() for p in (pkg / "data").glob("*.csv"))
    assert csv and all(hashed[p] == 1 for p in csv), {p.name: hashed[p] for p in csv}
    hashed.clear()
    set_cell(pkg, "donors", 0, "note", "sửa")
    build_site(pkg, tmp_path / "site", run_mkdocs=False, work_dir=tmp_path / "build")
    assert all(hashed[p] == 1 for p in csv), {p.name: hashed[p] for p in csv}
