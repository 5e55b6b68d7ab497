"""What changed: one entry per data release (a commit that changed the package), with its data
diff in Vietnamese words, and an Atom feed of the same releases. Commit messages are never
published (they are staff's words, in any language, and may name a person who was withdrawn):
a release is its date, its summary and a small link to its commit."""
from __future__ import annotations

import datetime as dt
import html
import os

from feedgenerator import Atom1Feed

from .. import routes
from . import Site

MAX_SENTENCES = 200
FIRST_DATE = dt.date(2020, 1, 1)  # the feed's date when there is no release


def site_url() -> str:
    """The site's public address, as mkdocs.yml's site_url (env SITE_URL overrides it)."""
    from ..build import site_url as configured
    return configured()


def commit_url() -> str:
    """Where a commit can be read (env REPO_URL, e.g. https://github.com/owner/repo), or ''."""
    repo = os.environ.get("REPO_URL", "").rstrip("/")
    return f"{repo}/commit/" if repo.startswith("https://") else ""


class _Feed(Atom1Feed):
    def latest_post_date(self):  # no release (outside git): a fixed date, never the clock
        return super().latest_post_date() if self.items else FIRST_DATE


def atom(site: Site) -> str:
    """The releases as an Atom feed (feedgenerator, as Pelican makes its feeds), newest first,
    with absolute links from site_url. Each entry's text is the page's: the summary and the
    change sentences (which never name a withdrawn person), HTML-escaped, so the data's words
    are never read as markup by a feed reader."""
    base = site_url()
    page = base + routes.url(routes.CHANGES)
    feed = _Feed(title="Nông thôn mới Lạng Sơn: thay đổi dữ liệu", link=page, description="",
                 language="vi", author_name="Nông thôn mới Lạng Sơn", feed_url=base + routes.FEED,
                 feed_guid="urn:ntm-lang-son:data")
    for r in site.history.releases if site.history else []:
        summary = (r.diff.summary() or "Không thay đổi số liệu.") if r.diff else \
            "Phiên bản đầu tiên của dữ liệu."
        lines = [summary] + ([c.sentence for c in r.diff.changes[:MAX_SENTENCES]] if r.diff else [])
        feed.add_item(title=f"{r.date.strftime('%d/%m/%Y')}: {summary}", link=f"{page}#{r.short}",
                      description=None, unique_id=f"urn:ntm-lang-son:data:{r.commit}",
                      updateddate=r.date, content="<br>\n".join(html.escape(line, quote=False) for line in lines))
    return feed.writeString("utf-8")


def generate(site: Site) -> None:
    site.file(routes.FEED, atom(site))
    titles = {r["name"]: r.get("title", r["name"]) for r in site.model.descriptor["resources"]}
    site.page(routes.CHANGES, "changes.md.j2",
              releases=site.history.releases if site.history else [], limit=MAX_SENTENCES,
              titles=titles, commit_url=commit_url())
