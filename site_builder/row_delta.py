"""Row-incremental validation of a large table: after an edit of a few rows of a file of
millions, only the lines that changed are read, typed and checked again.

The cache keeps, beside a large resource's findings and typed columns, a copy of the file they
were made from. When the file changed but nothing else its checks depend on did (its descriptor
entry, the files its foreign keys point at, the code, the date), the new file is compared with
the copy: the bytes they share at the start (whole lines: the head) and at the end (whole
lines: the tail) are the same rows as before, the tail's row numbers shifted by the rows added
or removed; only the lines between (the middle) are new. The result is the one a full check
gives, and the whole table is checked again instead whenever that cannot be told for sure:
- every line of both files is one row (no cell spans lines, no empty line, no lone carriage
  return), so a line's number is its row's number, for us and for Frictionless;
- the last check found no primary-key or unique finding and stopped at no limit of errors, and
  no key of a middle row is a key of another row (the keys' findings are then none, as before);
- the middle is UTF-8 and each of its rows is checked by stream_check.validate_rows, as the
  full check checks a row (types, constraints, its foreign keys);
- the findings of a row depend on that row alone, so those of the head are kept and those of
  the tail shifted.
"""
from __future__ import annotations

import csv
import io
from dataclasses import asdict
from pathlib import Path

from .package import ColumnRows, Table, TableBuilder
from .report import Problem

CHUNK = 1 << 20
MIDDLE_MAX = 4 << 20  # bytes of changed lines checked row by row, at most (or a tenth of the file)
KEY_RULES = ("primary-key", "unique-error")
KEY_TYPES = ("string", "integer", "year", "date")


def _first_difference(x: bytes, y: bytes) -> int:
    """The number of bytes x and y share at their start (bisection: a few memcmp)."""
    lo, hi = 0, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[lo:mid] == y[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_prefix(a: Path, b: Path) -> int:
    """The number of bytes files a and b share at their start."""
    done = 0
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(CHUNK), fb.read(CHUNK)
            if x != y or not x:
                return done + _first_difference(x, y)
            done += len(x)


def common_suffix(a: Path, b: Path, limit: int) -> int:
    """The number of bytes (at most `limit`) files a and b share at their end."""
    size_a, size_b, done = a.stat().st_size, b.stat().st_size, 0
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while done < limit:
            k = min(CHUNK, limit - done)
            fa.seek(size_a - done - k)
            fb.seek(size_b - done - k)
            x, y = fa.read(k), fb.read(k)
            if x != y:
                return done + _first_difference(x[::-1], y[::-1])
            done += k
    return done


def _read(path: Path, start: int, end: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(start)
        return fh.read(end - start)


def _scan(path: Path, start: int = 0, end: int | None = None) -> tuple[int, bool]:
    """(line ends, whether every carriage return is followed by a line end) of bytes start..end
    of a file, read a chunk at a time."""
    newlines, lone_cr, pos, last = 0, False, start, b""
    with open(path, "rb") as fh:
        fh.seek(start)
        while end is None or pos < end:
            data = fh.read(CHUNK if end is None else min(CHUNK, end - pos))
            if not data:
                break
            newlines += data.count(b"\n")
            if b"\r" in data or last == b"\r":
                joined = last + data
                lone_cr = lone_cr or joined[:-1].count(b"\r") != joined.count(b"\r\n")
            last = data[-1:]
            pos += len(data)
    return newlines, not lone_cr and last != b"\r"


def _after_last_newline(path: Path, end: int) -> int:
    """The position after the last line end before `end` (0 if none)."""
    pos = end
    with open(path, "rb") as fh:
        while pos > 0:
            start = max(0, pos - CHUNK)
            fh.seek(start)
            found = fh.read(pos - start).rfind(b"\n")
            if found >= 0:
                return start + found + 1
            pos = start
    return 0


def _next_newline(path: Path, start: int, end: int) -> int:
    """The position after the first line end from `start` (before `end`), or -1."""
    pos = start
    with open(path, "rb") as fh:
        fh.seek(start)
        while pos < end:
            data = fh.read(min(CHUNK, end - pos))
            if not data:
                break
            if b"\n" in data:
                return pos + data.index(b"\n") + 1
            pos += len(data)
    return -1


def _lines(path: Path, start: int, end: int) -> int:
    """The lines of bytes start..end of a file (the last one counted without its line end)."""
    lines, _ = _scan(path, start, end)
    return lines + (0 if start == end or _read(path, end - 1, end) == b"\n" else 1)


def _records(data: bytes) -> list[list[str]] | None:
    """The rows of whole lines of a CSV file, if each line is exactly one row with cells
    (else None); raises UnicodeDecodeError if the bytes are not UTF-8."""
    text = data.decode("utf-8")
    if "\r" in text.replace("\r\n", ""):
        return None
    lines = text.count("\n") + (0 if not text or text.endswith("\n") else 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    for row in reader:
        if not row or reader.line_num != len(rows) + 1:
            return None
        rows.append(row)
    return rows if len(rows) == lines else None


class Delta:
    """Where the new file differs from the kept copy, in lines (header = line 1): `first` is
    the first line of the middle, `old_count`/`new_count` its lines in each file."""

    def __init__(self, first: int, old_rows: list, new_rows: list, old_total: int):
        self.first, self.old_rows, self.new_rows = first, old_rows, new_rows
        self.old_count, self.new_count = len(old_rows), len(new_rows)
        self.shift = self.new_count - self.old_count
        self.old_total = old_total  # data rows of the old file

    def place(self, row: int | None) -> int | None:
        """A row number of the old file in the new one (None: in the middle, or no row)."""
        if row is None or self.first <= row < self.first + self.old_count:
            return None
        return row if row < self.first else row + self.shift

    def unchanged(self, columns, header: list[str]) -> bool:
        """Whether the table's cells in these columns (names; "_line": the row numbers, "#":
        the number of rows, "*": every column) are the same as before: no row added or
        removed, and in each changed row these cells written the same (so typed the same)."""
        if self.old_count != self.new_count or "*" in columns:
            return False
        named = [c for c in columns if c not in ("#", "_line")]
        if any(c not in header for c in named):
            return False
        at = [header.index(c) for c in named]
        return all(len(a) == len(b) == len(header) and all(a[i] == b[i] for i in at)
                   for a, b in zip(self.old_rows, self.new_rows))


def find_delta(old: Path, new: Path, old_rows: int, lines_are_rows: bool = False
               ) -> Delta | None:
    """The lines that changed between the kept copy `old` (of `old_rows` data rows) and `new`;
    None if they cannot be told apart as rows (see the module's conditions). `lines_are_rows`:
    each line of `old` is known to be one row (else the file is read to tell)."""
    size_old, size_new = old.stat().st_size, new.stat().st_size
    if not lines_are_rows:
        lines, clean = _scan(old)
        lines += 0 if size_old == 0 or _read(old, size_old - 1, size_old) == b"\n" else 1
        if not clean or lines != old_rows + 1:
            return None  # a line of the old file is not one row
    prefix = common_prefix(old, new)
    suffix = common_suffix(old, new, min(size_old, size_new) - prefix)
    head_end = _after_last_newline(new, prefix)
    if head_end == 0:
        return None  # not even the header is shared
    tail_new = size_new
    if suffix:
        after = _next_newline(new, size_new - suffix, size_new)
        tail_new = after if after > 0 else size_new
    tail_old = tail_new - size_new + size_old
    if max(tail_old, tail_new) - head_end > max(MIDDLE_MAX, size_new // 10):
        return None  # edits far apart: the stream's batches check it faster than row by row
    old_mid = _records(_read(old, head_end, tail_old))
    new_mid = _records(_read(new, head_end, tail_new))
    if old_mid is None or new_mid is None:
        return None
    if not lines_are_rows:
        head, _ = _scan(new, 0, head_end)  # whole lines in the shared start (with header)
        if (head - 1) + len(old_mid) + _lines(new, tail_new, size_new) != old_rows:
            return None
    elif head_end > size_new - tail_new:  # the old file's lines are its rows: the lines of
        # the shared start told from those of the shared end, when it is the shorter
        head = old_rows + 1 - len(old_mid) - _lines(new, tail_new, size_new)
    else:
        head, _ = _scan(new, 0, head_end)
    return Delta(head + 1, old_mid, new_mid, old_rows)


def splice_table(res: dict, header: list[str], old: Table, delta: Delta) -> Table:
    """The typed table of the new file: the old rows before and after the middle, the middle's
    rows typed as `read_table` types them."""
    builder = TableBuilder(res, header)
    builder.line = delta.first - 1
    if delta.new_rows:
        builder.add(delta.new_rows)
    a, b = delta.first - 2, delta.first - 2 + delta.old_count
    columns = old.rows.columns
    names = [f["name"] for f in res.get("schema", {}).get("fields", [])]
    spliced = {name: columns[name] if _same(columns[name][a:b], builder.columns[name]) else
               [*columns[name][:a], *builder.columns[name], *columns[name][b:]]
               for name in names}  # a column whose values did not change: the old list
    rows = delta.old_total + delta.shift
    table = Table(res["name"], res.get("path", ""), res)
    table.rows = ColumnRows(names, spliced, range(2, rows + 2))
    end = delta.first + delta.old_count
    table.unreadable = [tuple(u) for u in old.unreadable if u[0] < delta.first] + \
        builder.table(compact=True).unreadable + \
        [(u[0] + delta.shift, *u[1:]) for u in old.unreadable if u[0] >= end]
    return table


def _same(old: list, new: list) -> bool:
    """The same typed values, written the same way (Decimal 1.0 is not 1.00 on a page)."""
    return len(old) == len(new) and all(type(a) is type(b) and repr(a) == repr(b)
                                        for a, b in zip(old, new))


def splice_problems(old: list[dict], middle: list[Problem], delta: Delta) -> list[dict] | None:
    """A resource's row findings, in row order: the old ones outside the middle (moved to their
    new rows) around the middle's. None if an old one has no row."""
    head, tail = [], []
    for p in old:
        if p.get("row") is None:
            return None
        row = delta.place(p["row"])
        if row is not None:
            (head if row < delta.first else tail).append({**p, "row": row})
    return head + [asdict(p) for p in middle] + tail


def keys_unique(res: dict, table: Table, delta: Delta) -> bool:
    """No key of a middle row is the key of another row of the new table (the old table had
    none repeated), compared as typed values, as the stream compares them."""
    schema = res.get("schema", {})
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else list(key)
    fields = {f["name"]: f for f in schema.get("fields", [])}
    if any((f.get("constraints") or {}).get("unique") for f in fields.values()) or \
            any(fields.get(k, {}).get("type", "string") not in KEY_TYPES for k in key) or \
            "missingValues" in schema:
        return False
    if not key:
        return True
    if any(u[1] in key for u in table.unreadable):
        return False  # a key cell we read as None where Frictionless may not
    columns = [table.rows.column(k) for k in key]
    a, b = delta.first - 2, delta.first - 2 + delta.new_count
    if len(key) == 1:  # the values themselves (a 1-tuple a row would cost a second)
        [column] = columns
        middle = column[a:b]
        if None in middle:
            return False
    else:
        middle = list(zip(*(c[a:b] for c in columns)))
        if any(set(k) == {None} for k in middle):
            return False
        columns = [list(zip(*columns))]
    if len(set(middle)) != len(middle):
        return False
    if len(middle) <= 20:  # a few keys: each looked for in the column (no set of millions)
        return all(columns[0].count(k) == 1 for k in middle)
    others = set(columns[0][:a])
    others.update(columns[0][b:])
    return others.isdisjoint(middle)


def revalidate(package_dir: Path, descriptor: dict, res: dict, old: dict, store, keys):
    """(the resource's new cache entry, its typed table) found from its changed lines and what
    the cache kept of its last version `old`; None when the whole table must be checked."""
    from . import validate

    name, path = res["name"], Path(package_dir) / res.get("path", "")
    if old.get("file") or not old.get("large") or "rows" not in old or \
            len(old["structural"]) >= LIMIT or \
            any(p.get("rule") in KEY_RULES for p in old["structural"]):
        return None
    copy = store.copy_path(name, old["file_key"])
    names = [f["name"] for f in res.get("schema", {}).get("fields", [])]
    if not copy.is_file() or not path.is_file():
        return None
    try:
        delta = find_delta(copy, path, old["rows"], old.get("lines_are_rows", False))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    kept = store.columns(name, old["file_key"], names) if delta is not None else None
    if kept is None:
        return None
    columns, blobs = kept
    previous = Table(name, res.get("path", ""), res)
    previous.rows = ColumnRows(names, columns, range(2, old["rows"] + 2))
    previous.unreadable = [tuple(u) for u in old["unreadable"]]
    table = splice_table(res, names, previous, delta)
    table.blobs = {n: blobs[n] for n in names if table.rows.column(n) is columns[n]}
    middle = _middle_problems(package_dir, descriptor, name, delta)
    if middle is None or not keys_unique(res, table, delta):
        return None
    structural = splice_problems(old["structural"], middle, delta)
    if structural is None or len(structural) >= LIMIT:
        return None
    unconverted = validate._unconverted({name: table}, [Problem(**p) for p in structural])
    entry = {"key": keys.resource[name], "large": True, "file": [], "structural": structural,
             "unconverted": [asdict(p) for p in unconverted],
             "lines_are_rows": True}  # the old file's were, and the middle's are
    return entry, table, delta


LIMIT = 1000  # Frictionless's errors a resource (settings.DEFAULT_LIMIT_ERRORS)


def _middle_problems(package_dir: Path, descriptor: dict, name: str, delta: Delta):
    """The structural findings of the middle's rows, as the full validation words them (with
    its suggestions for a foreign key pointing nowhere); None if they cannot be told."""
    import copy as copy_

    from frictionless import Package

    from . import stream_check, validate
    from .package import read_table

    resources = {r.get("name"): r for r in descriptor.get("resources", []) if isinstance(r, dict)}
    targets = {(fk.get("reference") or {}).get("resource")
               for fk in resources[name].get("schema", {}).get("foreignKeys") or []}
    try:  # the package of this resource and those it points at (all of them: a second more)
        package = Package(copy_.deepcopy({**descriptor, "resources": [
            r for r in descriptor["resources"] if r.get("name") in targets | {name}]}),
            basepath=str(package_dir))
        resource = package.get_resource(name)
    except Exception:
        return None
    errors = stream_check.validate_rows(resource, package, delta.new_rows, delta.first)
    if errors is None or any(e.type in KEY_RULES for e in errors):
        return None
    fields = {f.get("name"): f for f in resources[name].get("schema", {}).get("fields", [])}
    problems = [validate._problem(e, name, validate._relative(resource.place, package_dir),
                                  fields) for e in errors]
    if any(p.rule == "foreign-key" for p in problems):
        tables = {t: read_table(package_dir, resources[t]) for t in targets if t in resources}
        validate._suggest_ids(problems, descriptor, tables)
    return problems


def middle_table(table: Table, delta: Delta) -> Table:
    """The rows of the middle of a spliced table, as a table of their own (same name, file and
    descriptor; their own line numbers)."""
    a, b = delta.first - 2, delta.first - 2 + delta.new_count
    names = [f["name"] for f in table.fields]
    middle = Table(table.name, table.path, table.descriptor)
    middle.rows = ColumnRows(names, {n: table.rows.column(n)[a:b] for n in names},
                             range(delta.first, delta.first + delta.new_count))
    middle.unreadable = [u for u in table.unreadable if delta.first <= u[0] < delta.first +
                         delta.new_count]
    return middle
