"""Labels: every value of an enum the pages show has its Vietnamese word in labels.py (a value
without one would stop the build or show an English code), and templates see them as globals."""
from __future__ import annotations

import json

import pytest

from conftest import REAL_PACKAGE
from site_builder import labels
from site_builder.render import make_env

SCHEMA = {r["name"]: r for r in json.loads((REAL_PACKAGE / "datapackage.json").read_text(
    encoding="utf-8"))["resources"]}
FIGURES = ("criteria_progress", "criteria_distribution", "average_criteria", "ntm_counts",
           "commune_criteria_counts", "funding", "indicators")
LABELLED = [
    *[(t, "kind", labels.KIND_AT_LABEL) for t in FIGURES],
    *[(t, "level", labels.LEVEL_LABEL) for t in ("ntm_counts", "commune_recognitions",
                                                  "commune_criteria_counts")],
    *[(t, "criteria_set", labels.SET_LABEL) for t in ("criteria", "criteria_progress",
                                                       "commune_criteria", "commune_criteria_counts")],
    ("commune_recognitions", "status", labels.STATUS_LABEL),
    ("unit_changes", "change_type", labels.CHANGE_LABEL),
    ("communes", "kind", labels.UNIT_KIND_LABEL), ("districts", "kind", labels.UNIT_KIND_LABEL),
    ("sources", "kind", labels.SOURCE_KIND_LABEL), ("notes", "kind", labels.NOTE_KIND_LABEL),
]


@pytest.mark.parametrize("table, column, label", LABELLED, ids=[f"{t}.{c}" for t, c, _ in LABELLED])
def test_every_allowed_value_has_a_vietnamese_label(table, column, label):
    field = next(f for f in SCHEMA[table]["schema"]["fields"] if f["name"] == column)
    assert sorted(set(field["constraints"]["enum"]) - set(label)) == []


def test_every_table_a_source_is_cited_by_has_a_label():
    """The sources page says which tables use a source, in words, never a table's file name."""
    cited = [name for name, r in SCHEMA.items()
             if any(f["name"] == "source_id" for f in r["schema"]["fields"])]
    assert sorted(set(cited) - set(labels.TABLE_LABEL)) == []


def test_templates_see_the_labels_and_the_no_data_sentence():
    env = make_env()
    out = env.from_string("{{ NO_DATA }}: {{ LEVEL_LABEL['ntm'] }}").render()
    assert out == "Không có số liệu công bố: Nông thôn mới"


def test_a_date_is_worded_by_one_function_in_python_and_in_templates():
    """labels.when words a figure's date for the province tables and (brief) for the commune
    pages and charts; templates call the same function, with the report's words escaped."""
    row = {"as_of": "2018-06-30", "as_of_text": "đến nay *", "as_of_precision": "not_printed"}
    assert labels.when(row) == "“đến nay *” (≈ 30/06/2018, báo cáo không ghi ngày)"
    assert labels.when(row, brief=True) == "đến nay * (năm không in)"
    assert labels.when({"as_of": "2019-12-31", "as_of_precision": "year"}) == "năm 2019"
    env = make_env()
    shown = env.from_string("{{ when(r) }} | {{ when(r, brief=True) }}").render(r=row)
    assert shown == "“đến nay \\*” (≈ 30/06/2018, báo cáo không ghi ngày) | đến nay \\* \\(năm không in\\)"
