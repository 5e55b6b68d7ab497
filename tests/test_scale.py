"""The scale benchmark's correctness at a small size (timing is tests/benchmarks/scale.py's job):
a SYNTHETIC package of 30 communes validates like the real one, the site builds from it, every
synthetic commune and district gets its page, the extra resource is accepted, and every file the
generator writes says it is synthetic."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import synth_module
from site_builder.build import build_site
from site_builder.package import REQUIRED_RESOURCES
from site_builder.validate import validate_package


def rows(pkg: Path, name: str) -> list[dict]:
    with open(pkg / "data" / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_synthetic_package_is_valid_and_labelled(synthetic_30):
    report = validate_package(synthetic_30)
    assert report.valid, report.to_text()
    descriptor = json.loads((synthetic_30 / "datapackage.json").read_text(encoding="utf-8"))
    assert "SYNTHETIC" in descriptor["title"]
    names = [r["name"] for r in descriptor["resources"]]
    assert names[:len(REQUIRED_RESOURCES)] == list(REQUIRED_RESOURCES)
    assert names[-1] == "commune_criteria_status"
    assert "SYNTHETIC" in (synthetic_30 / "README.md").read_text(encoding="utf-8")
    for res in descriptor["resources"]:   # every CSV says so, in every row
        table = rows(synthetic_30, res["name"])
        assert table, res["name"]
        label = {"sources": "title", "documents": "subject"}.get(res["name"], "source_locator")
        assert all(r[label].startswith("SYNTHETIC") for r in table), res["name"]


def test_synthetic_shape(synthetic_30):
    communes = rows(synthetic_30, "communes")
    assert len(communes) == 30
    status = rows(synthetic_30, "commune_criteria_status")
    old = [c for c in communes if c["district_id"]]
    assert {r["commune_id"] for r in status} == {c["id"] for c in old}
    assert {int(r["criterion_number"]) for r in status} == set(range(1, 20))
    districts = rows(synthetic_30, "districts")
    assert len({d["name"].rsplit(", ", 1)[1] for d in districts}) == 2   # province in the name
    # aggregates agree with the statuses they are computed from
    cp = {(r["as_of"][:4], r["criterion_number"]): int(r["communes"]) for r in rows(synthetic_30, "criteria_progress")}
    met = {}
    for r in status:
        if r["met"] == "true":
            met[(r["year"], r["criterion_number"])] = met.get((r["year"], r["criterion_number"]), 0) + 1
    assert all(cp[k] == met.get(k, 0) for k in cp)


def test_duplicate_names_across_districts_at_national_shape(tmp_path):
    pkg = tmp_path / "package"
    synth_module().generate(600, pkg, seed=1)
    communes = [c for c in rows(pkg, "communes") if c["district_id"]]
    by_name = {}
    for c in communes:
        by_name.setdefault((c["kind"], c["name"]), set()).add(c["district_id"])
    assert any(len(d) > 1 for d in by_name.values())
    assert all(len([c for c in communes if (c["kind"], c["name"], c["district_id"]) == key]) == 1
               for key in {(c["kind"], c["name"], c["district_id"]) for c in communes})


def test_refuses_to_write_into_the_real_package():
    with pytest.raises(ValueError):
        synth_module().generate(30, Path(__file__).resolve().parents[1] / "datapackage" / "synthetic")


def test_site_builds_with_a_page_for_every_synthetic_unit(synthetic_30, tmp_path):
    site = build_site(synthetic_30, tmp_path / "site", work_dir=tmp_path / "build")
    for c in rows(synthetic_30, "communes"):
        html = (site / "xa" / c["id"] / "index.html").read_text(encoding="utf-8")
        assert c["name"] in html and c["gso_code"] in html
    for d in rows(synthetic_30, "districts"):
        assert (site / "huyen" / d["id"] / "index.html").is_file()
    # the extra resource is accepted: listed among the downloads, not turned into pages
    assert "commune_criteria_status" in (site / "du-lieu" / "index.html").read_text(encoding="utf-8")
    assert "SYNTHETIC" in (site / "nguon" / "index.html").read_text(encoding="utf-8")
    # ... and streamed whole into its downloads although the model does not load it
    status = rows(synthetic_30, "commune_criteria_status")
    with open(site / "du-lieu" / "commune_criteria_status.csv", encoding="utf-8-sig", newline="") as fh:
        assert list(csv.DictReader(fh)) == status
    records = json.loads((site / "du-lieu" / "commune_criteria_status.json").read_text(encoding="utf-8"))
    assert len(records) == len(status) and records[0]["commune_id"] == status[0]["commune_id"]
