"""Downloads stage alone (SYNTHETIC package): exports.download_files as pages/data.py calls it,
cold (empty cache), again with nothing changed, then after a one-row edit of
commune_recognitions.csv (the `note` of its first row, as scale.py --edit-one does), and after a
second edit. Prints wall and CPU seconds, the load average before each run, and the time in
each exports function found. The edited file is restored afterwards.

    .venv/bin/python tests/benchmarks/downloads_bench.py PACKAGE_COPY --cache DIR

Run it on a COPY of a generated package: it edits the package in place."""
from __future__ import annotations

import argparse
import csv
import functools
import io
import os
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from site_builder import exports  # noqa: E402
from site_builder.package import load_descriptor  # noqa: E402

WATCHED = ("_write_downloads", "_table_files", "_sqlite_file", "_xlsx_file", "_write_sheet",
           "_save_xlsx", "_deflate_member", "_zip_file", "_write_table")
spent: dict[str, float] = {}


def watch() -> None:
    for name in WATCHED:
        original = getattr(exports, name, None)
        if original is None:
            continue

        @functools.wraps(original)
        def timed(*args, _original=original, _name=name, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] = spent.get(_name, 0.0) + time.perf_counter() - start
        setattr(exports, name, timed)


def cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(label: str, package: Path, cache: Path) -> None:
    spent.clear()
    load = os.getloadavg()[0]
    wall, used = time.perf_counter(), cpu()
    downloads = exports.download_files(package, load_descriptor(package), cache)
    wall, used = time.perf_counter() - wall, cpu() - used
    split = ", ".join(f"{k} {v:.1f}" for k, v in sorted(spent.items(), key=lambda kv: -kv[1]))
    print(f"{label:<22} {wall:6.1f} s wall {used:6.1f} CPU s  load {load:.2f}  "
          f"({len(downloads.files)} files; {split})", flush=True)


def edit(path: Path, n: int) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    note = rows[0].index("note")
    rows[1][note] = f"{rows[1][note]} (sửa thử {n})".strip()
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package", type=Path)
    ap.add_argument("--cache", type=Path, required=True, help="emptied first: the cold run")
    args = ap.parse_args()
    watch()
    shutil.rmtree(args.cache, ignore_errors=True)
    run("cold", args.package, args.cache)
    run("again, unchanged", args.package, args.cache)
    path = args.package / "data" / "commune_recognitions.csv"
    original = path.read_bytes()
    try:
        for n in (1, 2):
            edit(path, n)
            run(f"after one-row edit {n}", args.package, args.cache)
    finally:
        path.write_bytes(original)


if __name__ == "__main__":
    main()
