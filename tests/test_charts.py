"""Charts keep the contract of issue 13, read back from the rendered SVG (tests/chart_audit.py):
marks drawn == the chart's CSV rows (aria-labels and geometry), no bar touching another, no
zig-zag, time spaced as time, Vietnamese numbers, no text under 11 px on a 328 px phone column,
dates no report prints drawn as such. Over every chart of the real site and over generated data."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import importlib.util
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from chart_audit import drawn, label_of, problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder import charts
from site_builder.charts import Mark
from site_builder.model import build_model
from site_builder.pages import Site, generate_all
from site_builder.render import make_env, text

ROOT = Path(__file__).resolve().parent.parent


def rendered_site(package: Path, cache: Path):
    """Every chart of a package's site (pages generated in memory) with its rendered SVG."""
    site = Site(build_model(package), make_env(), package_dir=package, cache_dir=cache)
    generate_all(site)
    files = charts.render_all(site.charts)
    return site, [(c, files[c.svg_path]) for c in site.charts]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    return rendered_site(ROOT / "datapackage", tmp_path_factory.mktemp("cache"))


def test_every_chart_of_the_synthetic_package_keeps_the_contract(tmp_path):
    spec = importlib.util.spec_from_file_location("ntm_synth", ROOT / "tests" / "benchmarks" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    synth.generate(30, tmp_path / "package", seed=11, provinces=1)
    _, rendered = rendered_site(tmp_path / "package", tmp_path / "cache")
    assert rendered
    found = [p for chart, svg in rendered for p in problems(chart, svg)]
    assert not found, "\n".join(found)


def by_slug(real, slug):
    return next((c, svg) for c, svg in real[1] if c.slug == slug)


def test_every_real_chart_draws_exactly_its_csv_rows_legibly(real):
    _, rendered = real
    assert len(rendered) >= 60
    found = [p for chart, svg in rendered for p in problems(chart, svg)]
    assert not found, "\n".join(found)
    for chart, svg in rendered:
        rows = list(csv.reader(io.StringIO(chart.csv_text().lstrip("\ufeff"))))
        assert rows[0] == charts.COLUMNS and rows[1:] == [[str(v) for v in r] for r in chart.rows]
        assert f'width="{charts.WIDTH}"' in svg.split(">", 2)[1], chart.slug


def test_real_pages_put_title_source_anchor_and_citation_above_and_below_each_chart(real):
    site, rendered = real
    for chart, _ in rendered:
        page = next(body for body in site.pages.values() if chart.svg_path.split("/")[-1] in body)
        at = page.index(chart.svg_path.split("/")[-1])
        above = page[:at]
        assert f"**{text(chart.title)}**{{ #{chart.anchor} }}" in above[-2000:], chart.slug
        assert "Nguồn:" in above[-1500:], chart.slug
        assert "Trích dẫn:" in page[at:] and f"(#{chart.anchor})" in page[at:], chart.slug
        for name, _, _ in chart.key:   # the legend is text in the page, under the chart
            assert text(name) in page[at:at + 4000], (chart.slug, name)
        # the text alternative: one or two sentences, not the whole table
        assert len(re.findall(r"[.!?](?:\s|$)", chart.description)) <= 2, chart.description


def test_home_chart_compares_bases_as_percentages_and_shows_plans_apart(real):
    chart, svg = by_slug(real, "xa-dat-chuan-ntm")
    series = {r[1] for r in chart.rows}
    assert "Thực hiện, trên 207 xã" in series
    assert "Thực hiện, trên 181 xã (sau sáp nhập xã 2020)" in series
    assert all(r[3] == "% số xã" for r in chart.rows)
    # 65/181 and 74/207 at the end of 2020: two marks in two series, never one stacked bar
    end_2020 = [r for r in chart.rows if r[0] == "năm 2020" and r[1].startswith("Thực hiện")]
    assert sorted(r[2] for r in end_2020) == ["35,74", "35,91"]
    planned = [d for d in drawn(svg) if d.kind == "symbol" and ("Kế hoạch" in d.label or "Ước tính" in d.label)]
    assert planned and all('fill="white"' in svg.split(d.label)[1].split("/>")[0] for d in planned)
    assert "Không vẽ" in " ".join(chart.notes)  # counts without a base are said, not drawn


def test_poverty_standards_are_separate_series_and_the_disagreement_is_linked(real):
    chart, _ = by_slug(real, "chi-tieu-poverty-rate")
    for series in {r[1] for r in chart.rows}:
        assert ("2011-2015" in series) != ("đa chiều" in series), series
    assert chart.disagreement   # 11,9 and 11,86 for 2015: one line per report
    split = [symbol for name, _, symbol in chart.key if "(theo " in name]
    assert len(split) == 2 and split[0] != split[1]   # two shapes: both marks stay visible
    site, _ = real
    assert "sai-lech" in next(b for b in site.pages.values() if "chi-tieu-poverty-rate.svg" in b)


def test_funding_parts_are_sorted_with_the_stated_total_and_the_sum_mismatch(real):
    chart, _ = by_slug(real, "von-bc2020-tu-fund-001")
    values = [Decimal(r[2].replace(".", "").replace(",", ".")) for r in chart.rows]
    assert chart.rows[0][0].startswith("Tổng")
    assert values[1:] == sorted(values[1:], reverse=True)
    assert any("29.038.500" in n and "29.038.000" in n for n in chart.notes)


def test_distribution_has_one_label_per_band(real):
    chart, _ = by_slug(real, "phan-nhom-xa")
    bands = {r[0] for r in chart.rows}
    assert "1-4 tiêu chí" in bands and not any(re.search(r"\b0\d", b) for b in bands)
    wording = " ".join(r[5] for r in chart.rows)
    assert "đạt từ 01 - 04" in wording and "đạt từ 1 - 4" in wording  # the reports' own words kept


def test_dates_no_report_prints_are_marked_in_charts_and_tables(real):
    site, _ = real
    chart, svg = by_slug(real, "binh-quan-tieu-chi")
    row = next(r for r in chart.rows if "theo ngữ cảnh" in r[5])
    assert row[0] == "≈ 30/06/2020" and row[2] == "11,54"
    mark = svg.split(f'aria-label="{label_of(row)}"')[1].split("/>")[0]
    assert 'd="M-4.183,0L0,-4.183' in mark   # a diamond, not a dot
    assert "≈" in " ".join(chart.notes)
    page = site.pages["tien-do/tieu-chi.md"]   # the averages table
    wording = "(đến hết tháng 6/2020, theo ngữ cảnh)"   # a data table is HTML (render.html_tables)
    assert f"“{wording}” (≈ 30/06/2020, báo cáo không ghi ngày)" in page
    tieu_chi = site.pages["tieu-chi/02.md"]
    assert "“Đến nay” (≈ 30/06/2018, báo cáo không ghi ngày)" in tieu_chi


def test_criteria_progress_is_a_share_of_the_base_per_criteria_set(real):
    chart, _ = by_slug(real, "tieu-chi-02")
    series = {r[1] for r in chart.rows}
    assert any("Bộ tiêu chí 2009" in s for s in series) and any("Bộ tiêu chí 2016-2020" in s for s in series)
    assert all("trên 207 xã" in s or "trên 181 xã" in s for s in series)
    assert any("Bộ tiêu chí 2016-2020" in n for n in chart.notes)
    _, svg = by_slug(real, "tieu-chi-02")
    assert ">Bộ tiêu chí 2016-2020<" in svg and "sau sáp nhập xã 2020" in svg  # breaks on the chart


# --- the audit itself catches what it is meant to catch --------------------------------------------
def _sample():
    marks = [Mark(dt.date(2019, 12, 31), "A", Decimal("1200.5"), "ha", "BC 1"),
             Mark(dt.date(2020, 12, 31), "A", Decimal(2400), "ha", "BC 1"),
             Mark(dt.date(2020, 12, 31), "B", Decimal(1800), "ha", "BC 2")]
    return charts.time_chart("t", "Thử", "Thử", "Nguồn: thử", marks, "ha")


def test_audit_catches_a_stacked_bar_a_zigzag_english_numbers_and_small_text():
    bars = charts.bar_chart_marks("b", "Thử", "Thử", "Nguồn: thử",
                                  [Mark("x", "A", 10, "xã", "S"), Mark("x", "B", 20, "xã", "S")], "xã")
    assert problems(bars, charts.render_svg(bars.spec)) == []
    stacked = copy.deepcopy(bars.spec)
    for layer in stacked["layer"]:
        layer["encoding"].pop("yOffset")
    assert any("overlap" in p or "zero" in p for p in problems(bars, charts.render_svg(stacked)))

    chart = _sample()
    assert problems(chart, charts.render_svg(chart.spec)) == []
    zigzag = copy.deepcopy(chart.spec)
    for layer in zigzag["layer"]:
        layer["encoding"]["color"] = {"value": "black"}   # one line through both series
    assert any("zig-zag" in p for p in problems(chart, charts.render_svg(zigzag)))

    import vl_convert as vlc
    english = vlc.vegalite_to_svg(chart.spec)   # without the Vietnamese locale
    assert any("English number" in p for p in problems(chart, english))
    small = copy.deepcopy(chart.spec)
    small["config"]["axis"]["labelFontSize"] = 7
    assert any("px at 328 px" in p for p in problems(chart, charts.render_svg(small)))
    titled = copy.deepcopy(chart.spec)
    titled["title"] = chart.title + " dài"
    assert any("title" in p for p in problems(chart, charts.render_svg(titled)))


# --- property: any mix of dates, bases, kinds and duplicate sources keeps the contract -------------
DATES = st.sampled_from([dt.date(2011, 12, 31), dt.date(2015, 12, 31), dt.date(2017, 6, 30),
                         dt.date(2018, 6, 30), dt.date(2019, 1, 1), dt.date(2020, 2, 12),
                         dt.date(2020, 12, 31), dt.date(2025, 12, 31)])
MARKS = st.lists(st.builds(
    lambda d, base, kind, source, value, precision: Mark(
        d, f"{charts.KIND_LABEL[kind]}, trên {base} xã" if base else charts.KIND_LABEL[kind],
        value, "% số xã", source, f"SYNTHETIC {value}", kind, precision),
    DATES, st.sampled_from([207, 181, None]), st.sampled_from(list(charts.KIND_LABEL)),
    st.sampled_from(["Báo cáo thử A", "Báo cáo thử B", "Báo cáo thử C"]),
    st.decimals(min_value=0, max_value=100000, places=2), st.sampled_from(["day", "year", "inferred", ""])),
    min_size=1, max_size=12)


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(MARKS)
def test_generated_time_charts_keep_the_contract(marks):
    chart = charts.time_chart("syn", "SYNTHETIC", "SYNTHETIC", "Nguồn: SYNTHETIC", marks, "% số xã")
    assert problems(chart, charts.render_svg(chart.spec)) == []
    # every stated figure is drawn: each input value appears in a mark
    values = {charts.format_number(m.value) for m in marks}
    assert values == {r[2] for r in chart.rows}


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(MARKS)
def test_generated_bar_charts_never_stack(marks):
    bars = [Mark(m.x.strftime("%Y"), m.series, m.value, m.unit, m.source, m.wording, m.kind) for m in marks]
    chart = charts.bar_chart_marks("syn", "SYNTHETIC", "SYNTHETIC", "Nguồn: SYNTHETIC", bars, "% số xã")
    assert problems(chart, charts.render_svg(chart.spec)) == []
