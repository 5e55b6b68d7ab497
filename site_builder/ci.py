"""What the CI workflows run, as one command people can run too: validate, diff against a base
version, and write the reports for the job summary and the uploaded artifact."""
from __future__ import annotations

from pathlib import Path

from .diff import diff_specs
from .validate import validate_package


def ci_report(package: Path, base: str | None, out: Path) -> bool:
    out.mkdir(parents=True, exist_ok=True)
    report = validate_package(package)
    (out / "validation.txt").write_text(report.to_text(verbose=True) + "\n", encoding="utf-8")
    (out / "validation.json").write_text(report.to_json() + "\n", encoding="utf-8")
    summary = ["## Kiểm tra dữ liệu (validation)", ""]
    if report.valid:
        summary.append(f"✅ The data package is valid ({len(report.warnings)} known disagreement(s) "
                       "reported as warnings).")
    else:
        summary.append(f"❌ The data package has {len(report.errors)} error(s). "
                       "Nothing will be published until they are fixed:")
    summary += ["", "```", report.to_text(), "```", ""]
    if base:
        try:
            diff = diff_specs(base, str(package))
            (out / "diff.md").write_text(diff.to_markdown(), encoding="utf-8")
            (out / "diff.json").write_text(diff.to_json() + "\n", encoding="utf-8")
            summary += ["## Thay đổi dữ liệu (data diff)", "", diff.to_markdown()]
        except ValueError as exc:
            summary += ["## Thay đổi dữ liệu (data diff)", "", f"Could not compare with {base}: {exc}"]
    (out / "summary.md").write_text("\n".join(summary) + "\n", encoding="utf-8")
    return report.valid
