"""Known disagreements between and within reports, from the `notes` table: each note in words,
with links to the pages (and rows) of the figures it concerns, never their ids."""
from __future__ import annotations

import re

from .. import routes
from ..labels import NOTE_KIND_LABEL as KIND_LABEL
from ..model import full_name
from ..render import Safe, link, rel
from ..vn import format_date
from . import Site
from .province import capitalised, theme_of


def note_page(note: dict) -> str:
    """The page of a note: one page per kind of disagreement, so none is endlessly long."""
    return routes.notes_kind(note["kind"])


def where(site: Site, table: str, row: dict) -> tuple[str, str] | None:
    """(words, docs path with #anchor) for a row of the package."""
    model = site.model
    rid = row["id"]
    if table in ("communes", "districts"):
        return full_name(row), (routes.commune(rid) if table == "communes" else routes.district(rid))
    if table == "commune_recognitions":
        commune = model.communes.get(row["commune_id"])
        return (f"công nhận {full_name(commune)}" if commune else "một quyết định công nhận",
                routes.commune(row["commune_id"]))
    if table == "unit_changes":
        a, b = model.communes.get(row["from_commune_id"]), model.communes.get(row.get("to_commune_id") or "")
        words = "sắp xếp " + (full_name(a) if a else "một đơn vị") + (f" → {full_name(b)}" if b else "")
        return words, routes.commune(row["from_commune_id"])
    if table == "indicators":
        return (f"{capitalised(row['label'])}, {format_date(row['as_of'])}",
                f"{routes.province(theme_of(row['indicator']))}#{rid}")
    if table == "criteria_progress":
        return (f"Tiêu chí {row['criterion_number']}, {format_date(row['as_of'])}",
                f"{routes.province('tieu-chi.md')}#{rid}")
    if table == "criteria_distribution":
        return f"{row['band_label']}, {format_date(row['as_of'])}", f"{routes.province('tieu-chi.md')}#{rid}"
    if table == "average_criteria":
        return f"Bình quân tiêu chí/xã, {format_date(row['as_of'])}", f"{routes.province('tieu-chi.md')}#{rid}"
    if table == "ntm_counts":
        return f"Số xã đạt chuẩn, {format_date(row['as_of'])}", f"{routes.province('xa-dat-chuan.md')}#{rid}"
    if table == "funding":
        return f"{row['period_label']}: {row['category']}", f"{routes.province('nguon-von.md')}#{rid}"
    if table == "documents":
        return row["number"], routes.document_anchor(rid)
    if table == "document_citations":
        doc = model.documents.get(row["document_id"])
        return (f"{doc['number'] if doc else row['number_as_cited']} (trích dẫn)",
                routes.document_anchor(row["document_id"]))
    if table in routes.HONOUR_PAGES:
        return row.get("name") or row.get("recipient") or "một dòng", f"{routes.honour(table)}#{rid}"
    if table == "sources":
        return row.get("short_title") or row["title"], routes.source_anchor(rid)
    return None


def row_links(site: Site, page: str, refs: str, index: dict) -> Safe:
    out = []
    for ref in (refs or "").split():
        table, _, rid = ref.partition(":")
        row = index.setdefault(table, {r["id"]: r for r in site.model.rows(table)}).get(rid) \
            if table in site.model.tables else None
        place = where(site, table, row) if row else None
        if place:
            path, _, anchor = place[1].partition("#")
            out.append(link(place[0], rel(page, path) + (f"#{anchor}" if anchor else "")))
    out = list(dict.fromkeys(out))
    if len(out) > 3:  # a long list of rows: the first two, and how many more
        return Safe("; ".join(out[:2]) + f" và {len(out) - 2} dòng khác")
    return Safe("; ".join(out))


_QUOTED = re.compile(r"(“[^”]*”|'[^']*'|\"[^\"]*\")")
_DATE = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})/(\d{4})\b")


def padded_dates(text: str) -> str:
    """d/m/yyyy -> dd/mm/yyyy in our own words; a report's words in quotes stay as written."""
    return "".join(part if _QUOTED.fullmatch(part) else
                   _DATE.sub(lambda m: f"{int(m[1]):02d}/{int(m[2]):02d}/{m[3]}", part)
                   for part in _QUOTED.split(text))


def in_words(site: Site, text: str) -> str:
    """A note's sentence with source ids ("bc2020-tu") written as the sources' names, and dates
    zero-padded outside quotes."""
    ids = sorted(site.model.sources, key=len, reverse=True)
    if not ids or not text:
        return text or ""
    text = padded_dates(text)
    notes = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n["id"]) for n in site.model.rows("notes")) + r")(?![\w-])")
    text = notes.sub("một ghi chú khác trên trang này", text)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    return pattern.sub(lambda m: site.source_label(m.group(1)), text)


def generate(site: Site) -> None:
    notes = sorted(site.model.rows("notes"), key=lambda r: (r["kind"], r["id"]))
    index: dict = {}
    kinds = []
    for kind in dict.fromkeys(n["kind"] for n in notes):
        group = [n for n in notes if n["kind"] == kind]
        path = note_page(group[0])
        rows = [(n, in_words(site, n["summary_vi"]), in_words(site, n.get("source_locator")),
                 row_links(site, path, n["rows"], index)) for n in group]
        site.page(path, "notes.md.j2", notes=rows, title=KIND_LABEL.get(kind, kind))
        kinds.append((KIND_LABEL.get(kind, kind), path, len(group)))
    site.page("sai-lech/index.md", "notes_index.md.j2", kinds=kinds, total=len(notes))
