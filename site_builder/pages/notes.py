"""Known disagreements between and within reports, from the `notes` table."""
from __future__ import annotations

from .. import routes
from ..labels import NOTE_KIND_LABEL
from . import Site

KIND_LABEL = NOTE_KIND_LABEL  # the old name


def generate(site: Site) -> None:
    notes = sorted(site.model.rows("notes"), key=lambda r: (r["kind"], r["id"]))
    site.page(routes.NOTES, "notes.md.j2", notes=notes, KIND=KIND_LABEL)
