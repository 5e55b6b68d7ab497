"""`make serve`'s watch: a real watchdog observer on real folders, with a fake regeneration.
A regeneration that raises is printed and the watch goes on, so the preview keeps updating."""
from __future__ import annotations

import queue

from site_builder.serve import watch

WAIT = 20  # seconds before giving up on an event (a loaded machine); not a timing assertion


def test_an_exception_while_regenerating_is_printed_and_the_watch_goes_on(tmp_path, capsys):
    package, content = tmp_path / "datapackage", tmp_path / "content"
    (package / "data").mkdir(parents=True)
    content.mkdir()
    calls: queue.Queue = queue.Queue()

    def regenerate(changed):
        calls.put(changed)
        if calls.qsize() == 1:
            raise RuntimeError("a bug in a page module")

    stop = watch([package, content], regenerate, settle=0.05)
    try:
        (package / "data" / "funding.csv").write_text("id\nx\n", encoding="utf-8")
        first = calls.get(timeout=WAIT)
        assert package / "data" / "funding.csv" in first
        (content / "gioi-thieu.md").write_text("# Giới thiệu\n", encoding="utf-8")
        second = calls.get(timeout=WAIT)  # the watch survived the exception
        while content / "gioi-thieu.md" not in second:
            second = calls.get(timeout=WAIT)
    finally:
        stop()
    err = capsys.readouterr().err
    assert "RuntimeError: a bug in a page module" in err and "Regeneration failed" in err


def test_reading_the_watched_files_does_not_trigger_a_regeneration(tmp_path):
    (tmp_path / "data.csv").write_text("id\n", encoding="utf-8")
    calls: queue.Queue = queue.Queue()
    stop = watch([tmp_path], calls.put, settle=0.05)
    try:
        (tmp_path / "data.csv").read_text(encoding="utf-8")  # what a regeneration does
        (tmp_path / "marker.csv").write_text("id\n", encoding="utf-8")
        changed = calls.get(timeout=WAIT)
    finally:
        stop()
    assert tmp_path / "data.csv" not in changed and tmp_path / "marker.csv" in changed


def test_preview_keeps_the_last_good_pages_and_rewrites_only_content_when_only_content_changed(
        tmp_path, monkeypatch, capsys):
    from conftest import make_package, set_cell
    from site_builder import serve as serve_module

    package, content = make_package(tmp_path / "pkg"), tmp_path / "content"
    content.mkdir()
    (content / "gioi-thieu.md").write_text("# Giới thiệu\n", encoding="utf-8")
    preview = serve_module.Preview(package, tmp_path / "work", content)
    preview.regenerate(set())
    docs = tmp_path / "work" / "docs"
    home = (docs / "index.md").read_text(encoding="utf-8")
    assert (docs / "gioi-thieu.md").read_text(encoding="utf-8") == "# Giới thiệu\n"

    validations = []
    real = preview.validate
    monkeypatch.setattr(preview, "validate", lambda: (validations.append(1), real())[1])
    (content / "gioi-thieu.md").write_text("# Giới thiệu mới\n", encoding="utf-8")
    preview.regenerate({content / "gioi-thieu.md"})
    assert (docs / "gioi-thieu.md").read_text(encoding="utf-8") == "# Giới thiệu mới\n"
    assert validations == [] and (docs / "index.md").read_text(encoding="utf-8") == home

    set_cell(package, "ntm_counts", 0, "communes", "khoảng 600")  # invalid: not an integer
    preview.regenerate({package / "data" / "ntm_counts.csv"})
    assert len(validations) == 1 and "type-error" in capsys.readouterr().err
    assert (docs / "index.md").read_text(encoding="utf-8") == home  # the last good pages stay

    set_cell(package, "ntm_counts", 0, "communes", "24")  # fixed, and a valid edit beside it
    set_cell(package, "commune_recognitions", 0, "decision", "9876/QĐ-UBND")
    writes, write_docs = [], serve_module.write_docs

    def watching(*args):  # what the docs hold after each write: the page, then the download
        write_docs(*args)
        page = (docs / "xa" / "xa-dinh-lap-thu-nghiem.md").read_text(encoding="utf-8")
        download = (docs / "du-lieu" / "commune_recognitions.csv").read_text(encoding="utf-8-sig")
        writes.append(("9876/QĐ\\-UBND" in page, "9876/QĐ-UBND" in download))
    monkeypatch.setattr(serve_module, "write_docs", watching)
    preview.regenerate({package / "data" / "ntm_counts.csv", package / "data" / "commune_recognitions.csv"})
    preview.close()
    assert len(validations) == 2  # Markdown escapes the hyphen
    # the changed page is shown first, beside the last downloads; then the downloads follow
    assert writes == [(True, False), (True, True)]
