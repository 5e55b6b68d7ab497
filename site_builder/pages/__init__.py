"""Page generation: one module per page type. Each module's `generate(site)` adds its pages and
charts to the `Site`; templates hold the layout, the modules the logic."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..charts import Chart
from ..model import Model, full_name
from ..render import Safe, link, rel, text
from ..vn import fold

LEVEL_LABEL = {"ntm": "Nông thôn mới", "ntm_nang_cao": "Nông thôn mới nâng cao",
               "ntm_kieu_mau": "Nông thôn mới kiểu mẫu"}
KIND_AT_LABEL = {"actual": "Thực hiện", "target": "Kế hoạch, mục tiêu", "baseline": "Điểm xuất phát",
                 "estimate": "Ước tính"}
STATUS_LABEL = {"recognised": "Được công nhận", "appraised": "Đã qua thẩm định (chưa thấy quyết định)",
                "target": "Kế hoạch (chưa phải kết quả)"}
SET_LABEL = {"qd491": "QĐ 491/QĐ-TTg (2009)", "qd1980": "QĐ 1980/QĐ-TTg (2016-2020)",
             "qd318": "QĐ 318/QĐ-TTg (2021-2025)"}
NO_DATA = "Không có số liệu công bố"
# Words of outside files quoted in source locators, said in Vietnamese on the pages.
LOCATOR_VI = {"(renamed at same code)": "(đổi tên, giữ nguyên mã)",
              "cột new_code_in_draft_csv": "cột mã mới của bảng dự thảo"}


def locator_vi(locator: str) -> str:
    for english, vietnamese in LOCATOR_VI.items():
        locator = locator.replace(english, vietnamese)
    return locator


@dataclass
class Site:
    model: Model
    env: object
    pages: dict[str, str] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    extra_files: dict[str, str | bytes] = field(default_factory=dict)
    extra_paths: dict[str, Path] = field(default_factory=dict)  # site path -> file to copy
    package_dir: Path | None = None
    cache_dir: Path | None = None    # kept between builds: downloads, chart SVGs
    version: dict = field(default_factory=dict)  # {"date": "2026-11-22", "commit": "abc1234"} or {}
    history: object = None  # history.History: when each page's data last changed

    @property
    def version_label(self) -> str:
        if not self.version:
            return "bản chưa đánh số (không có lịch sử git)"
        return f"{self.version['date_vn']} (commit {self.version['commit']})"

    # --- output -------------------------------------------------------------------------------
    def page(self, path: str, template: str, **ctx) -> None:
        if path in self.pages:
            raise ValueError(f"two pages want the same path: {path}")
        body = self.env.get_template(template).render(site=self, page=path, **ctx)
        self.pages[path] = body + self.env.get_template("_changed.md.j2").render(site=self, page=path)

    def chart(self, chart: Chart) -> Chart:
        self.charts.append(chart)
        return chart

    # --- links (relative, so the site works from any folder) -----------------------------------
    def href(self, page: str, target: str) -> str:
        return rel(page, target)

    def commune_link(self, page: str, commune_id: str) -> Safe:
        commune = self.model.communes.get(commune_id)
        if not commune:
            return Safe(text(commune_id))
        label = full_name(commune)
        district = self.model.district_of(commune)
        if district:
            label += f" ({district['name']})"
        return link(label, rel(page, f"xa/{commune_id}.md"))

    def district_link(self, page: str, district_id: str) -> Safe:
        district = self.model.districts.get(district_id)
        if not district:
            return Safe(text(district_id))
        return link(full_name(district), rel(page, f"huyen/{district_id}.md"))

    def place(self, page: str, row: dict) -> Safe:
        """Where a row is located: commune and district links, else the place as written."""
        if row.get("commune_id"):
            return self.commune_link(page, row["commune_id"])
        if row.get("district_id"):
            return self.district_link(page, row["district_id"])
        return Safe(text(row.get("place_text") or ""))

    def criterion_link(self, page: str, number: int, label: str | None = None) -> Safe:
        return link(label or f"Tiêu chí {number}", rel(page, f"tieu-chi/{number:02d}.md"))

    def document_link(self, page: str, document_id: str) -> Safe:
        doc = self.model.documents.get(document_id)
        return link(doc["number"] if doc else document_id, rel(page, "van-ban.md") + f"#{document_id}")

    def cite(self, page: str, row: dict) -> Safe:
        """'Nguồn: <report>, <section>' for a data row."""
        source = self.model.sources.get(row.get("source_id"), {})
        label = source.get("short_title") or source.get("title") or row.get("source_id")
        out = link(label, rel(page, "nguon.md") + f"#{row.get('source_id')}")
        if row.get("source_locator"):
            out += Safe(", " + text(locator_vi(row["source_locator"])))
        return Safe(out)

    def source_label(self, source_id: str) -> str:
        source = self.model.sources.get(source_id, {})
        return source.get("short_title") or source.get("title") or source_id

    def disputed(self, page: str, row: dict) -> Safe:
        """A visible mark, a one-line explanation and a link, after a figure that a row of
        `notes` records a disagreement about (empty when there is none)."""
        if not hasattr(self, "_notes_by_row"):
            from .notes import KIND_LABEL, note_page
            self._notes_by_row, self._note_kind, self._note_page = {}, KIND_LABEL, note_page
            for note in self.model.rows("notes"):
                for ref in (note.get("rows") or "").split():
                    self._notes_by_row.setdefault(ref.partition(":")[2], []).append(note)
        notes = self._notes_by_row.get(row.get("id"), [])
        if not notes:
            return Safe("")
        first = notes[0]
        label = "Có sai lệch: " + self._note_kind.get(first["kind"], "xem ghi chú").lower()
        if len(notes) > 1:
            label += f" (và {len(notes) - 1} ghi chú khác)"
        return Safe(f" ⚠ {link(label, rel(page, self._note_page(first)) + '#' + first['id'])}")

    @staticmethod
    def alias(*names: str) -> str:
        """Diacritic-free spelling, so search finds 'dinh lap' for 'Đình Lập'."""
        return ", ".join(dict.fromkeys(fold(n) for n in names if n))


def criterion_name(model: Model, number: int, criteria_set: str = "qd1980") -> str:
    for row in model.rows("criteria"):
        if row["number"] == number and row["criteria_set"] == criteria_set:
            return row["name"]
    return f"Tiêu chí {number}"


def generate_all(site: Site) -> None:
    from . import (changes, commune, criterion, data, district, documents, finder, home, honour,
                   notes, province, sources, validation)

    for module in (home, province, district, commune, criterion, honour, documents, sources,
                   notes, validation, data, changes, finder):
        module.generate(site)
