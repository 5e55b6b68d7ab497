"""Data diff between two versions of the package, in words a reviewer understands:
rows added, removed and changed per table, e.g.
  "Xã Kiên Mộc (Huyện Đình Lập): new recognition NTM năm 2020 (source: ...)"
  "funding 2016-2018, doanh nghiệp: 412.521 → 415.000 triệu đồng"
OLD and NEW are package folders or git refs (the package is read from `datapackage/` at that ref)."""
from __future__ import annotations

import csv
import json
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from io import BytesIO, StringIO
from pathlib import Path

LEVEL = {"ntm": "NTM", "ntm_nang_cao": "NTM nâng cao", "ntm_kieu_mau": "NTM kiểu mẫu"}
KIND = {"xã": "Xã", "phường": "Phường", "thị trấn": "Thị trấn"}
IGNORED = {"note"}  # free remarks: a change there is named, not quoted in full


@dataclass
class Change:
    resource: str
    kind: str          # added | removed | changed
    row_id: str
    sentence: str
    fields: dict = field(default_factory=dict)  # for changed rows: {column: [old, new]}
    row: dict = field(default_factory=dict, repr=False)  # the row (new version, or old if removed)


@dataclass
class DataDiff:
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)
    tables_added: list[str] = field(default_factory=list)
    tables_removed: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for c in self.changes:
            out.setdefault(c.resource, {"added": 0, "removed": 0, "changed": 0})[c.kind] += 1
        return out

    def to_text(self) -> str:
        if not (self.changes or self.tables_added or self.tables_removed):
            return "No change in the data."
        lines = [f"Data changes from {self.old} to {self.new}:"]
        lines += [f"- new table: {t}" for t in self.tables_added]
        lines += [f"- table removed: {t}" for t in self.tables_removed]
        for resource, n in sorted(self.counts().items()):
            lines.append(f"{resource}: {n['added']} added, {n['removed']} removed, {n['changed']} changed")
            lines += [f"- {c.sentence}" for c in self.changes if c.resource == resource]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        if not (self.changes or self.tables_added or self.tables_removed):
            return "**No change in the data.**\n"
        out = [f"### Data changes ({self.old} → {self.new})", "",
               "| table | added | removed | changed |", "| --- | --- | --- | --- |"]
        for resource, n in sorted(self.counts().items()):
            out.append(f"| {resource} | {n['added']} | {n['removed']} | {n['changed']} |")
        out.append("")
        out += [f"- New table: `{t}`" for t in self.tables_added]
        out += [f"- Table removed: `{t}`" for t in self.tables_removed]
        for resource in sorted(self.counts()):
            out += ["", f"#### {resource}", ""]
            out += [f"- {_md(c.sentence)}" for c in self.changes if c.resource == resource]
        return "\n".join(out) + "\n"

    def to_json(self) -> str:
        return json.dumps({"old": self.old, "new": self.new, "tables_added": self.tables_added,
                           "tables_removed": self.tables_removed, "counts": self.counts(),
                           "changes": [{k: v for k, v in asdict(c).items() if k != "row"}
                                       for c in self.changes]},
                          ensure_ascii=False, indent=2)


def _md(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_{}[]<>|#" else ch for ch in text)


# --- reading a version ---------------------------------------------------------------------------

def read_version(spec: str, workdir: Path) -> Path:
    """A package folder as given, or `datapackage/` extracted from git at a ref."""
    path = Path(spec)
    if (path / "datapackage.json").is_file():
        return path
    if (path / "datapackage" / "datapackage.json").is_file():
        return path / "datapackage"
    try:
        return extract_from_git(spec, "datapackage", workdir / spec.replace("/", "_"))
    except ValueError as exc:
        raise ValueError(f"{spec!r} is neither a package folder nor a git ref with datapackage/: "
                         f"{exc}") from None


def extract_from_git(ref: str, folder: str, target: Path, cwd: Path | None = None) -> Path:
    """`folder` as it was at a git ref, extracted under target; returns the extracted folder.
    Raises ValueError with git's message when the ref or folder does not exist."""
    archive = subprocess.run(["git", "archive", "--format=tar", ref, folder or "."], cwd=cwd,
                             capture_output=True)
    if archive.returncode != 0:
        raise ValueError(archive.stderr.decode(errors="replace").strip())
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target / folder if folder else target


def _tables(package: Path) -> dict[str, tuple[list[str], dict[str, dict]]]:
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    out = {}
    for res in descriptor.get("resources", []):
        key = (res.get("schema", {}).get("primaryKey") or ["id"])
        path = package / res["path"]
        if not path.is_file():
            continue
        rows = list(csv.DictReader(StringIO(path.read_text(encoding="utf-8-sig"))))
        out[res["name"]] = (key, {"|".join(r.get(k) or "" for k in key): r for r in rows})
    return out


# --- describing rows --------------------------------------------------------------------------

class Labels:
    """Names for rows, looked up in the new version first, then the old."""

    def __init__(self, new, old):
        self.new, self.old = new, old

    def lookup(self, resource, row_id) -> dict:
        for version in (self.new, self.old):
            row = version.get(resource, ([], {}))[1].get(row_id or "")
            if row:
                return row
        return {}

    def commune(self, commune_id) -> str:
        c = self.lookup("communes", commune_id)
        if not c:
            return commune_id or ""
        name = f"{KIND.get(c.get('kind'), c.get('kind', ''))} {c.get('name', '')}".strip()
        d = self.lookup("districts", c.get("district_id"))
        return f"{name} (Huyện {d['name']})" if d and d.get("kind") == "huyện" else (
            f"{name} (TP {d['name']})" if d else name)

    def source(self, row) -> str:
        s = self.lookup("sources", row.get("source_id"))
        title = s.get("short_title") or s.get("title") or row.get("source_id", "")
        return f"{title}, {row['source_locator']}" if row.get("source_locator") else title

    def row(self, resource, row) -> str:
        if resource == "commune_recognitions":
            return self.commune(row.get("commune_id"))
        if resource == "funding":
            return f"funding {row.get('period_label', '')}, {row.get('category', '')}"
        if resource in ("communes",):
            return self.commune(row.get("id"))
        if resource == "criteria_progress":
            return f"criterion {row.get('criterion_number')} at {row.get('as_of')} ({row.get('kind')})"
        for name in ("name", "recipient", "number", "label", "title", "band_label", "category"):
            if row.get(name):
                return f"{resource} {row.get('id', '')} ({row[name]})"
        return f"{resource} {row.get('id', '')}"

    def summary(self, resource, row) -> str:
        if resource == "commune_recognitions":
            what = {"recognised": "recognition", "appraised": "appraisal", "target": "target"}.get(row.get("status"), "entry")
            year = f" năm {row['year']}" if row.get("year") else ""
            return f"new {what} {LEVEL.get(row.get('level'), row.get('level'))}{year}"
        if row.get("amount_stated"):
            return "new row: " + " ".join(p for p in (row.get("qualifier"), row["amount_stated"], row.get("unit_stated")) if p)
        if row.get("communes"):
            return f"new row: {row['communes']}" + (f"/{row['base']} xã" if row.get("base") else " xã")
        if row.get("value_stated") or row.get("value_text"):
            return f"new row: {row.get('value_stated') or row.get('value_text')} {row.get('unit', '')}".rstrip()
        return "new row"


def _value(resource, row, column) -> str:
    if resource in ("funding", "donors", "projects") and column in ("amount_stated", "amount_million_vnd", "unit_stated", "qualifier"):
        return " ".join(p for p in (row.get("qualifier"), row.get("amount_stated"), row.get("unit_stated")) if p)
    return row.get(column, "")


def diff_packages(old: Path, new: Path, old_label="old", new_label="new") -> DataDiff:
    a, b = _tables(old), _tables(new)
    labels = Labels(b, a)
    result = DataDiff(old_label, new_label)
    result.tables_added = sorted(set(b) - set(a))
    result.tables_removed = sorted(set(a) - set(b))
    for resource in sorted(set(a) | set(b)):
        old_rows = a.get(resource, ([], {}))[1]
        new_rows = b.get(resource, ([], {}))[1]
        for key in sorted(set(new_rows) - set(old_rows)):
            row = new_rows[key]
            result.changes.append(Change(resource, "added", key,
                                         f"{labels.row(resource, row)}: {labels.summary(resource, row)} (source: {labels.source(row)})",
                                         row=row))
        for key in sorted(set(old_rows) - set(new_rows)):
            row = old_rows[key]
            result.changes.append(Change(resource, "removed", key, f"{labels.row(resource, row)}: row removed",
                                         row=row))
        for key in sorted(set(old_rows) & set(new_rows)):
            before, after = old_rows[key], new_rows[key]
            columns = [c for c in after if before.get(c, "") != after.get(c, "")]
            if not columns:
                continue
            parts, shown = [], set()
            for column in columns:
                if column in IGNORED:
                    parts.append(f"{column} edited")
                    continue
                old_v, new_v = _value(resource, before, column), _value(resource, after, column)
                if (old_v, new_v) in shown:
                    continue  # the amount's columns change together: say it once
                shown.add((old_v, new_v))
                name = "" if old_v != before.get(column, "") else f"{column} "
                parts.append(f"{name}{old_v or '(empty)'} → {new_v or '(empty)'}")
            result.changes.append(Change(resource, "changed", key,
                                         f"{labels.row(resource, after)}: " + "; ".join(parts),
                                         {c: [before.get(c, ""), after.get(c, "")] for c in columns},
                                         row=after))
    return result


def diff_specs(old_spec: str, new_spec: str) -> DataDiff:
    with tempfile.TemporaryDirectory() as tmp:
        old = read_version(old_spec, Path(tmp))
        new = read_version(new_spec, Path(tmp))
        return diff_packages(old, new, old_spec, new_spec)
