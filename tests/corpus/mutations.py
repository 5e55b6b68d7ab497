"""Mutations of a data package, applied in code to a copy (never to datapackage/ itself).

Each operation is a tuple whose first item names it; `apply(pkg, ops)` applies them in order and
returns, for each, the CSV line it touched (the header is line 1) or None. A row is picked by its
`id` (a string) or by its position (an int, 0 = first data row), so one operation can target the
real package and the synthetic fixture alike.

    ("set", resource, row, column, value)          one cell
    ("nfd", resource, row, column)                 the cell in decomposed Unicode (NFD)
    ("append", resource, row, {column: value})     a copy of the row, changed, added at the end
    ("unquoted", resource, row, column, text)      the cell written without CSV quoting
    ("blank_line", resource, after_row)            a line of bare commas after the row
    ("replace_all", resource, column, old, new)    every cell of a column equal to old
    ("add_column", resource, name, value)          a new column at the end
    ("drop_column", resource, name)
    ("rename_column", resource, old, new)
    ("swap_columns", resource, a, b)
    ("encode", resource, how)                      how: bom, crlf, excel (bom+crlf), utf16,
                                                   cp1258, semicolon, tab
    ("delete_file", resource)
    ("drop_resource", resource)                    remove its entry from datapackage.json
    ("set_path", resource, path)                   the resource's path in datapackage.json
    ("truncate_descriptor",)                       datapackage.json cut in the middle
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
from pathlib import Path


def _path(pkg: Path, resource: str) -> Path:
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        if res["name"] == resource:
            return pkg / res["path"]
    return pkg / "data" / f"{resource}.csv"


def read(pkg: Path, resource: str) -> tuple[list[str], list[dict]]:
    with open(_path(pkg, resource), encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def write(pkg: Path, resource: str, columns: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    _path(pkg, resource).write_text(buf.getvalue(), encoding="utf-8")


def index_of(rows: list[dict], row) -> int:
    if isinstance(row, int):
        return row
    for i, r in enumerate(rows):
        if r.get("id") == row:
            return i
    raise KeyError(f"no row with id {row!r}")


def line_of(pkg: Path, resource: str, row) -> int:
    """The CSV line of a row (header = line 1)."""
    return index_of(read(pkg, resource)[1], row) + 2


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: letters it has, else base + tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)  # e.g. ệ -> ê + combining dot below
        tones = "".join(m for m in decomposed[1:] if m in TONE_MARKS)
        letter = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in TONE_MARKS))
        out += letter.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def _apply_one(pkg: Path, op: tuple):
    kind, *args = op
    if kind in ("set", "nfd"):
        resource, row, column = args[:3]
        columns, rows = read(pkg, resource)
        i = index_of(rows, row)
        rows[i][column] = args[3] if kind == "set" else unicodedata.normalize("NFD", rows[i][column])
        write(pkg, resource, columns, rows)
        return i + 2
    if kind == "append":
        resource, row, changes = args
        columns, rows = read(pkg, resource)
        rows.append(dict(rows[index_of(rows, row)], **changes))
        write(pkg, resource, columns, rows)
        return len(rows) + 1
    if kind == "unquoted":
        resource, row, column, raw = args
        columns, rows = read(pkg, resource)
        i = index_of(rows, row)
        path = _path(pkg, resource)
        lines = path.read_text(encoding="utf-8").split("\n")
        cells = []
        for name in columns:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="").writerow([rows[i][name]])
            cells.append(raw if name == column else buf.getvalue())
        lines[i + 1] = ",".join(cells)
        path.write_text("\n".join(lines), encoding="utf-8")
        return i + 2
    if kind == "blank_line":
        resource, row = args
        columns, rows = read(pkg, resource)
        i = index_of(rows, row)
        path = _path(pkg, resource)
        lines = path.read_text(encoding="utf-8").split("\n")
        lines.insert(i + 2, "," * (len(columns) - 1))
        path.write_text("\n".join(lines), encoding="utf-8")
        return i + 3
    if kind == "replace_all":
        resource, column, old, new = args
        columns, rows = read(pkg, resource)
        for r in rows:
            if r[column] == old:
                r[column] = new
        write(pkg, resource, columns, rows)
        return None
    if kind in ("add_column", "drop_column", "rename_column", "swap_columns"):
        resource = args[0]
        columns, rows = read(pkg, resource)
        if kind == "add_column":
            columns.append(args[1])
            for r in rows:
                r[args[1]] = args[2]
        elif kind == "drop_column":
            columns.remove(args[1])
            for r in rows:
                del r[args[1]]
        elif kind == "rename_column":
            columns[columns.index(args[1])] = args[2]
            for r in rows:
                r[args[2]] = r.pop(args[1])
        else:
            a, b = columns.index(args[1]), columns.index(args[2])
            columns[a], columns[b] = columns[b], columns[a]
        write(pkg, resource, columns, rows)
        return 1
    if kind == "encode":
        resource, how = args
        path = _path(pkg, resource)
        text = path.read_text(encoding="utf-8")
        if how == "bom":
            path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
        elif how == "crlf":
            path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
        elif how == "excel":
            path.write_bytes(codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"))
        elif how == "utf16":
            path.write_bytes(text.encode("utf-16"))  # with its byte-order mark, as Excel writes
        elif how == "cp1258":
            path.write_bytes(encode_cp1258(text))
        elif how in ("semicolon", "tab"):
            rows = list(csv.reader(io.StringIO(text)))
            buf = io.StringIO()
            csv.writer(buf, delimiter=";" if how == "semicolon" else "\t",
                       lineterminator="\n").writerows(rows)
            path.write_text(buf.getvalue(), encoding="utf-8")
        else:
            raise ValueError(how)
        return 1
    if kind == "delete_file":
        _path(pkg, args[0]).unlink()
        return None
    if kind in ("drop_resource", "set_path", "truncate_descriptor"):
        dp = pkg / "datapackage.json"
        if kind == "truncate_descriptor":
            text = dp.read_text(encoding="utf-8")
            dp.write_text(text[: len(text) // 2], encoding="utf-8")
            return None
        descriptor = json.loads(dp.read_text(encoding="utf-8"))
        if kind == "drop_resource":
            descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != args[0]]
        else:
            for r in descriptor["resources"]:
                if r["name"] == args[0]:
                    r["path"] = args[1]
        dp.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
        return None
    raise ValueError(f"unknown mutation {kind!r}")


def apply(pkg: Path, ops) -> list:
    return [_apply_one(pkg, op) for op in ops]
