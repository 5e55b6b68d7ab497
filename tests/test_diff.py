"""`diff`: the exact sentences a reviewer reads for added, removed and changed rows."""
from __future__ import annotations

import json
import subprocess

from conftest import make_package, read_rows, set_cell, write_rows
from site_builder.cli import main
from site_builder.diff import diff_packages


def pair(tmp_path):
    return make_package(tmp_path / "old"), make_package(tmp_path / "new")


def test_no_change(tmp_path):
    old, new = pair(tmp_path)
    assert diff_packages(old, new).to_text() == "Không thay đổi số liệu."


def test_added_recognition_sentence(tmp_path):
    old, new = pair(tmp_path)
    rows = read_rows(new, "commune_recognitions")
    rows.append(dict(rows[0], id="cr-2", commune_id="xa-hoa-binh-thu-nghiem", year="2020",
                     decision="", decision_date="", source_locator="mục 2"))
    write_rows(new, "commune_recognitions", rows)
    result = diff_packages(old, new)
    assert [c.sentence for c in result.changes] == [
        "Thêm công nhận xã: Xã Hòa Bình (Huyện Thử Nghiệm), công nhận NTM năm 2020 "
        "(nguồn: Báo cáo thử nghiệm (giả lập), mục 2)"]
    assert result.counts() == {"commune_recognitions": {"added": 1, "removed": 0, "changed": 0}}


def test_changed_amount_sentence(tmp_path):
    old, new = pair(tmp_path)
    set_cell(new, "funding", 1, "amount_stated", "230.000")
    set_cell(new, "funding", 1, "amount_million_vnd", "230000")
    result = diff_packages(old, new)
    assert [c.sentence for c in result.changes] == [
        "Sửa số liệu vốn 6 tháng đầu năm 2017, Ngân sách trung ương: "
        "229.160 triệu đồng → 230.000 triệu đồng"]
    assert result.changes[0].fields == {"amount_stated": ["229.160", "230.000"],
                                        "amount_million_vnd": ["229160", "230000"]}


def test_removed_and_changed_text_sentences(tmp_path):
    old, new = pair(tmp_path)
    write_rows(new, "land_donors", [])
    set_cell(new, "households", 0, "village", "thôn Hai")
    text = diff_packages(old, new).to_text()
    assert "- Bỏ hộ hiến đất (mã l-1): một dòng đã được rút khỏi danh sách theo đề nghị" in text
    assert "- Sửa hộ điển hình ông Nguyễn Văn Giả: thôn Một → thôn Hai" in text
    assert "Sửa 1 hộ điển hình; bỏ 1 hộ hiến đất." in text


def test_withdrawn_person_is_named_in_no_sentence(tmp_path):
    """Withdrawing a person: the diff (CI summary, history page, feed) says only table and id,
    in every format, and the JSON carries none of the row's cells."""
    old, new = pair(tmp_path)
    name = read_rows(old, "households")[0]["name"]
    set_cell(new, "households", 0, "publication_basis", "withdrawn")
    result = diff_packages(old, new)
    assert [c.sentence for c in result.changes] == [
        "Sửa hộ điển hình (mã h-1): một dòng đã được rút khỏi danh sách theo đề nghị"]
    for text in (result.to_text(), result.to_markdown(), result.to_json()):
        assert name not in text and "withdrawn" not in text.replace('"withdrawn": true', "")
    # an older release, diffed with the persons published today, no longer names them
    older = make_package(tmp_path / "older")
    write_rows(older, "households", [])
    earlier = diff_packages(older, old, named=set())
    assert [c.sentence for c in earlier.changes if c.resource == "households"] == [
        "Thêm hộ điển hình (mã h-1): một dòng đã được rút khỏi danh sách theo đề nghị"]


def test_markdown_and_json_formats(tmp_path, capsys):
    old, new = pair(tmp_path)
    set_cell(new, "ntm_counts", 0, "communes", "25")
    assert main(["diff", str(old), str(new), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "| ntm_counts | 0 | 0 | 1 |" in md
    assert "(cột communes)" in md
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
    assert [c.sentence for c in result.changes] == ["Sửa số liệu xã đạt chuẩn mã nc-1: 24 → 25"]
