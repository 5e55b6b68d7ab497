"""The finder's index (assets/finder.json): every named thing on the site with the address of its
own page or row. Loaded by finder.js only when someone types in the finder (header of every page).

An entry: n = what the reader sees, k = what kind of thing, u = address from the site root
(with #row-id for rows), f = folded text to match ("dinh lap" finds "Đình Lập"), x = exact keys
(folded) that rank the entry first ("315/qd-ubnd", "315", "tieu chi 2")."""
from __future__ import annotations

import functools
import json
import re

from .. import routes
from ..model import full_name
from ..vn import fold
from . import Site

KIND = {"commune": "Xã, phường, thị trấn", "old_commune": "Đơn vị cũ", "district": "Huyện cũ",
        "donor": "Nhà tài trợ", "household": "Hộ điển hình", "land": "Hộ hiến đất",
        "award": "Khen thưởng", "project": "Công trình", "model": "Mô hình, hợp tác xã",
        "document": "Văn bản", "criterion": "Tiêu chí"}


def key(text: str) -> str:
    """Folded, punctuation as spaces except '/': '315/QĐ-UBND' -> '315/qd ubnd'. Folded a word
    at a time, each word once (the names share their syllables: the index of a national package
    folds 80,000 texts); fold keeps a space where it is, so the words folded are the text folded."""
    folded = " ".join(map(_fold_word, (text or "").split(" ")))
    return " ".join(_NOT_KEY.sub(" ", folded).split())


_NOT_KEY = re.compile(r"[^a-z0-9/]+")
_fold_word = functools.lru_cache(maxsize=1 << 16)(fold)


def entry(name: str, kind: str, url: str, *more: str, exact: tuple = ()) -> dict:
    out = {"n": name, "k": KIND[kind], "u": url, "f": key(" ".join([name, *filter(None, more)]))}
    keys = [k for k in dict.fromkeys(key(x) for x in (name, *exact)) if k]
    if keys:
        out["x"] = keys
    return out


def at(page: str, row: dict) -> str:
    """The address of a row on its page: 'vinh-danh/nha-tai-tro/#<id>'."""
    return f"{routes.url(page)}#{row['id']}"


def entries(site: Site) -> list[dict]:
    model = site.model
    out = []
    for c in model.communes_sorted():
        district = (model.district_of(c) or {}).get("name", "")
        label = full_name(c) + (f" ({district})" if district else "")
        out.append(entry(label, "old_commune" if c.get("valid_to") else "commune",
                         routes.url(routes.commune(c["id"])), exact=(full_name(c), c["name"])))
    for d in model.districts.values():
        out.append(entry(full_name(d), "district", routes.url(routes.district(d["id"])), exact=(d["name"],)))
    for r in model.rows("donors"):
        out.append(entry(r["name"], "donor", at(routes.honour("donors"), r), r.get("gift"),
                         r.get("beneficiary"), r.get("place_text")))
    for r in model.rows("households"):
        out.append(entry(r["name"], "household", at(routes.honour("households"), r),
                         r.get("village"), r.get("place_text")))
    for r in model.rows("land_donors"):
        out.append(entry(r["name"], "land", at(routes.honour("land_donors"), r), r.get("village"),
                         r.get("place_text")))
    for r in model.rows("awards"):
        out.append(entry(r["recipient"], "award", at(routes.honour("awards"), r), r.get("award")))
    for r in model.rows("projects"):
        out.append(entry(r["name"], "project", at(routes.honour("projects"), r),
                         r.get("place_text")))
    for r in model.rows("production_models"):
        out.append(entry(r["name"], "model", at(routes.honour("production_models"), r),
                         r.get("place_text")))
    for d in model.documents.values():
        number = d["number"]
        short = number.split("/")[0]
        out.append(entry(f"{d.get('doc_kind') or 'Văn bản'} {number}: {d.get('subject') or ''}".strip(": "),
                         "document", at(routes.DOCUMENTS, d), number, d.get("issuer"),
                         exact=(number, short, f"{d.get('doc_kind') or ''} {number}")))
    for r in model.rows("criteria"):
        if r["criteria_set"] != "qd1980":
            continue
        n = r["number"]
        out.append(entry(f"Tiêu chí {n}. {r['name']}", "criterion", routes.url(routes.criterion(n)),
                         exact=(str(n), f"tiêu chí {n}", f"tc {n}", r["name"])))
    return out


# Every table the index reads: kept as it is while these files are (Site.whole; proved by
# tests/test_selective_whole.py).
READS = ("communes", "districts", "donors", "households", "land_donors", "awards", "projects",
         "production_models", "documents", "criteria")


def generate(site: Site) -> None:
    site.whole("finder", READS, lambda: site.file(
        routes.FINDER_INDEX, json.dumps(entries(site), ensure_ascii=False, separators=(",", ":"))))
