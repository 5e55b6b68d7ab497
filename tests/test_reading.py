"""One reading layer: a build reads each CSV file once. The validation's typed tables (read
row by row, or while the streaming checker checks a large table) are handed to the model, and
the site made from them is the one made by reading the files again (a cached report)."""
from __future__ import annotations

import json

import pytest
from test_validate import _status_package

from site_builder import package as package_module
from site_builder import validate as validate_module
from site_builder.build import make_site
from site_builder.validate import validate_package


def test_model_takes_the_tables_validation_read_and_reads_no_file_again(package, tmp_path,
                                                                        monkeypatch):
    pkg = _status_package(package)  # + a SYNTHETIC table of 3,420 rows the model does not read
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][-1]["title"] = "Trạng thái (SYNTHETIC)"  # the data page lists it
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False),
                                          encoding="utf-8")
    from_files = make_site(pkg, cache_dir=tmp_path / "a")
    # every table of 3+ lines streamed, so the streaming checker's tables reach the model too
    monkeypatch.setattr(validate_module, "STREAM_MIN_ROWS", 3)
    report = validate_package(pkg)
    assert report.valid, report.to_text()
    assert {"communes", "commune_criteria", "status"} <= set(report.tables)
    assert not isinstance(report.tables["communes"].rows, list)  # streamed: read as columns

    def no_reading(*args, **kwargs):
        pytest.fail("a CSV file was read again after the validation")
    monkeypatch.setattr(package_module, "read_table", no_reading)
    monkeypatch.setattr("site_builder.model.read_table", no_reading)
    for name in ("validate_package", "validate_package_cached"):  # the data-check page shows the report given
        monkeypatch.setattr(f"site_builder.pages.validation.{name}", no_reading)
    from_validation = make_site(pkg, cache_dir=tmp_path / "b", report=report)
    assert from_validation.pages == from_files.pages
    assert report.tables == {}, "the tables are held by the model only"
    # the sources page counts the rows of the table the model does not keep
    sources = from_validation.pages["nguon.md"]
    assert "status (3420 dòng)" in sources
