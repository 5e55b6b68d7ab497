"""The real package against the reports: sample rows carry exactly what the report says, with
its source; the registry has every unit; nothing commune-level is invented."""
from __future__ import annotations

from collections import Counter

import pytest

from conftest import REAL_PACKAGE, read_rows


def row(resource, **match):
    found = [r for r in read_rows(REAL_PACKAGE, resource)
             if all(r.get(k) == v for k, v in match.items())]
    assert found, f"no {resource} row with {match}"
    return found[0]


@pytest.mark.parametrize("resource, match, expected", [
    # bc2017 (002), Phần thứ nhất, mục 4: "huy động được 1.352.449 triệu đồng"
    ("funding", dict(source_id="bc2017", amount_stated="1.352.449"),
     dict(unit_stated="triệu đồng", amount_million_vnd="1352449", kind="actual", breakdown="total")),
    # "- Vốn ngân sách trung ương: 229.160 triệu đồng (chiếm 16,94%)."
    ("funding", dict(source_id="bc2017", amount_stated="229.160"),
     dict(percent_stated="16.94", category_code="central_budget")),
    # bc2020-tu (001): "Tổng nguồn lực huy động ... giai đoạn 2011 - 2020 là 29.038,0 tỷ đồng"
    ("funding", dict(source_id="bc2020-tu", amount_stated="29.038,0"),
     dict(unit_stated="tỷ đồng", amount_million_vnd="29038000")),
    # bc2018 (000): "ước đạt khoảng 9.790.124 triệu đồng"
    ("funding", dict(source_id="bc2018", amount_stated="9.790.124"), dict(qualifier="khoảng")),
    # bc2018: "Công ty TNHH Bảo Long ủng hộ trên 600 triệu đồng"
    ("donors", dict(name="Công ty TNHH Bảo Long"),
     dict(amount_stated="600", qualifier="trên", unit_stated="triệu đồng", source_id="bc2018")),
    # bc2018: "gia đình ông Nguyễn Văn Chu, thôn Đoàn kết, xã Nhật Tiến, huyện Hữu Lũng
    # hiến 5.000 m2 đất làm nghĩa trang xã"
    ("land_donors", dict(name="ông Nguyễn Văn Chu"),
     dict(area_m2="5000", commune_id="xa-nhat-tien-huu-lung", publication_basis="named_in_public_report")),
    # bc2018: "hộ gia đình ông Lành Văn Lôi, xã Chi Lăng, huyện Chi Lăng ... lợi nhuận thu được 500 triệu đồng/năm"
    ("households", dict(name="ông Lành Văn Lôi"), dict(commune_id="xa-chi-lang-chi-lang")),
    # bc2017: criterion 2 (giao thông) 35/207 xã, 16,91%
    ("criteria_progress", dict(source_id="bc2017", criterion_number="2"),
     dict(communes="35", base="207", percent_stated="16.91", as_of="2017-06-30")),
    # bc2015 (003, OCR): "Binh quan 01 xa ... moi chi dat 2,57 tieu chi" (2011)
    ("average_criteria", dict(source_id="bc2015", value_text="2,57"), dict(kind="baseline")),
    # tb2020 (004): "toàn tỉnh đã có 61 xã đạt chuẩn nông thôn mới"
    ("ntm_counts", dict(source_id="tb2020", communes="61"), dict(level="ntm", measure="cumulative")),
    # reference S1: Bính Xá recognised NTM 2018 by 2165/QĐ-UBND of 31/10/2018
    ("commune_recognitions", dict(commune_id="xa-binh-xa-dinh-lap"),
     dict(decision="2165/QĐ-UBND", decision_date="2018-10-31", status="recognised")),
])
def test_sample_rows_match_the_reports(resource, match, expected):
    r = row(resource, **match)
    assert {k: r[k] for k in expected} == expected
    assert r["source_locator"], "every row says where in the source it comes from"


def test_every_row_names_a_source_and_a_place_in_it():
    for name in ("funding", "criteria_progress", "ntm_counts", "donors", "households",
                 "land_donors", "indicators", "communes", "document_citations", "notes"):
        for r in read_rows(REAL_PACKAGE, name):
            assert r["source_id"] and r["source_locator"], (name, r["id"])


def test_registry_has_every_unit_of_each_date():
    communes = read_rows(REAL_PACKAGE, "communes")
    counts = Counter()
    for flag in ("in_registry_2019", "in_registry_2021", "in_registry_2025_01", "in_registry_2025_07"):
        counts[flag] = sum(r[flag] == "true" for r in communes)
    assert counts == {"in_registry_2019": 226, "in_registry_2021": 200,
                      "in_registry_2025_01": 194, "in_registry_2025_07": 65}
    assert len(read_rows(REAL_PACKAGE, "districts")) == 11


def test_unknown_mappings_say_so_instead_of_guessing():
    # Xuân Mai (Văn Quan) was dissolved by NQ 818; no source read says where it went
    change = row("unit_changes", from_commune_id="xa-xuan-mai-van-quan")
    assert change["to_commune_id"] == "" and change["mapping_known"] == "false"


def test_nineteen_criteria_in_each_set():
    sets = Counter(r["criteria_set"] for r in read_rows(REAL_PACKAGE, "criteria"))
    assert sets == {"qd491": 19, "qd1980": 19, "qd318": 19}
