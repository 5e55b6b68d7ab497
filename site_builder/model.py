"""The model: the package's tables joined into what the pages need. Built once, read by every
page module. Person entries without a publication basis are dropped here, so no page, index
or download can show them. Only the resources the pages use are read (a package may carry
more, e.g. a national status table of millions of rows: the downloads stream those from the
files). Rows placed in a commune or district are indexed once, so a page looks up its own rows
instead of scanning every table."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .labels import UNIT_KIND_LABEL
from .package import REQUIRED_RESOURCES, ColumnRows, load_descriptor, read_table, read_tables
from .vn import sort_key

if TYPE_CHECKING:
    import pandas as pd

PUBLISHABLE = "named_in_public_report"
PERSON_TABLES = ("households", "land_donors", "donors")
# a table of at least this many rows stays as columns in the model (a row dict is made when it
# is read: `rows(name)` iterates fresh dicts, `located` makes a commune's rows when asked), so
# the 2 million rows of a national commune_criteria are never held as 2 million dicts
COLUMN_ROWS = 100_000


@dataclass
class Model:
    descriptor: dict
    tables: dict[str, Sequence[dict]]  # a list of dicts, or ColumnRows for a large table
    sources: dict[str, dict] = field(default_factory=dict)
    districts: dict[str, dict] = field(default_factory=dict)
    communes: dict[str, dict] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)
    # source id -> table -> how many of its rows cite the source (every table of the package)
    source_uses: dict[str, Counter] = field(default_factory=dict)
    _placed: dict = field(default_factory=dict, repr=False)  # table -> ("c"|"d", id) -> rows
    _criteria: object = field(default=None, repr=False)

    @property
    def criteria(self) -> "CommuneCriteria":
        """commune_criteria and commune_criteria_counts per commune (built on first use)."""
        if self._criteria is None:
            self._criteria = CommuneCriteria(self.rows("commune_criteria"),
                                             self.rows("commune_criteria_counts"))
        return self._criteria

    def rows(self, name: str) -> Sequence[dict]:
        """The rows of a table (a list; for a large table, `ColumnRows`: a sequence whose
        rows are made as they are read, each a fresh dict)."""
        return self.tables.get(name, [])

    def commune_name(self, commune_id: str) -> str:
        c = self.communes.get(commune_id)
        return full_name(c) if c else commune_id

    def district_of(self, commune: dict) -> dict | None:
        return self.districts.get(commune.get("district_id") or "")

    def communes_sorted(self, rows=None) -> list[dict]:
        rows = self.communes.values() if rows is None else rows
        return sorted(rows, key=lambda c: (sort_key(c["name"]), sort_key(c["kind"]), c["id"]))

    def located(self, name: str, commune_id=None, district_id=None) -> list[dict]:
        """Rows of a table placed in a commune, or in a district (directly or via its communes),
        in table order."""
        rows = self.rows(name)
        if isinstance(rows, ColumnRows):
            if name not in self._placed:
                self._placed[name] = _positions(rows, self.communes)
            key = ("c", commune_id) if commune_id else ("d", district_id)
            return rows.take(self._placed[name].get(key, ()))
        if name not in self._placed:
            index = defaultdict(list)
            for row in rows:
                c = self.communes.get(row.get("commune_id") or "")
                if c:
                    index["c", c["id"]].append(row)
                for district in {row.get("district_id"), (c or {}).get("district_id")} - {None, ""}:
                    index["d", district].append(row)
            self._placed[name] = index
        key = ("c", commune_id) if commune_id else ("d", district_id)
        return list(self._placed[name].get(key, ()))

    def communes_in(self, district_id: str | None) -> list[dict]:
        """The communes of a district (None: units with no district), in registry order."""
        if "communes_in" not in self._placed:
            index = defaultdict(list)
            for c in self.communes.values():
                index[c.get("district_id") or None].append(c)
            self._placed["communes_in"] = index
        return list(self._placed["communes_in"].get(district_id, ()))


def _positions(rows: ColumnRows, communes: dict) -> dict:
    """`Model.located`'s index of a table kept as columns: ("c", commune id) or ("d", district
    id) -> the positions of its rows, in table order (numpy arrays: 8 bytes a row, not a dict)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(rows.column("commune_id"), dtype=object),
                                  use_na_sentinel=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    index, by_district = {}, defaultdict(list)
    for k, cid in enumerate(uniques):
        c = communes.get(cid or "")
        if c:
            index["c", c["id"]] = order[bounds[k]:bounds[k + 1]]
            if c.get("district_id"):
                by_district[c["district_id"]].append(index["c", c["id"]])
    if "district_id" in rows.names:
        codes, uniques = pd.factorize(pd.Series(rows.column("district_id"), dtype=object))
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        for k, did in enumerate(uniques):
            if did:
                by_district[did].append(order[bounds[k]:bounds[k + 1]])
    for did, parts in by_district.items():
        index["d", did] = np.unique(np.concatenate(parts))  # sorted: table order, each row once
    return index


KIND_LABEL = UNIT_KIND_LABEL  # the old name


def full_name(unit: dict) -> str:
    return f"{KIND_LABEL.get(unit['kind'], unit['kind'])} {unit['name']}"


def build_model(package_dir: Path, tables: dict | None = None) -> Model:
    """The model of a valid package. `tables`: the typed tables its validation read
    (`Report.tables`, taken out of the dict), used instead of reading the files again; a
    table not in it (a report from the cache has none) is read here, the same way."""
    descriptor = load_descriptor(package_dir)
    read = read_tables(package_dir, [res for res in descriptor["resources"]
                                     if res["name"] in REQUIRED_RESOURCES], tables)
    rows_of = {}
    for name, table in read.items():
        rows = table.rows
        if not isinstance(rows, list) and (len(rows) < COLUMN_ROWS or name in PERSON_TABLES):
            rows = list(rows)
        if name in PERSON_TABLES:
            rows = [r for r in rows if r.get("publication_basis") == PUBLISHABLE]
        rows_of[name] = rows
    del read
    model = _join(Model(descriptor, rows_of))
    model.source_uses = _source_uses(model, package_dir, tables or {})
    if tables:
        tables.clear()  # the tables the model does not keep are not held by the caller either
    return model


def _join(model: Model) -> Model:
    """The model's indexes: sources, districts, documents and communes by id, each commune
    with its changes and recognitions, each document with its citations."""
    tables = model.tables
    model.sources = {r["id"]: r for r in tables["sources"]}
    model.districts = {r["id"]: r for r in sorted(tables["districts"], key=lambda d: sort_key(d["name"]))}
    model.documents = {r["id"]: r for r in tables["documents"]}
    for r in tables["communes"]:
        model.communes[r["id"]] = dict(r, changes_out=[], changes_in=[], recognitions=[])
    for ch in tables["unit_changes"]:
        if ch["from_commune_id"] in model.communes:
            model.communes[ch["from_commune_id"]]["changes_out"].append(ch)
        if ch.get("to_commune_id") in model.communes:
            model.communes[ch["to_commune_id"]]["changes_in"].append(ch)
    for rec in tables["commune_recognitions"]:
        model.communes[rec["commune_id"]]["recognitions"].append(rec)
    citations = defaultdict(list)
    for cit in tables["document_citations"]:
        citations[cit["document_id"]].append(cit)
    for doc_id, doc in model.documents.items():
        doc["citations"] = citations.get(doc_id, [])
    return model


def _source_uses(model: Model, package_dir: Path, given: dict) -> dict[str, Counter]:
    """Per source, how many rows of each table cite it: the model's rows (withdrawn persons
    left out), and each other table of the package with a source_id column (a national status
    table: the one validation read, from `given`, or read now), counted over that column."""
    uses = {sid: Counter() for sid in model.sources}
    for name, rows in model.tables.items():
        column = rows.column("source_id") if isinstance(rows, ColumnRows) else \
            (row.get("source_id") for row in rows)  # (a large table: its column, no dicts)
        for sid, count in Counter(column).items():
            if sid in uses:
                uses[sid][name] += count
    for res in model.descriptor["resources"]:
        if res["name"] in model.tables or \
                not any(f.get("name") == "source_id" for f in res.get("schema", {}).get("fields", [])):
            continue
        table = given.pop(res["name"], None) or read_table(package_dir, res, compact=True)
        for sid, count in Counter(table.column("source_id")).items():
            if sid in uses:
                uses[sid][res["name"]] += count
    return uses


def successors(model: Model, commune_id: str, _seen=None) -> list[dict]:
    """Today's units that an old unit leads to, following every known change."""
    seen = _seen or set()
    if commune_id in seen:
        return []
    seen.add(commune_id)
    commune = model.communes[commune_id]
    if not commune.get("valid_to"):
        return [commune]
    out = []
    for ch in commune["changes_out"]:
        if ch.get("to_commune_id") and ch["to_commune_id"] != commune_id:
            for unit in successors(model, ch["to_commune_id"], seen):
                if unit not in out:
                    out.append(unit)
    return out


# --- commune-level criteria (pandas: one pivot and one aggregate for the whole package) ---------

COUNT_COLUMNS = ["commune_id", "level", "criteria_set", "as_of", "as_of_text", "as_of_precision",
                 "kind", "criteria_met", "criteria_total", "value_text", "source_id",
                 "source_locator", "from_criteria"]


def _frame(rows, columns) -> "pd.DataFrame":
    import pandas as pd
    rows = list(rows)
    return pd.DataFrame.from_records(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


class CommuneCriteria:
    """commune_criteria and commune_criteria_counts indexed per commune, built once.

    `statuses(cid)`: the 19-criteria table of one commune (one row per date, criteria set and
    source; one column per criterion number; 'met' / 'not_met' / None).
    `counts(cid)`: criteria met per date, both the counts a source states and the counts of the
    per-criterion rows of one date and source (marked from_criteria=True), oldest first."""

    STATUS_COLUMNS = ["commune_id", "criteria_set", "criterion_number", "as_of", "as_of_text",
                      "as_of_precision", "status", "source_id", "source_locator"]

    def __init__(self, criteria_rows, count_rows):
        import pandas as pd
        if isinstance(criteria_rows, ColumnRows):  # a large table: its columns, no row dicts
            status = pd.DataFrame({k: criteria_rows.column(k) for k in self.STATUS_COLUMNS},
                                  columns=self.STATUS_COLUMNS)
        else:
            status = _frame(({k: r.get(k) for k in self.STATUS_COLUMNS} for r in criteria_rows),
                            self.STATUS_COLUMNS)
        keys = ["commune_id", "criteria_set", "as_of", "as_of_text", "as_of_precision", "source_id"]
        self._status: dict = {}
        derived = _frame([], COUNT_COLUMNS)
        if len(status):
            for name in ("as_of_text", "as_of_precision"):  # (not a copy of the whole frame)
                status[name] = status[name].fillna("")
            pivot = status.pivot_table(index=keys, columns="criterion_number", values="status",
                                       aggfunc="first")
            pivot = pivot.reindex(columns=range(1, 20))
            self._status = _Slices(pivot.droplevel(0), pivot.index.get_level_values(0))
            status["is_met"] = status["status"].eq("met")
            grouped = status.groupby(keys, sort=False).agg(
                criteria_met=("is_met", "sum"), criteria_total=("criterion_number", "size"),
                source_locator=("source_locator", "first")).reset_index()
            grouped["level"] = "ntm"
            grouped["kind"] = "actual"
            grouped["value_text"] = None
            grouped["from_criteria"] = True
            derived = grouped[COUNT_COLUMNS]
        stated = _frame(({**{k: r.get(k) for k in COUNT_COLUMNS}, "from_criteria": False}
                         for r in count_rows), COUNT_COLUMNS)
        if len(stated) and len(derived):
            # a count the source states wins over the same count made from the 19 rows
            # (one mark per figure; the validator compares the two)
            same = ["commune_id", "as_of", "criteria_set"]
            known = stated[stated["level"].eq("ntm") & stated["kind"].eq("actual")][same]
            merged = derived.merge(known.drop_duplicates(), on=same, how="left", indicator=True)
            derived = derived[(merged["_merge"] == "left_only").to_numpy()]
        counts = pd.concat([f for f in (stated, derived) if len(f)] or [stated], ignore_index=True)
        if len(counts):
            counts = counts.sort_values(["commune_id", "as_of", "from_criteria"], kind="stable")
        self.all_counts = counts
        self._counts = _Slices(counts, counts["commune_id"]) if len(counts) else {}

    def statuses(self, commune_id: str):
        return self._status.get(commune_id)

    def counts(self, commune_id: str) -> list[dict]:
        frame = self._counts.get(commune_id)
        if frame is None:
            return []
        return [{k: (None if _missing(v) else v) for k, v in row.items()}
                for row in frame.to_dict("records")]

    def latest(self) -> "pd.DataFrame":
        """Per commune: its latest actual count (a stated one wins over one counted from the
        per-criterion rows of the same date)."""
        frame = self.all_counts
        if not len(frame):
            return frame
        actual = frame[frame["kind"].eq("actual")]
        return actual.sort_values(["as_of", "from_criteria"], ascending=[True, False],
                                  kind="stable").groupby("commune_id").tail(1)


class _Slices:
    """The rows of a frame per key, as `{key: frame for key, frame in frame.groupby(keys)}`
    gives them (in frame order), each taken when asked for: one position index instead of
    thousands of frames made at once (a national package has 10,600 communes)."""

    def __init__(self, frame, keys):
        import numpy as np
        import pandas as pd

        codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        self._frame = frame
        self._at = {key: order[bounds[k]:bounds[k + 1]] for k, key in enumerate(uniques)}

    def get(self, key):
        positions = self._at.get(key)
        return None if positions is None else self._frame.take(positions)


def _missing(value) -> bool:
    try:
        return value is None or value != value  # NaN
    except Exception:
        return False
