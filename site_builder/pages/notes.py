"""Known disagreements between and within reports, from the `notes` table."""
from __future__ import annotations

from . import Site

KIND_LABEL = {"sum_mismatch": "Tổng không khớp các thành phần", "percent_mismatch": "Tỷ lệ không khớp số liệu",
              "figure_conflict": "Cùng một số liệu ghi khác nhau", "date_conflict": "Một văn bản, hai ngày khác nhau",
              "name_conflict": "Tên ghi khác nhau", "ocr_uncertain": "Bản quét khó đọc",
              "unit_conflict": "Đơn vị không thống nhất", "other": "Khác"}


def generate(site: Site) -> None:
    notes = sorted(site.model.rows("notes"), key=lambda r: (r["kind"], r["id"]))
    site.page("sai-lech.md", "notes.md.j2", notes=notes, KIND=KIND_LABEL)
