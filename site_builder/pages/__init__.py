"""Page generation: one module per page type. Each module's `generate(site)` adds its pages,
charts and files to the `Site`, which hands each to its writer as soon as it is made (nothing
is collected until the end); templates hold the layout, the modules the logic."""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import routes
from ..charts import Chart
from ..inputs import key_digest

# The labels live in labels.py; the names stay importable from here for the page modules.
from ..labels import KIND_AT_LABEL, LEVEL_LABEL, NO_DATA, SET_LABEL, STATUS_LABEL  # noqa: F401
from ..model import Model, full_name
from ..render import Safe, html_tables, link, rel, text
from ..vn import fold
from ..writer import Collect

DEMO_BANNER = "Dữ liệu mô phỏng — không phải số liệu thật"
DEMO_SITE_NAME = "Bản trình diễn: dữ liệu mô phỏng"


def with_banner(markdown: str, banner: str) -> str:
    """The page with a warning box on top (after its front matter, if any)."""
    box = (f'!!! danger "{banner}"\n    Mọi đơn vị, tên, số liệu và báo cáo trên trang này là giả lập, '
           "chỉ để xem công cụ hoạt động thế nào.\n\n")
    if markdown.startswith("---\n"):
        end = markdown.index("\n---\n", 4) + 5
        return markdown[:end] + "\n" + box + markdown[end:]
    return box + markdown


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
    # where pages and files go: a writer.Writer writes each to disk as it is made; the default,
    # Collect, keeps them in memory (`pages`: tests, the preview)
    out: object = field(default_factory=Collect)
    renderer: object = None  # charts.Renderer: charts rendered as they come; None: kept in `charts`
    charts: list[Chart] = field(default_factory=list)
    extracts: object = None  # exports.Extracts: per-place extracts, cached per package version
    package_dir: Path | None = None
    cache_dir: Path | None = None    # kept between builds: downloads, extracts, chart SVGs
    version: dict = field(default_factory=dict)  # {"date": "2026-11-22", "commit": "abc1234"} or {}
    history: object = None  # history.History: when each page's data last changed
    banner: str = ""        # set for a synthetic package: shown on top of every page
    report: object = None   # validate.Report of the package, when the build validated it already
    inputs: object = None   # inputs.PageInputs: place pages whose inputs did not change are kept
    rendered: list[str] = field(default_factory=list)  # the pages made by this build, in order
    remade: list[str] = field(default_factory=list)  # the parts of `whole` made (not kept) by this build
    _outputs: list[str] | None = field(default=None, repr=False)  # files of the place page being made
    _keys: dict[str, str] = field(default_factory=dict, repr=False)  # inputs keys of pages to make
    _base_key: str | None = field(default=None, repr=False)  # reads_key's part common to all

    @property
    def version_label(self) -> str:
        if not self.version:
            return "bản chưa đánh số (không có lịch sử git)"
        return f"{self.version['date_vn']} (commit {self.version['commit']})"

    @property
    def pages(self) -> dict[str, str]:
        """The generated Markdown, for a site kept in memory (out=Collect)."""
        return {path: body for path, body in self.out.files.items() if path.endswith(".md")}

    # --- output -------------------------------------------------------------------------------
    def kept(self, page: str, communes=(), districts=()) -> bool:
        """Whether a commune or district page is kept as the last build made it: its inputs
        (inputs.py: the global part, the rows placed at `communes` and `districts`, the release
        that last changed it) are that build's and its files are still in the docs folder; the
        writer then keeps them. Else its key is remembered for `place_page`, which makes it."""
        if self.inputs is None:
            return False
        release = self.history.last_change(page) if self.history else None
        key = self.inputs.key(page, f"{release.short} {release.date}" if release else "", communes, districts)
        if self.inputs.keep(page, key, self.out):
            return True
        self._keys[page] = key
        return False

    def place_page(self, page: str, make) -> None:
        """Make a commune or district page, its charts and extract by make(), recording its files
        with its key (see `kept`)."""
        self._outputs = []
        try:
            make()
        finally:
            outputs, self._outputs = self._outputs, None
        if page in self._keys:
            self.inputs.record(page, self._keys.pop(page), outputs)

    def whole(self, name: str, reads: tuple[str, ...], make) -> None:
        """Make the pages and files of `name` (a page module, or a part of one) by make(), unless
        they are kept as the last build made them: their inputs key (`reads_key`: the code, the
        package descriptor, banner, data version and history, and the files of the tables of
        `reads`, which must be every table make() reads) is that build's, and their files are
        still in the docs folder as it left them (inputs.PageInputs, as for a place page)."""
        if self.inputs is None:
            self.remade.append(name)
            make()
            return
        page, key = f"module:{name}", self.reads_key(name, reads)
        if self.inputs.keep(page, key, self.out):
            return
        self._keys[page] = key
        self.remade.append(name)
        self.place_page(page, make)

    def reads_key(self, name: str, reads: tuple[str, ...]) -> str:
        """The inputs key of pages that read the tables of `reads` and nothing else of the
        package: each table by its entry in the descriptor and its file's bytes, with all that
        every page shows besides (code and libraries, descriptor, banner, data version, history)."""
        if self._base_key is None:
            from ..package import code_fingerprint
            history = self.history
            self._base_key = key_digest(
                code_fingerprint(), json.dumps(self.model.descriptor, sort_keys=True), self.banner,
                json.dumps(self.version, sort_keys=True, default=str),
                repr([(r.commit, str(r.date)) for r in history.releases]) if history else "",
                repr(sorted((p, r.commit) for p, r in history.page_changed.items())) if history else "")
        return key_digest(self._base_key, name, *(f"{t}:{self.inputs.file_hash(t)}" for t in sorted(reads)))

    def _made(self, *paths: str) -> None:
        if self._outputs is not None:
            self._outputs.extend(paths)

    def page(self, path: str, template: str, **ctx) -> None:
        self.rendered.append(path)
        self._made(path)
        body = self.env.get_template(template).render(site=self, page=path, **ctx)
        if self.banner:
            body = with_banner(body, self.banner)
        body += self.env.get_template("_changed.md.j2").render(site=self, page=path)
        self.out.add(path, html_tables(body, path))  # data tables as HTML: MkDocs renders them ~free

    def file(self, path: str, content: str | bytes) -> None:
        self._made(path)
        self.out.add(path, content)

    def copy(self, path: str, source: Path) -> None:
        """A file already on disk (a download): linked or copied, never read into memory."""
        self._made(path)
        self.out.add_file(path, source)

    def extract(self, path: str, make) -> None:
        """A place's own data as `path`.json and `path`.csv; make() -> (JSON bytes, CSV bytes)
        is called only when the cache of this package version does not hold them."""
        if self.extracts is None:
            from ..exports import Extracts
            self.extracts = Extracts(self.cache_dir, self.package_dir, self.model.descriptor)
        self._made(path + ".json", path + ".csv")
        folder = getattr(self.extracts, "folder", None)
        if self.extracts.ready and folder and not (folder / f"{path}.json").is_file():
            # not made by the build that filled this version's cache (its page was kept then)
            for name, data in zip((path + ".json", path + ".csv"), make()):
                self.out.add(name, data)
            return
        self.extracts.add(self.out, path, make)

    def chart(self, chart: Chart) -> Chart:
        self._made(chart.svg_path, chart.csv_path)
        if self.renderer:
            self.renderer.add(chart)
        else:
            self.charts.append(chart)
        return chart

    # --- links (relative, so the site works from any folder; paths from routes) -----------------
    def href(self, page: str, target: str) -> str:
        """Relative link from `page` to a docs path, with its anchor if any ('nguon.md#bc2017')."""
        path, _, anchor = target.partition("#")
        return rel(page, path) + (f"#{anchor}" if anchor else "")

    def commune_link(self, page: str, commune_id: str) -> Safe:
        commune = self.model.communes.get(commune_id)
        if not commune:
            return Safe(text(commune_id))
        label = full_name(commune)
        district = self.model.district_of(commune)
        if district:
            label += f" ({district['name']})"
        return link(label, self.href(page, routes.commune(commune_id)))

    def district_link(self, page: str, district_id: str) -> Safe:
        district = self.model.districts.get(district_id)
        if not district:
            return Safe(text(district_id))
        return link(full_name(district), self.href(page, routes.district(district_id)))

    def place(self, page: str, row: dict) -> Safe:
        """Where a row is located: commune and district links, else the place as written."""
        if row.get("commune_id"):
            return self.commune_link(page, row["commune_id"])
        if row.get("district_id"):
            return self.district_link(page, row["district_id"])
        return Safe(text(row.get("place_text") or ""))

    def criterion_link(self, page: str, number: int, label: str | None = None) -> Safe:
        return link(label or f"Tiêu chí {number}", self.href(page, routes.criterion(number)))

    def cite(self, page: str, row: dict) -> Safe:
        """'Nguồn: <report>, <section>' for a data row."""
        source = self.model.sources.get(row.get("source_id"), {})
        label = source.get("short_title") or source.get("title") or row.get("source_id")
        out = link(label, self.href(page, routes.source_anchor(row.get("source_id"))))
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


def generate_all(site: Site, skip: frozenset = frozenset(), only: frozenset | None = None) -> None:
    """Run every page module of the registry (routes.PAGE_TYPES), in its order (but those in
    `skip`; or only those in `only`)."""
    for page_type in routes.PAGE_TYPES:
        if page_type.module not in skip and (only is None or page_type.module in only):
            importlib.import_module(f"{__name__}.{page_type.module}").generate(site)
