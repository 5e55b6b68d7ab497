"""The one converter (package.convert, used by every reader of the package) agrees with
Frictionless, the authority for errors: every cell it reads, Frictionless reads as the same
value without a finding. (It is stricter: a cell Frictionless takes but it refuses, such as
TRUE or 2017-6-30, is reported by the validation, so no value silently changes.)"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.package import convert

CELLS = st.text(alphabet="0123456789+-.eE _/:TtrufalsFALSEn", max_size=12)


@pytest.mark.parametrize("type_", ["integer", "number", "year", "date", "boolean", "string"])
@settings(max_examples=400, deadline=None)
@given(cell=CELLS)
def test_every_value_read_is_the_value_frictionless_reads(type_, cell):
    from frictionless import Field

    try:
        value = convert(cell, type_)
    except (ValueError, ArithmeticError):
        return  # refused: the validation reports it
    target, notes = Field.from_descriptor({"name": "x", "type": type_}).create_cell_reader()(cell)
    assert notes is None and target == value and type(target) is type(value), (cell, target, value)
