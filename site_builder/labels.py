"""Every Vietnamese word the site shows for a value of the data (enum values, table and kind
names), and the "no published data" sentence, in one place. Registered as Jinja globals by
render.make_env, so templates write `{{ LEVEL_LABEL[r.level] }}` or `{{ NO_DATA }}`."""
from __future__ import annotations

import datetime as dt

from .vn import format_date

# Said wherever the reports publish no value (never a made-up or zero value instead).
NO_DATA = "Không có số liệu công bố"

# ntm_counts.level, commune_recognitions.level
LEVEL_LABEL = {"ntm": "Nông thôn mới", "ntm_nang_cao": "Nông thôn mới nâng cao",
               "ntm_kieu_mau": "Nông thôn mới kiểu mẫu"}
# kind of a figure at a date (criteria_progress, ntm_counts, funding, indicators, …)
KIND_AT_LABEL = {"actual": "Thực hiện", "target": "Kế hoạch, mục tiêu", "baseline": "Điểm xuất phát",
                 "estimate": "Ước tính"}
# commune_recognitions.status
STATUS_LABEL = {"recognised": "Được công nhận", "appraised": "Đã qua thẩm định (chưa thấy quyết định)",
                "target": "Kế hoạch (chưa phải kết quả)"}
# criteria.criteria_set
SET_LABEL = {"qd491": "QĐ 491/QĐ-TTg (2009)", "qd1980": "QĐ 1980/QĐ-TTg (2016-2020)",
             "qd318": "QĐ 318/QĐ-TTg (2021-2025)"}
# unit_changes.change_type, as a verb: "<old unit> nhập toàn bộ vào <new unit>"
CHANGE_LABEL = {"merged_whole": "nhập toàn bộ vào", "merged_part": "nhập một phần vào",
                "renamed": "đổi tên thành", "dissolved": "giải thể",
                "continued": "giữ tên, hợp nhất với đơn vị khác thành"}
# communes.kind, districts.kind: the word before the name ("Xã Đình Lập")
UNIT_KIND_LABEL = {"xã": "Xã", "phường": "Phường", "thị trấn": "Thị trấn", "huyện": "Huyện",
                   "thành phố": "Thành phố"}
# sources.kind
SOURCE_KIND_LABEL = {"report": "Báo cáo của tỉnh", "registry": "Danh mục đơn vị hành chính",
                     "web_page": "Trang thông tin công khai", "legal": "Văn bản pháp luật"}
# notes.kind
NOTE_KIND_LABEL = {"sum_mismatch": "Tổng không khớp các thành phần",
                   "percent_mismatch": "Tỷ lệ không khớp số liệu",
                   "figure_conflict": "Cùng một số liệu ghi khác nhau",
                   "date_conflict": "Một văn bản, hai ngày khác nhau",
                   "name_conflict": "Tên ghi khác nhau", "ocr_uncertain": "Bản quét khó đọc",
                   "unit_conflict": "Đơn vị không thống nhất", "other": "Khác"}
# a table, as what its rows are ("Số liệu lấy từ nguồn này: nguồn vốn (12 dòng)")
TABLE_LABEL = {
    "criteria_progress": "số xã đạt từng tiêu chí", "criteria_distribution": "phân nhóm xã theo tiêu chí",
    "average_criteria": "bình quân tiêu chí/xã", "ntm_counts": "số xã đạt chuẩn",
    "commune_recognitions": "công nhận từng xã", "funding": "nguồn vốn", "donors": "nhà tài trợ",
    "households": "hộ điển hình", "land_donors": "hộ hiến đất", "projects": "công trình",
    "production_models": "mô hình sản xuất", "awards": "khen thưởng",
    "document_citations": "trích dẫn văn bản", "indicators": "chỉ tiêu", "notes": "ghi chú sai lệch",
    "communes": "đơn vị cấp xã", "districts": "đơn vị cấp huyện", "unit_changes": "thay đổi địa giới",
    "criteria": "tên tiêu chí", "commune_criteria": "tiêu chí đạt của từng xã",
    "commune_criteria_counts": "số tiêu chí đạt của từng xã", "documents": "văn bản chính sách",
}

# what templates see as globals
GLOBALS = {name: value for name, value in dict(globals()).items() if name.isupper()}

# as_of_precision: what the short form adds when the report prints no year
BRIEF_PRECISION = {"inferred": " (năm suy ra, nguồn không in)", "not_printed": " (năm không in)"}


def when(row: dict, brief: bool = False, escape=str) -> str:
    """When a figure is dated, as its report gives it (as_of, as_of_text, as_of_precision).
    Tables of the province and criterion pages: the report's own words first, then the date as
    precise as the report is: “đến nay” (≈ 30/06/2018, báo cáo không ghi ngày), “năm 2019”
    (năm 2019). `brief` (commune and district pages, their charts and column headers, where space
    is short): the report's words alone, else the date, and a short note when no year is printed.
    `escape` is applied to the data's words and dates (render.text in templates: the
    template global `when` in render.make_env)."""
    precision, words = row.get("as_of_precision") or "", row.get("as_of_text")
    if brief:
        return escape(words or format_date(row.get("as_of"))) + BRIEF_PRECISION.get(precision, "")
    as_of = row.get("as_of")
    as_of = dt.date.fromisoformat(as_of[:10]) if isinstance(as_of, str) and as_of else as_of
    if precision == "year":
        date = f"năm {escape(str(as_of.year))}"
    elif precision in ("inferred", "not_printed"):
        date = f"≈ {escape(format_date(as_of))}, báo cáo không ghi ngày"
    else:
        date = escape(format_date(as_of))
    return f"“{escape(words)}” ({date})" if words else date
