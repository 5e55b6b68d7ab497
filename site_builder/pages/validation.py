"""'Kiểm tra dữ liệu': the validator's report on the published package, in Vietnamese: what was
checked, how many errors (always 0 on a published site: a package with errors is not
published), and each warning with the note that explains it and a link to the row."""
from __future__ import annotations

from ..report import FIXES
from ..validate import validate_package, validate_package_cached
from . import Site
from .notes import in_words, note_page, where

GROUPS = [  # (what is checked, in words; rules of the validator)
    ("Tệp và cấu trúc: mỗi bảng có tệp CSV mã UTF-8, phân cách bằng dấu phẩy, đúng các cột và thứ tự cột của lược đồ",
     ("package-error", "resource-missing", "unsafe-path", "scheme-error", "encoding-not-utf8",
      "wrong-separator", "empty-file", "extra-column", "missing-column", "duplicate-column",
      "column-order", "missing-cell", "extra-cell", "blank-row")),
    ("Kiểu và giá trị: số, ngày, năm đúng kiểu; ô bắt buộc có giá trị; giá trị thuộc danh sách cho phép",
     ("type-error", "constraint-error")),
    ("Khóa: mã mỗi dòng không trùng; mọi mã tham chiếu (xã, huyện, nguồn, văn bản…) có thật",
     ("primary-key", "foreign-key", "note-row-missing", "mapping-without-target")),
    ("An toàn: mã chỉ gồm chữ thường không dấu, số, gạch ngang; địa chỉ web là http(s); không có ký tự điều khiển; chữ tiếng Việt dựng sẵn (NFC)",
     ("unsafe-id", "unsafe-url", "control-character", "text-not-nfc")),
    ("Số liệu: số xã không vượt số xã làm cơ sở; tỷ lệ không quá 100% và khớp số liệu; số tiền khớp đơn vị; tổng khớp các phần; nhóm tiêu chí khớp tổng",
     ("count-above-base", "percent-over-100", "percent-mismatch", "amount-without-text",
      "amount-not-a-number", "unknown-unit", "amount-conversion", "parts-sum-mismatch",
      "distribution-sum-mismatch", "band-order")),
    ("Ngày và tên: ngày không ở tương lai, không trước năm 2009, đúng thứ tự; không có hai đơn vị trùng tên trong một huyện",
     ("date-in-future", "date-too-early", "date-order", "duplicate-name-in-district")),
]
RULE_VI = {"parts-sum-mismatch": "Tổng không bằng cộng các phần",
           "distribution-sum-mismatch": "Các nhóm tiêu chí không cộng đúng tổng số xã",
           "count-above-base": "Số xã vượt số xã làm cơ sở",
           "percent-mismatch": "Tỷ lệ không khớp số liệu", "percent-over-100": "Tỷ lệ trên 100%"}


def generate(site: Site) -> None:
    if site.package_dir is None:
        return
    report = site.report or (validate_package_cached(site.package_dir, site.cache_dir / "validation")
                             if site.cache_dir else validate_package(site.package_dir))
    notes = {n["id"]: n for n in site.model.rows("notes")}
    warnings, by_id = [], {}  # resource -> id -> its first row, made once (not a scan per warning)
    for p in report.warnings:
        if p.resource not in by_id:
            by_id[p.resource] = {}
            for r in site.model.rows(p.resource):
                by_id[p.resource].setdefault(r.get("id"), r)
        row = by_id[p.resource].get(p.row_id)
        place = where(site, p.resource, row) if row else None
        note = notes.get(p.note_id)
        warnings.append({"what": RULE_VI.get(p.rule, "Cảnh báo"), "place": place,
                         "note": note, "note_page": note_page(note) if note else "", "summary": in_words(site, note["summary_vi"]) if note else ""})
    checked = sum(len(rules) for _, rules in GROUPS)
    site.page("kiem-tra.md", "validation.md.j2", report=report, warnings=warnings,
              groups=[g for g, _ in GROUPS], checked=checked, all_rules=len(FIXES))
