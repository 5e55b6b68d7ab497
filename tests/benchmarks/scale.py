"""Scale benchmark: build the site from SYNTHETIC national packages of growing size and compare
with a bare MkDocs build of the same pages.

    python tests/benchmarks/scale.py --communes 250,2500,10600

For each size it generates a SYNTHETIC package (tests/benchmarks/synth.py; made-up data, never
published), runs the real build path (`site_builder.build.build_site`: validate, model, pages,
charts, write, `mkdocs build --strict`) in a child process with each stage timed, samples the
memory of that process and its children (MkDocs), measures the built site and its search index,
then builds plain ~2 KB pages at the same paths with the same mkdocs.yml (theme, features,
plugins, nav) as the "bare MkDocs" reference. It prints one table, the growth factor between
sizes, and the issue's targets as met / missed. `--real` adds a row for the real package.

Run from a fresh clone: if site_builder cannot be imported, the script runs
`make .venv/.installed` and restarts itself with .venv/bin/python.
"""
from __future__ import annotations

import argparse
import csv
import functools
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV_PY = ROOT / ".venv" / "bin" / "python"

TARGET_SECONDS, TARGET_RSS_MB, TARGET_GROWTH, TARGET_BARE_RATIO, TARGET_INDEX_GZ_MB = 120, 1536, 5.0, 1.3, 5.0
TARGET_COLD_RATIO, TARGET_PREVIEW_S = 2.0, 3.0  # issue 16: cold <= 2x bare MkDocs, rebuilt <= 1.3x
NATIONAL = 10600


def _ensure_env() -> None:
    """From a fresh clone: install the project's venv (make) and restart with its python."""
    try:
        import mkdocs  # noqa: F401

        import site_builder  # noqa: F401
        return
    except ImportError:
        pass
    if not (ROOT / ".venv" / ".installed").exists():
        subprocess.run(["make", "-C", str(ROOT), ".venv/.installed"], check=True)
    if Path(sys.executable).absolute() != VENV_PY.absolute():
        os.execv(str(VENV_PY), [str(VENV_PY), *sys.argv])
    raise SystemExit("site_builder is not importable even from .venv; run `make test` once")


# --- child: one timed build ---------------------------------------------------------------

def child_build(package: Path, work: Path, profile: Path | None) -> dict:
    """Run the real build with every stage wrapped in a timer. Runs in its own process."""
    import resource

    sys.path.insert(0, str(ROOT))
    stages: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)   # CPU seconds (this process + waited children)

    def _cpu() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    nested: list[list[float]] = []  # [wall, CPU] of the timed calls inside the running one

    def wrap(owner, attr, stage, only_if=None, exclusive=True):
        """Time owner.attr as `stage`. An exclusive stage leaves out the time of the exclusive
        stages it calls (writes and charts inside page generation), so the stages add up; the
        others (per page module, per export) are for the detail line only."""
        fn = getattr(owner, attr, None)
        if fn is None or getattr(fn, "_timed", False):
            return

        @functools.wraps(fn)
        def timed(*a, **k):
            if only_if and not only_if(a, k):
                return fn(*a, **k)
            t, c = time.perf_counter(), _cpu()
            if exclusive:
                nested.append([0.0, 0.0])
            try:
                return fn(*a, **k)
            finally:
                wall, used = time.perf_counter() - t, _cpu() - c
                if exclusive:
                    inner = nested.pop()
                    if nested:
                        nested[-1][0] += wall
                        nested[-1][1] += used
                    wall, used = wall - inner[0], used - inner[1]
                stages[stage] += wall
                cpu[stage] += used
        timed._timed = True
        setattr(owner, attr, timed)

    t_import = time.perf_counter()
    import site_builder.build as B
    from site_builder import charts, pages
    stages["import"] = time.perf_counter() - t_import
    wrap(B, "validate_package_cached", "validate")
    wrap(B, "build_model", "model")
    wrap(B, "cached_history", "history")  # load_history on a miss, inside it
    wrap(B, "data_version", "history")
    wrap(B, "generate_all", "pages")
    # charts: the spec, then the renderer (CSV and cached SVG at once, the rest in worker
    # processes during page generation; finish() waits for them and reaps the workers, whose
    # CPU seconds are counted there)
    wrap(charts.Renderer, "add", "charts:render")
    wrap(charts.Renderer, "finish", "charts:render")
    counts = {}
    add = charts.Renderer.add

    @functools.wraps(add)
    def counting(self, chart, *a, **k):
        counts["charts"] = counts.get("charts", 0) + 1
        return add(self, chart, *a, **k)
    counting._timed = True
    charts.Renderer.add = counting
    for name in ("time_chart", "bar_chart_marks"):   # every chart type goes through these two
        wrap(charts, name, "charts:spec")
    from site_builder import place_charts  # commune and district charts
    for name in ("criteria_over_time", "communes_latest"):
        wrap(place_charts, name, "charts:spec")
    for name in ("add", "add_file", "commit"):  # files are written as they are made
        wrap(B.Writer, name, "write")
    wrap(B, "structure_key", "mkdocs:structure key")
    wrap(B, "publish", "publish")
    try:
        from site_builder import exports
        for name in ("download_files", "_write_downloads", "_save_xlsx", "_deflate_member", "place_extract"):
            wrap(exports, name, f"exports:{name}", exclusive=False)
    except ImportError:
        pass
    import importlib
    import pkgutil
    for mod in pkgutil.iter_modules(pages.__path__):
        m = importlib.import_module(f"site_builder.pages.{mod.name}")
        wrap(m, "generate", f"pages:{mod.name}", exclusive=False)
    wrap(subprocess, "run", "mkdocs",
         only_if=lambda a, k: "mkdocs" in " ".join(map(str, a[0] if a else k.get("args", []))))

    site_dir = work / "site"
    t0, c0 = time.perf_counter(), _cpu()
    if profile:
        import cProfile
        prof = cProfile.Profile()
        prof.enable()
    B.build_site(package, site_dir, work_dir=work / "build")
    if profile:
        prof.disable()
        prof.dump_stats(str(profile))
    total = time.perf_counter() - t0
    total_cpu = _cpu() - c0
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"total": total, "stages": dict(stages), "py_rss_mb": self_rss, "charts": counts.get("charts", 0),
            "total_cpu": total_cpu, "cpu": dict(cpu)}


# --- parent: memory sampling, measuring, reporting -------------------------------------------

def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return out


def run_sampled(cmd: list[str], env=None, cwd=None) -> tuple[subprocess.CompletedProcess, float, dict]:
    """Run cmd, sampling every 0.1 s the RSS of the process and of its descendants (MkDocs).
    Returns (completed process, wall seconds, peaks in MB: tree sum, root, descendants)."""
    import resource

    def kids_cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime
    t0, c0 = time.perf_counter(), kids_cpu()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    peak = {"tree": 0, "root": 0, "children": 0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            pids = _tree(proc.pid)
            root = _rss_kb(proc.pid)
            own = _cmdline(proc.pid)
            # a child forked but not yet exec'd still shows the parent's pages: skip it
            kids = sum(_rss_kb(p) for p in pids[1:] if _cmdline(p) != own)
            peak["tree"] = max(peak["tree"], root + kids)
            peak["root"] = max(peak["root"], root)
            peak["children"] = max(peak["children"], kids)
            done.wait(0.1)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    done.set()
    th.join()
    wall = time.perf_counter() - t0
    mb = {k: v / 1024 for k, v in peak.items()}
    mb["cpu"] = kids_cpu() - c0   # CPU seconds of the whole tree: less sensitive to load than wall time
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), wall, mb


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


PLAIN = ("Trang thuần văn bản dùng làm mốc so sánh: cùng giao diện, cùng cấu hình MkDocs, "
         "không bảng, không biểu đồ. Xã nông thôn mới đạt mười chín tiêu chí về quy hoạch, giao "
         "thông, thủy lợi, điện, trường học, cơ sở vật chất văn hóa, thương mại, thông tin và "
         "truyền thông, nhà ở, thu nhập, hộ nghèo, lao động, tổ chức sản xuất, giáo dục, y tế, "
         "văn hóa, môi trường, hệ thống chính trị, quốc phòng và an ninh. ")


def bare_build(docs_src: Path, work: Path) -> dict:
    """Plain ~2 KB pages at the same paths as the generated site, built with the project's
    mkdocs.yml (same theme, features, plugins, nav): the bare MkDocs reference."""
    from site_builder.build import WEB_ASSETS, mkdocs_config

    bare = work / "bare"
    shutil.rmtree(bare, ignore_errors=True)
    docs = bare / "docs"
    pages = sorted(p.relative_to(docs_src) for p in docs_src.rglob("*.md"))
    for i, rel in enumerate(pages):
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"# Trang {i + 1}\n\n" + "\n\n".join([PLAIN * 2] * 3) + "\n", encoding="utf-8")
    shutil.copytree(WEB_ASSETS, docs / "assets", dirs_exist_ok=True)
    config = mkdocs_config(bare, docs, bare / "site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc, wall, peak = run_sampled([sys.executable, "-m", "mkdocs", "build", "--clean", "-q", "-f", str(config)],
                                   env=env)
    if proc.returncode != 0:
        raise RuntimeError("bare mkdocs build failed:\n" + proc.stderr[-3000:])
    return {"pages": len(pages), "seconds": wall, "rss_mb": peak["tree"], "cpu": peak["cpu"]}


def rebuild(package: Path, work: Path) -> dict:
    """A second build of the same package with the caches of the first (validation report,
    downloads, chart SVGs) and the docs folder in place: what staff wait for on a preview or a
    push that changed nothing the pages show."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", str(package), str(work)]
    proc, wall, peak = run_sampled(cmd)
    if proc.returncode != 0:
        raise RuntimeError(f"rebuild failed:\n{proc.stderr[-5000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res.update(wall=wall, peak_mb=max(peak["tree"], res["py_rss_mb"]))
    return res


# (table, column, new value or None): each --edit-one rebuild changes this cell of the table's
# first data row: one commune's recognition note twice (a few words appended), then one commune's
# status row of one criterion (a 2-million-row table at 10,600 communes): its note, then its
# status (met <-> not met: what the domain checks and the commune's page read)
EDITS = (("commune_recognitions", "note", None), ("commune_recognitions", "note", None),
         ("commune_criteria", "note", None), ("commune_criteria", "status", {"met": "not_met", "not_met": "met"}))


def edited_rebuilds(package: Path, work: Path) -> list[dict]:
    """Rebuilds after a one-commune edit (--edit-one): one cell of one row changed (EDITS), then
    built, for each edit in turn (a package in git gets a new version label on its first
    uncommitted edit, shown on every page; the second edit shows the one-commune cost; the third
    and fourth edit the large criteria table). The files are restored afterwards."""
    originals, results = {}, []
    try:
        for n, (table, column, swap) in enumerate(EDITS, 1):
            path = package / "data" / f"{table}.csv"
            text = path.read_bytes().decode("utf-8")
            originals.setdefault(path, path.read_bytes())
            header, first, rest = text.split("\n", 2)
            cells = next(csv.reader([first]))
            at = header.split(",").index(column)
            cells[at] = swap.get(cells[at], cells[at]) if swap else cells[at] + f" (sửa thử {n})"
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow(cells)
            path.write_bytes(f"{header}\n{out.getvalue()}{rest}".encode("utf-8"))
            load = os.getloadavg()[0]
            results.append(dict(rebuild(package, work), load_before=load, edited=f"{table}.{column}"))
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    return results


def zensical(docs: Path, work: Path) -> dict:
    """The same generated Markdown built with Zensical (tests/benchmarks/zensical_build.py,
    installed in its own venv): the announced successor, measured against our MkDocs stage."""
    sys.path.insert(0, str(HERE))
    import zensical_build

    return zensical_build.zensical_build(ROOT / "mkdocs.yml", docs, work / "site-zensical",
                                         venv_dir=work.parent / "zensical-venv")


def measure(label: str, communes: int, package: Path, work: Path, bare: bool, profile: bool,
            again: bool = False, with_zensical: bool = False, with_preview: bool = False,
            edit_one: bool = False) -> dict:
    shutil.rmtree(work / "build", ignore_errors=True)
    shutil.rmtree(work / "site", ignore_errors=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", str(package), str(work)]
    if profile:
        cmd += ["--_profile", str(work / "build.prof")]
    load = os.getloadavg()[0]
    proc, wall, peak = run_sampled(cmd)
    if proc.returncode != 0:
        raise RuntimeError(f"build of {label} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-5000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    site = work / "site"
    docs = work / "build" / "docs"
    index = site / "search" / "search_index.json"
    raw = index.read_bytes() if index.is_file() else b""
    # ru_maxrss of a forked child counts the parent's pages until exec: use the samples for MkDocs
    res.update(label=label, communes=communes, wall=wall, peak_mb=max(peak["tree"], res["py_rss_mb"]),
               py_rss_mb=max(peak["root"], res["py_rss_mb"]), child_rss_mb=peak["children"],
               md_pages=sum(1 for _ in docs.rglob("*.md")), html_pages=sum(1 for _ in site.rglob("*.html")),
               site_mb=dir_size(site) / 2**20, index_mb=len(raw) / 2**20,
               index_gz_mb=len(gzip.compress(raw, 6)) / 2**20, load_before=load)
    res["bare"] = bare_build(docs, work) if bare else None
    res["zensical"] = zensical(docs, work) if with_zensical else None
    load = os.getloadavg()[0]
    res["rebuild"] = dict(rebuild(package, work), load_before=load) if again else None
    res["edited"] = edited_rebuilds(package, work) if edit_one else None
    res["preview"] = preview(package, work) if with_preview else None
    return res


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.read().decode("utf-8", "replace")
    except OSError:
        return None


def preview(package: Path, work: Path, start_timeout: float = 900, timeout: float = 300) -> dict:
    """What staff wait for in `make serve`: run `python -m site_builder serve` on a copy of the
    package (loopback only, a free port), wait until it serves the home page, then save one CSV
    edit (a marker put at the start of the first donor's gift, shown on that commune's page) and time
    until that page, fetched over HTTP, shows it. Bounded loops; the server is stopped after."""
    copy = work / "preview-package"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(package, copy)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log = open(work / "preview.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", str(copy), "--work-dir",
                             str(work / "preview"), "--addr", f"127.0.0.1:{port}"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        t0 = time.perf_counter()
        while _get(base) is None:
            if proc.poll() is not None or time.perf_counter() - t0 > start_timeout:
                raise RuntimeError(f"preview did not start; see {work / 'preview.log'}")
            time.sleep(0.5)
        started = time.perf_counter() - t0
        time.sleep(2)  # let the watcher settle
        csv = copy / "data" / "donors.csv"
        lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
        header = lines[0].rstrip("\r\n").split(",")
        assert header[:4] == ["id", "name", "donor_kind", "gift"], header
        marker = f"SUATHU{port}"
        first = lines[1]
        # the gift is the fourth cell: quoted or not, put the marker at the start of it
        cells = first.split(",", 3)
        cells[3] = (f'"{marker} ' + cells[3][1:]) if cells[3].startswith('"') else f"{marker} " + cells[3]
        lines[1] = ",".join(cells)
        saved = time.perf_counter()
        csv.write_text("".join(lines), encoding="utf-8")
        docs = work / "preview" / "docs"
        url = None
        while time.perf_counter() - saved < timeout:
            if url is None:
                for md in docs.rglob("*.md"):
                    if marker in md.read_text(encoding="utf-8"):
                        rel = md.relative_to(docs).as_posix()[:-3]
                        rel = rel[:-5] if rel.endswith("index") else rel + "/"
                        url = base + rel
                        break
            if url and marker in (_get(url) or ""):
                return {"seconds": time.perf_counter() - saved, "start_s": started, "page": url[len(base):],
                        "load": os.getloadavg()[0]}
            time.sleep(0.1)
        raise RuntimeError(f"the edit did not show within {timeout} s; see {work / 'preview.log'}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()


def stage_split(res: dict, key: str = "stages", total: str = "total") -> dict:
    s = res[key]
    spec = s.get("charts:spec", 0.0)
    split = {"validate": s.get("validate", 0.0), "model": s.get("model", 0.0) + s.get("history", 0.0),
             "pages": s.get("pages", 0.0), "charts": spec + s.get("charts:render", 0.0),
             "write": s.get("write", 0.0), "mkdocs": s.get("mkdocs", 0.0)}
    split["other"] = res[total] - sum(split.values())
    return split


def print_report(results: list[dict]) -> None:
    head = ["size", "pages", "total s", "validate", "model", "pages", "charts", "write", "mkdocs",
            "other", "peak RSS MB", "pages/s", "site MB", "search MB", "search gz MB", "bare s", "ratio",
            "rebuild s", "rebuild ratio"]
    rows = []
    for r in results:
        sp = stage_split(r)
        bare = r.get("bare")
        rows.append([r["label"], str(r["md_pages"]), f"{r['total']:.1f}"] +
                    [f"{sp[k]:.1f}" for k in ("validate", "model", "pages", "charts", "write", "mkdocs", "other")] +
                    [f"{r['peak_mb']:.0f}", f"{r['md_pages'] / r['total']:.1f}", f"{r['site_mb']:.1f}",
                     f"{r['index_mb']:.2f}", f"{r['index_gz_mb']:.2f}",
                     f"{bare['seconds']:.1f}" if bare else "-",
                     f"{r['total'] / bare['seconds']:.2f}" if bare else "-",
                     f"{r['rebuild']['total']:.1f}" if r.get("rebuild") else "-",
                     f"{r['rebuild']['total'] / bare['seconds']:.2f}" if bare and r.get("rebuild") else "-"])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    line = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths)) + " |"
    print()
    print("SYNTHETIC data (tests/benchmarks/synth.py) unless the size says 'real'. Times in seconds.")
    print(line(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    head2 = ["size", "total CPU s", "validate", "model", "pages", "charts", "write", "mkdocs", "other",
             "bare CPU s", "CPU ratio"]
    rows2 = []
    for r in results:
        sp = stage_split(r, "cpu", "total_cpu")
        bare = r.get("bare")
        rows2.append([r["label"], f"{r['total_cpu']:.1f}"] +
                     [f"{sp[k]:.1f}" for k in ("validate", "model", "pages", "charts", "write", "mkdocs", "other")] +
                     [f"{bare['cpu']:.1f}" if bare else "-", f"{r['total_cpu'] / bare['cpu']:.2f}" if bare else "-"])
    widths2 = [max(len(h), *(len(row[i]) for row in rows2)) for i, h in enumerate(head2)]
    line2 = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths2)) + " |"
    print("\nThe same in CPU seconds (process + children; much less sensitive to other load on the machine):")
    print(line2(head2))
    print("|" + "|".join("-" * (w + 2) for w in widths2) + "|")
    for row in rows2:
        print(line2(row))
    print("\nStages: validate = validate_package; model = build_model + git history; pages = page modules "
          "without chart specs and writes (includes downloads/exports); charts = Vega-Lite specs + SVG rendering "
          "(the part the build waits for; workers render during the pages); "
          "write = Writer (files written as made, then moved in); mkdocs = `mkdocs build --strict` subprocess; "
          "other = the rest "
          "(reading the package bytes, assets, site swap). Peak RSS = build process + MkDocs child "
          "(sampled tree sum or per-process maximum, whichever is larger). ratio = total / bare. "
          "rebuild = the same package built again with the first build's caches (--rebuild).")
    for r in results:
        detail = ", ".join(f"{k}={v:.1f}" for k, v in sorted(r["stages"].items(), key=lambda kv: -kv[1]) if v >= 0.05)
        bare = r.get("bare")
        print(f"\n[{r['label']}] load avg before: {r['load_before']:.1f}; {r.get('charts', '?')} charts; "
              f"python peak {r['py_rss_mb']:.0f} MB, "
              f"mkdocs peak {r['child_rss_mb']:.0f} MB"
              + (f"; bare mkdocs {bare['pages']} pages, peak {bare['rss_mb']:.0f} MB" if bare else "")
              + (f"; package generated in {r['gen_s']:.1f} s ({r['status_rows']} status rows)"
                 if r.get("gen_s") else ""))
        print(f"  stage detail (s): {detail}")
        if r.get("charts") and r.get("cpu"):
            spent = r["cpu"].get("charts:spec", 0.0) + r["cpu"].get("charts:render", 0.0)
            print(f"  charts: CPU per chart {1000 * spent / r['charts']:.0f} ms (Vega-Lite spec + SVG, "
                  f"render workers included; goal <= 30 ms on the real site)")
        z = r.get("zensical")
        if z:
            print(f"  Zensical on the same Markdown: {'ok' if z['ok'] else 'FAILED'} {z['seconds']:.1f} s, "
                  f"CPU {z['cpu']:.1f} s, peak {z['rss_mb']} MB (MkDocs stage: {r['stages'].get('mkdocs', 0):.1f} s, "
                  f"CPU {r['cpu'].get('mkdocs', 0):.1f} s)"
                  + ("" if z["ok"] else
                     f"; error: {z['error'].strip().splitlines()[-1][:300] if z['error'].strip() else '?'}"))
        if r.get("rebuild"):
            again = ", ".join(f"{k}={v:.1f}" for k, v in sorted(r["rebuild"]["stages"].items(),
                                                                key=lambda kv: -kv[1]) if v >= 0.05)
            print(f"  rebuild (s): total={r['rebuild']['total']:.1f} ({r['rebuild']['total_cpu']:.1f} CPU s, "
                  f"load {r['rebuild'].get('load_before', 0):.1f} before), {again}")
        for n, e in enumerate(r.get("edited") or (), 1):
            parts = ", ".join(f"{k}={v:.1f}" for k, v in sorted(e["stages"].items(), key=lambda kv: -kv[1])
                              if v >= 0.05)
            print(f"  rebuild after one-commune edit {n}, {e.get('edited', '')} (s): total={e['total']:.1f} "
                  f"({e['total_cpu']:.1f} CPU s, load {e['load_before']:.1f} before), {parts}")
        if r.get("preview"):
            p = r["preview"]
            print(f"  preview refresh: {p['seconds']:.1f} s (a CSV save until /{p['page']} shows it over HTTP "
                  f"in `serve`; first pages served after {p['start_s']:.0f} s; load {p['load']:.1f})")
    synth = [r for r in results if r["label"] != "real"]
    if len(synth) > 1:
        print("\nGrowth between sizes (time factor / commune factor):")
        for a, b in zip(synth, synth[1:]):
            sa, sb = stage_split(a), stage_split(b)
            f = b["communes"] / a["communes"]
            parts = ", ".join(f"{k} {sb[k] / sa[k]:.1f}x" for k in sa if sa[k] > 0.05)
            bare = (f", bare {b['bare']['seconds'] / a['bare']['seconds']:.1f}x"
                    if a.get("bare") and b.get("bare") else "")
            ca, cb = stage_split(a, "cpu", "total_cpu"), stage_split(b, "cpu", "total_cpu")
            cparts = ", ".join(f"{k} {cb[k] / ca[k]:.1f}x" for k in ca if ca[k] > 0.05)
            cbare = (f", bare {b['bare']['cpu'] / a['bare']['cpu']:.1f}x" if a.get("bare") and b.get("bare") else "")
            print(f"  {a['label']} -> {b['label']} ({f:.1f}x communes): wall: total {b['total'] / a['total']:.1f}x"
                  f"{bare}; {parts}")
            print(f"  {' ' * len(a['label'] + b['label'])}      {' ' * len(f'({f:.1f}x communes)')} CPU:  total "
                  f"{b['total_cpu'] / a['total_cpu']:.1f}x{cbare}; {cparts}")
    print("\nTargets:")
    for r in results:
        ok = lambda c: "MET" if c else "MISSED"
        if r["communes"] == NATIONAL:
            print(f"  national build <= {TARGET_SECONDS} s: {r['total']:.0f} s {ok(r['total'] <= TARGET_SECONDS)}")
            print(f"  national peak RSS <= {TARGET_RSS_MB} MB: {r['peak_mb']:.0f} MB "
                  f"{ok(r['peak_mb'] <= TARGET_RSS_MB)}")
            print(f"  national search index <= {TARGET_INDEX_GZ_MB} MB gzipped: {r['index_gz_mb']:.1f} MB "
                  f"{ok(r['index_gz_mb'] <= TARGET_INDEX_GZ_MB)} (not split/lazy-loaded)")
        if r["label"] == "real" and r.get("bare"):
            ratio = r["total"] / r["bare"]["seconds"]
            print(f"  real site cold <= {TARGET_COLD_RATIO}x bare MkDocs: {ratio:.2f}x {ok(ratio <= TARGET_COLD_RATIO)}"
                  f" (CPU: {r['total_cpu'] / r['bare']['cpu']:.2f}x)")
            if r.get("rebuild"):
                ratio = r["rebuild"]["total"] / r["bare"]["seconds"]
                print(f"  real site rebuilt with caches <= {TARGET_BARE_RATIO}x bare MkDocs: {ratio:.2f}x "
                      f"{ok(ratio <= TARGET_BARE_RATIO)}")
        if r.get("preview"):
            s = r["preview"]["seconds"]
            print(f"  preview refresh <= {TARGET_PREVIEW_S:.0f} s at province scale: {s:.1f} s "
                  f"{ok(s <= TARGET_PREVIEW_S)}")
    by_n = {r["communes"]: r for r in synth}
    if 2500 in by_n and NATIONAL in by_n:
        g = by_n[NATIONAL]["total"] / by_n[2500]["total"]
        print(f"  growth 2,500 -> 10,600 <= {TARGET_GROWTH}x: {g:.1f}x {'MET' if g <= TARGET_GROWTH else 'MISSED'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Scale benchmark on SYNTHETIC national packages.")
    ap.add_argument("--communes", default="250,2500,10600", help="comma-separated sizes (default 250,2500,10600)")
    ap.add_argument("--work", type=Path, default=None, help="work folder (default: a new temp folder)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--real", action="store_true", help="also measure the real package (datapackage/)")
    ap.add_argument("--no-bare", action="store_true", help="skip the bare MkDocs reference")
    ap.add_argument("--profile", action="store_true", help="write a cProfile of each build (build.prof)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--zensical", action="store_true",
                    help="also build the generated Markdown with Zensical (installed into WORK/zensical-venv)")
    ap.add_argument("--rebuild", action="store_true",
                    help="also time a second build of each package with the first build's caches")
    ap.add_argument("--edit-one", action="store_true",
                    help="also time two rebuilds after editing one commune's row (the file is restored after)")
    ap.add_argument("--preview", action="store_true",
                    help="with --real: also time a CSV edit in `python -m site_builder serve` until the page "
                         "shows it (goal 2 is at province scale)")
    ap.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--_profile", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        print(json.dumps(child_build(Path(args._child[0]), Path(args._child[1]), args._profile)))
        return 0
    sys.path.insert(0, str(HERE))
    import synth

    work = args.work or Path(tempfile.mkdtemp(prefix="ntm-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {work}", flush=True)
    results = []
    if args.real:
        print("real package ...", flush=True)
        r = measure("real", 0, ROOT / "datapackage", work / "real", not args.no_bare, args.profile,
                    args.rebuild, args.zensical, args.preview, args.edit_one)
        results.append(r)
    for n in [int(x) for x in args.communes.split(",") if x.strip()]:
        folder = work / f"n{n}"
        package = folder / "package"
        stamp = package / ".generated.json"
        want = {"communes": n, "seed": args.seed, "generator": (HERE / "synth.py").stat().st_mtime_ns}
        t = time.perf_counter()
        if stamp.is_file() and json.loads(stamp.read_text())["params"] == want:
            counts = json.loads(stamp.read_text())["counts"]
            gen_s = 0.0
        else:
            print(f"generating SYNTHETIC package, {n} communes ...", flush=True)
            counts = synth.generate(n, package, seed=args.seed)
            gen_s = time.perf_counter() - t
            stamp.write_text(json.dumps({"params": want, "counts": counts}))
        print(f"building {n} communes ...", flush=True)
        r = measure(str(n), n, package, folder, not args.no_bare, args.profile, args.rebuild,
                    args.zensical, edit_one=args.edit_one)
        r.update(gen_s=gen_s, status_rows=counts["commune_criteria_status"])
        results.append(r)
        print(f"  done: {r['total']:.1f} s, {r['md_pages']} pages", flush=True)
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    if "--_child" not in sys.argv:
        _ensure_env()
    sys.exit(main())
