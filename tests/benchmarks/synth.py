"""SYNTHETIC national data package generator, for the scale benchmark and its test.

    python tests/benchmarks/synth.py --communes 2500 --out /tmp/synthetic-2500

Everything this writes is SYNTHETIC: made-up units, names, figures and reports. It is never
bundled with the real data (it writes only into --out, which must not be inside datapackage/),
and it says so in every file: the package title and description, a README.md in the output
folder, every source's title ("SYNTHETIC ..."), every row's source_locator (which starts with
"SYNTHETIC"), and every document's subject.

Shape (N = --communes, the number of rows of communes.csv, hence of commune pages):
- P provinces (default round(N / 168), 1..63; 10,600 communes -> 63 provinces). The real schema
  has no province level: the province name is put into each district's name, "Châu Thành,
  Tiền Giang" style, and into the district's note. So every commune link, which shows the
  district, also shows the province, and equal district names in two provinces stay distinct.
- ~76 % of the units are "old" communes (2019 registry, in a district, ~14 per district,
  ~3 % merged into a neighbour on 2020-01-01), ~24 % are units formed on 2025-07-01 (no
  district) into which every surviving old unit merges, in groups of ~3, as in the real package.
  Names are realistic two-syllable Vietnamese names, drawn with skewed weights, so the same
  name occurs in many districts (never twice in one district: the validator forbids that).
- commune_criteria (the real table): every old commune x 19 criteria x year, the same statuses
  as commune_criteria_status; commune_criteria_counts: one stated count per unit of 2025.
- commune_criteria_status (an extra resource, only in this package's own datapackage.json):
  old commune x 19 criteria x year 2011-2023, ~1.9 M rows at 10,600 communes.
- Aggregates computed from those statuses (criteria_progress, criteria_distribution,
  average_criteria, ntm_counts, commune_recognitions), so they are consistent.
- Funding per province (two periods, by source and by sector), donors, households, land donors,
  projects, production models, awards proportional to N; documents and citations per province.

The output passes `python -m site_builder validate` (tests/test_scale.py checks it).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import re
import shutil
import sys
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REAL_DESCRIPTOR = ROOT / "datapackage" / "datapackage.json"
MARK = "SYNTHETIC"
YEARS = list(range(2011, 2024))          # status years (2011-2023)
COMMUNES_PER_PROVINCE = 168              # 10,600 / 63
COMMUNES_PER_DISTRICT = 14
NEW_UNIT_SHARE = 0.24                    # units formed on 2025-07-01, share of all units
MERGED_2020_SHARE = 0.03

PROVINCES = [
    "Hà Giang", "Cao Bằng", "Bắc Kạn", "Tuyên Quang", "Lào Cai", "Điện Biên", "Lai Châu",
    "Sơn La", "Yên Bái", "Hòa Bình", "Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Giang",
    "Phú Thọ", "Vĩnh Phúc", "Bắc Ninh", "Hải Dương", "Hải Phòng", "Hưng Yên", "Thái Bình",
    "Hà Nam", "Nam Định", "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình",
    "Quảng Trị", "Thừa Thiên Huế", "Đà Nẵng", "Quảng Nam", "Quảng Ngãi", "Bình Định",
    "Phú Yên", "Khánh Hòa", "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai", "Đắk Lắk",
    "Đắk Nông", "Lâm Đồng", "Bình Phước", "Tây Ninh", "Bình Dương", "Đồng Nai",
    "Bà Rịa - Vũng Tàu", "Hà Nội", "Hồ Chí Minh", "Long An", "Tiền Giang", "Bến Tre",
    "Trà Vinh", "Vĩnh Long", "Đồng Tháp", "An Giang", "Kiên Giang", "Cần Thơ", "Hậu Giang",
    "Sóc Trăng", "Bạc Liêu", "Cà Mau",
]
# Common first and second syllables of commune names; earlier ones are drawn more often, so
# "Tân Lập", "Hòa Bình", "Tân Thành"... recur across districts as they do in the registry.
FIRST = ("Tân Hòa Bình An Phú Thành Hưng Long Đông Tây Nam Bắc Trung Xuân Thạch Quang Minh Đức "
         "Hồng Vĩnh Mỹ Hiệp Thuận Thượng Hạ Cao Kim Ngọc Phúc Quảng Đại Tiên Yên Vân Lạc Hợp "
         "Nghĩa Thiện Hữu Chiến Hoàng Văn Châu Thái Sơn Lam Đồng Trường Gia Cẩm Lộc Khánh Phong "
         "Thanh Liên Tam Hải Tiến Quyết Thống Nhân Bảo Định Hiếu Lương Mai Na Bản Pác Khuôn "
         "Chi Tràng Hữu Kiên Ninh Điền Quý Trà Mường").split()
SECOND = ("Lập Bình Hòa Thịnh Phong Thành Lợi Hưng Sơn Hải An Phú Lộc Tiến Thắng Thái Đông Tây "
          "Mỹ Xuân Long Minh Quang Phúc Hợp Khê Lâm Lạc Yên Vinh Trung Nguyên Tân Đạt Hà Giang "
          "Kiều Thủy Trạch Cường Đức Hiệp Quý Điền Mông Mai Đồng Lĩnh Châu Nghĩa Hồng Khánh "
          "Định Tường Thuận Nhất Hội Cát Liên Hương Mộc Lăng Sầm Lũng Ái Kỳ Vân Trà Xá Tú").split()
FAMILY = ("Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Hồ Ngô Dương Lý Nông Lành Mã Vi Lường "
          "Triệu Hà Lăng Chu Đinh Lục").split()
GIVEN = ("An Bình Cường Dũng Đông Giang Hải Hòa Hùng Hương Khánh Lan Lâm Linh Lợi Mai Minh "
         "Nam Ngọc Phúc Quang Sơn Thắng Thảo Thu Tiến Trung Tuấn Văn Vinh Xuân Yến").split()
CRITERIA = ["Quy hoạch", "Giao thông", "Thủy lợi", "Điện", "Trường học", "Cơ sở vật chất văn hóa",
            "Cơ sở hạ tầng thương mại nông thôn", "Thông tin và Truyền thông", "Nhà ở dân cư",
            "Thu nhập", "Hộ nghèo", "Lao động có việc làm", "Tổ chức sản xuất", "Giáo dục và Đào tạo",
            "Y tế", "Văn hóa", "Môi trường và an toàn thực phẩm",
            "Hệ thống chính trị và tiếp cận pháp luật", "Quốc phòng và An ninh"]
GROUPS = [(1, "Quy hoạch")] + [(2, "Hạ tầng kinh tế - xã hội")] * 8 + \
         [(3, "Kinh tế và tổ chức sản xuất")] * 4 + [(4, "Văn hóa - xã hội - môi trường")] * 4 + \
         [(5, "Hệ thống chính trị")] * 2
HARD = {10: 0.45, 11: 0.5, 13: 0.6, 17: 0.5, 3: 0.8}   # criteria met more slowly
BANDS = [(0, 4, "dưới 5 tiêu chí"), (5, 9, "từ 5 - 9 tiêu chí"), (10, 14, "từ 10 - 14 tiêu chí"),
         (15, 18, "từ 15 - 18 tiêu chí"), (19, 19, "đạt 19 tiêu chí")]
SECTORS = ["transport", "irrigation", "electricity", "schools", "culture", "commerce", "health",
           "water", "environment", "production", "housing", "information", "other"]
SOURCE_PARTS = [("central_budget", "Ngân sách Trung ương", 18), ("local_budget", "Ngân sách địa phương", 12),
                ("credit", "Vốn tín dụng", 40), ("business", "Doanh nghiệp", 8),
                ("community", "Nhân dân đóng góp", 7), ("other", "Nguồn khác", 15)]
SECTOR_PARTS = [("transport", "Giao thông"), ("irrigation", "Thủy lợi"), ("schools", "Trường học"),
                ("culture", "Văn hóa"), ("other_sector", "Lĩnh vực khác")]


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def slug(text: str) -> str:
    text = nfc(text).replace("Đ", "D").replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def vn_int(n: int) -> str:
    """12345678 -> '12.345.678' (Vietnamese notation, as the reports write amounts)."""
    return f"{n:,}".replace(",", ".")


def vn_dec(d: Decimal) -> str:
    return str(d).replace(".", ",")


def pct(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def set_of(year: int) -> str:
    return "qd491" if year <= 2015 else ("qd1980" if year <= 2020 else "qd318")


class Tables:
    """Rows per resource, written as CSV in the descriptor's column order."""

    def __init__(self, descriptor: dict):
        self.columns = {r["name"]: [f["name"] for f in r["schema"]["fields"]]
                        for r in descriptor["resources"]}
        self.paths = {r["name"]: r["path"] for r in descriptor["resources"]}
        self.rows: dict[str, list[dict]] = {name: [] for name in self.columns}

    def add(self, _table: str, **row) -> dict:
        unknown = {k for k in row if not k.startswith("_")} - set(self.columns[_table])
        if unknown:
            raise KeyError(f"{_table}: unknown columns {unknown}")
        if "as_of_precision" in self.columns[_table] and row.get("as_of_text"):
            row.setdefault("as_of_precision", "year")  # every synthetic date is "năm …"/"hết năm …"
        self.rows[_table].append(row)
        return row

    def write(self, out: Path, skip=()) -> None:
        for name, cols in self.columns.items():
            if name in skip:
                continue
            with open(out / self.paths[name], "w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(cols)
                for row in self.rows[name]:
                    w.writerow([cell(row.get(c)) for c in cols])


def cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    return nfc(str(v))


def status_resource() -> dict:
    req = {"required": True}
    return {
        "name": "commune_criteria_status",
        "path": "data/commune_criteria_status.csv",
        "title": "Tình trạng đạt tiêu chí của từng xã theo năm (SYNTHETIC)",
        "description": "SYNTHETIC benchmark data, not from any report: whether one commune met one "
                       "criterion at the end of one year. Exists only in the synthetic package.",
        "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {
            "fields": [
                {"name": "commune_id", "type": "string", "description": "communes.id", "constraints": req},
                {"name": "criteria_set", "type": "string", "description": "criteria set in force that year",
                 "constraints": {"required": True, "enum": ["qd491", "qd1980", "qd318"]}},
                {"name": "criterion_number", "type": "integer", "description": "1-19",
                 "constraints": {"required": True, "minimum": 1, "maximum": 19}},
                {"name": "year", "type": "year", "description": "status at the end of this year",
                 "constraints": req},
                {"name": "met", "type": "boolean", "description": "the commune met the criterion",
                 "constraints": req},
                {"name": "source_id", "type": "string", "description": "sources.id", "constraints": req},
                {"name": "source_locator", "type": "string", "description": "where in the source",
                 "constraints": req},
                {"name": "note", "type": "string", "description": "free text"},
            ],
            "primaryKey": ["commune_id", "criteria_set", "criterion_number", "year"],
            "foreignKeys": [
                {"fields": "commune_id", "reference": {"resource": "communes", "fields": "id"}},
                {"fields": "source_id", "reference": {"resource": "sources", "fields": "id"}},
            ],
        },
    }


def make_descriptor(n: int) -> dict:
    descriptor = json.loads(REAL_DESCRIPTOR.read_text(encoding="utf-8"))
    descriptor["name"] = "synthetic-national-ntm"
    descriptor["title"] = (f"SYNTHETIC: gói dữ liệu giả lập toàn quốc, {n} đơn vị cấp xã "
                           "(không phải số liệu thật, chỉ dùng để đo hiệu năng)")
    descriptor["description"] = ("SYNTHETIC benchmark package generated by tests/benchmarks/synth.py. "
                                 "Every unit, name, figure and report in it is made up. Never publish it.")
    descriptor["version"] = "0.0.0-synthetic"
    descriptor["synthetic"] = True   # the build then puts the "Dữ liệu mô phỏng" banner on every page
    descriptor["resources"].append(status_resource())
    return descriptor


class Names:
    """Two-syllable names with a skewed distribution (common names recur across districts)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.w1 = [1 / (i + 3) for i in range(len(FIRST))]
        self.w2 = [1 / (i + 3) for i in range(len(SECOND))]

    def draw(self, taken: set[str]) -> str:
        for _ in range(200):
            a = self.rng.choices(FIRST, self.w1)[0]
            b = self.rng.choices(SECOND, self.w2)[0]
            name = f"{a} {b}"
            if a != b and name not in taken:
                taken.add(name)
                return name
        for a in FIRST:                      # exhaustive fallback: any free combination
            for b in SECOND:
                name = f"{a} {b}"
                if a != b and name not in taken:
                    taken.add(name)
                    return name
        raise ValueError("ran out of names")

    def person(self) -> str:
        r = self.rng
        if r.random() < 0.6:
            return f"ông {r.choice(FAMILY)} Văn {r.choice(GIVEN)}"
        return f"bà {r.choice(FAMILY)} Thị {r.choice(GIVEN)}"


def generate(n: int, out: Path, seed: int = 1, provinces: int | None = None) -> dict:
    """Write a SYNTHETIC package with n commune-level units into `out` (replaced). Returns counts."""
    out = Path(out)
    if n < 5:
        raise ValueError("need at least 5 communes")
    if (ROOT / "datapackage") in [out.resolve(), *out.resolve().parents]:
        raise ValueError("refusing to write synthetic data inside the real datapackage/")
    rng = random.Random(seed)
    names = Names(rng)
    n_new = max(1, round(n * NEW_UNIT_SHARE))
    n_old = n - n_new
    p_count = provinces or min(len(PROVINCES), max(1, round(n / COMMUNES_PER_PROVINCE)))
    p_count = min(p_count, len(PROVINCES), n_old)
    descriptor = make_descriptor(n)
    t = Tables(descriptor)
    today = dt.date.today()

    # --- sources --------------------------------------------------------------------------
    def source(id_, kind, title, short, date=None, p0=None, p1=None):
        t.add("sources", id=id_, kind=kind, issuer=f"{MARK} (cơ quan giả lập)",
              title=f"{MARK}: {title}", short_title=f"{MARK} {short}", date=date,
              period_start=p0, period_end=p1,
              description=f"{MARK}: nguồn giả lập cho bộ đo hiệu năng; không có báo cáo thật nào như vậy.")
    reg = {"2019": "syn-registry-2019", "2021": "syn-registry-2021", "2025_01": "syn-registry-2025-01",
           "2025_07": "syn-registry-2025-07"}
    for key, sid in reg.items():
        source(sid, "registry", f"Danh mục đơn vị hành chính {key.replace('_', '-')}", f"danh mục {key}")
    source("syn-legal-2020", "legal", "Nghị quyết sắp xếp đơn vị hành chính cấp xã 2019-2020", "NQ 2020",
           dt.date(2019, 12, 10))
    source("syn-legal-2025", "legal", "Nghị quyết sắp xếp đơn vị hành chính cấp xã 2025", "NQ 2025",
           dt.date(2025, 6, 16))
    source("syn-criteria", "legal", "Bộ tiêu chí quốc gia về xã nông thôn mới", "bộ tiêu chí")
    for y in YEARS:
        source(f"syn-national-bc{y}", "report", f"Báo cáo tổng hợp kết quả nông thôn mới năm {y}",
               f"tổng hợp {y}", dt.date(y, 12, 31), y, y)
    prov = []
    for i in range(p_count):
        pname = PROVINCES[i]
        ps = slug(pname)
        prov.append({"name": pname, "slug": ps, "districts": []})
        for y in YEARS:
            source(f"syn-{ps}-bc{y}", "report", f"Báo cáo kết quả nông thôn mới tỉnh {pname} năm {y}",
                   f"{pname} {y}", dt.date(y, 12, 31), y, y)

    def loc(text):
        return f"{MARK}, {text}"

    # --- criteria -------------------------------------------------------------------------
    for cs in ("qd491", "qd1980", "qd318"):
        for k, name in enumerate(CRITERIA, start=1):
            g, gname = GROUPS[k - 1]
            t.add("criteria", id=f"{cs}-{k:02d}", criteria_set=cs, number=k, name=name,
                  group_number=g, group_name=gname, group_inferred=False, source_id="syn-criteria",
                  source_locator=loc(f"tiêu chí số {k}"))

    # --- districts and old communes -------------------------------------------------------
    per_prov = [n_old // p_count + (1 if i < n_old % p_count else 0) for i in range(p_count)]
    n_districts = sum(max(1, round(c / COMMUNES_PER_DISTRICT)) for c in per_prov)
    if n_districts > 999:
        raise ValueError(f"{n_districts} districts: the schema's 3-digit district codes allow 999")
    dcode, ccode = 100, 10000
    old = []
    for p, count in zip(prov, per_prov):
        nd = max(1, round(count / COMMUNES_PER_DISTRICT))
        sizes = [count // nd + (1 if j < count % nd else 0) for j in range(nd)]
        dnames: set[str] = set()
        for j, size in enumerate(sizes):
            kind = "thành phố" if j == 0 and nd > 2 else "huyện"
            base = p["name"] if kind == "thành phố" else names.draw(dnames)
            dname = f"{base}, {p['name']}"
            did = f"{slug(kind)}-{slug(base)}-{dcode}"
            d = t.add("districts", id=did, gso_code=f"{dcode:03d}", name=dname, kind=kind,
                      valid_to=dt.date(2025, 6, 30), source_id=reg["2019"],
                      source_locator=loc(f"dòng mã {dcode:03d}"),
                      note=f"{MARK}: đơn vị giả lập thuộc tỉnh {p['name']} (tỉnh ghi trong tên, "
                           "vì lược đồ không có cấp tỉnh).")
            d["_province"] = p
            p["districts"].append(d)
            dcode += 1
            cnames: set[str] = set()
            for k in range(size):
                if kind == "thành phố":
                    ckind = "phường" if k < size * 0.7 else "xã"
                else:
                    ckind = "thị trấn" if k == 0 else "xã"
                cname = names.draw(cnames)
                cid = f"{slug(ckind)}-{slug(cname)}-{ccode}"
                c = t.add("communes", id=cid, gso_code=f"{ccode:05d}", name=cname, kind=ckind,
                          district_id=did, in_registry_2019=True, in_registry_2021=True,
                          in_registry_2025_01=True, in_registry_2025_07=False,
                          valid_to=dt.date(2025, 6, 30), source_id=reg["2019"],
                          source_locator=loc(f"dòng mã {ccode:05d}"))
                c["_district"], c["_province"] = d, p
                old.append(c)
                ccode += 1

    # 2020 merges inside a district (a few with no known destination)
    by_district: dict[str, list[dict]] = {}
    for c in old:
        by_district.setdefault(c["district_id"], []).append(c)
    merged = set()
    for members in by_district.values():
        for c in members[1:]:
            if len(members) >= 3 and rng.random() < MERGED_2020_SHARE:
                into = members[0]
                c.update(valid_to=dt.date(2019, 12, 31), in_registry_2021=False, in_registry_2025_01=False)
                merged.add(c["id"])
                known = rng.random() > 0.1
                t.add("unit_changes", id=f"syn-uc2020-{c['gso_code']}", effective_date=dt.date(2020, 1, 1),
                      legal_basis=f"{MARK} 818/NQ-UBTVQH14", from_commune_id=c["id"],
                      to_commune_id=into["id"] if known else None,
                      change_type="merged_whole" if known else "dissolved", mapping_known=known,
                      source_id="syn-legal-2020", source_locator=loc(f"Điều 1, {c['name']}"))

    # 2025: every surviving old unit merges into a new unit (no district), groups of ~3
    survivors = [c for c in old if c["id"] not in merged]
    n_new = min(n_new, len(survivors))
    groups = [survivors[i * len(survivors) // n_new:(i + 1) * len(survivors) // n_new] for i in range(n_new)]
    new_names: set[str] = set()
    for members in groups:
        first = members[0]
        kind = "phường" if first["kind"] == "phường" else "xã"
        name = first["name"] if first["name"] not in new_names else names.draw(new_names)
        new_names.add(name)
        cid = f"{slug(kind)}-{slug(name)}-2025-{ccode}"
        t.add("communes", id=cid, gso_code=f"{ccode:05d}", name=name, kind=kind, district_id=None,
              valid_from=dt.date(2025, 7, 1), in_registry_2019=False, in_registry_2021=False,
              in_registry_2025_01=False, in_registry_2025_07=True, source_id=reg["2025_07"],
              source_locator=loc(f"đơn vị mới mã {ccode:05d}"),
              note=f"{MARK}: đơn vị giả lập, tỉnh {first['_province']['name']}.")
        ccode += 1
        for m in members:
            kept = m is first and name == first["name"]
            t.add("unit_changes", id=f"syn-uc2025-{m['gso_code']}", effective_date=dt.date(2025, 7, 1),
                  legal_basis=f"{MARK} 1672/NQ-UBTVQH15", from_commune_id=m["id"], to_commune_id=cid,
                  change_type="continued" if kept else "merged_whole", mapping_known=True,
                  source_id="syn-legal-2025", source_locator=loc(f"Điều 1, {name}"))
    if ccode > 99999:
        raise ValueError("too many communes for 5-digit codes")

    # --- statuses, recognitions and aggregates ---------------------------------------------
    out.mkdir(parents=True, exist_ok=True)
    if (out / "data").exists():
        shutil.rmtree(out / "data")
    (out / "data").mkdir()
    met_count = {y: [0] * 20 for y in YEARS}
    base = {y: 0 for y in YEARS}
    bands = {y: [0] * len(BANDS) for y in YEARS}
    xa_met = {y: 0 for y in YEARS}   # the average is per xã, as the reports state it
    xa_base = {y: 0 for y in YEARS}
    recognised_by = {y: 0 for y in YEARS}
    status_rows = 0
    criteria_rows = 0
    with open(out / "data" / "commune_criteria_status.csv", "w", encoding="utf-8", newline="") as fh, \
            open(out / "data" / "commune_criteria.csv", "w", encoding="utf-8", newline="") as fc:
        fh.write(",".join(t.columns["commune_criteria_status"]) + "\n")
        fc.write(",".join(t.columns["commune_criteria"]) + "\n")
        rec_no = 0
        for c in old:
            speed = rng.uniform(0.2, 0.55)
            met = [False] + [rng.random() < 0.2 for _ in range(19)]
            recognised = None
            ps = c["_province"]["slug"]
            last = 2019 if c["id"] in merged else YEARS[-1]
            lines = []
            clines = []
            for y in YEARS:
                if y > last:
                    break
                if y in (2016, 2021):   # a new criteria set: some criteria met before are lost
                    met = [m and rng.random() > 0.08 for m in met]
                for k in range(1, 20):
                    if not met[k] and rng.random() < speed * HARD.get(k, 1.0):
                        met[k] = True
                cs = set_of(y)
                src = f"syn-{ps}-bc{y}"
                lc = f"{MARK} phụ lục {c['gso_code']}"
                n_met = 0
                for k in range(1, 20):
                    m = met[k]
                    lines.append(f"{c['id']},{cs},{k},{y},{'true' if m else 'false'},{src},{lc},\n")
                    # the same status in the real table commune_criteria (one row per criterion)
                    clines.append(f"syn-cc-{c['gso_code']}-{y}-{k:02d},{c['id']},{cs},{k},{y}-12-31,"
                                  f"hết năm {y},day,{'met' if m else 'not_met'},{src},{lc},\n")
                    if m:
                        met_count[y][k] += 1
                        n_met += 1
                base[y] += 1
                if c["kind"] == "xã":
                    xa_base[y] += 1
                    xa_met[y] += n_met
                for b, (lo, hi, _) in enumerate(BANDS):
                    if lo <= n_met <= hi:
                        bands[y][b] += 1
                if n_met == 19 and recognised is None and y >= 2012:
                    recognised = y
                    rec_no += 1
                    t.add("commune_recognitions", id=f"syn-rec-{rec_no:06d}", commune_id=c["id"], level="ntm",
                          status="recognised", year=y, year_text=f"năm {y}",
                          decision=f"{rng.randint(100, 3999)}/QĐ-UBND",
                          decision_date=dt.date(y, 12, rng.randint(1, 28)),
                          source_id=src, source_locator=loc(f"danh sách xã đạt chuẩn, {c['name']}"))
                if recognised is not None:
                    recognised_by[y] += 1
            status_rows += len(lines)
            fh.writelines(lines)
            criteria_rows += len(clines)
            fc.writelines(clines)

    for y in YEARS:
        cs = set_of(y)
        src = f"syn-national-bc{y}"
        for k in range(1, 20):
            t.add("criteria_progress", id=f"syn-cp-{y}-{k:02d}", as_of=dt.date(y, 12, 31),
                  as_of_text=f"hết năm {y}", kind="actual", criteria_set=cs, criterion_number=k,
                  communes=met_count[y][k], base=base[y], percent_stated=pct(met_count[y][k], base[y]),
                  source_id=src, source_locator=loc(f"phụ lục 1, tiêu chí {k}"))
        for b, (lo, hi, label) in enumerate(BANDS):
            t.add("criteria_distribution", id=f"syn-cd-{y}-{b}", as_of=dt.date(y, 12, 31),
                  as_of_text=f"hết năm {y}", kind="actual", band_label=label, criteria_min=lo,
                  criteria_max=hi, communes=bands[y][b], base=base[y], source_id=src,
                  source_locator=loc("phụ lục 2"))
        avg = (Decimal(xa_met[y]) / max(xa_base[y], 1)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        t.add("average_criteria", id=f"syn-ac-{y}", as_of=dt.date(y, 12, 31), as_of_text=f"hết năm {y}",
              kind="actual", scope="toàn tỉnh", value=avg, value_text=vn_dec(avg), source_id=src,
              source_locator=loc("mục 1"), note=f"{MARK}: bình quân trên các xã của gói giả lập.")
        t.add("ntm_counts", id=f"syn-ntm-{y}", as_of=dt.date(y, 12, 31), as_of_text=f"hết năm {y}",
              kind="actual", measure="cumulative", level="ntm", communes=recognised_by[y], base=base[y],
              percent_stated=pct(recognised_by[y], base[y]), source_id=src, source_locator=loc("mục 2"))
    target_date = min(dt.date(2025, 12, 31), today)
    t.add("ntm_counts", id="syn-ntm-target", as_of=target_date, as_of_text="đến năm 2025", kind="target",
          measure="cumulative", level="ntm", communes=int(base[YEARS[-1]] * 0.8), base=base[YEARS[-1]],
          source_id=f"syn-national-bc{YEARS[-1]}", source_locator=loc("mục tiêu"))

    # --- indicators -----------------------------------------------------------------------
    for code, label, unit, start, step in (("poverty_rate", "Tỷ lệ hộ nghèo", "%", 28.0, -1.7),
                                           ("income_per_capita", "Thu nhập bình quân đầu người",
                                            "triệu đồng/người/năm", 12.0, 2.9),
                                           ("hardened_roads", "Tỷ lệ đường trục xã được cứng hóa", "%", 31.0, 4.6)):
        for i, y in enumerate(YEARS):
            v = Decimal(str(round(start + step * i, 2)))
            t.add("indicators", id=f"syn-ind-{code.replace('_', '-')}-{y}", indicator=code, label=label,
                  as_of=dt.date(y, 12, 31),
                  as_of_text=f"năm {y}", kind="actual", scope="toàn tỉnh", value_stated=vn_dec(v),
                  value=v, unit=unit, source_id=f"syn-national-bc{y}", source_locator=loc("phụ lục 3"))
    for p in prov:
        for i, y in enumerate(YEARS):
            v = Decimal(str(round(max(1.0, 30 - 1.8 * i + rng.uniform(-4, 4)), 2)))
            t.add("indicators", id=f"syn-ind-pov-{p['slug']}-{y}", indicator="poverty_rate_province",
                  label="Tỷ lệ hộ nghèo của tỉnh", as_of=dt.date(y, 12, 31), as_of_text=f"năm {y}",
                  kind="actual", scope=f"tỉnh {p['name']}", value_stated=vn_dec(v), value=v, unit="%",
                  source_id=f"syn-{p['slug']}-bc{y}", source_locator=loc("phụ lục 3"))

    # --- funding per province: two periods, by source and by sector ------------------------
    for p in prov:
        for label, start, end in (("5 năm (2011-2015)", 2011, 2015), ("5 năm (2016-2020)", 2016, 2020)):
            fid = f"syn-fund-{p['slug']}-{start}"
            total = 0
            amounts = []
            for code, cat, w in SOURCE_PARTS:
                a = int(w * rng.uniform(20_000, 60_000) * len(p["districts"]))
                amounts.append((code, cat, a))
                total += a
            src = f"syn-{p['slug']}-bc{end}"
            period = dict(period_label=f"{label}, tỉnh {p['name']}", period_start=dt.date(start, 1, 1),
                          period_end=dt.date(end, 12, 31), kind="actual", unit_stated="triệu đồng",
                          source_id=src)
            t.add("funding", id=fid, breakdown="total", category="Tổng kinh phí huy động", category_code="total",
                  amount_stated=vn_int(total), amount_million_vnd=total,
                  source_locator=loc("mục Huy động nguồn lực"), **period)
            for j, (code, cat, a) in enumerate(amounts):
                t.add("funding", id=f"{fid}-s{j}", breakdown="by_source", parent_id=fid, category=cat,
                      category_code=code, amount_stated=vn_int(a), amount_million_vnd=a,
                      percent_stated=pct(a, total), source_locator=loc(f"mục Huy động nguồn lực, ý {j + 1}"),
                      **period)
            left = total
            for j, (code, cat) in enumerate(SECTOR_PARTS):
                a = left if j == len(SECTOR_PARTS) - 1 else int(total * rng.uniform(0.1, 0.25))
                left -= a
                t.add("funding", id=f"{fid}-k{j}", breakdown="by_sector", parent_id=fid, category=cat,
                      category_code=code, amount_stated=vn_int(a), amount_million_vnd=a,
                      source_locator=loc(f"mục Huy động nguồn lực theo lĩnh vực, ý {j + 1}"), **period)

    # --- honour rolls, projects, models, awards (proportional to the communes) --------------
    def place(c):
        r = rng.random()
        if r < 0.7:
            return dict(commune_id=c["id"], district_id=c["district_id"],
                        place_text=f"xã {c['name']}, {c['_district']['name']}")
        if r < 0.9:
            return dict(district_id=c["district_id"], place_text=c["_district"]["name"])
        return dict(place_text=f"tỉnh {c['_province']['name']}")

    def basis():
        return "named_in_public_report" if rng.random() > 0.03 else "withdrawn"

    def src_of(c):
        y = rng.choice(YEARS[:10])
        return dict(source_id=f"syn-{c['_province']['slug']}-bc{y}")

    def amount():
        if rng.random() < 0.5:
            m = rng.randint(10, 900)
            return dict(amount_stated=str(m), unit_stated="triệu đồng", amount_million_vnd=m)
        tenths = rng.randint(11, 250)
        d = Decimal(tenths) / 10
        return dict(amount_stated=vn_dec(d), unit_stated="tỷ đồng", amount_million_vnd=int(tenths * 100))

    def scaled(share):
        return max(1, round(n * share))

    for i in range(scaled(0.25)):
        c = rng.choice(old)
        kind = rng.choice(["business", "organisation", "individual", "collective"])
        name = {"business": f"Công ty TNHH {rng.choice(FIRST)} {rng.choice(SECOND)}",
                "organisation": f"Hội {rng.choice(['Nông dân', 'Phụ nữ', 'Cựu chiến binh'])} xã {c['name']}",
                "individual": names.person(),
                "collective": f"Nhân dân thôn {rng.choice(FIRST)} {rng.choice(SECOND)}"}[kind]
        t.add("donors", id=f"syn-don-{i:06d}", name=name, donor_kind=kind,
              gift=rng.choice(["ủng hộ xây dựng nhà văn hóa thôn", "hỗ trợ làm đường giao thông nông thôn",
                               "tặng xi măng làm đường", "hỗ trợ xây trường mầm non"]),
              beneficiary=f"xã {c['name']}", period_text="giai đoạn 2011-2020",
              publication_basis=basis(), source_locator=loc(f"danh sách ủng hộ, dòng {i + 1}"),
              **amount(), **place(c), **src_of(c))
    for i in range(scaled(0.4)):
        c = rng.choice(old)
        income = rng.randint(100, 900)
        t.add("households", id=f"syn-hh-{i:06d}", name=names.person(),
              village=f"thôn {rng.choice(FIRST)} {rng.choice(SECOND)}",
              model=rng.choice(["trồng hồi", "chăn nuôi lợn", "trồng na", "nuôi cá", "trồng rừng"]),
              income_text=f"lợi nhuận {income} triệu đồng/năm", income_million_vnd=income,
              publication_basis=basis(), source_locator=loc(f"gương điển hình, dòng {i + 1}"),
              **place(c), **src_of(c))
    for i in range(scaled(0.25)):
        c = rng.choice(old)
        area = rng.randint(1, 60) * 100
        t.add("land_donors", id=f"syn-ld-{i:06d}", name=names.person(),
              village=f"thôn {rng.choice(FIRST)} {rng.choice(SECOND)}", area_stated=f"{vn_int(area)} m2",
              area_m2=area, purpose=rng.choice(["làm đường giao thông", "xây nhà văn hóa", "mở rộng trường học"]),
              publication_basis=basis(), source_locator=loc(f"hiến đất, dòng {i + 1}"), **place(c), **src_of(c))
    # A withdrawn person's name must be in no published cell; names are drawn from a small pool, so
    # give each withdrawn one a name no other row carries (the validator's withdrawn-name rule).
    for table in ("donors", "households", "land_donors"):
        for row in t.rows[table]:
            if row["publication_basis"] == "withdrawn":
                row["name"] = f"{row['name']} (hồ sơ rút {row['id'][-6:]})"
    for i in range(scaled(0.3)):
        c = rng.choice(old)
        sector = rng.choice(SECTORS)
        t.add("projects", id=f"syn-prj-{i:06d}", name=f"Công trình {sector} xã {c['name']} số {i + 1}",
              sector=sector, period_text="giai đoạn 2016-2020", details=f"{MARK}: công trình giả lập",
              source_locator=loc(f"danh mục công trình, dòng {i + 1}"), **amount(), **place(c), **src_of(c))
    for i in range(scaled(0.2)):
        c = rng.choice(old)
        t.add("production_models", id=f"syn-pm-{i:06d}", name=f"HTX {rng.choice(FIRST)} {rng.choice(SECOND)}",
              model_kind=rng.choice(["model", "cooperative", "cooperative_group", "value_chain", "product"]),
              period_text="đến năm 2020", details=f"{MARK}: mô hình giả lập",
              source_locator=loc(f"mô hình sản xuất, dòng {i + 1}"), **place(c), **src_of(c))
    for i in range(scaled(0.1)):
        c = rng.choice(old)
        pl = place(c)
        pl.pop("place_text", None)
        t.add("awards", id=f"syn-aw-{i:06d}", recipient=f"Nhân dân và cán bộ xã {c['name']}",
              recipient_kind="collective", award="Bằng khen", issuer=f"UBND tỉnh {c['_province']['name']}",
              period_text="giai đoạn 2016-2020", source_locator=loc(f"khen thưởng, dòng {i + 1}"),
              **pl, **src_of(c))

    # --- documents and citations, notes -----------------------------------------------------
    kinds = ["Quyết định", "Nghị quyết", "Kế hoạch", "Chỉ thị", "Hướng dẫn", "Công văn"]
    doc_no = 0
    for scope, issuer, level, count, src_prefix in (
            [("national", "Thủ tướng Chính phủ", "central", 40, "syn-national-bc")] +
            [(p["slug"], f"UBND tỉnh {p['name']}", "province", 15, f"syn-{p['slug']}-bc") for p in prov]):
        for j in range(count):
            doc_no += 1
            y = rng.choice(YEARS)
            kind = rng.choice(kinds)
            kind_code = "QĐ" if kind == "Quyết định" else "KH"
            num = f"{rng.randint(1, 3999)}/{kind_code}-{'TTg' if level == 'central' else 'UBND'}"
            did = f"syn-doc-{scope}-{j:03d}"
            t.add("documents", id=did, number=num, doc_kind=kind, issuer=issuer, issuer_level=level,
                  date=dt.date(y, rng.randint(1, 12), rng.randint(1, 28)), year=y,
                  subject=f"{MARK}: văn bản giả lập về xây dựng nông thôn mới số {doc_no}")
            for k in range(rng.randint(1, 3)):
                t.add("document_citations", id=f"{did}-c{k}", document_id=did, number_as_cited=num,
                      source_id=f"{src_prefix}{rng.choice(YEARS)}", source_locator=loc("phần căn cứ"))
    for p in prov:
        fid = f"syn-fund-{p['slug']}-2011"
        t.add("notes", id=f"syn-note-{p['slug']}", kind="other", rows=f"funding:{fid}",
              summary_vi=f"{MARK}: ghi chú giả lập về nguồn vốn tỉnh {p['name']}.",
              summary_en=f"{MARK}: made-up note.", source_id=f"syn-{p['slug']}-bc2015",
              source_locator=loc("ghi chú"))

    for rows in t.rows.values():          # helper keys never reach the CSVs
        for r in rows:
            for k in [k for k in r if k.startswith("_")]:
                del r[k]
    # --- stated counts for the units of 2025 (a separate generator: the draws above stay as they were)
    crng = random.Random(seed + 1)
    for c in t.rows["communes"]:
        if c.get("valid_from") == dt.date(2025, 7, 1):
            met = crng.randint(12, 19)
            t.add("commune_criteria_counts", id=f"syn-ccc-{c['gso_code']}-2025", commune_id=c["id"],
                  level="ntm", criteria_set="qd318", as_of=dt.date(2025, 12, 31), as_of_text="hết năm 2025",
                  as_of_precision="day", kind="actual", criteria_met=met, criteria_total=19,
                  value_text=f"{met}/19", source_id=f"syn-national-bc{YEARS[-1]}",
                  source_locator=loc(f"rà soát xã mới, {c['name']}"))

    t.write(out, skip=("commune_criteria_status", "commune_criteria"))
    (out / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
    counts = {name: len(rows) for name, rows in t.rows.items()}
    counts["commune_criteria_status"] = status_rows
    counts["commune_criteria"] = criteria_rows
    counts["provinces"] = p_count
    (out / "README.md").write_text(
        f"# {MARK} data package: not real data\n\n"
        f"Generated by `tests/benchmarks/synth.py --communes {n} --seed {seed}` for the scale benchmark\n"
        "(`tests/benchmarks/scale.py`). Every unit, name, figure, report and document here is made up.\n"
        "Do not publish it, do not copy it into `datapackage/`.\n\n"
        "Rows per table:\n\n" + "".join(f"- {k}: {v}\n" for k, v in counts.items()),
        encoding="utf-8")
    return counts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--communes", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--provinces", type=int, default=None)
    args = ap.parse_args(argv)
    counts = generate(args.communes, args.out, args.seed, args.provinces)
    print(json.dumps(counts, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
