"""Data diff between two versions of the package, in Vietnamese words a reviewer (and a citizen
on the "Thay đổi dữ liệu" page) understands: rows added, removed and changed per table, e.g.
  "Thêm công nhận xã: Xã Kiên Mộc (Huyện Đình Lập), NTM năm 2020 (nguồn: ...)"
  "Sửa số liệu vốn 2016-2018, doanh nghiệp: 412.521 triệu đồng → 415.000 triệu đồng"
No sentence names a column. A person who is not (or no longer) published is never named: every
change to such a row says only its table and id, "một dòng đã được rút khỏi danh sách theo đề
nghị" (see `named_persons`).
OLD and NEW are package folders or git refs (the package is read from `datapackage/` at that ref)."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from io import BytesIO, StringIO
from pathlib import Path

from .model import PERSON_TABLES, PUBLISHABLE

LEVEL = {"ntm": "NTM", "ntm_nang_cao": "NTM nâng cao", "ntm_kieu_mau": "NTM kiểu mẫu"}
KIND = {"xã": "Xã", "phường": "Phường", "thị trấn": "Thị trấn"}
IGNORED = {"note"}  # free remarks: a change there is named, not quoted in full
WITHDRAWN = "một dòng đã được rút khỏi danh sách theo đề nghị"
# what one row of a table is, in Vietnamese ("Thêm 1 nhà tài trợ")
NOUN = {
    "sources": "nguồn", "districts": "huyện", "communes": "đơn vị cấp xã",
    "unit_changes": "thay đổi đơn vị hành chính", "criteria": "tiêu chí",
    "criteria_progress": "số liệu tiến độ tiêu chí", "criteria_distribution": "số liệu phân nhóm xã",
    "average_criteria": "số liệu bình quân tiêu chí", "ntm_counts": "số liệu xã đạt chuẩn",
    "commune_recognitions": "công nhận xã", "commune_criteria": "tiêu chí đạt của xã",
    "commune_criteria_counts": "số tiêu chí đạt của xã", "funding": "số liệu vốn",
    "donors": "nhà tài trợ", "households": "hộ điển hình", "land_donors": "hộ hiến đất",
    "projects": "công trình, dự án", "production_models": "mô hình sản xuất",
    "awards": "khen thưởng", "documents": "văn bản", "document_citations": "trích dẫn văn bản",
    "indicators": "chỉ tiêu", "notes": "ghi chú sai lệch",
}
VERB = {"added": "Thêm", "removed": "Bỏ", "changed": "Sửa"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def noun(resource: str) -> str:
    return NOUN.get(resource, f"dòng của bảng {resource}")


def vn_value(value: str) -> str:
    """A cell as a reader reads it: ISO dates as dd/mm/yyyy, true/false in words."""
    if ISO_DATE.fullmatch(value or ""):
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    return {"true": "có", "false": "không"}.get(value, value)


@dataclass
class Change:
    resource: str
    kind: str          # added | removed | changed
    row_id: str
    sentence: str
    fields: dict = field(default_factory=dict)  # for changed rows: {column: [old, new]}
    row: dict = field(default_factory=dict, repr=False)  # the row (new version, or old if removed)
    withdrawn: bool = False  # a person not published: the sentence names table and id only


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

    def summary(self) -> str:
        """One sentence: "Thêm 1 nhà tài trợ; sửa 2 số liệu vốn." ('' when nothing changed)."""
        parts = []
        for resource, n in sorted(self.counts().items()):
            for kind in ("added", "removed", "changed"):
                if n[kind]:
                    parts.append(f"{VERB[kind].lower()} {n[kind]} {noun(resource)}")
        return (parts[0][0].upper() + "; ".join(parts)[1:] + ".") if parts else ""

    def to_text(self) -> str:
        if not (self.changes or self.tables_added or self.tables_removed):
            return "Không thay đổi số liệu."
        lines = [f"Thay đổi số liệu từ {self.old} đến {self.new}: {self.summary()}"]
        lines += [f"- bảng mới: {t}" for t in self.tables_added]
        lines += [f"- bảng bị bỏ: {t}" for t in self.tables_removed]
        for resource in sorted(self.counts()):
            lines += [f"- {c.sentence}" for c in self.changes if c.resource == resource]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        if not (self.changes or self.tables_added or self.tables_removed):
            return "**Không thay đổi số liệu.**\n"
        out = [f"### Thay đổi số liệu ({self.old} → {self.new})", "",
               "| bảng | thêm | bỏ | sửa |", "| --- | --- | --- | --- |"]
        for resource, n in sorted(self.counts().items()):
            out.append(f"| {resource} | {n['added']} | {n['removed']} | {n['changed']} |")
        out.append("")
        out += [f"- Bảng mới: `{t}`" for t in self.tables_added]
        out += [f"- Bảng bị bỏ: `{t}`" for t in self.tables_removed]
        for resource in sorted(self.counts()):
            out += ["", f"#### {resource}", ""]
            for c in self.changes:
                if c.resource == resource:
                    cols = f" (cột {', '.join(c.fields)})" if c.fields else ""
                    out.append(f"- {_md(c.sentence)}{_md(cols)}")
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
        if resource in ("commune_recognitions", "commune_criteria", "commune_criteria_counts"):
            return self.commune(row.get("commune_id"))
        if resource == "funding":
            return f"{row.get('period_label', '')}, {row.get('category', '')}"
        if resource in ("communes",):
            return self.commune(row.get("id"))
        if resource == "criteria_progress":
            return f"tiêu chí {row.get('criterion_number')} ngày {vn_value(row.get('as_of', ''))}"
        for name in ("name", "recipient", "number", "label", "title", "band_label", "category",
                     "subject", "summary_vi"):
            if row.get(name):
                text = " ".join(row[name].split())
                return text if len(text) <= 100 else text[:99].rstrip() + "…"
        return f"mã {row.get('id', '')}"

    def summary(self, resource, row) -> str:
        if resource == "commune_recognitions":
            what = {"recognised": "công nhận", "appraised": "thẩm định", "target": "kế hoạch"}.get(
                row.get("status"), "")
            year = f" năm {row['year']}" if row.get("year") else ""
            return f", {what} {LEVEL.get(row.get('level'), row.get('level'))}{year}".replace("  ", " ")
        if row.get("amount_stated"):
            return ", " + " ".join(p for p in (row.get("qualifier"), row["amount_stated"], row.get("unit_stated")) if p)
        if row.get("communes"):
            return f", {row['communes']}" + (f"/{row['base']} xã" if row.get("base") else " xã")
        if row.get("value_stated") or row.get("value_text"):
            return f", {row.get('value_stated') or row.get('value_text')} {row.get('unit', '')}".rstrip()
        return ""


def _value(resource, row, column) -> str:
    if resource in ("funding", "donors", "projects") and column in (
            "amount_stated", "amount_million_vnd", "unit_stated", "qualifier"):
        return " ".join(p for p in (row.get("qualifier"), row.get("amount_stated"), row.get("unit_stated")) if p)
    return vn_value(row.get(column, ""))


def published_persons(tables) -> set[tuple[str, str]]:
    """(table, key) of every person row a version publishes."""
    return {(name, key) for name in PERSON_TABLES if name in tables
            for key, row in tables[name][1].items() if row.get("publication_basis") == PUBLISHABLE}


def named_persons(package: Path) -> set[tuple[str, str]]:
    """The persons a package publishes: the only persons any diff sentence may name."""
    return published_persons(_tables(package))


def _withdrawn_change(resource, kind, key, row) -> Change:
    place = {k: row.get(k) for k in ("commune_id", "district_id") if row.get(k)}
    return Change(resource, kind, key, f"{VERB[kind]} {noun(resource)} (mã {key}): {WITHDRAWN}",
                  row=place, withdrawn=True)


def diff_packages(old: Path, new: Path, old_label="old", new_label="new",
                  named: set[tuple[str, str]] | None = None) -> DataDiff:
    """What changed from `old` to `new`. A person row is named only if it is in `named` (by
    default: the persons `new` publishes); the history passes the persons the current package
    publishes, so a withdrawn person is not named in any older release either."""
    a, b = _tables(old), _tables(new)
    labels = Labels(b, a)
    named = published_persons(b) if named is None else named
    result = DataDiff(old_label, new_label)
    result.tables_added = sorted(set(b) - set(a))
    result.tables_removed = sorted(set(a) - set(b))
    for resource in sorted(set(a) | set(b)):
        old_rows = a.get(resource, ([], {}))[1]
        new_rows = b.get(resource, ([], {}))[1]
        hidden = (lambda key, resource=resource: (resource, key) not in named) \
            if resource in PERSON_TABLES else (lambda key: False)
        for key in sorted(set(new_rows) - set(old_rows)):
            row = new_rows[key]
            if hidden(key):
                result.changes.append(_withdrawn_change(resource, "added", key, row))
                continue
            result.changes.append(Change(
                resource, "added", key,
                f"Thêm {noun(resource)}: {labels.row(resource, row)}{labels.summary(resource, row)}"
                f" (nguồn: {labels.source(row)})", row=row))
        for key in sorted(set(old_rows) - set(new_rows)):
            row = old_rows[key]
            if hidden(key):
                result.changes.append(_withdrawn_change(resource, "removed", key, row))
                continue
            result.changes.append(Change(resource, "removed", key,
                                         f"Bỏ {noun(resource)}: {labels.row(resource, row)}", row=row))
        for key in sorted(set(old_rows) & set(new_rows)):
            before, after = old_rows[key], new_rows[key]
            columns = [c for c in after if before.get(c, "") != after.get(c, "")]
            if not columns:
                continue
            if hidden(key):
                result.changes.append(_withdrawn_change(resource, "changed", key, after))
                continue
            parts, shown = [], set()
            for column in columns:
                if column in IGNORED:
                    parts.append("sửa ghi chú")
                    continue
                old_v, new_v = _value(resource, before, column), _value(resource, after, column)
                if (old_v, new_v) in shown:
                    continue  # the amount's columns change together: say it once
                shown.add((old_v, new_v))
                parts.append(f"{old_v or '(trống)'} → {new_v or '(trống)'}")
            result.changes.append(Change(resource, "changed", key,
                                         f"Sửa {noun(resource)} {labels.row(resource, after)}: "
                                         + "; ".join(parts),
                                         {c: [before.get(c, ""), after.get(c, "")] for c in columns},
                                         row=after))
    return result


def diff_specs(old_spec: str, new_spec: str) -> DataDiff:
    with tempfile.TemporaryDirectory() as tmp:
        old = read_version(old_spec, Path(tmp))
        new = read_version(new_spec, Path(tmp))
        return diff_packages(old, new, old_spec, new_spec)
