"""The validation cache, one table at a time, and the typed tables of the large resources.

A validation after a one-table edit redoes only what that table's content can change:
- each resource's own checks (file checks, Frictionless' schema, type, constraint and key
  checks, its foreign keys, the cells our reader cannot type) are kept under a key of the code,
  the package's descriptor outside its resources, the resource's descriptor entry, its file's
  hash and those of the resources its foreign keys point at (so removing a commune from
  communes.csv checks again every table that points at communes);
- each domain check (checks.py, checks_commune.py; those that go through every table, one
  table at a time) is kept under a key of the tables whose content it read (recorded while it
  ran), the whole descriptor and the set of tables checked: a check reads the same tables
  again as long as they are unchanged, so its problems are the same; a check that compares
  with today's date (checks.DATED) has the date in its key too, so it runs again the next day
  and nothing else does;
- the typed table of each large resource (its columns, pickled one column at a time) is kept
  under its content key, so a build whose validation came from the cache reads it in a second
  instead of parsing the CSV again (and only the columns it uses).

One file per resource and kind (`resource-<name>.json`, `table-<name>.pickle`) and one for
the domain checks (`checks.json`): each holds only the newest version, so the folder does not
grow with the edits. The files are this build's own (a folder under the build's cache): a
pickle is read only from there.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import tempfile
import time
from pathlib import Path

from .package import ColumnRows, PartialColumns, Table, code_fingerprint, file_sha256, safe_resource_path

VERSION = "table-cache v1"


def _hash(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(name))[:60] + "-" + _hash(name)[:10]


class Keys:
    """The keys of one validation: `file[name]` (a resource's content: code, its entry, its
    file), `resource[name]` (its own checks: + the resources its foreign keys point at), `base`
    (code, the whole descriptor). No date: only the checks of checks.DATED depend on it."""

    def __init__(self, package_dir: Path, descriptor: dict):
        import platform
        from importlib import metadata

        try:
            frictionless = metadata.version("frictionless")
        except metadata.PackageNotFoundError:
            frictionless = "?"
        common = _hash(VERSION, platform.python_version(), frictionless, code_fingerprint(),
                       json.dumps({k: v for k, v in descriptor.items() if k != "resources"},
                                  sort_keys=True, ensure_ascii=False, default=str))
        resources = [r for r in descriptor.get("resources", []) if isinstance(r, dict)]
        self.file: dict[str, str] = {}
        for res in resources:
            path = res.get("path")
            content = file_sha256(package_dir / path) if isinstance(path, str) and \
                safe_resource_path(path) else "no file"
            self.file[res.get("name")] = _hash(common, json.dumps(
                res, sort_keys=True, ensure_ascii=False, default=str), content)
        self.resource: dict[str, str] = {}
        self.basis: dict[str, str] = {}  # a resource's checks' key, except its own file
        for res in resources:
            name = res.get("name")
            targets = set()
            schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
            for fk in schema.get("foreignKeys") or [] if isinstance(schema.get("foreignKeys"), list) else []:
                ref = fk.get("reference") if isinstance(fk, dict) else None
                target = (ref or {}).get("resource") if isinstance(ref, dict) else None
                targets.add(target or name)
            pointed = [f"{t}={self.file.get(t, 'absent')}" for t in sorted(map(str, targets))]
            self.resource[name] = _hash(self.file.get(name), *pointed)
            self.basis[name] = _hash(common, json.dumps(
                res, sort_keys=True, ensure_ascii=False, default=str), *pointed)
        self.base = _hash(common, json.dumps(descriptor, sort_keys=True, ensure_ascii=False,
                                             default=str))


class Store:
    """The cache folder. Reads never fail (a missing or damaged file is a miss); writes are
    collected and done by `flush()`, after the validation, only if the package did not change
    while it was read."""

    def __init__(self, folder: Path, package_dir: Path):
        self.folder, self.package_dir = Path(folder), Path(package_dir)
        self.pending: dict[str, object] = {}   # file name -> JSON data or (table columns)

    def _read_json(self, name: str):
        try:
            return json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def resource(self, name: str, key: str) -> dict | None:
        entry = self._read_json(f"resource-{_slug(name)}.json")
        return entry if isinstance(entry, dict) and entry.get("key") == key else None

    def previous(self, name: str) -> dict | None:
        """The resource's entry whatever its key (the last version checked)."""
        entry = self._read_json(f"resource-{_slug(name)}.json")
        return entry if isinstance(entry, dict) else None

    def copy_path(self, name: str, key: str) -> Path:
        """The kept copy of a large resource's file, as it was when its content key was `key`
        (row_delta.py compares a new version with it)."""
        return self.folder / f"file-{_slug(name)}-{key[:20]}.csv"

    def put_copy(self, name: str, key: str, path: Path) -> None:
        try:
            st = path.stat()
        except OSError:
            return
        self.pending[self.copy_path(name, key).name] = ("copy", path, (st.st_size, st.st_mtime_ns))

    def columns(self, name: str, key: str, names: list[str]):
        """(name -> values, name -> pickled values) of every column of the typed table kept
        under `key`, or None."""
        columns = _load_columns(self.folder / f"table-{_slug(name)}.pickle", key, names,
                                lambda: None)
        if columns is None or set(columns._blobs) != set(names):
            return None
        blobs = dict(columns._blobs)
        return {name: columns[name] for name in names}, blobs

    def put_resource(self, name: str, entry: dict) -> None:
        self.pending[f"resource-{_slug(name)}.json"] = entry

    def checks(self) -> dict:
        entry = self._read_json("checks.json")
        return entry if isinstance(entry, dict) else {}

    def put_checks(self, entries: dict) -> None:
        self.pending["checks.json"] = entries

    def put_table(self, name: str, key: str, table: Table) -> None:
        if isinstance(table.rows, ColumnRows):
            self.pending[f"table-{_slug(name)}.pickle"] = ("table", key, table)

    def table(self, name: str, key: str, res: dict, rows: int, unreadable: list) -> Table:
        """The typed table of a large resource, its columns read from the cache when a row or
        column is first read (from the CSV if the cache has none)."""
        path = self.folder / f"table-{_slug(name)}.pickle"
        names = [f["name"] for f in res.get("schema", {}).get("fields", [])]

        def read():
            from .package import read_table
            return read_table(self.package_dir, res, compact=True).rows.columns

        def load():
            columns = _load_columns(path, key, names, read)  # (empty until a column is read)
            return read() if columns is None else columns
        table = Table(name, res.get("path", ""), res)
        table.rows = ColumnRows(names, None, range(2, rows + 2), None, load)
        table.unreadable = [tuple(u) for u in unreadable]
        return table

    def flush(self, keep: set[str]) -> None:
        """Write what was collected; remove the files of resources no longer in the package
        (`keep`: the resource names)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, data in self.pending.items():
                fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
                with os.fdopen(fd, "wb") as fh:
                    if isinstance(data, tuple) and data[0] == "copy":
                        if not _copy(fh, data[1], data[2]):
                            os.unlink(tmp)
                            continue
                    elif isinstance(data, tuple):
                        _dump_columns(fh, data[1], data[2])
                    else:
                        fh.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
                os.replace(tmp, self.folder / name)
            wanted = {f"{kind}-{_slug(n)}.{ext}" for n in keep
                      for kind, ext in (("resource", "json"), ("table", "pickle"))}
            wanted |= getattr(self, "copies", set())
            for old in self.folder.iterdir():
                stale = old.name.startswith(("resource-", "table-", "validation-", "file-")) \
                    and old.name not in wanted  # (validation-*: the whole-package cache before)
                left = old.name.startswith(".tmp-") and \
                    old.stat().st_mtime < time.time() - 3600  # another process's is younger
                if stale or left:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written only costs time
        self.pending.clear()


def _copy(fh, path: Path, stat: tuple) -> bool:
    """Copy a file, if it is still the one validated (same size and modification time)."""
    import shutil

    try:
        with open(path, "rb") as src:
            before = os.fstat(src.fileno())
            if (before.st_size, before.st_mtime_ns) != stat:
                return False
            shutil.copyfileobj(src, fh, 1 << 20)
            after = os.fstat(src.fileno())
        return (after.st_size, after.st_mtime_ns) == stat
    except OSError:
        return False


def _dump_columns(fh, key: str, table: Table) -> None:
    """key, then the column names and row count, then one pickle per column: equal values
    shared (pickle's memo), so a column of a few distinct values costs a few bytes a row."""
    columns = table.rows.columns
    names = list(dict.keys(columns))  # only the columns read (a table the model does not
    # read keeps only its source_id column: the others are read from the CSV if ever asked)
    pickle.dump((key, names, len(table.rows)), fh, protocol=pickle.HIGHEST_PROTOCOL)
    blobs = getattr(table, "blobs", {})  # columns whose values row_delta left as they were
    for name in names:
        blob = blobs.get(name) or pickle.dumps(list(columns[name]), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(blob, fh, protocol=pickle.HIGHEST_PROTOCOL)


class _LazyColumns(PartialColumns):
    """Column name -> values, each column unpickled when first asked for (a column the cache
    does not hold: every column read by `read()`)."""

    def __init__(self, blobs: dict[str, bytes], names: list[str], read):
        super().__init__({}, names, read)
        self._blobs = blobs

    def __missing__(self, name):
        if name in self._blobs:
            value = self[name] = pickle.loads(self._blobs.pop(name))
            return value
        return super().__missing__(name)


def _load_columns(path: Path, key: str, names: list[str], read) -> dict | None:
    try:
        with open(path, "rb") as fh:
            stored_key, stored_names, _ = pickle.load(fh)
            if stored_key != key or not set(stored_names) <= set(names):
                return None
            blobs = {name: pickle.load(fh) for name in stored_names}
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        return None
    return _LazyColumns(blobs, names, read)
