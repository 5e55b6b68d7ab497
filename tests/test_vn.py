from decimal import Decimal

import pytest

from site_builder.vn import fold, format_date, format_number, parse_vn_number, slugify, sort_key


@pytest.mark.parametrize("value, expected", [
    (1352449, "1.352.449"), (Decimal("11.54"), "11,54"), (Decimal("29038.0"), "29.038"),
    (0, "0"), (Decimal("0.5"), "0,5"), (-1234, "-1.234"), (None, ""),
])
def test_numbers_in_vietnamese_notation(value, expected):
    assert format_number(value) == expected


def test_parse_vietnamese_notation():
    assert parse_vn_number("1.352.449") == 1352449
    assert parse_vn_number("11,54") == Decimal("11.54")
    assert parse_vn_number("29.038,0") == Decimal("29038.0")
    for bad in ("khoảng 600", "1,352,449", "12.34", ""):
        with pytest.raises(ValueError):
            parse_vn_number(bad)


def test_dates_day_month_year():
    assert format_date("2017-06-30") == "30/06/2017"


def test_slug_maps_d_stroke_and_strips_tones():
    assert slugify("Xã Đình Lập") == "xa-dinh-lap"
    assert slugify("Hữu Lũng") == "huu-lung"
    assert fold("Lạng Sơn") == "lang son"


def test_vietnamese_collation():
    names = ["Đình Lập", "Dương", "Ư", "Uy", "An Sơn", "Ái Quốc", "Hợp Thành", "Hoa Thám", "Hòa Bình"]
    assert sorted(names, key=sort_key) == [
        "Ái Quốc", "An Sơn", "Dương", "Đình Lập", "Hòa Bình", "Hoa Thám", "Hợp Thành", "Uy", "Ư"]
