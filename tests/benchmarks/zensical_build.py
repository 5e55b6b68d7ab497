"""Build an already-generated docs folder with Zensical (and, to compare, MkDocs): time, CPU, RSS.

FOR THE SCALE BENCHMARK ONLY. Zensical is not a dependency of the project: it is installed into
a separate venv (default /tmp/zvenv), and neither the test suite nor site_builder imports this.

    python -m site_builder build PKG --work-dir W --markdown-only     # writes W/docs
    python tests/benchmarks/zensical_build.py --docs W/docs --mkdocs --warm

Sites go to W/site-zensical and W/site-mkdocs. Zensical is pinned to 0.0.73: 0.0.74 and 0.1.x
need `zensical-ui`, which the package registry here does not have.

The Zensical config is derived from the project's mkdocs.yml (zensical_config):
- docs_dir and site_dir are written RELATIVE to the config file, which goes in their common
  parent: Zensical requires both inside the config's folder, and panics on an absolute
  docs_dir ("invariant: Id(Format(Path(RootDir)))"). Its cache goes to .cache beside it.
- theme.variant: classic is added (the default "modern" variant changes fonts and icons).
- plugins.search.lang is dropped: Zensical's own search ignores it (its index says lang
  "custom", taken from theme.language).
- validation.nav (omitted_files) is ignored by Zensical: it validates only links and anchors.
Read unchanged and working: custom_dir overrides (main.html blocks, custom language strings),
palette "custom", extra_css/js, tables/attr_list/admonition/pymdownx.details/toc, the nav with
section index pages, navigation.prune/indexes/top, search.highlight, --strict.

Differences seen in the output: Zensical renders the front-matter `tags` (our search keywords,
e.g. "dong kinh") as visible tag chips on every commune page, and it refuses to write a search
index with a section over its limit (16,384 token positions at ~59,000 entries): at 10,600
communes the per-province table "Tỷ lệ hộ nghèo của tỉnh" in tien-do.md fails the build.
Zensical 0.0.73 renders Markdown with Python-Markdown, on one core, like MkDocs.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from site_builder import routes

ROOT = Path(__file__).resolve().parents[2]
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
ZENSICAL = "zensical==0.0.73"


def ensure_zensical(venv_dir: Path) -> Path:
    """The `zensical` executable in venv_dir, creating the venv and installing it if missing."""
    exe = venv_dir / "bin" / "zensical"
    if not exe.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv_dir)], check=True)
        subprocess.run([str(venv_dir / "bin" / "pip"), "install", "-q", ZENSICAL], check=True)
    return exe


def zensical_config(mkdocs_yml: Path, docs_dir: Path, site_dir: Path) -> Path:
    """Write a Zensical-compatible copy of mkdocs_yml in the common parent of docs_dir and
    site_dir (see the module docstring for what changes) and return its path."""
    docs_dir, site_dir = docs_dir.resolve(), site_dir.resolve()
    root = Path(os.path.commonpath([docs_dir, site_dir]))
    config = yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8"))
    config.setdefault("nav", routes.nav())  # the menu of every build (mkdocs.yml keeps none)
    config["docs_dir"] = os.path.relpath(docs_dir, root)
    config["site_dir"] = os.path.relpath(site_dir, root)
    theme = config.setdefault("theme", {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str((mkdocs_yml.parent / theme["custom_dir"]).resolve())
    theme.setdefault("variant", "classic")
    for plugin in config.get("plugins", []):
        if isinstance(plugin, dict) and isinstance(plugin.get("search"), dict):
            plugin["search"].pop("lang", None)
    config.get("validation", {}).pop("nav", None)
    path = root / "zensical-mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of pid and all its descendants, in kB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
            children.setdefault(int(fields[1]), []).append(int(name))
            rss[int(name)] = int(fields[21]) * PAGE_KB
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def measure(cmd: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Run cmd; wall seconds, CPU seconds of the children, peak RSS of the tree (0.1 s samples)."""
    load = os.getloadavg()[0]  # the machine is shared: a high load makes wall time noisy
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a chatty build can't block
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.1)
        log.seek(0)
        out = log.read().decode("utf-8", "replace")
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    ok = proc.returncode == 0
    return {"seconds": round(seconds, 1), "cpu": round(cpu, 1), "rss_mb": round(peak / 1024),
            "load": round(load, 1), "ok": ok, "error": "" if ok else out[-3000:],
            "output": out[-3000:]}


def _site_stats(site_dir: Path, index: Path) -> dict:
    pages = sum(1 for p in site_dir.rglob("*.html")
                if "assets" not in p.relative_to(site_dir).parts)
    return {"pages": pages,
            "search_index_mb": round(index.stat().st_size / 2**20, 2) if index.is_file() else 0}


def zensical_build(config_file: Path, docs_dir: Path, site_dir: Path,
                   venv_dir: Path = Path("/tmp/zvenv"), clean: bool = True) -> dict:
    """Build docs_dir into site_dir with Zensical, from a config derived from config_file
    (our mkdocs.yml). clean=True empties Zensical's cache first (a cold build)."""
    exe = ensure_zensical(venv_dir)
    shutil.rmtree(site_dir, ignore_errors=True)
    zconfig = zensical_config(config_file, docs_dir, site_dir)
    cmd = [str(exe), "build", "--strict", "-f", str(zconfig)] + (["--clean"] if clean else [])
    result = measure(cmd, zconfig.parent)
    result.update(_site_stats(site_dir, site_dir / "search.json"))
    result["ok"] = result["ok"] and (site_dir / "index.html").is_file()
    return result


def mkdocs_build(config_file: Path, docs_dir: Path, site_dir: Path) -> dict:
    """The same docs built as site_builder does it (`mkdocs build --strict` in the project's
    venv, config from site_builder.build.mkdocs_config), measured the same way."""
    sys.path.insert(0, str(ROOT))
    from site_builder.build import mkdocs_config
    shutil.rmtree(site_dir, ignore_errors=True)
    work = site_dir.parent / (site_dir.name + ".config")
    work.mkdir(parents=True, exist_ok=True)
    config = mkdocs_config(work, docs_dir, site_dir, base=config_file)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    python = ROOT / ".venv" / "bin" / "python"
    result = measure([str(python), "-m", "mkdocs", "build", "--strict", "--clean", "-q",
                      "-f", str(config)], work, env)
    result.update(_site_stats(site_dir, site_dir / "search" / "search_index.json"))
    result["ok"] = result["ok"] and (site_dir / "index.html").is_file()
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=Path, required=True, help="generated docs folder")
    ap.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml")
    ap.add_argument("--venv", type=Path, default=Path("/tmp/zvenv"))
    ap.add_argument("--mkdocs", action="store_true", help="also build with MkDocs, to compare")
    ap.add_argument("--warm", action="store_true", help="also a second Zensical build, cache kept")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    out = args.docs.resolve().parent
    results = {"zensical": zensical_build(args.config, args.docs, out / "site-zensical", args.venv)}
    if args.warm:
        results["zensical_warm"] = zensical_build(args.config, args.docs, out / "site-zensical",
                                                  args.venv, clean=False)
    if args.mkdocs:
        results["mkdocs"] = mkdocs_build(args.config, args.docs, out / "site-mkdocs")
    for name, r in results.items():
        print(f"{name:14} ok={r['ok']} {r['seconds']:7.1f} s  cpu {r['cpu']:7.1f} s  "
              f"rss {r['rss_mb']:5} MB  pages {r['pages']:6}  search {r['search_index_mb']} MB  "
              f"(load {r['load']})")
        if not r["ok"]:
            print(r["error"], file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
