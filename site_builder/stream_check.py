"""Large resources: Frictionless's row checks, at the speed of the csv module.

Frictionless reads each row into a Row object and types every cell through Python calls:
~60 us a row, two minutes for the 2 million rows of a national status table; and each
resource with a foreign key reads the whole referenced table again to look keys up. For a
resource of at least STREAM_MIN_ROWS lines, `stream_validate` does what `Resource.validate()`
does (frictionless 5: metadata, opening, header, then the rows; the same errors, as
Frictionless's own error objects, in the same order, with the same limit of errors), with
shortcuts that change nothing in the result:
- each distinct cell text of a column is typed once, by Frictionless's own cell reader, and
  the result remembered (a cell's type and constraint findings depend on its text alone);
- rows are checked a batch at a time with set operations over the columns (primary-key
  uniqueness, foreign keys, unique constraints); a batch where anything may be wrong is taken
  again row by row, and a row with a finding is read by Frictionless's Row and checked as
  Frictionless's row stream checks it;
- the keys a foreign key may point at are read once per validation, the same way;
- the same pass builds the table our domain checks read (`read_table`'s rows, as columns).
A resource it cannot treat so (not a plain local CSV, a declared hash, byte, field or row
count, a field type beyond the plain ones, a header that does not match) is validated by
Frictionless as before; so is one where reading fails midway.
"""
from __future__ import annotations

import collections
import csv
import itertools
import operator
from pathlib import Path

from .package import TableBuilder, no_gc

STREAM_BATCH = 2048
KEY_BITS = 60               # bits of a packed primary key, shared among its fields at first
STREAM_TYPES = {"string", "integer", "number", "boolean", "year", "date", "datetime", "time",
                "yearmonth", "any"}
# (resource, reason) for each large resource the last validation handed back to Frictionless
STREAM_FALLBACKS: list[tuple[str, str]] = []


def _consume(iterator) -> None:
    collections.deque(iterator, maxlen=0)


class _Fallback(Exception):
    """This resource is left to Frictionless."""


def _plain_csv(resource):
    """(path, encoding, csv dialect, fields) of an open Frictionless TableResource that is a
    plain local CSV with one header row matching its schema; raises _Fallback otherwise."""
    from frictionless import system
    from frictionless.resources import TableResource

    path = resource.normpath
    if not isinstance(resource, TableResource) or resource.format != "csv" or \
            resource.scheme != "file" or resource.compression or resource.innerpath or \
            not path or not Path(path).is_file():
        raise _Fallback("not a local CSV file")
    if system.onerror != "ignore":
        raise _Fallback("frictionless raises or warns on errors")
    dialect = resource.dialect
    if not dialect.header or list(dialect.header_rows) != [1] or dialect.comment_char or \
            dialect.comment_rows or dialect.skip_blank_rows or not dialect.header_case:
        raise _Fallback("a dialect other than one header row")
    control = dialect.get_control("csv")
    if control is None:
        raise _Fallback("no csv control")
    if not resource.header.valid:
        raise _Fallback("the header does not match the schema")
    fields = resource.header.get_expected_fields()
    names = [field.name for field in fields]
    if list(resource.labels) != names or len(set(names)) != len(names) or \
            names != list(resource.schema.field_names):
        raise _Fallback("the header does not match the schema")
    if any(field.type not in STREAM_TYPES for field in fields):
        raise _Fallback("a field type beyond the plain ones")
    return path, resource.encoding, control.to_python(), fields


def _csv_rows(path, encoding, dialect, labels):
    """csv.reader over the file after its header row, which must read as `labels`."""
    fh = open(path, encoding=encoding, newline="")
    try:
        reader = csv.reader(fh, dialect=dialect)
        if next(reader, None) != list(labels):
            raise _Fallback("the first row read is not the header frictionless read")
    except BaseException:
        fh.close()
        raise
    return fh, reader


def _read_lookup(package, resource, fk, lookups: dict) -> set:
    """The keys a foreign key may point at, as `TableResource.__open_lookup` reads them
    (frictionless 5.21): each row's typed values of the referenced fields, unless all None.
    Read once per validation (`lookups`)."""
    from frictionless import FrictionlessException

    source_name = fk["reference"]["resource"]
    source_key = tuple(fk["reference"]["fields"])
    if source_name == resource.name or not source_name:
        source = resource
    elif package.has_resource(source_name):
        source = package.get_resource(source_name)
    else:
        raise _Fallback(f"the foreign key points at a missing resource {source_name}")
    cache_key = (source.name, source_key)
    if cache_key in lookups:
        return lookups[cache_key]
    copy_ = source.to_copy()
    if copy_.schema:
        copy_.schema.foreign_keys = []
    try:
        with copy_:
            path, encoding, dialect, fields = _plain_csv(copy_)
            labels = list(copy_.labels)
    except FrictionlessException as exc:
        raise _Fallback(f"the referenced resource cannot be opened: {exc}") from exc
    from frictionless.table import create_cell_handlers

    handlers = create_cell_handlers(fields)
    names = [field.name for field in fields]
    picks = []
    for name in source_key:
        if name in handlers:
            memo, reader = {}, handlers[name].reader
            picks.append((names.index(name), memo, reader))
        else:
            picks.append(None)
    keys = set()
    fh, rows = _csv_rows(path, encoding, dialect, labels)
    with fh:
        for cells in rows:
            values = []
            for pick in picks:
                if pick is None:
                    values.append(None)
                    continue
                index, memo, reader = pick
                cell = cells[index] if index < len(cells) else None
                try:
                    value = memo[cell]
                except KeyError:
                    value = memo[cell] = reader(cell)[0]
                values.append(value)
            key = tuple(values)
            if set(key) != {None}:
                keys.add(key)
    lookups[cache_key] = keys
    return keys


def stream_validate(resource, package=None, lookups: dict | None = None,
                     res: dict | None = None, built: dict | None = None,
                     limit: int = 1000, keep_columns: bool = True) -> list | None:
    """`resource.validate()`'s errors, found by the streaming checker; None when this resource
    must be validated by Frictionless itself (the reason is added to STREAM_FALLBACKS). Given
    our descriptor of the resource (`res`) and a dict `built`, the same pass reads the table
    `read_table(package_dir, res)` would read, when it reads the file the same way, and puts
    its TableBuilder in `built` (with its columns, or with `keep_columns=False` only each
    column's distinct values)."""
    from frictionless import Checklist, FrictionlessException

    package = package if package is not None else resource.package
    lookups = {} if lookups is None else lookups
    checklist = Checklist()
    checks = checklist.connect(resource)
    try:
        resource.to_descriptor(validate=True)
    except FrictionlessException as exception:
        return exception.to_errors()
    foreign_keys = list(resource.schema.foreign_keys) if resource.schema else []
    try:
        _streamable(resource, package, checks, foreign_keys)
        # the lookups are read below, once per validation, not by each resource's opening
        resource.schema.foreign_keys = []
        try:
            if resource.closed:
                try:
                    resource.open()
                except FrictionlessException as exception:
                    resource.close()
                    return exception.to_errors()
        finally:
            resource.schema.foreign_keys = foreign_keys
        with resource, no_gc():
            streamer = _Streamer(resource, package, foreign_keys, lookups)
            errors = []
            for index, check in enumerate(checks):
                for error in check.validate_start():
                    if error.type == "check-error":
                        del checks[index]
                    if checklist.match(error):
                        errors.append(error)
            builder = None
            if built is not None and res is not None and \
                    streamer.encoding in ("utf-8", "utf-8-sig") and \
                    _same_dialect(streamer.csv_dialect, csv.excel):
                builder = TableBuilder(res, streamer.labels, keep_columns=keep_columns,
                                       keep=("source_id",))  # the model counts its sources
            partial = streamer.run(errors, checklist, limit, builder)
            if not partial:
                for check in checks:
                    for error in check.validate_end():
                        if checklist.match(error):
                            errors.append(error)
            if builder is not None and not partial:
                built[resource.name] = builder
            return errors
    except Exception as exc:  # not a plain case, or reading failed midway: Frictionless's turn
        if not resource.closed:
            resource.close()
        resource.schema.foreign_keys = foreign_keys
        STREAM_FALLBACKS.append((resource.name, str(exc) if isinstance(exc, _Fallback) else
                                 f"{type(exc).__name__}: {exc}"))
        return None


def _streamable(resource, package, checks, foreign_keys) -> None:
    """Raises _Fallback if the resource is not a case the streaming checker treats."""
    if [check.type for check in checks] != ["baseline"]:
        raise _Fallback("custom checks")
    if resource.hash or resource.bytes is not None or resource.fields is not None or \
            resource.rows is not None:
        raise _Fallback("declares a hash, byte, field or row count")
    if foreign_keys and package is None:
        raise _Fallback("foreign keys outside a package")
    for fk in foreign_keys:  # as the lookup would fail, so Frictionless reports it
        name = fk["reference"]["resource"]
        if name and name != resource.name and not package.has_resource(name):
            raise _Fallback(f"the foreign key points at a missing resource {name}")


def validate_rows(resource, package, rows: list, first: int) -> list | None:
    """The errors `stream_validate` finds in these rows (csv.reader lists, numbered from
    `first`) when no row before them shares a primary or unique key with them: each row typed
    and checked (cells, foreign keys, keys among these rows) as the stream checks it. For a
    row-incremental validation (row_delta.py), which takes the rows that did not change from
    the last one. None when the resource is not a case the stream treats."""
    from frictionless import Checklist

    checklist = Checklist()
    checks = checklist.connect(resource)
    foreign_keys = list(resource.schema.foreign_keys) if resource.schema else []
    try:
        resource.to_descriptor(validate=True)
        _streamable(resource, package, checks, foreign_keys)
        resource.schema.foreign_keys = []
        try:
            resource.open()
        finally:
            resource.schema.foreign_keys = foreign_keys
        with resource, no_gc():
            streamer = _Streamer(resource, package, foreign_keys, {})
            errors = []
            for k, cells in enumerate(rows):
                if not streamer._row(cells, first + k):
                    row = streamer._slow(cells, first + k)
                    errors.extend(error for error in row.errors if checklist.match(error))
            return errors
    except Exception:  # anything unusual: the whole table is checked again
        if not resource.closed:
            resource.close()
        resource.schema.foreign_keys = foreign_keys
        return None


def _same_dialect(a, b) -> bool:
    """Do two csv dialects read a file into the same rows?"""
    return all(getattr(a, name, None) == getattr(b, name, None) for name in (
        "delimiter", "quotechar", "doublequote", "escapechar", "skipinitialspace", "quoting",
        "strict"))


def _foreign_groups(resource, package, foreign_keys, lookups, names) -> list[dict]:
    """The foreign keys to check, as TableResource.__open_lookup and __open_row_stream set
    them up: per key, the target columns, the keys looked up and each checked cell's verdict."""
    lookup: dict = {}
    for fk in foreign_keys:
        source_name = fk["reference"]["resource"]
        source_key = tuple(fk["reference"]["fields"])
        lookup.setdefault(source_name, {})
        if source_key not in lookup[source_name]:
            lookup[source_name][source_key] = _read_lookup(package, resource, fk, lookups)
    groups = []
    if lookup:
        for fk in foreign_keys:
            target_key = tuple(fk["fields"])
            if not set(target_key).issubset(names):
                continue
            group_lookup = lookup.get(fk["reference"]["resource"])
            if not group_lookup:
                continue
            source_key = tuple(fk["reference"]["fields"])
            groups.append({
                "sourceName": fk["reference"]["resource"], "sourceKey": source_key,
                "targetKey": target_key, "index": [names.index(n) for n in target_key],
                "lookup": group_lookup.get(source_key, set()), "ok": {}})
    return groups


class _PrimaryKey:
    """The primary keys seen so far. A key is one int: each field's value numbered (None = 0)
    and the numbers packed side by side, `widths[j]` bits each: as unique as a tuple of the
    values, half the memory, and, while it fits in 61 bits, its own hash, so no two keys share
    a hash."""

    def __init__(self, names: list[str], labels: list[str], good: list[dict]):
        self.labels = labels
        self.index = [names.index(label) for label in labels]
        self.of = {i: j for j, i in enumerate(self.index)}
        self.good = good                             # the streamer's cell text -> typed value
        self.ids = [{None: 0} for _ in self.index]   # typed value -> its number
        self.widths = [max(1, KEY_BITS // len(self.index)) for _ in self.index]
        self.shifts = self._shifts()
        self.raw = [{} for _ in self.index]          # cell text -> its number << shifts[j]
        self.none_key = 0
        self.memory = {}                             # key -> number of the last row with it

    def _shifts(self) -> list[int]:
        return [sum(self.widths[:j]) for j in range(len(self.widths))]

    def key(self, values) -> int:
        """The key of typed values (numbered as they come; numbering may widen the fields,
        so the numbers are packed once all are known)."""
        ids = [self._id(j, value) for j, value in enumerate(values)]
        return sum(id_ << shift for id_, shift in zip(ids, self.shifts))

    def _widen(self, j: int) -> None:
        """Field j has more values than its bits hold: give it more and pack every key again."""
        old_widths, old_shifts = list(self.widths), self.shifts
        self.widths[j] += 8
        self.shifts = self._shifts()

        def repack(key: int) -> int:
            return sum(((key >> shift) & ((1 << width) - 1)) << new_shift
                       for width, shift, new_shift in zip(old_widths, old_shifts, self.shifts))
        self.memory = {repack(key): number for key, number in self.memory.items()}
        for j2, raw in enumerate(self.raw):
            for cell in raw:
                raw[cell] = self.ids[j2][self.good[self.index[j2]][cell]] << self.shifts[j2]

    def _id(self, j: int, value) -> int:
        ids = self.ids[j]
        id_ = ids.setdefault(value, len(ids))
        while id_ >> self.widths[j]:
            self._widen(j)
        return id_

    def learn(self, i: int, cell: str, value) -> None:
        """A new good cell text of column i: number it if the column is part of the key."""
        j = self.of.get(i)
        if j is not None:
            id_ = self._id(j, value)
            self.raw[j][cell] = id_ << self.shifts[j]

    def batch_keys(self, cols: list, blank: list) -> list | None:
        """The keys of a batch of rows (as columns, every cell known good), or None if one of
        them is all None or repeats a key."""
        keys = None
        for j, i in enumerate(self.index):
            ids = map(self.raw[j].__getitem__, cols[i])
            keys = ids if keys is None else map(operator.add, keys, ids)
        keys = list(keys)
        if all(blank[i] for i in self.index) and self.none_key in keys:
            return None  # a key all None
        if len(set(keys)) != len(keys) or not self.memory.keys().isdisjoint(keys):
            return None
        return keys

    def row_key(self, cells: list) -> int | None:
        """The key of one row (every cell known good), or None if it is all None or seen."""
        key = sum(self.raw[j][cells[i]] for j, i in enumerate(self.index))
        return None if key == self.none_key or key in self.memory else key

    def check(self, row) -> None:
        """Frictionless's primary-key check of one Row, added to its errors."""
        from frictionless import errors

        key_cells = tuple(row[label] for label in self.labels)
        if set(key_cells) == {None}:
            note = 'cells composing the primary keys are all "None"'
            row.errors.append(errors.PrimaryKeyError.from_row(row, note=note))
            return
        key = self.key(key_cells)
        match = self.memory.get(key)
        self.memory[key] = row.row_number
        if match:
            note = "the same as in the row at position %s" % match
            row.errors.append(errors.PrimaryKeyError.from_row(row, note=note))


class _SingleKey:
    """A primary key of one field (an `id`): its typed value is the key, in one dict (value ->
    number of the last row with it), where _PrimaryKey numbers the values of several fields and
    packs them. The same keys, compared the same way (by typed value), in a third of the memory
    for a table of millions of ids."""

    def __init__(self, names: list[str], labels: list[str], good: list[dict]):
        self.labels = labels
        self.i = names.index(labels[0])
        self.good = good[self.i]                     # the key column's cell text -> value
        self.memory = {}

    def learn(self, i: int, cell: str, value) -> None:
        pass  # a value is its own key

    def batch_keys(self, cols: list, blank: list) -> list | None:
        keys = list(map(self.good.__getitem__, cols[self.i]))
        if blank[self.i] and None in keys:
            return None  # a key all None
        if len(set(keys)) != len(keys) or not self.memory.keys().isdisjoint(keys):
            return None
        return keys

    def row_key(self, cells: list):
        key = self.good[cells[self.i]]
        return None if key is None or key in self.memory else key

    def check(self, row) -> None:
        """Frictionless's primary-key check of one Row, added to its errors."""
        from frictionless import errors

        key = row[self.labels[0]]
        if key is None:
            note = 'cells composing the primary keys are all "None"'
            row.errors.append(errors.PrimaryKeyError.from_row(row, note=note))
            return
        match = self.memory.get(key)
        self.memory[key] = row.row_number
        if match:
            note = "the same as in the row at position %s" % match
            row.errors.append(errors.PrimaryKeyError.from_row(row, note=note))


class _Streamer:
    """The rows of one open Frictionless TableResource, checked as its row stream would: a
    batch at a time while nothing may be wrong (`_batch`), else row by row (`_row`), and a row
    with a finding by Frictionless's own Row (`_slow`)."""

    def __init__(self, resource, package, foreign_keys, lookups):
        from frictionless.table import Row, create_cell_handlers

        self.path, self.encoding, self.csv_dialect, fields = _plain_csv(resource)
        names = [field.name for field in fields]
        if not names:
            raise _Fallback("no fields")
        if not set(resource.schema.primary_key) <= set(names):
            raise _Fallback("a primary key on fields the file does not have")
        self.Row = Row
        self.labels = list(resource.labels)
        self.names, self.n = names, len(names)
        self.handlers = create_cell_handlers(fields)
        self.readers = [self.handlers[name].reader for name in names]
        self.good = [{} for _ in names]         # cell text -> typed value, cells without findings
        self.bad = [set() for _ in names]       # cell texts with a type or constraint finding
        self.blank = [set() for _ in names]     # cell texts read as missing (None)
        self.unique = [names.index(field.name) for field in fields
                       if field.constraints.get("unique")]
        self.memory_unique = {i: {} for i in self.unique}
        pk_labels = list(resource.schema.primary_key)
        key_class = _SingleKey if len(pk_labels) == 1 else _PrimaryKey
        self.pk = key_class(names, pk_labels, self.good) if pk_labels else None
        self.groups = _foreign_groups(resource, package, foreign_keys, lookups, names)

    def _learn(self, i: int, cells) -> bool:
        """Type the new cell texts of column i; False if any of them has a finding."""
        ok = True
        good, reader = self.good[i], self.readers[i]
        for cell in cells:
            if cell in good:
                continue
            if cell in self.bad[i]:
                ok = False
                continue
            target, notes = reader(cell)
            if notes or target != target:  # a finding; or NaN, which equals nothing
                self.bad[i].add(cell)
                ok = False
                continue
            good[cell] = target
            if target is None:
                self.blank[i].add(cell)
            if self.pk is not None:
                self.pk.learn(i, cell, target)
            for group in self.groups:
                if group["index"] == [i]:
                    group["ok"][cell] = target is None or (target,) in group["lookup"]
        return ok

    def run(self, errors: list, checklist, limit: int, builder=None) -> bool:
        """Check every row, adding Frictionless's errors to `errors` (and each batch to
        `builder`); True if the limit of errors was reached (partial, as Frictionless's)."""
        fh, reader = _csv_rows(self.path, self.encoding, self.csv_dialect, self.labels)
        with fh:
            number = 1
            while batch := list(itertools.islice(reader, STREAM_BATCH)):
                start, number = number + 1, number + len(batch)
                if len(errors) < limit and self._batch(batch, start, builder):
                    continue
                if builder is not None:
                    builder.add(batch)
                for k, cells in enumerate(batch):
                    if not self._row(cells, start + k):
                        row = self._slow(cells, start + k)
                        errors.extend(error for error in row.errors if checklist.match(error))
                    if limit and len(errors) >= limit:
                        del errors[limit:]
                        return True
        return False

    # --- a batch at a time: set operations over its columns ---------------------------------

    def _batch(self, batch: list, start: int, builder) -> bool:
        """True if no row of the batch has a finding (the batch is then recorded, and given to
        `builder`); False if one may have (nothing recorded: it is taken row by row)."""
        n = self.n
        if min(map(len, batch)) != n or max(map(len, batch)) != n:
            return False
        cols = list(zip(*batch))
        seen = self._batch_cells(cols)
        if seen is None or all(self.blank):  # a bad cell; or every column has blank cells:
            return False                       # a row may be blank
        unique = self._batch_unique(cols)
        if unique is None:
            return False
        keys = None
        if self.pk is not None:
            keys = self.pk.batch_keys(cols, self.blank)
            if keys is None:
                return False
        if not self._batch_foreign(cols):
            return False
        # nothing found: record, as the row stream does for every row
        for i in unique:
            memory, good = self.memory_unique[i], self.good[i]
            for k, cell in enumerate(cols[i]):
                value = good[cell]
                if value is not None:
                    memory[value] = start + k
        if keys is not None:
            self.pk.memory.update(zip(keys, range(start, start + len(batch))))
        if builder is not None:  # every cell it has seen, this pass has (and vice versa)
            builder.add_columns(cols, len(batch), seen)
        return True

    def _batch_cells(self, cols: list) -> set | None:
        """Type the batch's new cells: None if one has a finding, else the indexes of the
        columns without a cell new to this pass."""
        seen = set(range(self.n))
        for i, col in enumerate(cols):
            try:
                _consume(map(self.good[i].__getitem__, col))  # KeyError: a cell not known good
            except KeyError:
                seen.discard(i)
                if not self._learn(i, set(col)):
                    return None
        return seen

    def _batch_unique(self, cols: list) -> dict | None:
        """The values of each unique column, or None if one repeats within the batch or
        repeats an earlier row's."""
        unique = {}
        for i in self.unique:
            values = [v for v in map(self.good[i].__getitem__, cols[i]) if v is not None]
            if len(set(values)) != len(values) or \
                    not self.memory_unique[i].keys().isdisjoint(values):
                return None
            unique[i] = values
        return unique

    def _batch_foreign(self, cols: list) -> bool:
        """Every foreign key of the batch is found (or all None)."""
        for group in self.groups:
            index = group["index"]
            if len(index) == 1:
                if not all(map(group["ok"].__getitem__, cols[index[0]])):
                    return False
            else:
                typed = [map(self.good[i].__getitem__, cols[i]) for i in index]
                for key in set(zip(*typed)):
                    if set(key) != {None} and key not in group["lookup"]:
                        return False
        return True

    # --- row by row -------------------------------------------------------------------------

    def _row(self, cells: list, number: int) -> bool:
        """One row: True if it has no finding (and it is recorded), else False."""
        values = self._row_values(cells)
        if values is None or values.count(None) == self.n:
            return False  # a bad cell, or a blank row
        for i in self.unique:
            value = values[i]
            if value is not None and value in self.memory_unique[i]:
                return False
        key = None
        if self.pk is not None:
            key = self.pk.row_key(cells)
            if key is None:
                return False
        if not self._row_foreign(cells, values):
            return False
        for i in self.unique:
            if values[i] is not None:
                self.memory_unique[i][values[i]] = number
        if key is not None:
            self.pk.memory[key] = number
        return True

    def _row_values(self, cells: list) -> list | None:
        """The typed values of a row of the right width, or None if a cell has a finding."""
        if len(cells) != self.n:
            return None
        good = self.good
        try:
            return list(map(dict.__getitem__, good, cells))
        except KeyError:
            ok = True
            for i, cell in enumerate(cells):
                if cell not in good[i]:
                    ok = self._learn(i, (cell,)) and ok
            return list(map(dict.__getitem__, good, cells)) if ok else None

    def _row_foreign(self, cells: list, values: list) -> bool:
        for group in self.groups:
            index = group["index"]
            if len(index) == 1:
                if not group["ok"][cells[index[0]]]:
                    return False
            else:
                key_cells = tuple(values[i] for i in index)
                if set(key_cells) != {None} and key_cells not in group["lookup"]:
                    return False
        return True

    # --- a row with a finding: Frictionless's Row ---------------------------------------------

    def _slow(self, cells: list, number: int):
        """One row read by Frictionless's Row and checked as `TableResource.row_stream` checks
        it (frictionless 5.21), with the memory of the rows before."""
        row = self.Row(cells, handlers=self.handlers, row_number=number)
        self._slow_unique(row)
        if self.pk is not None:
            self.pk.check(row)
        self._slow_foreign(row)
        return row

    def _slow_unique(self, row) -> None:
        from frictionless import errors

        for i in self.unique:
            name = self.names[i]
            cell = row[name]
            if cell is not None:
                match = self.memory_unique[i].get(cell)
                self.memory_unique[i][cell] = row.row_number
                if match:
                    note = "the same as in the row at position %s" % match
                    row.errors.append(errors.UniqueError.from_row(row, note=note,
                                                                  field_name=name))

    def _slow_foreign(self, row) -> None:
        from frictionless import errors

        for group in self.groups:
            key_cells = tuple(row[name] for name in group["targetKey"])
            if set(key_cells) == {None}:
                continue
            if key_cells not in group["lookup"]:
                note = ('for "%s": values "%s" not found in the lookup table "%s" as "%s"'
                        % (", ".join(group["targetKey"]), ", ".join(str(d) for d in key_cells),
                           group["sourceName"], ", ".join(group["sourceKey"])))
                row.errors.append(errors.ForeignKeyError.from_row(
                    row, note=note, field_names=list(group["targetKey"]),
                    field_values=list(key_cells), reference_name=group["sourceName"],
                    reference_field_names=list(group["sourceKey"])))
