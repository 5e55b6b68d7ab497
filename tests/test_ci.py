"""The publishing pipeline: the workflow files, and the CLI steps they run."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT, make_package, set_cell
from site_builder.cli import main
from site_builder.linkcheck import check_links

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def load(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_workflows_pass_the_github_workflow_schema():
    cli = Path(sys.executable).with_name("check-jsonschema")
    proc = subprocess.run([str(cli), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actions_are_pinned_and_steps_are_make_commands():
    assert {p.name for p in WORKFLOWS} == {"check.yml", "deploy.yml"}
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+\.\d+\.\d+", step["uses"]), step["uses"]
                if "run" in step and "GITHUB_STEP_SUMMARY" not in step["run"]:
                    assert step["run"].startswith("make "), step["run"]


def test_deploy_runs_only_after_every_check_passed():
    deploy = load(ROOT / ".github" / "workflows" / "deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    job = deploy["jobs"]["deploy"]
    assert job["needs"] == "build" and "success()" in job["if"]
    assert job["steps"][0]["uses"].startswith("actions/deploy-pages@")
    build_steps = [s.get("uses", s.get("run", "")) for s in deploy["jobs"]["build"]["steps"]]
    check = next(i for i, s in enumerate(build_steps) if s.startswith("make ci-check"))
    upload = next(i for i, s in enumerate(build_steps) if s.startswith("actions/upload-pages-artifact@"))
    assert check < upload  # the site is uploaded only after the checks in ci-check passed
    pr = load(ROOT / ".github" / "workflows" / "check.yml")
    assert "pull_request" in pr["on"]


def test_makefile_ci_check_runs_report_build_and_link_check():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = text.split("ci-check: $(STAMP)")[1].split("\n\n")[0]
    assert "ci-report" in recipe and "site_builder build" in recipe and "check-links" in recipe


def test_ci_report_fails_on_a_broken_csv_with_the_message(tmp_path, capsys):
    pkg = make_package(tmp_path / "pkg")
    set_cell(pkg, "funding", 1, "amount_million_vnd", "hai trăm")
    out = tmp_path / "ci"
    assert main(["ci-report", str(pkg), "--out", str(out)]) == 1
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "❌" in summary and "resource 'funding'" in summary and "row 3" in summary
    assert "column 'amount_million_vnd'" in summary


def test_ci_report_shows_the_data_diff(tmp_path):
    old = make_package(tmp_path / "old")
    new = make_package(tmp_path / "new")
    set_cell(new, "ntm_counts", 0, "communes", "25")
    set_cell(new, "ntm_counts", 0, "percent_stated", "12.08")
    assert main(["ci-report", str(new), "--base", str(old), "--out", str(tmp_path / "ci")]) == 0
    summary = (tmp_path / "ci" / "summary.md").read_text(encoding="utf-8")
    assert "✅" in summary and "| ntm_counts | 0 | 0 | 1 |" in summary
    assert "Sửa số liệu xã đạt chuẩn mã nc-1: 24 → 25" in summary


def test_link_check_finds_broken_links(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="b/">missing</a>'
                                         '<a href="a/#x">anchor</a><a href="https://example.org/">ext</a>')
    (tmp_path / "a" / "index.html").write_text('<h1 id="y">A</h1>')
    broken = check_links(tmp_path)
    assert broken == ["index.html: link 'b/' leads to no file",
                      "index.html: link 'a/#x': no #x on that page"]


def test_workflows_cache_and_cancel_superseded_checks():
    for path in WORKFLOWS:
        steps = load(path)["jobs"]["check" if path.name == "check.yml" else "build"]["steps"]
        python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
        assert python["with"]["cache"] == "pip"
        cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
        assert cache["with"]["path"] == "build/cache" and "site_builder/**" in cache["with"]["key"]
        assert steps.index(cache) < next(i for i, s in enumerate(steps) if "make ci-check" in s.get("run", ""))
    pr = load(ROOT / ".github" / "workflows" / "check.yml")
    assert pr["concurrency"]["cancel-in-progress"] is True
    assert "pull_request.number" in pr["concurrency"]["group"]
    deploy = load(ROOT / ".github" / "workflows" / "deploy.yml")
    assert deploy["concurrency"]["cancel-in-progress"] is False  # never cut a deployment short
    build = next(s for s in deploy["jobs"]["build"]["steps"] if "make ci-check" in s.get("run", ""))
    assert "SITE_URL" in build["env"]
