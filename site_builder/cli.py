"""Command line: `python -m site_builder validate|build|serve [PACKAGE]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_PACKAGE = "datapackage"


def _validate(args) -> int:
    from .validate import validate_package

    report = validate_package(Path(args.package))
    print(report.to_json() if args.json else report.to_text(verbose=args.verbose))
    return 0 if report.valid else 1


def _build(args) -> int:
    from .build import BuildError, build_site

    try:
        site = build_site(Path(args.package), Path(args.site_dir), run_mkdocs=not args.markdown_only,
                          work_dir=Path(args.work_dir))
    except BuildError as exc:
        print(str(exc), file=sys.stderr)
        print(f"Nothing was published: {args.site_dir}/ is unchanged.", file=sys.stderr)
        return 1
    print(f"Built {site}")
    return 0


def _diff(args) -> int:
    from .diff import diff_specs

    try:
        result = diff_specs(args.old, args.new)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print({"text": result.to_text, "markdown": result.to_markdown, "json": result.to_json}[args.format]())
    return 0


def _check_links(args) -> int:
    from .linkcheck import check_links

    broken = check_links(Path(args.site))
    for line in broken:
        print(line)
    print(f"{len(broken)} broken internal link(s) in {args.site}")
    return 1 if broken else 0


def _ci_report(args) -> int:
    from .ci import ci_report

    valid = ci_report(Path(args.package), args.base, Path(args.out))
    print((Path(args.out) / "summary.md").read_text(encoding="utf-8"))
    return 0 if valid else 1


def _serve(args) -> int:
    from .serve import serve

    return serve(Path(args.package), Path(args.work_dir), addr=args.addr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m site_builder",
        description="Validate the NTM data package and build the public site from it.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check the data package and list every problem")
    p.add_argument("package", nargs="?", default=DEFAULT_PACKAGE, help="package folder (default: datapackage)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--verbose", action="store_true",
                   help="list the known disagreements (warnings) in full, not only their count")
    p.set_defaults(func=_validate)

    for name, func, text in (("build", _build, "validate, generate the pages and build site/"),
                             ("serve", _serve, "generate the pages and preview with live reload")):
        p = sub.add_parser(name, help=text)
        p.add_argument("package", nargs="?", default=DEFAULT_PACKAGE, help="package folder (default: datapackage)")
        p.add_argument("--work-dir", default="build", help="where generated Markdown goes (default: build)")
        if name == "build":
            p.add_argument("--site-dir", default="site", help="output folder (default: site)")
            p.add_argument("--markdown-only", action="store_true", help="generate Markdown, skip MkDocs")
        if name == "serve":
            p.add_argument("--addr", help="address:port of the preview (default: MkDocs', 127.0.0.1:8000)")
        p.set_defaults(func=func)

    p = sub.add_parser("diff", help="what changed in the data between two versions")
    p.add_argument("old", help="old version: a package folder or a git ref (e.g. origin/main)")
    p.add_argument("new", nargs="?", default=DEFAULT_PACKAGE, help="new version (default: datapackage)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.set_defaults(func=_diff)

    p = sub.add_parser("check-links", help="check every internal link of a built site")
    p.add_argument("site", nargs="?", default="site")
    p.set_defaults(func=_check_links)

    p = sub.add_parser("ci-report", help="validation report and data diff for CI (build/ci/)")
    p.add_argument("package", nargs="?", default=DEFAULT_PACKAGE)
    p.add_argument("--base", help="version to compare with (git ref or folder)")
    p.add_argument("--out", default="build/ci")
    p.set_defaults(func=_ci_report)

    args = parser.parse_args(argv)
    return args.func(args)
