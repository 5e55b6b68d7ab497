"""Page inputs alone (site_builder/inputs.py, SYNTHETIC package), without building the site:
after one `note` cell of one row of commune_criteria.csv is edited, the place hashes of that
table made from the whole file (inputs.csv_place_hashes, what a build without the validation's
row delta does) against those made from the delta (inputs.delta_place_hashes), then
PageInputs.__init__ each way and the keys of every commune and district page. Prints wall and
CPU seconds and the load average before and after each step; checks both ways change the hash
of the edited commune alone. The edited file is restored afterwards.

    .venv/bin/python tests/benchmarks/inputs_bench.py PACKAGE_COPY --work DIR [--pages-from FILE]

Run it on a COPY of a generated package: it edits commune_criteria.csv in place. DIR holds the
inputs cache and a copy of the file; FILE: a build's page-inputs.json whose pages are stored
with the hashes (their number: the cost of reading the stored keys)."""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from site_builder import inputs, package  # noqa: E402
from site_builder.inputs import PageInputs, csv_place_hashes, delta_place_hashes  # noqa: E402
from site_builder.package import REQUIRED_RESOURCES, load_descriptor  # noqa: E402
from site_builder.row_delta import find_delta  # noqa: E402

TABLE = "commune_criteria"


def timed(label, fn, *a, **k):
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*a, **k)
    print(f"{label:60s} wall {time.perf_counter() - wall:7.3f} s  CPU {time.process_time() - cpu:7.3f} s"
          f"  load {load:.2f} -> {os.getloadavg()[0]:.2f}", flush=True)
    return out


def edit_note(original: Path, path: Path, line: int) -> str:
    """The note of the row on `line` (header = 1) of `original` changed, written to `path`;
    returns the row's commune."""
    data = original.read_bytes()
    start = 0
    for _ in range(line - 1):
        start = data.index(b"\n", start) + 1
    end = data.index(b"\n", start) + 1
    [row] = csv.reader(io.StringIO(data[start:end].decode("utf-8")))
    row[-1] = "Ghi chú sửa thử (giả lập)."
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    path.write_bytes(data[:start] + out.getvalue().encode("utf-8") + data[end:])
    return row[1]


def place_keys(page_inputs, communes: list[tuple[str, str]]) -> None:
    by_district: dict[str, list[str]] = {}
    for cid, did in communes:
        page_inputs.key(f"xa/{cid}.md", "v1 2025-01-01", [cid])
        by_district.setdefault(did, []).append(cid)
    for did, cids in by_district.items():
        page_inputs.key(f"huyen/{did}.md", "v1 2025-01-01", cids, [did])


def run(pkg: Path, work: Path, pages_from: Path | None) -> None:
    path, original, cache = pkg / "data" / f"{TABLE}.csv", work / f"{TABLE}.orig.csv", work / "cache"
    work.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(cache, ignore_errors=True)
    shutil.copyfile(path, original)
    descriptor = load_descriptor(pkg)
    model = SimpleNamespace(descriptor=descriptor, tables={n: [] for n in REQUIRED_RESOURCES},
                            rows=lambda name: [])  # the tables a place page reads are files here
    keys = {r["name"]: f"validated-{r['name']}" for r in descriptor["resources"]}
    first = timed("PageInputs of the last build (every table hashed)", PageInputs, cache,
                  work / "docs", model, pkg, "", SimpleNamespace(file_keys=keys, deltas={}))
    cache.mkdir(parents=True, exist_ok=True)
    pages = json.loads(pages_from.read_text(encoding="utf-8"))["pages"] if pages_from else {}
    (cache / inputs.FILE).write_text(json.dumps(
        {"root": str(first.root), "tables": first.tables, "pages": pages}), encoding="utf-8")
    rows = sum(1 for _ in open(original, "rb")) - 1
    try:
        commune = edit_note(original, path, rows // 2)
        print(f"edited: the note of line {rows // 2:,} of {rows:,} rows (commune {commune}), "
              f"{len(pages):,} pages stored")
        delta = timed("row_delta.find_delta (the validation's own, for reference)", find_delta,
                      original, path, rows, True)
        delta.file_key = keys[TABLE]
        old = first.tables[TABLE]
        full = timed("csv_place_hashes of the edited file (without the delta)", csv_place_hashes, path)
        header = [f["name"] for r in descriptor["resources"] if r["name"] == TABLE
                  for f in r["schema"]["fields"]]
        new = timed("delta_place_hashes (with the delta)", delta_place_hashes, old, delta, header)
        for label, hashes in (("whole file", full), ("delta", new)):
            changed = sorted(k for k in hashes["c"] if hashes["c"][k] != old["c"].get(k))
            print(f"  {label}: communes whose hash changed {changed} of {len(hashes['c']):,}")
            assert changed == [commune]
        fed, feed = [], package.feed_file

        def spy(digest, file):
            fed.append(Path(file).name)
            feed(digest, file)
        inputs.feed_file = spy
        timed("PageInputs without the validation's keys and delta", PageInputs, cache,
              work / "docs", model, pkg, "")
        print(f"  files hashed: {', '.join(fed)}")
        fed.clear()
        after = timed("PageInputs with them", PageInputs, cache, work / "docs", model, pkg, "",
                      SimpleNamespace(file_keys={**keys, TABLE: "validated-edited"},
                                      deltas={TABLE: delta}))
        print(f"  files hashed: {', '.join(fed)}")
        assert after.tables[TABLE]["c"] == new["c"]
        with open(pkg / "data" / "communes.csv", encoding="utf-8", newline="") as fh:
            communes = [(r["id"], r["district_id"]) for r in csv.DictReader(fh)]
        timed(f"PageInputs.key of {len(communes):,} commune pages and their districts'", place_keys,
              after, communes)
    finally:
        shutil.copyfile(original, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package", type=Path, help="a COPY of a generated package (edited, then restored)")
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--pages-from", type=Path, help="a build's page-inputs.json (its pages are stored)")
    args = ap.parse_args()
    run(args.package.resolve(), args.work.resolve(), args.pages_from)


if __name__ == "__main__":
    main()
