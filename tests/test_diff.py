"""`diff`: the exact sentences a reviewer reads for added, removed and changed rows."""
from __future__ import annotations

import json
import subprocess

from conftest import ROOT, make_package, read_rows, set_cell, write_rows
from site_builder.cli import main
from site_builder.diff import diff_packages


def pair(tmp_path):
    return make_package(tmp_path / "old"), make_package(tmp_path / "new")


def test_no_change(tmp_path):
    old, new = pair(tmp_path)
    assert diff_packages(old, new).to_text() == "No change in the data."


def test_added_recognition_sentence(tmp_path):
    old, new = pair(tmp_path)
    rows = read_rows(new, "commune_recognitions")
    rows.append(dict(rows[0], id="cr-2", commune_id="xa-hoa-binh-thu-nghiem", year="2020",
                     decision="", decision_date="", source_locator="mục 2"))
    write_rows(new, "commune_recognitions", rows)
    result = diff_packages(old, new)
    assert [c.sentence for c in result.changes] == [
        "Xã Hòa Bình (Huyện Thử Nghiệm): new recognition NTM năm 2020 "
        "(source: Báo cáo thử nghiệm (giả lập), mục 2)"]
    assert result.counts() == {"commune_recognitions": {"added": 1, "removed": 0, "changed": 0}}


def test_changed_amount_sentence(tmp_path):
    old, new = pair(tmp_path)
    set_cell(new, "funding", 1, "amount_stated", "230.000")
    set_cell(new, "funding", 1, "amount_million_vnd", "230000")
    result = diff_packages(old, new)
    assert [c.sentence for c in result.changes] == [
        "funding 6 tháng đầu năm 2017, Ngân sách trung ương: 229.160 triệu đồng → 230.000 triệu đồng"]
    assert result.changes[0].fields == {"amount_stated": ["229.160", "230.000"],
                                        "amount_million_vnd": ["229160", "230000"]}


def test_removed_and_changed_text_sentences(tmp_path):
    old, new = pair(tmp_path)
    write_rows(new, "land_donors", [])
    set_cell(new, "households", 0, "village", "thôn Hai")
    text = diff_packages(old, new).to_text()
    assert "- land_donors l-1 (bà Trần Thị Lập): row removed" in text
    assert "- households h-1 (ông Nguyễn Văn Giả): village thôn Một → thôn Hai" in text
    assert "land_donors: 0 added, 1 removed, 0 changed" in text


def test_markdown_and_json_formats(tmp_path, capsys):
    old, new = pair(tmp_path)
    set_cell(new, "ntm_counts", 0, "communes", "25")
    assert main(["diff", str(old), str(new), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "| ntm_counts | 0 | 0 | 1 |" in md
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changes"][0]["fields"] == {"communes": ["24", "25"]}


def test_git_refs(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    pkg = make_package(repo / "datapackage")
    git = lambda *a: subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *a],
                                    cwd=repo, check=True, capture_output=True)
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "v1")
    set_cell(pkg, "ntm_counts", 0, "communes", "25")
    git("commit", "-qam", "v2")
    monkeypatch.chdir(repo)
    from site_builder.diff import diff_specs
    result = diff_specs("HEAD~1", "HEAD")
    assert [c.sentence for c in result.changes] == ["ntm_counts nc-1: communes 24 → 25"]
