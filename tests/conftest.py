"""Shared fixtures. Packages for the validator tests are built in code from the synthetic
fixture in tests/fixtures/minimal plus the real schema; the real site is built once a session."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check behaviour, not speed: no per-example deadline (a loaded 2-core CI machine
# otherwise fails them at random). Timings belong in the benchmarks.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

ROOT = Path(__file__).resolve().parent.parent
REAL_PACKAGE = ROOT / "datapackage"
MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


def synth_module():
    """tests/benchmarks/synth.py, the synthetic package generator (not a package: loaded by path)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("ntm_synth", ROOT / "tests" / "benchmarks" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    return synth


@pytest.fixture(scope="session")
def synthetic_30(tmp_path_factory) -> Path:
    """A 30-commune SYNTHETIC package (seed 7, 2 made-up provinces; commune_criteria 5,000+ rows,
    so it is streamed), generated once a session: read it, or copy it (`synthetic`) to edit it."""
    pkg = tmp_path_factory.mktemp("synthetic") / "package"
    synth_module().generate(30, pkg, seed=7, provinces=2)
    return pkg


@pytest.fixture
def synthetic(synthetic_30, tmp_path) -> Path:
    """A copy of synthetic_30 of the test's own, to edit (a module may define its own `synthetic`)."""
    return Path(shutil.copytree(synthetic_30, tmp_path / "package"))


def files(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes): to compare two builds byte for byte."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _without_downloads():
    """The downloads and the data-check page (the validator run again) left out of generations:
    they are not what the selective tests check, and most of a generation's time (exports.py
    and its cache have their own tests)."""
    from site_builder.pages import data, validation
    patch = pytest.MonkeyPatch()
    patch.setattr(data, "generate", lambda site: None)
    patch.setattr(validation, "generate", lambda site: None)
    return patch


@pytest.fixture(scope="module")
def no_downloads():
    patch = _without_downloads()
    yield
    patch.undo()


@pytest.fixture(scope="session")
def selective_base(tmp_path_factory) -> Path:
    """A SYNTHETIC package (30 communes, seed 11, 2 made-up provinces) in `package/` and a cache
    folder holding its chart SVGs in `cache/` (so a selective test renders no chart), made once
    a session, without downloads."""
    from site_builder.build import generate
    base = tmp_path_factory.mktemp("selective")
    synth_module().generate(30, base / "package", seed=11, provinces=2)
    patch = _without_downloads()
    try:
        generate(base / "package", base / "docs", cache_dir=base / "cache")
    finally:
        patch.undo()
    return base


def selective_copy(base: Path, tmp_path: Path):
    """selective_base's package copied into tmp_path, with its chart SVGs, and generated once into
    tmp_path/docs with a cache (which stores the keys): (the package, the generated Site)."""
    from site_builder.build import generate
    pkg = tmp_path / "package"
    shutil.copytree(base / "package", pkg)
    shutil.copytree(base / "cache" / "charts", tmp_path / "cache" / "charts")
    return pkg, generate(pkg, tmp_path / "docs", cache_dir=tmp_path / "cache")


def resources_checked(monkeypatch) -> list[str]:
    """From now on, the names of the resources whose file the validator checks from its first
    line (validate.check_file: not taken from the cache, not checked in its changed lines only)."""
    from site_builder import validate
    names, original = [], validate.check_file

    def spy(package_dir, res):
        names.append(res["name"])
        return original(package_dir, res)
    monkeypatch.setattr(validate, "check_file", spy)
    return names


def make_package(dest: Path) -> Path:
    """A copy of the synthetic fixture package with the real datapackage.json."""
    shutil.copytree(MINIMAL / "data", dest / "data")
    shutil.copy(REAL_PACKAGE / "datapackage.json", dest / "datapackage.json")
    return dest


def read_rows(pkg: Path, resource: str) -> list[dict]:
    with open(pkg / "data" / f"{resource}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(pkg: Path, resource: str, rows: list[dict], fieldnames=None) -> None:
    path = pkg / "data" / f"{resource}.csv"
    if fieldnames is None:
        with open(path, encoding="utf-8", newline="") as fh:
            fieldnames = next(csv.reader(fh))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def set_cell(pkg: Path, resource: str, row_index: int, column: str, value: str) -> None:
    rows = read_rows(pkg, resource)
    rows[row_index][column] = value
    write_rows(pkg, resource, rows)


@pytest.fixture
def package(tmp_path) -> Path:
    return make_package(tmp_path / "pkg")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The real site, built once per test session with the real `build` command path."""
    from site_builder.build import build_site

    work = tmp_path_factory.mktemp("real-build")
    return build_site(REAL_PACKAGE, work / "site", work_dir=work / "build")
