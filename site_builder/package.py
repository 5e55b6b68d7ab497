"""Reading the data package: the descriptor and typed rows of each resource.

Rows carry their line number in the CSV file (the header is line 1), so every message about
a row can name the line a person sees in a spreadsheet."""
from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import difflib
import functools
import gc
import hashlib
import io
import itertools
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath

from .report import Problem

REQUIRED_RESOURCES = (
    "sources", "districts", "communes", "unit_changes", "criteria", "criteria_progress",
    "criteria_distribution", "average_criteria", "ntm_counts", "commune_recognitions",
    "commune_criteria", "commune_criteria_counts",
    "funding", "donors", "households", "land_donors", "projects", "production_models",
    "awards", "documents", "document_citations", "indicators", "notes",
)


class PackageError(Exception):
    """The package cannot be read at all (no descriptor, bad JSON)."""


@dataclass
class Table:
    name: str
    path: str               # path as written in the descriptor, relative to the package
    descriptor: dict
    rows: Sequence[dict] = field(default_factory=list)  # typed values; key "_line" = CSV line
    # cells that did not convert to their schema type: (line, column, value, type)
    unreadable: list[tuple[int, str, str, str]] = field(default_factory=list)

    @property
    def fields(self) -> list[dict]:
        return self.descriptor.get("schema", {}).get("fields", [])

    def field(self, name: str) -> dict | None:
        return next((f for f in self.fields if f["name"] == name), None)

    def column(self, name: str) -> Sequence:
        """The values of one column, in row order (None where a row has no such key)."""
        if isinstance(self.rows, ColumnRows):
            return self.rows.column(name)
        return [row.get(name) for row in self.rows]

    def distinct(self, name: str) -> set:
        """The distinct values of one column (None included where a row has no such key)."""
        if isinstance(self.rows, ColumnRows):
            return self.rows.distinct(name)
        return {row.get(name) for row in self.rows}


class ColumnRows(Sequence):
    """Rows kept as columns (one list per field, equal values shared), for a large table: a
    row dict is built when it is read, so a table of millions of rows costs a few pointers a
    cell instead of a dict a row. Read-only: a row dict read from it is a fresh copy.

    The columns may be left unread (`columns=None`, with each column's distinct values and a
    `load` function that reads them): a check that only needs to know whether some value is
    wrong then costs nothing, and the columns are read the first time a row is."""

    def __init__(self, names: list[str], columns: dict[str, list] | None, lines: Sequence[int],
                 distinct: dict[str, set] | None = None, load=None):
        self._names = names
        self._columns = columns
        self._lines = lines
        self._distinct = distinct
        self._load = load

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def take(self, positions) -> list[dict]:
        """The rows at these positions (in the order given), each a fresh dict."""
        return [self._row(int(i)) for i in positions]

    @property
    def columns(self) -> dict[str, list]:
        if self._columns is None:
            self._columns = self._load()
        return self._columns

    def column(self, name: str) -> Sequence:
        if name == "_line":
            return self._lines
        col = self.columns.get(name)
        return col if col is not None else [None] * len(self._lines)

    def distinct(self, name: str) -> set:
        if self._distinct is not None and name in self._distinct:
            return set(self._distinct[name])
        if name not in self._names and name != "_line":
            return {None} if len(self._lines) else set()
        return set(self.column(name))

    def __len__(self) -> int:
        return len(self._lines)

    def _row(self, i: int) -> dict:
        row = {"_line": self._lines[i]}
        columns = self.columns
        for name in self._names:
            row[name] = columns[name][i]
        return row

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._row(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("row index out of range")
        return self._row(i)

    def __iter__(self):
        keys = ("_line", *self._names)
        columns = self.columns
        return map(dict, map(zip, itertools.repeat(keys),
                             zip(self._lines, *(columns[n] for n in self._names))))


class PartialColumns(dict):
    """Some columns of a table (name -> values); asked for another column of `names`, it reads
    them all with `load()` (name -> values) first."""

    def __init__(self, columns: dict, names: list[str], load):
        super().__init__(columns)
        self._names, self._load = list(names), load

    def __missing__(self, name):
        if name not in self._names:
            raise KeyError(name)
        for key, values in self._load().items():
            self.setdefault(key, values)
        return dict.__getitem__(self, name)

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name) -> bool:
        return name in self._names


def load_descriptor(package_dir: Path) -> dict:
    path = Path(package_dir) / "datapackage.json"
    if not path.is_file():
        raise PackageError(f"{path}: file not found (a data package needs datapackage.json)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"{path}: not valid UTF-8 JSON: {exc}") from exc


def convert(value: str, type_: str):
    """Convert one CSV cell to its schema type; '' -> None. Raises ValueError when it does not fit."""
    if value == "":
        return None
    if type_ == "integer":
        return int(value)
    if type_ == "number":
        return Decimal(value) if _is_plain_number(value) else _raise(value, type_)
    if type_ == "year":
        return int(value) if value.isdigit() and len(value) == 4 else _raise(value, type_)
    if type_ == "date":
        return dt.date.fromisoformat(value) if len(value) == 10 else _raise(value, type_)
    if type_ == "boolean":  # only true/false (Frictionless also takes TRUE, 1: refused as unread)
        if value in ("true", "false"):
            return value == "true"
        _raise(value, type_)
    return value


def _is_plain_number(value: str) -> bool:
    try:
        Decimal(value)
    except Exception:
        return False
    return value.strip() == value and value.lower() not in ("nan", "inf", "-inf", "infinity")


def _raise(value, type_):
    raise ValueError(f"{value!r} is not a {type_}")


BATCH = 4096
DIRECT_MIN = 50_000  # a text column with more distinct values than this and than half its
# rows (an id column) is kept without a memo of its texts: the memo would hold every one twice


def read_table(package_dir: Path, res: dict, compact: bool = False) -> Table:
    """Read a resource's CSV with its schema types. Cells that do not convert become None and
    are listed in `Table.unreadable` (the validation reports them). A UTF-8 byte-order mark
    (Excel's "CSV UTF-8") and CRLF line ends are accepted: the data read is the same.

    Rows are read as `csv.DictReader` reads them: a row with fewer cells gets "" for the
    missing ones, cells beyond the header are ignored, an empty line is skipped (not counted).
    `compact=True` keeps the rows as columns (`ColumnRows`): same values, far less memory."""
    with open(Path(package_dir) / res.get("path", ""), encoding="utf-8-sig", newline="") as fh, \
            no_gc():
        reader = csv.reader(fh)
        builder = TableBuilder(res, next(reader, None))
        while batch := list(itertools.islice(reader, BATCH)):
            builder.add(batch)
    return builder.table(compact)


def read_tables(package_dir: Path, resources: list[dict], given: dict | None = None
                ) -> dict[str, Table]:
    """The typed tables of `resources`: each one validation has read already (`given`, a
    name -> Table dict such as `Report.tables`; taken out of it, so it is held once) or, when
    there is none (a cached validation report), read now by `read_table`."""
    given = {} if given is None else given
    return {res["name"]: given.pop(res["name"], None) or read_table(package_dir, res)
            for res in resources}


@contextlib.contextmanager
def no_gc():
    """The cyclic garbage collector paused: reading millions of cells makes millions of
    objects, none of them in a cycle, and each collection would walk them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class TableBuilder:
    """Builds the Table of `read_table` from the rows of its CSV (csv.reader lists), given a
    batch at a time. Each distinct cell of a column is converted once; equal cells share one
    value."""

    def __init__(self, res: dict, header: list[str] | None, keep_columns: bool = True,
                 keep: tuple = ()):
        self.res = res
        self.keep_columns = keep_columns  # False: only each column's distinct values
        self.keep = keep  # with keep_columns False, the columns kept all the same
        self.types = {f["name"]: f.get("type", "string")
                      for f in res.get("schema", {}).get("fields", [])}
        self.names = list(self.types)
        self.header = header
        # a repeated label: the last wins, as in DictReader's dict(zip(header, row))
        self.where = {label: i for i, label in enumerate(header or [])}
        self.width = len(header or [])
        self.memos: dict[str, dict] = {name: {} for name in self.names}
        self.unread: dict[str, set] = {name: set() for name in self.names}
        self.columns: dict[str, list] = {name: [] for name in self.names}
        self.unreadable: list[tuple[int, int, str, str, str]] = []
        self.direct: set[str] = set()  # text columns converted without a memo
        self.line = 1  # rows are numbered as DictReader yields them: header = 1

    def add(self, batch: list[list[str]]) -> None:
        """Rows as csv.reader gives them: empty ones are skipped (not counted), as DictReader
        skips them; a short row gets "" for its missing cells; cells past the header are
        ignored."""
        if self.header is None:
            return
        if [] in batch:
            batch = [row for row in batch if row]
            if not batch:
                return
        if min(map(len, batch)) < self.width:
            batch = [row if len(row) >= self.width else row + [""] * (self.width - len(row))
                     for row in batch]
        self.add_columns(list(zip(*batch)), len(batch))

    def add_columns(self, cells: list[tuple], count: int, seen: frozenset = frozenset()) -> None:
        """`count` rows given as columns (`list(zip(*rows))`), none empty, none short. `seen`:
        indexes of columns whose every cell was in an earlier batch (read already)."""
        first = self.line + 1
        self.line += count
        for position, name in enumerate(self.names):
            index = self.where.get(name)
            col = cells[index] if index is not None else ("",) * count
            unread = self.unread[name]
            if self.keep_columns or name in self.keep:
                self.columns[name].extend(self._convert(name, col))
            elif index not in seen:
                self._convert(name, col)  # only to learn its new cells
            if unread and not unread.isdisjoint(col):
                self.unreadable.extend((first + k, position, name, cell, self.types[name])
                                       for k, cell in enumerate(col) if cell in unread)

    def _convert(self, name: str, col) -> list:
        if name in self.direct:
            return [cell or None for cell in col]  # convert(cell, "string"), without a memo
        memo = self.memos[name]
        if len(memo) > DIRECT_MIN and len(memo) * 2 > self.line and self.keep_columns and \
                self.types[name] == "string":
            self.direct.add(name)  # nearly every text differs (an id): a memo saves nothing
            memo.clear()
            return self._convert(name, col)
        try:
            return list(map(memo.__getitem__, col))
        except KeyError:
            for cell in set(col).difference(memo):
                try:
                    memo[cell] = convert(cell, self.types[name])
                except (ValueError, ArithmeticError):
                    memo[cell] = None
                    self.unread[name].add(cell)
            return list(map(memo.__getitem__, col))

    def table(self, compact: bool = False, load=None) -> Table:
        """The Table read. Without the columns kept (`keep_columns=False`) the rows are
        compact, and `load()` must return the columns when a row is first read."""
        table = Table(self.res["name"], self.res.get("path", ""), self.res)
        self.unreadable.sort(key=lambda u: (u[0], u[1]))
        table.unreadable = [(line, name, cell, type_)
                            for line, _, name, cell, type_ in self.unreadable]
        lines = range(2, self.line + 1)
        if not self.keep_columns:
            distinct = {name: set(memo.values()) for name, memo in self.memos.items()}
            kept = {name: self.columns[name] for name in self.keep if name in self.columns}
            table.rows = ColumnRows(self.names, PartialColumns(kept, self.names, load) if kept
                                    else None, lines, distinct, load)
        elif compact:
            table.rows = ColumnRows(self.names, self.columns, lines)
        else:
            keys = ("_line", *self.names)
            table.rows = [dict(zip(keys, values))
                          for values in zip(lines, *(self.columns[n] for n in self.names))]
        return table


# --- file-level checks: what must hold before a CSV can be read at all -----------------------

SAVE_AS = ("open it and save it again as \"CSV UTF-8 (Comma delimited)\" (Excel) or as "
           "\"Text CSV\" with character set UTF-8 and field delimiter \",\" (LibreOffice)")
SEPARATORS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def count_lines(path: Path, chunk: int = 1 << 20) -> int:
    """Line ends in a file, read 1 MB at a time: an upper bound of its data rows, without
    parsing it."""
    lines = 0
    with open(path, "rb") as fh:
        while data := fh.read(chunk):
            lines += data.count(b"\n")
    return lines


# sha256 of each file read this build: path -> (its stat when hashed, the hash). The caches of
# one build (validation, downloads, extracts, page inputs, code) each key a table by its file, and
# the 2-million-row criteria file of a national package takes ~0.5 s to read: each file is read
# once a build. A file whose device, inode, size, modification or change time differs is read
# again; `forget_file_hashes` starts each build afresh (timestamps are coarse: a file rewritten
# with the same size within the same tick would look the same to a long-lived process).
_FILE_HASHES: dict[str, tuple[tuple, str]] = {}


def forget_file_hashes() -> None:
    _FILE_HASHES.clear()


def _stat_key(path: str) -> tuple:
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes (hex), read once a build (see _FILE_HASHES); a file that
    cannot be read gives a marker instead."""
    name = os.fspath(path)
    try:
        before = _stat_key(name)
        kept = _FILE_HASHES.get(name)
        if kept and kept[0] == before:
            return kept[1]
        with open(name, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        if _stat_key(name) == before:  # not written while it was read
            _FILE_HASHES[name] = (before, digest)
        return digest
    except OSError as exc:
        return f"unreadable {type(exc).__name__}"


def feed_file(digest, path: Path) -> None:
    """Add a file's content (its sha256, file_sha256) to a hashlib digest, then a separator; a
    file that cannot be read adds a marker instead. For the caches keyed by the package's
    content."""
    sha = file_sha256(path)
    digest.update(f"\0unreadable {sha[11:]}\0".encode() if sha.startswith("unreadable ")
                  else f"{sha}\0file\0".encode())


# The folder whose files the caches' outputs depend on (validation report, downloads): every
# Python module, template and asset of site_builder/. A module variable so a test can point it
# at a copy.
SOURCE_ROOT = Path(__file__).resolve().parent


@functools.cache
def _libraries() -> str:
    """The Python version and every installed library's version, read once per process (0.2-0.6 s:
    the code a running process uses is the one it loaded; the preview calls code_fingerprint on
    every save)."""
    import platform
    from importlib import metadata

    libraries = sorted({f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()
                        if d.metadata and d.metadata["Name"]})
    return "\n".join([f"python {platform.python_implementation()} {platform.python_version()}", *libraries])


def code_fingerprint() -> str:
    """A hash of every source file of site_builder/ (Python, templates, assets; not bytecode)
    and of the Python version and every installed library's version: what a cached output
    depends on besides the package. Any code or library change gives a new key, so a fix in
    any module (stream_check.py, model.py, a template) can never be served a stale result."""
    digest = hashlib.sha256(_libraries().encode("utf-8") + b"\0")
    root = Path(SOURCE_ROOT)
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
            feed_file(digest, path)
    return digest.hexdigest()


def safe_resource_path(path: str) -> bool:
    """A resource path stays inside the package folder: relative, no '..', no backslash."""
    p = PurePosixPath(path)
    return bool(path) and not p.is_absolute() and ".." not in p.parts and "\\" not in path \
        and ":" not in path


def _scan_utf8(path: Path, chunk: int = 1 << 20) -> tuple[str, bool]:
    """Decode a file as UTF-8 a chunk at a time (a large file is never held whole): its first
    line (as `str.splitlines` cuts it; a leading byte-order mark dropped) and whether the whole
    text is blank. Raises UnicodeDecodeError where it is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    prefix, first_line, blank, started = "", None, True, False
    with open(path, "rb") as fh:
        while True:
            data = fh.read(chunk)
            text = decoder.decode(data, final=not data)
            if not started and text:
                started = True
                text = text[1:] if text.startswith("\ufeff") else text
            if blank and text.strip():
                blank = False
            if first_line is None:
                prefix += text
                lines = prefix.splitlines(keepends=True)
                if lines and lines[0] != lines[0].splitlines()[0]:  # a line break is in
                    first_line = lines[0].splitlines()[0]
            if not data:
                break
    if first_line is None:
        first_line = prefix.splitlines()[0] if prefix else ""
    return first_line, blank


def check_file(package_dir: Path, res: dict) -> list[Problem]:
    """Problems that stop a resource's CSV from being read as the schema says: a path outside
    the package, an encoding other than UTF-8, another separator than the comma, columns
    missing, added, repeated or out of order. An empty list means the file can be read.
    A missing file is left to the structural validation (rule `scheme-error`). The steps, in
    order; the first that finds something gives the answer."""
    problem = _problem_maker(res)
    rel_path = res.get("path", "")
    if not isinstance(rel_path, str) or not safe_resource_path(rel_path):
        return [problem("unsafe-path", "the resource's path in datapackage.json must be a file "
                        "inside the package folder, written like data/name.csv (no '..', no "
                        "absolute path)", value=str(rel_path))]
    path = Path(package_dir) / rel_path
    if not path.is_file():
        return []
    found = _check_utf16_32(path, problem) or _check_utf8(path, problem)
    if isinstance(found, list):
        return found
    first_line, blank = found
    if blank:
        return [problem("empty-file", "the file is empty: it needs at least the header line "
                        "with the column names", row=1)]
    return _check_header(first_line, res, problem)


def _problem_maker(res: dict):
    """A function making an error Problem about this resource's file."""
    name, rel_path = res.get("name", ""), res.get("path", "")

    def problem(rule, message, row=None, column="", value=""):
        return Problem("error", rule, message, resource=name, file=rel_path, row=row,
                       column=column, value=value)
    return problem


def _check_utf16_32(path: Path, problem) -> list[Problem] | None:
    """A UTF-16 or UTF-32 byte-order mark (Excel's "Unicode Text")."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    for bom, label in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                       (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if head.startswith(bom):
            return [problem("encoding-not-utf8",
                            f"the file is saved as {label} (Excel's \"Unicode Text\"), not UTF-8: "
                            f"{SAVE_AS}", row=1)]
    return None


def _check_utf8(path: Path, problem) -> list[Problem] | tuple[str, bool]:
    """The file's (first line, blank) if it is UTF-8 text, else the problem: where the first
    byte that is not UTF-8 is, and which encoding it probably is."""
    try:
        return _scan_utf8(path)
    except UnicodeDecodeError:
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            start = data.rfind(b"\n", 0, exc.start) + 1
            end = data.find(b"\n", exc.start)
            snippet = data[start:end if end >= 0 else len(data)].decode("utf-8", errors="replace")
            guess = ("UTF-16 without a byte-order mark" if b"\x00" in data[:400] else
                     "a Windows code page (Windows-1258, the Vietnamese one, or Windows-1252) or "
                     "an old Vietnamese font encoding (TCVN3, VNI)")
            return [problem("encoding-not-utf8",
                            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} at line "
                            f"{line} is not UTF-8); it looks like {guess}: {SAVE_AS}",
                            row=line, value=snippet.strip()[:80])]
        raise  # the file changed while it was read


def _check_header(first_line: str, res: dict, problem) -> list[Problem]:
    """The header line against the schema's fields: another separator, then columns repeated,
    added or missing, else their order."""
    expected = [f["name"] for f in res.get("schema", {}).get("fields", [])]
    header = next(csv.reader(io.StringIO(first_line)), [])
    if header == expected:
        return []
    for sep, label in SEPARATORS.items():
        if sep in first_line:
            split = next(csv.reader(io.StringIO(first_line), delimiter=sep), [])
            if len(split) > len(header) and len(set(split) & set(expected)) >= len(expected) / 2:
                return [problem("wrong-separator",
                                f"the columns are separated by {label}, not commas: {SAVE_AS}",
                                row=1, value=first_line[:80])]
    problems = []
    for label in sorted({h for h in header if header.count(h) > 1}):
        problems.append(problem("duplicate-column", f"the column '{label}' appears "
                                f"{header.count(label)} times in the header: keep one",
                                row=1, column=label, value=label))
    for label in header:
        if label not in expected:
            close = difflib.get_close_matches(label.strip().lower(), expected, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(problem(
                "extra-column", f"the file has a column '{label}' that datapackage.json does not "
                f"define for this table{hint}: delete the column, or rename it to a schema field",
                row=1, column=label, value=label))
    for label in expected:
        if label not in header:
            problems.append(problem(
                "missing-column", f"the column '{label}' is missing from the header: add it back "
                "(it may stay empty when the field is not required)", row=1, column=label))
    if not problems:
        problems.append(problem(
            "column-order", "the columns are in a different order from the schema; put them "
            "in this order: " + ", ".join(expected), row=1, value=first_line[:80]))
    return problems
