"""The real package holds the commune-level facts that public sources give, each with its
source, its date as certain as the source makes it, and the lineage of units in the words of the
resolutions; and the commune-level rules (site_builder/checks_commune.py) find what they should,
naming file, row and column."""
from __future__ import annotations

import shutil

from conftest import REAL_PACKAGE, read_rows, write_rows
from site_builder.validate import validate_package


def rows(resource):
    return read_rows(REAL_PACKAGE, resource)


def by_id(resource):
    return {r["id"]: r for r in rows(resource)}


SOURCES = by_id("sources")


def counts_of(commune_id):
    return sorted((r for r in rows("commune_criteria_counts") if r["commune_id"] == commune_id),
                  key=lambda r: (r["as_of"], r["kind"]))


def cited(row):
    """The row's source exists and says where it can be read."""
    source = SOURCES[row["source_id"]]
    return bool(row["source_locator"]) and (source["url"].startswith("http") or source["file"])


# --- commune-level facts -----------------------------------------------------------------------

def test_kien_moc_went_from_1_to_19_criteria_with_its_source():
    got = [(r["as_of"], r["criteria_met"], r["criteria_total"], r["criteria_set"], r["kind"])
           for r in counts_of("xa-kien-moc-dinh-lap")]
    assert got == [("2011-12-31", "1", "19", "qd491", "actual"),
                   ("2020-12-31", "19", "19", "qd1980", "actual")]
    for r in counts_of("xa-kien-moc-dinh-lap"):
        assert r["source_id"] == "web-baolangson-kien-moc" and cited(r)
        assert r["as_of_precision"] == "year"
    assert "baolangson.vn" in SOURCES["web-baolangson-kien-moc"]["url"]


def test_counts_of_single_dates_keep_the_sources_certainty():
    expected = {  # commune: (met, total, as_of, precision, words the date text must keep)
        "xa-hung-son-trang-dinh": ("10", "19", "2018-08-28", "inferred", "năm không in"),
        "xa-cao-minh-trang-dinh": ("11", "19", "2018-08-28", "inferred", "năm không in"),
        "xa-tu-doan-loc-binh": ("11", "19", "2019-09-04", "not_printed", "năm không in"),
        "xa-chau-son-2025": ("17", "19", "2025-12-31", "year", "2025"),
    }
    for commune, (met, total, as_of, precision, words) in expected.items():
        [r] = counts_of(commune)
        assert (r["criteria_met"], r["criteria_total"], r["as_of"], r["as_of_precision"]) == \
            (met, total, as_of, precision), commune
        assert words in r["as_of_text"] and cited(r), commune
    assert "suy luận" in counts_of("xa-hung-son-trang-dinh")[0]["as_of_text"]


def test_nhat_tien_12_of_19_at_end_2018_and_its_target():
    got = [(r["as_of"], r["kind"], r["criteria_met"], r["value_text"])
           for r in counts_of("xa-nhat-tien-bac-son")]
    assert got == [("2018-12-31", "actual", "12", "12/19 tiêu chí"),
                   ("2019-12-31", "target", "19", "phấn đấu 19/19 tiêu chí năm 2019")]


def test_ntm_nang_cao_criteria_of_the_city_communes():
    hoang_dong, = counts_of("xa-hoang-dong-lang-son")
    assert (hoang_dong["level"], hoang_dong["criteria_met"], hoang_dong["criteria_total"],
            hoang_dong["as_of"]) == ("ntm_nang_cao", "9", "14", "2019-08-30")
    targets = {r["commune_id"]: r["criteria_met"] for r in rows("commune_criteria_counts")
               if r["level"] == "ntm_nang_cao" and r["kind"] == "target"}
    assert targets == {"xa-mai-pha-lang-son": "10", "xa-quang-lac-lang-son": "7"}


def test_nine_communes_basically_completed_19_of_19_in_january_2024():
    nine = [r for r in rows("commune_criteria_counts") if r["source_id"] == "web-baolangson-en-52780"]
    assert len(nine) == 9 and len({r["commune_id"] for r in nine}) == 9
    for r in nine:
        assert (r["as_of"], r["as_of_precision"], r["criteria_met"]) == ("2024-01-23", "inferred", "19")
        assert r["value_text"] == "cơ bản hoàn thành 19/19 tiêu chí"
        assert "không tìm thấy" in r["note"]  # not a recognition: the decision was not found


def test_criteria_the_sources_name_as_not_met():
    status = [r for r in rows("commune_criteria")]
    hung_son = sorted(int(r["criterion_number"]) for r in status
                      if r["commune_id"] == "xa-hung-son-trang-dinh")
    assert hung_son == [2, 4, 5, 6, 8, 11, 15, 17, 18]  # 9 not met = 19 - 10
    tu_doan = sorted(int(r["criterion_number"]) for r in status
                     if r["commune_id"] == "xa-tu-doan-loc-binh")
    assert tu_doan == [2, 5, 15, 17]  # 'culture' (6 or 16?) is left out, the note says why
    assert all(r["status"] == "not_met" and cited(r) for r in status)


def test_district_and_province_aggregates():
    avg = {(r["district_id"] or r["scope"], r["as_of"]): (r["value_text"], r["source_id"])
           for r in rows("average_criteria") if r["kind"] == "actual"}
    assert avg[("huyen-trang-dinh", "2018-08-28")] == ("9,77", "web-baolangson-en-1466")
    assert avg[("huyen-loc-binh", "2019-09-04")] == ("8,66", "web-baolangson-en-1708")
    assert avg[("toàn tỉnh", "2021-12-31")] == ("14,03", "web-baolangson-en-19015")
    assert avg[("toàn tỉnh", "2025-06-30")] == ("15,21", "web-vietnam-vn-giu-tam-ntm")
    ntm = {(r["as_of"], r["kind"], r["measure"], r["level"]): (r["communes"], r["base"])
           for r in rows("ntm_counts")}
    assert ntm[("2021-12-31", "actual", "cumulative", "ntm")] == ("75", "")
    assert ntm[("2025-06-30", "actual", "cumulative", "ntm")] == ("106", "175")
    assert ntm[("2025-12-31", "target", "cumulative", "ntm")] == ("115", "181")


def test_kien_moc_indicators_are_located_in_the_commune():
    ind = {r["indicator"] + r["as_of"]: r for r in rows("indicators")
           if r["commune_id"] == "xa-kien-moc-dinh-lap"}
    assert ind["poverty_rate2016-12-31"]["value_stated"] == "63,30"
    assert ind["poverty_rate2020-12-31"]["value_stated"] == "11,51"
    assert (ind["funds_mobilised2020-12-31"]["value_stated"], ind["funds_mobilised2020-12-31"]["unit"]) == \
        ("trên 73", "tỷ đồng")
    assert ind["land_donor_households2020-12-31"]["value"] == "53"
    assert ind["land_donated_m22020-12-31"]["value_stated"] == "11.717"
    # the criteria counts moved to commune_criteria_counts: not also an indicator
    assert not [r for r in rows("indicators") if "criteria_met" in r["indicator"]]


# --- lineage in the resolutions' words ---------------------------------------------------------

def test_2025_changes_cite_resolution_1672_item_by_item():
    changes = [r for r in rows("unit_changes") if r["legal_basis"] == "1672/NQ-UBTVQH15"]
    assert len(changes) == 196
    communes = by_id("communes")
    for r in changes:
        assert r["source_id"] == "legal-nq1672" and r["source_locator"].startswith("Điều 1, khoản ")
        assert r["effective_date"] == "2025-07-01"
        new = communes[r["to_commune_id"]]
        assert f"mới có tên gọi là {new['kind']} {new['name']}" in r["wording"], r["id"]
        assert r["extent_text"].startswith(("toàn bộ", "một phần")), r["id"]
    law = SOURCES["legal-nq1672"]
    assert law["kind"] == "legal" and law["date"] == "2025-06-16" and "01/7/2025" in law["date_text"]
    split = {(r["from_commune_id"], r["to_commune_id"]): r["extent_text"] for r in changes
             if r["extent_text"] != "toàn bộ"}
    assert split == {("xa-binh-xa-dinh-lap", "xa-dinh-lap-2025"): "một phần",
                     ("xa-kien-moc-dinh-lap", "xa-chau-son-2025"): "một phần",
                     ("xa-binh-xa-dinh-lap", "xa-kien-moc-2025"): "một phần (phần còn lại sau khoản 40)",
                     ("xa-kien-moc-dinh-lap", "xa-kien-moc-2025"): "một phần (phần còn lại sau khoản 42)"}


def test_no_unit_or_district_rests_on_the_draft_table_or_a_property_website():
    for resource in ("communes", "districts", "unit_changes"):
        used = {r["source_id"] for r in rows(resource)}
        assert not used & {"gso-2025-07-draft", "web-thuviennhadat-loc-binh"}, resource
    new_units = [r for r in rows("communes") if r["in_registry_2025_07"] == "true"]
    assert len(new_units) == 65 and all(r["source_id"] == "legal-nq1672" for r in new_units)


def test_2019_and_2024_changes_say_what_is_known_and_no_more():
    changes = rows("unit_changes")
    where = {}
    for r in changes:
        where.setdefault(r["from_commune_id"], []).append(r)
    bac_ai = {r["to_commune_id"]: r["extent_text"] for r in where["xa-bac-ai-trang-dinh"]}
    assert bac_ai == {"xa-de-tham-trang-dinh": "một phần: 11,00 km2; 397 người",
                      "xa-kim-dong-trang-dinh": "một phần: 11,46 km2; 702 người"}
    [quang_lang] = where["xa-quang-lang-chi-lang"]
    assert (quang_lang["to_commune_id"], quang_lang["mapping_known"], quang_lang["source_id"]) == \
        ("thi-tran-dong-mo-chi-lang", "true", "web-chilang-nq818")
    for lost in ("xa-xuan-mai-van-quan", "xa-vinh-lai-van-quan", "xa-song-giap-cao-loc",
                 "xa-to-hieu-binh-gia"):
        assert [(r["to_commune_id"], r["mapping_known"]) for r in where[lost]] == [("", "false")], lost
    # a reused GSO code is not a mapping
    [phu_my] = where["xa-phu-my-van-quan"]
    assert phu_my["mapping_known"] == "false" and not phu_my["to_commune_id"]
    assert "không chứng minh" in phu_my["note"]
    dai_dong = {r["to_commune_id"]: r["extent_text"] for r in where["xa-dai-dong-trang-dinh"]}
    assert dai_dong["xa-doi-can-trang-dinh"].startswith("phần còn lại")
    [vinh_tien] = where["xa-vinh-tien-trang-dinh"]
    assert vinh_tien["source_id"] == "legal-nq1246-daibieunhandan"
    assert vinh_tien["wording"].startswith("Nhập toàn bộ diện tích tự nhiên")


def test_every_cited_source_says_where_to_read_it():
    used = set()
    for resource in ("commune_criteria", "commune_criteria_counts", "unit_changes"):
        used |= {r["source_id"] for r in rows(resource)}
    for sid in used:
        assert SOURCES[sid]["url"].startswith("http"), sid


# --- the rules, on copies of the package -------------------------------------------------------

def _find(report, rule, resource, column):
    return [p for p in report.problems if p.rule == rule and p.resource == resource
            and p.column == column]


def test_recognised_commune_with_a_criterion_not_met_is_a_warning(tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(REAL_PACKAGE, pkg)
    status = read_rows(pkg, "commune_criteria")
    status.append(dict(status[0], id="t-kien-moc-2020", commune_id="xa-kien-moc-dinh-lap",
                       as_of="2020-12-31"))
    write_rows(pkg, "commune_criteria", status)
    report = validate_package(pkg)
    [found] = _find(report, "recognised-criterion-not-met", "commune_criteria", "status")
    assert found.severity == "warning" and found.file == "data/commune_criteria.csv"
    assert found.row == len(status) + 1 and found.value == "not_met"
    assert "web-baolangson-kien-moc-rec-001" in found.message
    # ...and the 19/19 of the same date now contradicts it
    [count] = _find(report, "count-disagrees-with-criteria", "commune_criteria_counts", "criteria_met")
    assert count.severity == "error" and count.value == "19"


def test_province_figures_are_compared_with_complete_commune_rows(package):
    """The synthetic fixture has one xã in 2020: its rows are the whole province."""
    status = [dict(id="t-cc-1", commune_id="xa-hoa-binh-thu-nghiem", criteria_set="qd1980",
                   criterion_number="2", as_of="2020-12-31", as_of_text="", as_of_precision="year",
                   status="met", source_id="tests-synthetic", source_locator="mục giả lập", note="")]
    write_rows(package, "commune_criteria", status)
    progress = read_rows(package, "criteria_progress")
    progress[1].update(communes="0", base="1", percent_stated="")  # cp-2, 2020-12-31, criterion 2
    write_rows(package, "criteria_progress", progress)
    counts = [dict(id="t-ccc-1", commune_id="xa-hoa-binh-thu-nghiem", level="ntm",
                   criteria_set="qd1980", as_of="2020-12-31", as_of_text="", as_of_precision="year",
                   kind="actual", criteria_met="12", criteria_total="19", value_text="12/19",
                   source_id="tests-synthetic", source_locator="mục giả lập", note="")]
    write_rows(package, "commune_criteria_counts", counts)
    averages = read_rows(package, "average_criteria")
    averages.append(dict(averages[0], id="t-avg", as_of="2020-12-31", kind="actual", scope="toàn tỉnh",
                         commune_id="", district_id="", value="11.5", value_text="11,5"))
    write_rows(package, "average_criteria", averages)
    report = validate_package(package)
    [progress_problem] = _find(report, "aggregate-mismatch", "criteria_progress", "communes")
    assert progress_problem.severity == "error" and progress_problem.row == 3
    assert "1 of the 1 xã meet criterion 2" in progress_problem.message
    [average_problem] = _find(report, "aggregate-mismatch", "average_criteria", "value")
    assert average_problem.row == len(averages) + 1
    assert "average 12.00" in average_problem.message and "reports 11.5" in average_problem.message
    # the same figures, matching: nothing to report
    progress[1]["communes"] = "1"
    write_rows(package, "criteria_progress", progress)
    averages[-1].update(value="12", value_text="12")
    write_rows(package, "average_criteria", averages)
    assert not [p for p in validate_package(package).problems if p.rule == "aggregate-mismatch"]


def test_the_real_package_passes_the_commune_rules():
    report = validate_package(REAL_PACKAGE)
    assert report.valid
    from site_builder.checks_commune import COMMUNE_FIXES
    assert not [p for p in report.problems if p.rule in COMMUNE_FIXES]
