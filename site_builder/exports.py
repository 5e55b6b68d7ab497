"""Downloads: the published tables as CSV (UTF-8 with BOM, so Excel shows Vietnamese), JSON,
one SQLite database, one XLSX workbook and the data package as a zip. Every output is
deterministic (no build time inside), so two builds of one commit give the same bytes.
Person entries without a publication basis are left out here as on the pages.

Nothing a spreadsheet would run (OWASP "CSV injection"): in the CSV downloads a text cell that
begins with = + - @ tab or carriage return gets a leading ' (the OWASP advice), and the XLSX
writes every text as a string cell, never a formula. The JSON, the SQLite database and the zip
(the package exactly as staff keep it) carry the text unchanged."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import operator
import os
import re
import shutil
import sqlite3
import struct
import tempfile
import zipfile
import zlib
from contextlib import ExitStack, closing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import sqlite_utils
from sqlite_utils.db import quote_identifier

from .columns_vi import column_words
from .model import PERSON_TABLES, PUBLISHABLE
from .package import code_fingerprint, convert, feed_file

FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip entry time: same input, same bytes
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "year": "INTEGER", "boolean": "INTEGER"}
SQLITE_BATCH = 10_000  # rows sqlite-utils inserts at a time: a long table never sits in memory
# A table longer than this is published only inside the data package zip (as its CSV, which
# compresses ~20x): at national size the 2 M-row status table would be a 420 MB JSON, a 175 MB
# CSV and 260 MB of SQLite, too big for a phone, for Excel (1,048,576 rows a sheet) and for
# static hosting (GitHub Pages: 1 GB a site, 100 MB a file). Person tables are always written.
LARGE_TABLE_ROWS = 100_000
DOWNLOADS = "du-lieu"
ZIP = f"{DOWNLOADS}/ntm-lang-son-datapackage.zip"
ZIP_FOLDER = "ntm-lang-son-datapackage"  # the zip unpacks into this one folder
SQLITE = f"{DOWNLOADS}/ntm-lang-son.sqlite"
XLSX = f"{DOWNLOADS}/ntm-lang-son.xlsx"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: str) -> str:
    """A text cell as a CSV download writes it: a leading ' if a spreadsheet would read it as a
    formula (OWASP: cells beginning with = + - @ tab or carriage return)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(columns: list[str], rows: list[dict], bom: bool = True) -> bytes:
    """A CSV download (text cells made inert, see `inert`)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n" if bom else "\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: inert(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


# A CSV cell as the JSON/SQLite/Excel value of its schema type, typed by the package's one
# converter (package.convert), a number as a float: '' -> None; a cell that does not convert is
# kept as text. Other types (string, date) stay text.
def _text(value: str):
    return value if value != "" else None


def _typed(type_: str):
    def value(cell: str):
        try:
            typed = convert(cell, type_)
        except (ValueError, ArithmeticError):
            return cell
        return float(typed) if isinstance(typed, Decimal) else typed
    return value


CONVERT = {type_: _typed(type_) for type_ in ("integer", "year", "number", "boolean")}


def _xlsx_date(value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value


def package_key(package_dir: Path, descriptor: dict) -> str:
    """The hash of the package's files and of the code (exports, model, ...: all of it): what
    the downloads and the extracts of one package version are cached under."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(json.dumps(descriptor, sort_keys=True).encode("utf-8"))
    for res in descriptor["resources"]:
        feed_file(digest, Path(package_dir) / res["path"])
    return digest.hexdigest()[:24]


def table_key(package_dir: Path, res: dict, code: str) -> str:
    """What one table's downloads depend on: its descriptor entry, its file, the code and the
    size limit. Each table's files are cached under this key, so an edit rewrites only the
    edited table's files."""
    digest = hashlib.sha256(code.encode())
    digest.update(json.dumps(res, sort_keys=True).encode("utf-8"))
    digest.update(f"\0{LARGE_TABLE_ROWS}\0".encode())
    feed_file(digest, Path(package_dir) / res["path"])
    return digest.hexdigest()[:24]


def download_files(package_dir: Path, descriptor: dict, cache_dir: Path | None,
                   counts: dict[str, int] | None = None) -> "Downloads":
    """Write every download into cache folders: per table (its CSV, JSON, SQLite part and zip
    member) under a key of that table alone, then the files made of all tables (SQLite, XLSX,
    zip) under a key of the package, assembled from the tables' parts. An unchanged table, or
    package, reuses the files of the previous build; one version of each is kept. Tables are
    streamed row by row, so memory does not grow with the size of a table.

    `counts` (optional): the rows of tables as the build's model read them from these very
    files (a valid package: no blank rows), so a long table's rows need not be parsed again to
    be counted when their number cannot be read off the file's line ends (see _write_table_files)."""
    package_dir = Path(package_dir)
    root = Path(cache_dir or tempfile.mkdtemp(prefix="downloads-")) / "downloads"
    code = code_fingerprint()
    resources = descriptor["resources"]
    tables = {res["name"]: _table_files(package_dir, res, root / "tables", code, (counts or {}).get(res["name"]))
              for res in resources}
    for stale in (root / "tables").glob("*"):  # tables no longer in the package
        if stale.name not in tables:
            shutil.rmtree(stale)
    for stale in root.glob("*"):  # a cache left by the code that kept one folder per package
        if stale.name not in ("tables", "whole"):
            shutil.rmtree(stale, ignore_errors=True)
    key = _whole_key(code, descriptor, tables)
    # what the database and the workbook hold: every table but the zip-only ones, which are
    # only named there; an edit of a zip-only table leaves them as they were
    in_database = _whole_key(code, descriptor, {n: t for n, t in tables.items() if not t.zip_only})
    folder = root / "whole" / key
    if not (folder / "done").is_file():
        versions = sorted((root / "whole").glob("*"))
        previous = next((p for p in versions if (p / "done").is_file()), None)
        for stale in versions:  # one package version kept: the current one
            if stale != previous:
                shutil.rmtree(stale)
        work = root / "whole" / f".{key}.tmp"
        work.mkdir(parents=True)
        same = previous if previous and (previous / "done").read_text() == in_database else None
        _write_downloads(package_dir, descriptor, tables, work, same)
        (work / "done").write_text(in_database)
        os.replace(work, folder)
        if previous is not None:
            shutil.rmtree(previous)
    files = {rel: folder / rel for rel in (SQLITE, XLSX, ZIP)}
    for name, table in tables.items():
        if not table.zip_only:
            files.update({f"{DOWNLOADS}/{name}.{ext}": table.folder / f"{name}.{ext}" for ext in ("csv", "json")})
    return Downloads(dict(sorted(files.items())), {n: t.count for n, t in tables.items()},
                     [n for n, t in tables.items() if t.zip_only])


def _whole_key(code: str, descriptor: dict, tables: dict) -> str:
    """The key of files made of these tables (and of the descriptor, which names the others)."""
    digest = hashlib.sha256(code.encode())
    digest.update(json.dumps([descriptor, {n: t.key for n, t in tables.items()}], sort_keys=True).encode())
    return digest.hexdigest()[:24]


@dataclass
class Downloads:
    files: dict[str, Path]        # site path ("du-lieu/x.csv") -> file in the cache
    counts: dict[str, int]        # published rows per table
    zip_only: list[str]           # tables over LARGE_TABLE_ROWS: only inside the zip

    def size(self, rel: str) -> int:
        return self.files[rel].stat().st_size


@dataclass
class TableFiles:
    key: str
    folder: Path     # <name>.csv, <name>.json, part.sqlite (not for a zip-only table), member.zip
    count: int       # published rows
    zip_only: bool


def _table_files(package_dir: Path, res: dict, root: Path, code: str, count: int | None = None) -> TableFiles:
    """One table's files, written unless the cache holds them for this table's key; the
    table's previous version is then removed (one version kept), once its zip member has lent
    the new one the compressed pieces that did not change (see _deflate_member)."""
    key = table_key(package_dir, res, code)
    folder = root / res["name"] / key
    if not (folder / "done.json").is_file():
        versions = sorted((root / res["name"]).glob("*"))
        previous = next((p for p in versions if (p / "done.json").is_file()), None)
        for stale in versions:  # unfinished folders of a failed build
            if stale != previous:
                shutil.rmtree(stale)
        work = root / res["name"] / f".{key}.tmp"
        work.mkdir(parents=True)
        meta = _write_table_files(package_dir, res, work, count, previous)
        (work / "done.json").write_text(json.dumps(meta), encoding="utf-8")
        os.replace(work, folder)
        if previous is not None:
            shutil.rmtree(previous)
    meta = json.loads((folder / "done.json").read_text(encoding="utf-8"))
    return TableFiles(key, folder, meta["count"], meta["zip_only"])


def _write_table_files(package_dir: Path, res: dict, out: Path, count: int | None = None,
                       previous: Path | None = None) -> dict:
    """A table's CSV, JSON, SQLite part and XLSX sheet, and its member of the package zip (the
    package's own file, or for persons the file without the persons not to publish); a table
    over LARGE_TABLE_ROWS only its zip member. `count`: its rows, if known (download_files);
    `previous`: the folder of the table's previous version.

    Whether a table is over the limit is known without parsing it in most cases: the pass that
    compresses its member counts its line ends, which bound its rows, and, in a file without
    quotes or carriage returns, are exactly its records. Only a long file with quoted cells
    (a cell may then span lines) whose count was not given is parsed to count its rows."""
    name, source = res["name"], package_dir / res["path"]
    member = f"{ZIP_FOLDER}/{res['path']}"
    zip_only = False
    if name not in PERSON_TABLES:
        lines = _deflate_member(out, member, source, previous)
        if lines.records - 1 > LARGE_TABLE_ROWS:
            if lines.plain:
                count = lines.records - 1  # minus the header
            elif count is None:
                count = _parsed_count(package_dir, res)
            zip_only = count > LARGE_TABLE_ROWS
    if not zip_only:
        count = _write_table(package_dir, res, out)
        _write_sheet(res, out, count)
        if name in PERSON_TABLES:
            _deflate_member(out, member, out / "package.csv", previous)
            (out / "package.csv").unlink()
    return {"count": count, "zip_only": zip_only}


# A table's zip member is one deflate stream (level 6, zlib's default) compressed in pieces of
# PIECE_LINES lines, each with the 32 KB before it as its dictionary and ended by a sync flush
# (as pigz does), then an empty last block: one ordinary member for every unzip tool, and an
# edit recompresses only the pieces it changed, the others' compressed bytes copied from the
# previous version of the member. Measured on the 10,600-commune commune_criteria.csv (265 MB):
# one stream 9,849,457 bytes, in pieces of 16,384 lines 9,850,165 (+0.007 %). Faster levels were
# measured and not taken, the zip being what journalists download over slow connections:
# level 1 14.8 MB (+50 %) in 0.7 CPU s, level 3 11.9 MB (+21 %) in 0.8 s, level 6 9.8 MB in
# 1.9 s, level 9 9.3 MB (-6 %) in 8.1 s. With the pieces, the level's cost is a cold build's.
ZIP_LEVEL = 6
PIECE_LINES = 16_384
WINDOW = 1 << 15              # deflate's window: how far back a piece may refer
LAST_BLOCK = b"\x03\x00"      # an empty last block (fixed Huffman codes): ends the stream


@dataclass
class Lines:
    """What the compressing pass saw of a file."""
    records: int = 0     # line ends, plus an unended last line: exactly the CSV records if `plain`
    plain: bool = True   # no quote, no carriage return but in CRLF: each line end ends a record


def _pieces(path: Path, seen: Lines):
    """The file in pieces of PIECE_LINES lines (the last one what is left), read 1 MB at a
    time; `seen` filled in once the last piece is taken."""
    piece, lines, quoted, cr, crlf, last = [], 0, False, 0, 0, b""
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            quoted = quoted or b'"' in block  # (`in` is memchr: faster than count)
            if b"\r" in block:
                cr, crlf = cr + block.count(b"\r"), crlf + block.count(b"\r\n")
            crlf += last == b"\r" and block[:1] == b"\n"
            last, ends = block[-1:], block.count(b"\n")
            seen.records += ends
            while ends >= PIECE_LINES - lines:
                end = _after_line_ends(block, PIECE_LINES - lines)
                yield b"".join([*piece, block[:end]])
                ends -= PIECE_LINES - lines
                piece, block, lines = [], block[end:], 0
            if block:
                piece.append(block)
                lines += ends
    if piece:
        yield b"".join(piece)
    seen.records += last not in (b"", b"\n")
    seen.plain = not quoted and cr == crlf


def _after_line_ends(block: bytes, n: int) -> int:
    """Where the n-th line end of `block` (which has n or more) ends: the block halved while
    the rest is longer than 4 KB (bytes.count is fast), then searched."""
    start, stop, before = 0, len(block), 0  # `before` line ends before `start`, n or more before `stop`
    while stop - start > 4096:
        middle = (start + stop) // 2
        found = block.count(b"\n", start, middle)
        if before + found >= n:
            stop = middle
        else:
            start, before = middle, before + found
    end = start - 1
    for _ in range(n - before):
        end = block.index(b"\n", end + 1)
    return end + 1


def _deflate_piece(piece: bytes, window: bytes) -> bytes:
    """A piece of a deflate stream: `piece` compressed as if `window` had come before it,
    ending on a byte boundary (sync flush) where the next piece begins."""
    zobj = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15, **({"zdict": window} if window else {}))
    return zobj.compress(piece) + zobj.flush(zlib.Z_SYNC_FLUSH)


def _piece_digest(window: bytes, piece: bytes) -> str:
    """What a compressed piece is made of: the piece and its dictionary (ZIP_LEVEL and
    PIECE_LINES are code: pieces are reused only by the same code)."""
    digest = hashlib.sha256(len(window).to_bytes(4, "big") + window)
    digest.update(piece)
    return digest.hexdigest()


def _deflate_member(out: Path, name: str, source: Path, previous: Path | None) -> Lines:
    """out/member.zip: `source` as the zip member `name`, deflated in pieces (see ZIP_LEVEL),
    a piece found in the previous version (`previous`/member.zip, listed in its pieces.json)
    copied from there; out/pieces.json lists this version's pieces. Returns what the pass
    saw of the file."""
    code = code_fingerprint()  # a piece is reused only from a member written by this code
    known: dict[str, tuple[int, int]] = {}
    if previous is not None and (previous / "pieces.json").is_file():
        listed = json.loads((previous / "pieces.json").read_text(encoding="utf-8"))
        if listed["code"] == code and listed["name"] == name:
            offset = _data_offset(previous / "member.zip", name)
            for digest, size in listed["pieces"]:
                known.setdefault(digest, (offset, size))
                offset += size
    seen, parts, pieces, crc, size, window = Lines(), [], [], 0, 0, b""
    with ExitStack() as stack:
        old = stack.enter_context(open(previous / "member.zip", "rb")) if known else None
        for piece in _pieces(source, seen):
            digest = _piece_digest(window, piece)
            if digest in known:
                old.seek(known[digest][0])
                data = old.read(known[digest][1])
            else:
                data = _deflate_piece(piece, window)
            parts.append(data)
            pieces.append([digest, len(data)])
            crc, size = zlib.crc32(piece, crc), size + len(piece)
            window = (window + piece if len(piece) < WINDOW else piece)[-WINDOW:]
    parts.append(LAST_BLOCK)
    entry = _entry(name)
    entry.CRC, entry.file_size, entry.compress_size = crc, size, sum(map(len, parts))
    with zipfile.ZipFile(out / "member.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        _append_raw(zf, entry, parts)
    (out / "pieces.json").write_text(json.dumps({"code": code, "name": name, "pieces": pieces}), encoding="utf-8")
    return seen


def _write_downloads(package_dir: Path, descriptor: dict, tables: dict, out: Path,
                     same: Path | None = None) -> None:
    """The files made of all tables, from the tables' parts: one SQLite database, one XLSX
    workbook, the package zip; the first two linked from the folder `same` if it holds them
    for the same tables."""
    resources = descriptor["resources"]
    (out / DOWNLOADS).mkdir(parents=True)
    if same is not None:
        for rel in (SQLITE, XLSX):
            try:
                os.link(same / rel, out / rel)
            except OSError:  # a file system without hard links
                shutil.copyfile(same / rel, out / rel)
    else:
        _sqlite_file(resources, tables, out / SQLITE)
        _xlsx_file(resources, tables, out / XLSX)
    members = {f"{ZIP_FOLDER}/datapackage.json": json.dumps(descriptor, ensure_ascii=False, indent=2).encode("utf-8")}
    members.update({f"{ZIP_FOLDER}/{res['path']}": tables[res["name"]].folder / "member.zip"
                    for res in resources})
    _zip_file(out / ZIP, members)


def _published(package_dir: Path, res: dict):
    """A table's header and rows (lists of strings, as in the file), persons filtered."""
    with open(package_dir / res["path"], encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        columns = next(reader, [])
        keep = columns.index("publication_basis") if (res["name"] in PERSON_TABLES
                                                      and "publication_basis" in columns) else None
        yield columns
        for row in reader:
            if keep is None or (len(row) > keep and row[keep] == PUBLISHABLE):
                yield row


def _parsed_count(package_dir: Path, res: dict) -> int:
    """A table's published rows, its file parsed (a quoted cell may span lines)."""
    return sum(1 for _ in _published(package_dir, res)) - 1  # minus the header


def _write_table(package_dir: Path, res: dict, out: Path) -> int:
    """One table's CSV, JSON and SQLite part (the typed rows, in file order) in one pass, and
    for persons the package file without the persons not to publish; returns its row count.
    The rows stream: sqlite-utils inserts them in batches as this pass yields them."""
    name, fields = res["name"], res["schema"]["fields"]
    rows = _published(package_dir, res)
    columns = next(rows)
    where = {c: i for i, c in enumerate(columns)}
    present = [(where[f["name"]], CONVERT.get(f.get("type"), _text)) for f in fields if f["name"] in where]
    names = [f["name"] for f in fields if f["name"] in where]
    text_at = [i for i, c in enumerate(columns)
               if c in {f["name"] for f in fields if f.get("type", "string") == "string"}]
    count, width = 0, len(columns)

    def records():
        nonlocal count
        for row in rows:
            if len(row) != width:
                row = (row + [""] * width)[:width]
            shown = list(row)
            for i in text_at:
                shown[i] = inert(shown[i])
            bom_w.writerow(shown)
            if plain_w:
                plain_w.writerow(row)
            record = dict(zip(names, [convert(row[i]) for i, convert in present]))
            json_f.write(("\n" if count == 0 else ",\n") + json.dumps(record, ensure_ascii=False))
            count += 1
            yield record

    with ExitStack() as files:
        bom_w = csv.writer(files.enter_context(open(out / f"{name}.csv", "w", encoding="utf-8-sig",
                                                    newline="")), lineterminator="\r\n")
        json_f = files.enter_context(open(out / f"{name}.json", "w", encoding="utf-8"))
        plain_w = None  # the zip carries the package's own file, except where persons are left out
        if name in PERSON_TABLES:
            plain_w = csv.writer(files.enter_context(open(out / "package.csv", "w", encoding="utf-8",
                                                          newline="")), lineterminator="\n")
            plain_w.writerow(columns)
        bom_w.writerow(columns)
        json_f.write("[")
        part = _scratch_db(out / "part.sqlite")
        part[name].create({f["name"]: SQL_TYPES.get(f.get("type"), "TEXT") for f in fields})
        part[name].insert_all(records(), batch_size=SQLITE_BATCH)
        part.close()
        json_f.write("\n]" if count else "]")
    return count


def _scratch_db(path: Path) -> sqlite_utils.Database:
    """A database file being made: no journal on disk and no waiting for the disk at each commit
    (a failed build leaves a temporary folder that the next one removes); the file format is
    the same."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode = MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    return db


def _sqlite_file(resources: list[dict], tables: dict, path: Path) -> None:
    """One database of every table but the zip-only ones: each table created with its keys,
    then filled from its part (SQLite copies the rows itself)."""
    in_database = {n for n, t in tables.items() if not t.zip_only}
    tmp = path.with_name("ntm.sqlite")
    db = _scratch_db(tmp)
    for res in resources:
        name = res["name"]
        if name not in in_database:
            continue
        _sqlite_table(db, res, in_database)
        columns = ", ".join(quote_identifier(f["name"]) for f in res["schema"]["fields"])
        db.execute("ATTACH DATABASE ? AS part", [str(tables[name].folder / "part.sqlite")])
        table = quote_identifier(name)
        db.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM part.{table} ORDER BY rowid")
        db.conn.commit()
        db.execute("DETACH DATABASE part")
    _sqlite_descriptions(db, resources)
    db.vacuum()
    db.close()
    os.replace(tmp, path)


def _part_rows(folder: Path, res: dict):
    """A table's typed rows from its SQLite part, in file order (booleans back from 0/1)."""
    fields = res["schema"]["fields"]
    booleans = [k for k, f in enumerate(fields) if f.get("type") == "boolean"]
    with closing(sqlite3.connect(folder / "part.sqlite")) as con:
        for row in con.execute(f"SELECT * FROM {quote_identifier(res['name'])} ORDER BY rowid"):
            if booleans:
                row = list(row)
                for k in booleans:
                    if isinstance(row[k], int):
                        row[k] = bool(row[k])
            yield row


def _xlsx_file(resources: list[dict], tables: dict, path: Path) -> None:
    """The workbook: the introduction, then one sheet per table (but the zip-only ones). openpyxl
    writes the workbook with each table's sheet holding only its header (and one date, so the
    date style is registered as in the table's own sheet); each of those is then replaced by
    the sheet the table's cache holds (see _write_sheet), so an edit writes one sheet again."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)  # openpyxl's streaming mode: a sheet is written row by row
    _xlsx_intro(wb, resources, [n for n, t in tables.items() if t.zip_only])
    sheets = {}
    for res in resources:
        table = tables[res["name"]]
        if not table.zip_only:
            fields = res["schema"]["fields"]
            dates = [["2020-01-01" if f.get("type") == "date" else None for f in fields]]
            _fill_sheet(wb, res, dates if any(dates[0]) else [], table.count)
            sheets[f"xl/worksheets/sheet{len(wb.worksheets)}.xml"] = table.folder / "sheet.xlsx"
    _save_xlsx(wb, path, sheets)


def _write_sheet(res: dict, folder: Path, count: int) -> None:
    """The table's sheet, as openpyxl writes it in the workbook: the second sheet of a workbook
    (the first one, like the introduction, is the selected one), rows from the SQLite part."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.create_sheet("Giới thiệu")
    _fill_sheet(wb, res, _part_rows(folder, res), count)
    wb.save(folder / "sheet.xlsx")


def _fill_sheet(wb, res: dict, rows, count: int) -> None:
    from openpyxl.utils import get_column_letter

    fields = res["schema"]["fields"]
    ws = _xlsx_sheet(wb, res["name"], fields)
    dates = [f.get("type") == "date" for f in fields]
    for row in rows:
        ws.append([_xlsx_cell(ws, value, is_date) for value, is_date in zip(row, dates)])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}{count + 1}"


def _sqlite_table(db, res: dict, present: set[str]) -> None:
    """The table with its types, primary key and the package's foreign keys (to tables that are
    in the database), so `PRAGMA foreign_key_check` and tools like Datasette see the links."""
    schema = res["schema"]
    keys = [(fk["fields"], (fk.get("reference") or {}).get("resource") or res["name"],
             (fk.get("reference") or {}).get("fields") or "id")
            for fk in schema.get("foreignKeys", [])]
    db[res["name"]].create(
        {f["name"]: SQL_TYPES.get(f.get("type"), "TEXT") for f in schema["fields"]},
        pk=_one_or_tuple(schema.get("primaryKey")),
        foreign_keys=[(_one_or_tuple(cols), target, _one_or_tuple(ref)) for cols, target, ref in keys
                      if target in present])


def _one_or_tuple(names):
    """A key as sqlite-utils takes it: one column's name, or a tuple of several."""
    if not names or isinstance(names, str):
        return names or None
    return names[0] if len(names) == 1 else tuple(names)


def _sqlite_descriptions(db, resources: list[dict]) -> None:
    """Two tables describing the others (as Datasette's metadata does): each table's title and
    description, each column's type, whether it is required and its description (English, from
    the schema, and Vietnamese)."""
    db["_table_descriptions"].insert_all(
        ({"table_name": res["name"], "title": res.get("title", ""), "description": res.get("description", "")}
         for res in resources),
        pk="table_name", columns={"table_name": "TEXT", "title": "TEXT", "description": "TEXT"})
    db["_column_descriptions"].insert_all(
        ({"table_name": res["name"], "column_name": f["name"], "type": f.get("type", "string"),
          "required": int(bool((f.get("constraints") or {}).get("required"))),
          "description": f.get("description", ""), "description_vi": column_words(res["name"], f)}
         for res in resources for f in res["schema"]["fields"]),
        pk=("table_name", "column_name"))


# --- the XLSX workbook -----------------------------------------------------------------------

WIDTHS = {"string": 30, "date": 12, "integer": 10, "year": 8, "number": 14, "boolean": 8}


def _xlsx_intro(wb, resources: list[dict], zip_only=()) -> None:
    """The first sheet, "Giới thiệu": what the workbook is, then every sheet and column in
    Vietnamese."""
    ws = wb.create_sheet("Giới thiệu")
    for letter, width in zip("ABCD", (26, 26, 60, 10)):
        ws.column_dimensions[letter].width = width
    ws.append(["Nông thôn mới Lạng Sơn: số liệu công khai"])
    ws.append(["Mỗi trang tính là một bảng của gói dữ liệu; mỗi dòng ghi nguồn (source_id) và "
               "vị trí trong nguồn (source_locator). Ô trống: không có số liệu công bố. Ngày ghi "
               "dd/mm/yyyy."])
    ws.append([])
    ws.append(["Trang tính", "Cột", "Nội dung", "Bắt buộc"])
    for res in resources:
        where = " (quá dài cho Excel: chỉ có trong gói ZIP)" if res["name"] in zip_only else ""
        ws.append([res["name"][:31], "", res.get("title", "") + where, ""])
        for f in res["schema"]["fields"]:
            ws.append([res["name"][:31], f["name"], column_words(res["name"], f),
                       "có" if (f.get("constraints") or {}).get("required") else ""])


def _xlsx_sheet(wb, name: str, fields: list[dict]):
    """A table's sheet: header row frozen, readable column widths (the filter is set once the
    rows are written)."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name[:31])
    ws.freeze_panes = "A2"
    for k, f in enumerate(fields, start=1):
        width = max(WIDTHS.get(f.get("type", "string"), 14), min(len(f["name"]) + 2, 40))
        ws.column_dimensions[get_column_letter(k)].width = width
    ws.append([f["name"] for f in fields])
    return ws


def _xlsx_cell(ws, value, is_date: bool):
    """A value as its cell: dates as real dates shown dd/mm/yyyy; text always a string cell
    (openpyxl would otherwise write text beginning with '=' as a formula)."""
    from openpyxl.cell import WriteOnlyCell

    if is_date:
        day = _xlsx_date(value)
        if isinstance(day, dt.date):
            cell = WriteOnlyCell(ws, value=day)
            cell.number_format = "DD/MM/YYYY"
            return cell
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


SHEET_IN_PART = "xl/worksheets/sheet2.xml"  # a table's sheet in its sheet.xlsx (_write_sheet)


def _save_xlsx(wb, path: Path, sheets: dict[str, Path] | None = None) -> None:
    """Save with fixed dates, so that the same package gives the same bytes; `sheets`: workbook
    members to take from the tables' sheet.xlsx files instead."""
    fixed = dt.datetime(*FIXED_TIME)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "site_builder"
    tmp = path.with_suffix(".tmp")
    wb.save(tmp)
    _rezip(tmp, path, sheets or {})
    tmp.unlink()


def _rezip(src_path: Path, out: Path, sheets: dict[str, Path]) -> None:
    """Rewrite a zip with fixed entry times and a fixed `modified` property (openpyxl stamps
    the current time in both when it saves), the members named in `sheets` taken from there."""
    with zipfile.ZipFile(src_path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name in sheets:
                _copy_member(dst, sheets[name], SHEET_IN_PART, _entry(name))
                continue
            data = src.read(name)
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2020-01-01T00:00:00Z\g<2>", data)
            dst.writestr(_entry(name), data)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _zip_file(out: Path, members: dict[str, Path | bytes]) -> None:
    """A zip, in name order, of bytes (compressed here) and of one-member zips (a table's
    member.zip, _deflate_member) whose compressed bytes are copied, not compressed again, so an
    unchanged table costs a copy."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            member = members[name]
            if isinstance(member, bytes):
                zf.writestr(_entry(name), member)
            else:
                _copy_member(zf, member, name, _entry(name))


def _data_offset(path: Path, member: str) -> int:
    """Where the compressed bytes of `member` begin in the zip at `path`."""
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        info = zf.getinfo(member)
        fh.seek(info.header_offset)
        name_len, extra_len = struct.unpack("<HH", fh.read(zipfile.sizeFileHeader)[26:30])
        return info.header_offset + zipfile.sizeFileHeader + name_len + extra_len


def _copy_member(dst: zipfile.ZipFile, src_path: Path, member: str, entry: zipfile.ZipInfo) -> None:
    """Append `member` of the zip at src_path to `dst` as `entry` (its name, date, attributes)
    with the member's compressed bytes as they are stored: zlib is not run again, and gives the
    same bytes as compressing anew."""
    with zipfile.ZipFile(src_path) as src:
        info = src.getinfo(member)
    assert info.compress_type == entry.compress_type and not info.flag_bits & 0x08, (src_path, info)
    entry.CRC, entry.compress_size, entry.file_size = info.CRC, info.compress_size, info.file_size
    with open(src_path, "rb") as fh:
        fh.seek(_data_offset(src_path, member))
        _append_raw(dst, entry, _read_exactly(fh, info.compress_size, f"{src_path}: {member}"))


def _read_exactly(fh, size: int, what: str):
    """`size` bytes of an open file, 1 MB at a time."""
    while size:
        data = fh.read(min(size, 1 << 20))
        if not data:
            raise ValueError(f"{what} is truncated")
        size -= len(data)
        yield data


def _append_raw(dst: zipfile.ZipFile, entry: zipfile.ZipInfo, compressed) -> None:
    """Append a member whose compressed bytes (`compressed`, an iterable of bytes) are ready,
    `entry` holding its CRC and sizes. The central-directory entry is written from `entry` when
    `dst` closes; zipfile's own bookkeeping (start_dir, _didModify) is updated as writestr does."""
    entry.header_offset = dst.fp.tell()
    dst.fp.write(entry.FileHeader())
    for data in compressed:
        dst.fp.write(data)
    dst.filelist.append(entry)
    dst.NameToInfo[entry.filename] = entry
    dst.start_dir = dst.fp.tell()
    dst._didModify = True


EXTRACT_TABLES = ("commune_recognitions", "unit_changes", "donors", "households", "land_donors",
                  "projects", "production_models", "awards")
LABEL_FIELDS = ("name", "recipient", "decision", "category")


class Extracts:
    """Per-place extracts (du-lieu/xa/<id>.json|csv, du-lieu/huyen/...), written once per package
    version into cache_dir/extracts/<package key>/ and linked from there into the site by the
    next builds, which do not make them again; never held in memory. Without a cache folder
    they go straight to the writer."""

    def __init__(self, cache_dir: Path | None, package_dir: Path, descriptor: dict):
        self.folder = self.ready = None
        if cache_dir:
            root = Path(cache_dir) / "extracts"
            self.folder = root / package_key(package_dir, descriptor)
            self.ready = (self.folder / "done").is_file()
            if not self.ready:  # one package version kept: the current one
                shutil.rmtree(root, ignore_errors=True)
                self.folder.mkdir(parents=True)

    def add(self, out, rel: str, make) -> None:
        names = (rel + ".json", rel + ".csv")
        if self.folder is None:
            for name, data in zip(names, make()):
                out.add(name, data)
            return
        if not self.ready:
            (self.folder / rel).parent.mkdir(parents=True, exist_ok=True)
            for name, data in zip(names, make()):
                (self.folder / name).write_bytes(data)
        for name in names:
            out.add_file(name, self.folder / name)

    def finish(self) -> None:
        """Every extract of this version is in the cache: the next build reuses them."""
        if self.folder and not self.ready:
            (self.folder / "done").touch()
            self.ready = True


def _plain(rows: list[dict]) -> list[dict]:
    """Rows without the model's own keys (_line, lists of related rows); the rows of one
    table share their keys."""
    if not rows:
        return []
    keys = tuple(k for k, v in rows[0].items() if not k.startswith("_") and not isinstance(v, list))
    values = operator.itemgetter(*keys)
    return [dict(zip(keys, values(r))) for r in rows] if len(keys) > 1 else [{k: r[k] for k in keys} for r in rows]


def _json_value(value):
    """Dates as ISO text, decimals as numbers (json.dumps calls this only for those)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "as_tuple"):
        return float(value)
    raise TypeError(f"not JSON: {value!r}")


def _summary(table: str, r: dict) -> list[str]:
    """A record as a row of the CSV extract: table, id, label, figure as stated, source."""
    if table == "unit_changes":
        label = f"{r['from_commune_id']} → {r.get('to_commune_id') or '?'} ({r['change_type']})"
    elif table == "commune_criteria":
        label = f"{r['criteria_set']} {r['criterion_number']} ({r['as_of']})"
    elif table == "commune_criteria_counts":
        label = f"{r['level']} {r['criteria_set'] or ''} ({r['as_of']})"
    else:
        label = next((str(r[f]) for f in LABEL_FIELDS if r.get(f)), "")
    if table == "commune_criteria":
        figure = r.get("status") or ""
    elif table == "commune_criteria_counts":
        figure = f"{r['criteria_met']}/{r['criteria_total']}"
    else:
        figure = " ".join(str(p) for p in (r.get("qualifier"), r.get("amount_stated"), r.get("unit_stated"))
                          if p) or str(r.get("area_stated") or r.get("income_text") or r.get("year") or "")
    return [table, r["id"], label, figure, r.get("source_id") or "", r.get("source_locator") or ""]


def place_extract(unit: dict, related: dict[str, list[dict]]) -> tuple[bytes, bytes]:
    """One commune's or district's own extract: the unit and every row placed there, as JSON
    (nested by table; compact, one line) and CSV (one row per record: table, id, label, figure,
    source; a criterion's status and a count are its figure)."""
    doc = {"unit": _plain([unit])[0], **{t: _plain(rows) for t, rows in related.items() if rows}}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["table", "id", "label", "figure_as_stated", "source_id", "source_locator"])
    writer.writerows(map(inert, _summary(table, r)) for table, rows in related.items() for r in rows)
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=_json_value).encode("utf-8"),
            ("\ufeff" + buf.getvalue()).encode("utf-8"))
