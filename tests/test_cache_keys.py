"""The caches kept between builds (validation report, downloads) are keyed by every source file
of site_builder/ and the library versions: a fix in any module must give a fresh result, never
a stale cached one. The tests edit a copy of site_builder/ that the key is pointed at."""
from __future__ import annotations

import json
import shutil
from importlib import metadata
from pathlib import Path

import pytest

from site_builder import exports
from site_builder import package as package_module
from site_builder import validate as validate_module


@pytest.fixture
def code_copy(tmp_path, monkeypatch) -> Path:
    copy = tmp_path / "code"
    shutil.copytree(package_module.SOURCE_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(package_module, "SOURCE_ROOT", copy)
    return copy


def edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# a fix\n", encoding="utf-8")


def count_calls(monkeypatch, module, name) -> list:
    calls, original = [], getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **k: (calls.append(a), original(*a, **k))[1])
    return calls


@pytest.mark.parametrize("changed", ["stream_check.py", "checks.py", "package.py", "validate.py"])
def test_a_changed_validator_file_is_not_served_the_cached_report(package, tmp_path, monkeypatch,
                                                                 code_copy, changed):
    calls = count_calls(monkeypatch, validate_module, "check_file")  # once a resource checked
    cache = tmp_path / "cache"
    first = validate_module.validate_package_cached(package, cache)
    checked = len(calls)
    assert validate_module.validate_package_cached(package, cache).to_json() == first.to_json()
    assert len(calls) == checked  # unchanged code and package: every resource from the cache
    edit(code_copy / changed)
    validate_module.validate_package_cached(package, cache)
    assert len(calls) == 2 * checked, f"a change to {changed} was served cached validation results"


def test_a_changed_library_version_is_not_served_the_cached_report(package, tmp_path, monkeypatch,
                                                                  code_copy):
    calls = count_calls(monkeypatch, validate_module, "check_file")
    cache = tmp_path / "cache"
    validate_module.validate_package_cached(package, cache)
    checked = len(calls)
    original = metadata.distributions

    class Upgraded:  # the same library, one version later
        def __init__(self, dist):
            self.metadata, self.version = dist.metadata, dist.version + ".post1"

    monkeypatch.setattr(metadata, "distributions",
                        lambda: [Upgraded(d) if d.metadata["Name"] == "frictionless" else d
                                 for d in original()])
    package_module._libraries.cache_clear()  # a process reads the versions once: as a new process does
    validate_module.validate_package_cached(package, cache)
    package_module._libraries.cache_clear()
    assert len(calls) == 2 * checked


@pytest.mark.parametrize("changed", ["exports.py", "model.py", "vn.py"])
def test_a_changed_exporter_or_model_file_rewrites_the_downloads(package, tmp_path, monkeypatch,
                                                                code_copy, changed):
    calls = count_calls(monkeypatch, exports, "_write_downloads")
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    first = exports.download_files(package, descriptor, tmp_path / "cache")
    assert exports.download_files(package, descriptor, tmp_path / "cache").files == first.files
    assert len(calls) == 1  # unchanged code and package: the cached downloads
    edit(code_copy / changed)
    again = exports.download_files(package, descriptor, tmp_path / "cache")
    assert len(calls) == 2, f"a change to {changed} was served the cached downloads"
    assert again.files[exports.ZIP].is_file() and not first.files[exports.ZIP].exists()


def test_a_new_chart_renderer_or_font_renders_the_charts_again(tmp_path, monkeypatch):
    from site_builder import charts

    rendered = []
    monkeypatch.setattr(charts, "_render_many",
                        lambda specs: (rendered.append(len(specs)), ["<svg/>"] * len(specs))[1])
    chart = charts.Chart("x", "X", "Biểu đồ thử", "Nguồn: thử", ["a"], [[1]], spec={"mark": "bar"})
    cache = tmp_path / "charts"
    charts.render_all([chart], cache)
    charts.render_all([chart], cache)
    assert sum(rendered) == 1  # same spec, same renderer: the cached SVG
    fonts = tmp_path / "fonts"
    shutil.copytree(charts.FONT_DIR, fonts)
    monkeypatch.setattr(charts, "FONT_DIR", fonts)
    charts.render_all([chart], cache)
    assert sum(rendered) == 1  # the same font files
    (fonts / "extra.ttf").write_bytes(b"another font")
    charts.render_all([chart], cache)
    assert sum(rendered) == 2
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: real(name) + ".post1")
    charts.render_all([chart], cache)
    assert sum(rendered) == 3
