"""Nothing a spreadsheet would run: the corpus's formula cases (tests/corpus/cases.py, extra
"formula") are written into the downloads, which real LibreOffice Calc (Debian's
libreoffice-calc-nogui, headless, installed by tests/browser/install-browser.sh) opens with
formula evaluation on; no cell of the CSV or XLSX downloads comes out as a formula. The zip
keeps the package exactly. Skipped only where soffice is missing outside CI."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from html import unescape
from pathlib import Path

import pytest

from conftest import make_package
from corpus.cases import CASES
from corpus.mutations import apply
from site_builder import exports
from site_builder.package import load_descriptor

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if not SOFFICE and not os.environ.get("CI"):
    pytest.skip("LibreOffice (soffice) is not installed: run tests/browser/install-browser.sh",
                allow_module_level=True)

FORMULAS = [c for c in CASES if c.extra.get("formula")]


def test_libreoffice_is_installed():
    """In CI (CI set) the spreadsheet tests must run: a missing LibreOffice fails here."""
    assert SOFFICE, "soffice not found: run tests/browser/install-browser.sh"
# comma, double quote, UTF-8, from line 1, standard columns, en-US, and "evaluate formulas" on:
# the worst case (Excel always evaluates), so the test can see a formula if one gets through
CSV_IN = "CSV:44,34,76,1,,1033,false,false,false,false,false,-1,true"


def to_fods(source: Path, out: Path, infilter: str | None = None) -> str:
    """The file as LibreOffice opens it, saved as flat OpenDocument XML."""
    args = [SOFFICE, f"-env:UserInstallation=file://{out / 'profile'}", "--headless"]
    if infilter:
        args.append(f"--infilter={infilter}")
    subprocess.run(args + ["--convert-to", "fods", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    return (out / f"{source.stem}.fods").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    work = tmp_path_factory.mktemp("formulas")
    pkg = make_package(work / "pkg")
    for case in FORMULAS:
        apply(pkg, case.ops)
    files = exports.download_files(pkg, load_descriptor(pkg), work / "cache")
    return pkg, files, work


def test_the_corpus_has_formula_cases():
    print(f"{len(FORMULAS)} formula cases")
    assert {next(op[4] for op in c.ops)[0] for c in FORMULAS} >= set("=+-@\t")
    # a carriage return cannot start a cell of a valid package file (the CSV row breaks), but
    # a download would still make it inert
    assert exports.inert("\r=1+1") == "'\r=1+1" and exports.inert("-5") == "'-5"
    assert exports.inert("Xã Kiên Mộc") == "Xã Kiên Mộc"


def test_the_check_sees_a_formula_when_one_gets_through(tmp_path):
    """Control: a raw formula in a CSV does come out as a formula, so the tests below can fail."""
    raw = tmp_path / "raw.csv"
    raw.write_text('a\r\n=1+1\r\n', encoding="utf-8")
    assert "table:formula" in to_fods(raw, tmp_path, CSV_IN)


@pytest.mark.parametrize("table", ["donors", "households", "land_donors"])
def test_csv_downloads_open_without_formulas(downloads, table, tmp_path):
    _, files, _ = downloads
    fods = to_fods(files.files[f"du-lieu/{table}.csv"], tmp_path, CSV_IN)
    assert "table:formula" not in fods
    values = [next(op[4] for op in c.ops) for c in FORMULAS if c.ops[0][1] == table]
    text = unescape(fods)
    for value in values:
        assert value.strip() in text, value  # shown as text (after the ' of the OWASP advice)


def test_xlsx_download_opens_without_formulas(downloads, tmp_path):
    _, files, _ = downloads
    fods = to_fods(files.files[exports.XLSX], tmp_path)
    # boolean cells are true/false values, which LibreOffice stores as =TRUE() / =FALSE()
    formulas = set(re.findall(r'table:formula="([^"]*)"', fods)) - {"of:=TRUE()", "of:=FALSE()"}
    assert not formulas
    text = unescape(fods)
    for case in FORMULAS:
        assert next(op[4] for op in case.ops).strip() in text, case.id  # the text, unchanged


def test_zip_keeps_the_package_exactly(downloads):
    pkg, files, _ = downloads
    with zipfile.ZipFile(files.files[exports.ZIP]) as zf:
        for table in ("households", "donors"):
            assert zf.read(f"{exports.ZIP_FOLDER}/data/{table}.csv") == \
                (pkg / "data" / f"{table}.csv").read_bytes()
