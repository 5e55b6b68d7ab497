"""`python -m site_builder.mkdocs_run build ...` is `mkdocs build ...` without MkDocs' warning
that a dirty build may show stale navigation: in strict mode that warning alone aborts every
dirty build, and build.py builds dirty only when nothing that every page shows has changed
(build.structure_key), which is what makes the navigation right."""
import logging
import sys

from mkdocs.__main__ import cli


class _NoDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


if __name__ == "__main__":
    logging.getLogger("mkdocs.commands.build").addFilter(_NoDirtyWarning())
    sys.exit(cli(prog_name="mkdocs"))
