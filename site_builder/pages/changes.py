"""What changed: one entry per data release (a commit that changed the package), with its data
diff in Vietnamese words, and an Atom feed of the same releases. Commit messages are never
published (they are staff's words, in any language, and may name a person who was withdrawn):
a release is its date, its summary and a small link to its commit."""
from __future__ import annotations

import os
from xml.sax.saxutils import escape, quoteattr

from . import Site

MAX_SENTENCES = 200


def site_url() -> str:
    """The site's public address, as mkdocs.yml's site_url (env SITE_URL overrides it)."""
    from ..build import site_url as configured
    return configured()


def commit_url() -> str:
    """Where a commit can be read (env REPO_URL, e.g. https://github.com/owner/repo), or ''."""
    repo = os.environ.get("REPO_URL", "").rstrip("/")
    return f"{repo}/commit/" if repo.startswith("https://") else ""


def atom(site: Site) -> str:
    releases = site.history.releases if site.history else []
    updated = releases[0].date.isoformat() if releases else "2020-01-01"
    base = site_url()
    page = f"{base}thay-doi/"
    entries = []
    for r in releases:
        summary = (r.diff.summary() or "Không thay đổi số liệu.") if r.diff else \
            "Phiên bản đầu tiên của dữ liệu."
        detail = "\n".join(c.sentence for c in r.diff.changes[:MAX_SENTENCES]) if r.diff else ""
        entries.append(
            f"  <entry>\n    <id>urn:ntm-lang-son:data:{r.commit}</id>\n"
            f"    <title>{escape(r.date.strftime('%d/%m/%Y'))}: {escape(summary)}</title>\n"
            f"    <updated>{r.date.isoformat()}T00:00:00Z</updated>\n"
            f"    <link href={quoteattr(page + '#' + r.short)}/>\n"
            f"    <content type=\"text\">{escape((summary + chr(10) + detail).strip())}</content>\n"
            "  </entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">\n'
            "  <id>urn:ntm-lang-son:data</id>\n  <title>Nông thôn mới Lạng Sơn: thay đổi dữ liệu</title>\n"
            f"  <updated>{updated}T00:00:00Z</updated>\n  <author><name>Nông thôn mới Lạng Sơn</name></author>\n"
            f"  <link href={quoteattr(page)}/>\n"
            f"  <link rel=\"self\" href={quoteattr(base + 'feed.xml')}/>\n"
            + "\n".join(entries) + "\n</feed>\n")


def generate(site: Site) -> None:
    site.file("feed.xml", atom(site))
    titles = {r["name"]: r.get("title", r["name"]) for r in site.model.descriptor["resources"]}
    site.page("thay-doi.md", "changes.md.j2",
              releases=site.history.releases if site.history else [], limit=MAX_SENTENCES,
              titles=titles, commit_url=commit_url())
