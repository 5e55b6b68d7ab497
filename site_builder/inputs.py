"""Selective regeneration of the place pages (one per commune, one per district): each page gets
an inputs key, a hash of everything it shows, and a page whose key is the one of the last
successful build, and whose files are still in the docs folder as that build left them, is not
made again: the writer keeps its files (page, chart SVG and CSV, extract JSON and CSV).

A key has a global part and a per-place part:
- global: the code (every file of site_builder/, templates included, and the library versions),
  the package descriptor, the banner, the data version, and every table a place page reads that
  is not placed per commune (communes, districts, unit_changes, sources, criteria, notes… : any
  table of the model but those below), each by the hash of its file;
- per place: the rows of the tables of PLACED located at the page's communes (a commune page:
  the commune and the former units whose record it shows; a district page: its communes, and
  the rows placed in the district itself), and the release that last changed the page.
Tables of NOT_SHOWN are read by no place page (commune.py, district.py and their templates read
the model through `located`, `criteria`, `communes`, `districts`, `sources` and `criteria`); a
row of a PLACED table placed nowhere (a province figure) is on no place page either.

The keys and the per-place hashes (kept per table under the hash of its file and the
validation's key of it, so a table that did not change is not hashed again; after a few rows
of a large table changed, only the places of those rows get new hashes, from the validation's
row delta: see `PageInputs._table`) are stored in the cache folder once the writer has moved the
new files in (`save`, after the commit): a failed build leaves the previous keys, which still
describe the docs folder. Each page's files are recorded with their size and time, so a file
changed by anything else (the preview, a hand) makes the page be made again."""
from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from pathlib import Path

from .package import code_fingerprint, feed_file

FILE = "page-inputs.json"
PLACED = ("commune_recognitions", "commune_criteria", "commune_criteria_counts", "donors", "households",
          "land_donors", "projects", "production_models", "awards", "funding", "indicators")
NOT_SHOWN = ("criteria_progress", "criteria_distribution", "average_criteria", "ntm_counts")


def key_digest(*parts) -> str:
    """A short hash of the parts (text or bytes), each followed by a separator: the keys."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()


def _rows_hash(rows: list[dict]) -> str:
    """The rows as the pages see them (the model's line numbers left out: a row inserted above
    moves them, and no page shows them)."""
    return key_digest("\n".join(repr([(k, v) for k, v in r.items() if k != "_line"]) for r in rows))


def csv_place_hashes(path: Path, chunk: int = 200_000) -> dict:
    """{"c": {commune_id: hash}, "d": {district_id: hash}} of a table's rows, in table order,
    from its CSV file: each row's cells hashed by pandas (vectorised: ~1 s for the 2 million
    criteria rows of 10,600 communes, against several for the model's rows one by one), read a
    chunk at a time. The model's rows are these cells converted (package.convert keeps a text
    cell as it is, so a row is placed by the same id), withdrawn persons left out by a cell of
    the row: equal cells, equal rows."""
    import numpy as np
    import pandas as pd

    digests: dict[str, dict] = {"c": {}, "d": {}}
    for frame in pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
                             chunksize=chunk):
        row_hash = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        for kind, column in (("c", "commune_id"), ("d", "district_id")):
            if column not in frame:
                continue
            codes, places = pd.factorize(frame[column].to_numpy())
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(len(places) + 1))
            for i, place in enumerate(places):
                if place:
                    digest = digests[kind].setdefault(place, None) or hashlib.blake2b(digest_size=16)
                    digests[kind][place] = digest
                    digest.update(row_hash[order[bounds[i]:bounds[i + 1]]].tobytes())
    return {kind: {place: d.hexdigest() for place, d in places.items()} for kind, places in digests.items()}


def place_hashes(rows: list[dict]) -> dict:
    """{"c": {commune_id: hash}, "d": {district_id: hash}} of a table's rows, in table order
    (from the model's rows: a CSV file in another dialect)."""
    groups = {"c": defaultdict(list), "d": defaultdict(list)}
    for row in rows:
        if row.get("commune_id"):
            groups["c"][row["commune_id"]].append(row)
        if row.get("district_id"):
            groups["d"][row["district_id"]].append(row)
    return {kind: {place: _rows_hash(group) for place, group in places.items()} for kind, places in groups.items()}


def delta_place_hashes(old: dict, delta, header: list[str]) -> dict:
    """{"c": …, "d": …} of a table after a few of its lines changed (`delta`, row_delta.Delta:
    the lines from `delta.first` on, `old_rows` in the file `old` describes, `new_rows` now),
    from `old`, its hashes before: a place in none of those rows (commune_id, district_id cells)
    keeps its hash (its rows are the same, in the same order); one in the old or the new rows
    gets a hash of its old hash and its rows on both sides, which differs from the old one
    (even if they are the same rows: where they go among its other rows is not told). Not the
    hash `csv_place_hashes` gives: the next full hash makes those places' pages again, once."""
    touched: dict[str, dict] = {"c": {}, "d": {}}
    columns = [(kind, header.index(name)) for kind, name in (("c", "commune_id"), ("d", "district_id"))
               if name in header]
    for side, rows in ((0, delta.old_rows), (1, delta.new_rows)):
        for row in rows:
            for kind, i in columns:
                place = row[i] if i < len(row) else ""
                if place:
                    touched[kind].setdefault(place, ([], []))[side].append(row)
    hashes = {kind: dict(old.get(kind, {})) for kind in ("c", "d")}
    for kind, places in touched.items():
        for place, (before, after) in places.items():
            hashes[kind][place] = key_digest("changed rows", hashes[kind].get(place, ""), delta.first,
                                          repr(before), repr(after))
    return hashes


class PageInputs:
    """The inputs keys of this build, the previous build's, and which pages were kept or made."""

    def __init__(self, cache_dir: Path, root: Path, model, package_dir: Path, extra: str,
                 report=None):
        self.path = Path(cache_dir) / FILE
        self.root = Path(root).resolve()
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = {}
        self.previous = stored.get("pages", {}) if stored.get("root") == str(self.root) else {}
        self.pages: dict[str, dict] = {}       # page -> {"key", "outputs"} of this build
        self.made: dict[str, list[str]] = {}   # page -> files, for the pages made this build
        code = self.code = code_fingerprint()
        self.package_dir = Path(package_dir)
        self.resources = {res["name"]: res for res in model.descriptor.get("resources", [])}
        self._file_hashes: dict[str, str] = {}
        file_hash = self.file_hash
        old_tables = stored.get("tables", {})
        file_keys, deltas = getattr(report, "file_keys", {}), getattr(report, "deltas", {})
        self._places: dict[tuple, str] = {}  # (kind, place) -> its part of a key
        self.tables = {name: self._table(name, old_tables.get(name) or {}, file_keys.get(name),
                                         deltas.get(name), file_hash, model) for name in PLACED}
        shown = sorted(set(model.tables) - set(PLACED) - set(NOT_SHOWN))
        self.global_key = key_digest(code, json.dumps(model.descriptor, sort_keys=True), extra,
                                  *(f"{name}:{file_hash(name) or _rows_hash(model.rows(name))}" for name in shown))

    def file_hash(self, name: str) -> str:
        """A table's key: the code, its descriptor entry and its file's bytes ("" if no such
        table), worked out once."""
        if name not in self._file_hashes:
            res = self.resources.get(name)
            digest = hashlib.blake2b(digest_size=16)
            if res:
                digest.update(self.code.encode() + json.dumps(res, sort_keys=True).encode("utf-8"))
                feed_file(digest, self.package_dir / res["path"])
            self._file_hashes[name] = digest.hexdigest() if res else ""
        return self._file_hashes[name]

    def _table(self, name: str, old: dict, file_key: str | None, delta, file_hash, model) -> dict:
        """A PLACED table's entry: {"file": hash of its file (None: not hashed), "vkey": the
        validation's key of its file (None: not validated with a cache), "c", "d": its place
        hashes}. The validation's key tells an unchanged file without reading it, and its delta
        (row_delta.Delta) the changed rows of a large table, used only if it starts from the
        version the stored hashes describe (the validation's kept copy may be of a later
        build that failed); else the file's hash, and the place hashes of the whole table."""
        res = self.resources.get(name, {})
        plain = not res.get("dialect") and res.get("encoding", "utf-8").lower() == "utf-8"
        if file_key and old.get("vkey") == file_key:
            return old
        if file_key and old.get("vkey") and delta is not None and "c" in old and plain and \
                getattr(delta, "file_key", None) == old["vkey"]:
            header = [f["name"] for f in res.get("schema", {}).get("fields", [])]
            return {"file": None, "vkey": file_key, **delta_place_hashes(old, delta, header)}
        fingerprint = file_hash(name)
        if fingerprint and old.get("file") == fingerprint:
            return {**old, "vkey": file_key}
        if fingerprint and plain:
            hashes = csv_place_hashes(self.package_dir / res["path"])
        else:
            hashes = place_hashes(model.rows(name))
        return {"file": fingerprint, "vkey": file_key, **hashes}

    def key(self, page: str, release: str, communes=(), districts=()) -> str:
        """The page's key: the global part, the release that last changed it, and the rows placed
        at each of `communes` and `districts`."""
        parts = [self.global_key, page, release]
        for kind, places in (("c", communes), ("d", districts)):
            for place in places:
                found = self._places.get((kind, place))
                if found is None:  # a place is on several pages (a district's communes)
                    found = self._places[kind, place] = "\0".join(
                        [f"{kind}:{place}", *(self.tables[t][kind].get(place, "") for t in PLACED)])
                parts.append(found)
        return key_digest(*parts)

    def keep(self, page: str, key: str, out) -> bool:
        """If the page's key and files are those of the last build: the writer keeps its files
        (True); else False, and the page is to be made."""
        prev = self.previous.get(page)
        if not prev or prev["key"] != key:
            return False
        for path, (size, mtime) in prev["outputs"].items():
            try:
                st = os.stat(f"{self.root}/{path}")  # a string: no Path per file
            except OSError:
                return False
            if st.st_size != size or st.st_mtime_ns != mtime:
                return False
        for path in prev["outputs"]:
            out.keep(path)
        self.pages[page] = prev
        return True

    def record(self, page: str, key: str, outputs: list[str]) -> None:
        self.pages[page] = {"key": key}
        self.made[page] = outputs

    def save(self) -> None:
        """After the writer's commit: the keys of this build, with the size and time of each
        file of the pages made (a page whose files are not all there is left out)."""
        for page, outputs in self.made.items():
            try:
                stats = {p: os.stat(self.root / p) for p in outputs}
            except OSError:
                self.pages.pop(page, None)
                continue
            self.pages[page]["outputs"] = {p: [st.st_size, st.st_mtime_ns] for p, st in stats.items()}
        data = {"root": str(self.root), "tables": self.tables, "pages": self.pages}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.path)
