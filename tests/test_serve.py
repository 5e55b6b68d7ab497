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
