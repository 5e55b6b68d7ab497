"""The streaming writer: files go to disk as the pages are made, yet a failed build leaves the
docs folder as it was, an unchanged file is not touched (so `mkdocs serve` reloads only what
changed), stale files go, and the per-place extracts are made once per package version."""
from __future__ import annotations

import pytest

from conftest import make_package
from site_builder import exports
from site_builder.build import generate
from site_builder.pages import commune
from site_builder.writer import WriteConflict, Writer


def snapshot(root):
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def written(root, names) -> dict:
    """A first generation into root: each file's text is its own name. Returns snapshot(root)."""
    first = Writer(root)
    for name in names:
        first.add(name, name)
    first.commit()
    return snapshot(root)


def test_an_aborted_writer_leaves_the_folder_as_it_was(tmp_path):
    root = tmp_path / "docs"
    first = Writer(root)
    first.add("a.md", "A")
    first.add("b/c.md", "C")
    assert first.commit() == 2
    before = snapshot(root)
    second = Writer(root)
    second.add("a.md", "A changed")
    second.add("new.md", "new")
    assert not (root / "new.md").exists()  # staged, not in the folder yet
    second.abort()
    assert snapshot(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]  # no staging left behind


def test_unchanged_files_are_not_touched_and_stale_ones_go(tmp_path):
    root = tmp_path / "docs"
    before = written(root, ("same.md", "changed.md", "gone/old.md"))
    again = Writer(root)
    again.add("same.md", "same.md")
    again.add("changed.md", "other text")
    assert again.commit() == 1
    after = snapshot(root)
    assert after["same.md"] == before["same.md"]          # same bytes, same mtime
    assert after["changed.md"][0] == b"other text"
    assert "gone/old.md" not in after and not (root / "gone").exists()


def test_a_kept_file_stays_as_it_was_and_is_not_removed_as_stale(tmp_path):
    root = tmp_path / "docs"
    before = written(root, ("kept.md", "assets/charts/kept.svg", "dropped.md"))
    again = Writer(root)
    again.keep("kept.md")
    again.keep("assets/charts/kept.svg")
    with pytest.raises(WriteConflict):
        again.keep("kept.md")        # kept twice
    with pytest.raises(WriteConflict):
        again.add("kept.md", "x")    # kept, then written
    with pytest.raises(WriteConflict):
        again.keep("missing.md")     # nothing to keep
    assert again.commit() == 0
    after = snapshot(root)
    assert after == {k: v for k, v in before.items() if k != "dropped.md"}


def test_a_path_written_twice_is_refused_even_as_a_file_copy(tmp_path):
    source = tmp_path / "big.csv"
    source.write_text("x")
    writer = Writer(tmp_path / "docs")
    writer.add("du-lieu/x.csv", "x")
    with pytest.raises(WriteConflict):
        writer.add_file("du-lieu/x.csv", source)


def rename_donor(pkg):
    donors = pkg / "data" / "donors.csv"
    donors.write_text(donors.read_text(encoding="utf-8").replace("Công ty Giả Lập", "Công ty Giả Lập Mới"),
                      encoding="utf-8")


def test_a_generation_that_fails_halfway_leaves_the_docs_as_they_were(tmp_path, monkeypatch):
    """Pages are written while they are made: when a later page fails, nothing of the new pages
    (here the district page, made before the communes, with a donor renamed) reaches docs/."""
    pkg = make_package(tmp_path / "pkg")
    docs, cache = tmp_path / "work" / "docs", tmp_path / "work" / "cache"
    generate(pkg, docs, cache_dir=cache)
    before = snapshot(docs)
    rename_donor(pkg)
    real = commune.commune_page
    made = []

    def failing(*a, **k):
        if made:
            raise RuntimeError("a bug in a page module")
        made.append(real(*a, **k))
    monkeypatch.setattr(commune, "commune_page", failing)
    with pytest.raises(RuntimeError):
        generate(pkg, docs, cache_dir=cache)
    assert snapshot(docs) == before
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["cache", "docs"]
    monkeypatch.setattr(commune, "commune_page", real)
    generate(pkg, docs, cache_dir=cache)
    assert "Công ty Giả Lập Mới" in (docs / "huyen" / "huyen-thu-nghiem.md").read_text(encoding="utf-8")


def test_extracts_are_made_once_per_package_version(tmp_path, monkeypatch):
    pkg = make_package(tmp_path / "pkg")
    docs, cache = tmp_path / "work" / "docs", tmp_path / "work" / "cache"
    calls = []
    real = exports.place_extract
    monkeypatch.setattr(exports, "place_extract", lambda *a: (calls.append(1), real(*a))[1])
    generate(pkg, docs, cache_dir=cache)
    made = len(calls)
    extract = docs / "du-lieu" / "xa" / "xa-hoa-binh-thu-nghiem.json"
    first = extract.read_bytes()
    assert made > 0 and first.startswith(b'{"unit":{')
    generate(pkg, docs, cache_dir=cache)
    assert len(calls) == made and extract.read_bytes() == first  # same package: from the cache
    rename_donor(pkg)
    site = generate(pkg, docs, cache_dir=cache)
    # another package version: made again, for the places whose pages are made again (the
    # donor's commune and district; the others are kept as they are: inputs.py)
    places = [p for p in site.rendered if p.startswith(("xa/", "huyen/")) and not p.endswith("index.md")]
    assert len(calls) - made == len(places) and 0 < len(places) < made
    assert "Công ty Giả Lập Mới" in extract.read_text(encoding="utf-8")
    assert len(list((cache / "extracts").iterdir())) == 1  # only the current version kept
