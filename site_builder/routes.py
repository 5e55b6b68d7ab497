"""Every page path and anchor of the site, made in one place (like Datasette's `Urls`), and the
registry of page types: which module makes which pages from which tables.

Paths are docs paths ('xa/xa-dinh-lap.md'); `Site.href(page, path)` makes the relative link.
From `PAGE_TYPES` derive the page generation (`pages.generate_all`) and which pages a changed
data row touches (`pages_of`, for each page's "last changed" date); `nav()` is the site's menu,
written into each build's mkdocs.yml. A new page type is one module in site_builder/pages/, one
template, one `PageType` line here and, if it has a menu entry, one line in `nav()`."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# --- pages ----------------------------------------------------------------------------------------
HOME = "index.md"
PROVINCE = "tien-do/index.md"
DISTRICTS = "huyen/index.md"
COMMUNES = "xa/index.md"
CRITERIA = "tieu-chi/index.md"
HONOUR = "vinh-danh/index.md"
DOCUMENTS = "van-ban.md"
SOURCES = "nguon.md"
NOTES = "sai-lech/index.md"
VALIDATION = "kiem-tra.md"
DATA = "du-lieu/index.md"
CHANGES = "thay-doi.md"
FEED = "feed.xml"
FINDER_INDEX = "assets/finder.json"
ABOUT = "gioi-thieu.md"  # hand-written, in content/

# one honour-roll page per table (projects and production models share one)
HONOUR_PAGES = {"donors": "vinh-danh/nha-tai-tro.md", "households": "vinh-danh/ho-dien-hinh.md",
                "land_donors": "vinh-danh/hien-dat.md", "awards": "vinh-danh/khen-thuong.md",
                "projects": "vinh-danh/cong-trinh-mo-hinh.md",
                "production_models": "vinh-danh/cong-trinh-mo-hinh.md"}


def commune(commune_id: str) -> str:
    return f"xa/{commune_id}.md"


def district(district_id: str) -> str:
    return f"huyen/{district_id}.md"


def criterion(number: int) -> str:
    return f"tieu-chi/{number:02d}.md"


def honour(table: str) -> str:
    """The honour-roll page listing the rows of `table` (donors, households, …)."""
    return HONOUR_PAGES[table]


# --- anchors --------------------------------------------------------------------------------------
def document_anchor(document_id: str) -> str:
    return f"{DOCUMENTS}#{document_id}"


def source_anchor(source_id: str) -> str:
    return f"{SOURCES}#{source_id}"


def url(path: str) -> str:
    """The address MkDocs gives a docs path (use_directory_urls): 'xa/x.md' -> 'xa/x/',
    'xa/index.md' -> 'xa/', 'index.md' -> ''."""
    if path == HOME:
        return ""
    if path.endswith("/index.md"):
        return path[:-len("index.md")]
    return path[:-len(".md")] + "/" if path.endswith(".md") else path


# The province's progress: an overview and its topic pages (= pages.province.PAGES, tested).
PROVINCE_PAGES = ("index.md", "tieu-chi.md", "xa-dat-chuan.md", "nguon-von.md", "moi-truong.md",
                  "giao-thong-thuy-loi.md", "ha-tang-khac.md", "san-xuat.md", "kinh-te-giam-ngheo.md",
                  "van-hoa-xa-hoi.md", "tuyen-truyen-tap-huan.md", "to-chuc-an-ninh.md", "ke-hoach.md")


def province(page: str = "index.md") -> str:
    return f"tien-do/{page}"


def notes_kind(kind: str) -> str:
    """The page of one kind of disagreement."""
    return f"sai-lech/{(kind or '').replace('_', '-')}.md"


# --- the page types and the tables they read ------------------------------------------------------
# Tables shown on the province page and in the home page's headline figures.
PROVINCE_TABLES = frozenset({"criteria_progress", "criteria_distribution", "average_criteria",
                             "ntm_counts", "funding", "indicators"})


def _place_communes(row: dict, resource: str) -> set[str]:
    ids = {row.get("commune_id"), row.get("from_commune_id"), row.get("to_commune_id")}
    if resource == "communes":
        ids.add(row.get("id"))
    return set(filter(None, ids))


def _commune_pages(row: dict, resource: str, communes: dict) -> set[str]:
    return {commune(cid) for cid in _place_communes(row, resource)}


def _district_pages(row: dict, resource: str, communes: dict) -> set[str]:
    ids = {(communes.get(cid) or {}).get("district_id") for cid in _place_communes(row, resource)}
    ids.add(row.get("district_id"))
    if resource == "districts":
        ids.add(row.get("id"))
    return {district(d) for d in ids if d}


def _criterion_pages(row: dict, resource: str, communes: dict) -> set[str]:
    column = {"criteria_progress": "criterion_number", "criteria": "number"}.get(resource)
    value = (row.get(column) or "") if column else ""
    return {criterion(int(value))} if value.isdigit() else set()


def _notes_pages(row: dict, resource: str, communes: dict) -> set[str]:
    return {notes_kind(row.get("kind"))} if resource == "notes" else set()


def _honour_pages(row: dict, resource: str, communes: dict) -> set[str]:
    return {honour(resource), HONOUR} if resource in HONOUR_PAGES else set()


@dataclass(frozen=True)
class PageType:
    """A page module (site_builder/pages/<module>.py, with `generate(site)`) and which of its
    pages a changed row of the data touches: `pages` when the row is in one of `tables`
    (every table if `tables` is None), plus what `rows(row, resource, communes)` names for
    pages made per row (one per commune, criterion…)."""
    module: str
    tables: frozenset[str] | None = frozenset()
    pages: tuple[str, ...] = ()
    rows: Callable[[dict, str, dict], set[str]] | None = None

    def touched(self, row: dict, resource: str, communes: dict) -> set[str]:
        out = set(self.pages) if self.tables is None or resource in self.tables else set()
        return out | (self.rows(row, resource, communes) if self.rows else set())


# In the order pages are generated.
UNITS = frozenset({"communes", "districts"})
PAGE_TYPES: tuple[PageType, ...] = (
    PageType("home", PROVINCE_TABLES | UNITS, (HOME,)),  # headline figures, the commune finder
    PageType("province", PROVINCE_TABLES, tuple(province(p) for p in PROVINCE_PAGES)),
    PageType("district", UNITS, (DISTRICTS,), rows=_district_pages),
    PageType("commune", UNITS, (COMMUNES,), rows=_commune_pages),
    PageType("criterion", frozenset({"criteria", "criteria_progress"}), (CRITERIA,),
             rows=_criterion_pages),
    PageType("honour", rows=_honour_pages),
    PageType("documents", frozenset({"documents", "document_citations"}), (DOCUMENTS,)),
    PageType("sources", None, (SOURCES,)),  # counts the rows each source gives, in every table
    PageType("notes", frozenset({"notes"}), (NOTES,), rows=_notes_pages),
    PageType("validation", None, (VALIDATION,)),  # the validator's report: every table
    PageType("data", None, (DATA,)),
    PageType("changes", None, (CHANGES,)),
    PageType("finder"),  # assets/finder.json: every named row (no page of its own)
)


def pages_of(row: dict, resource: str, communes: dict[str, dict],
             page_types: Iterable[PageType] = PAGE_TYPES) -> set[str]:
    """The generated pages whose data a changed row (of table `resource`) belongs to."""
    return set().union(*(t.touched(row, resource, communes) for t in page_types))


# --- the navigation -------------------------------------------------------------------------------
# Menu titles (shorter than the pages' own titles), in menu order.
PROVINCE_MENU = (("Tiêu chí", "tieu-chi.md"), ("Xã đạt chuẩn", "xa-dat-chuan.md"), ("Nguồn vốn", "nguon-von.md"),
                 ("Giao thông, thủy lợi", "giao-thong-thuy-loi.md"),
                 ("Điện, viễn thông, trường, trạm, chợ", "ha-tang-khac.md"),
                 ("Sản xuất, hợp tác xã", "san-xuat.md"), ("Thu nhập, việc làm, giảm nghèo", "kinh-te-giam-ngheo.md"),
                 ("Văn hóa, giáo dục, y tế", "van-hoa-xa-hoi.md"), ("Môi trường", "moi-truong.md"),
                 ("Tuyên truyền, tập huấn", "tuyen-truyen-tap-huan.md"), ("Tổ chức, an ninh", "to-chuc-an-ninh.md"),
                 ("Kế hoạch, mục tiêu", "ke-hoach.md"))
HONOUR_MENU = (("Nhà tài trợ", "donors"), ("Hộ điển hình", "households"), ("Hộ hiến đất", "land_donors"),
               ("Khen thưởng", "awards"), ("Công trình, mô hình", "projects"))


def nav() -> list:
    """The site's menu, as MkDocs' `nav` (build.mkdocs_config writes it into each build's
    mkdocs.yml, for the build and the preview alike): a section lists its overview page first."""
    return [
        {"Trang chủ": HOME},
        {"Tiến độ toàn tỉnh": [PROVINCE, *({title: province(page)} for title, page in PROVINCE_MENU)]},
        {"Huyện, thành phố": DISTRICTS},
        {"Xã, phường, thị trấn": COMMUNES},
        {"Tiêu chí": CRITERIA},
        {"Vinh danh": [HONOUR, *({title: honour(table)} for title, table in HONOUR_MENU)]},
        {"Văn bản chính sách": DOCUMENTS},
        {"Nguồn số liệu": SOURCES},
        {"Sai lệch giữa các báo cáo": NOTES},
        {"Kiểm tra dữ liệu": VALIDATION},
        {"Tải dữ liệu": DATA},
        {"Thay đổi dữ liệu": CHANGES},
        {"Giới thiệu, phương pháp": ABOUT},
    ]
