"""What changed: one entry per data release (a commit that changed the package), with its data
diff in words, and an Atom feed of the same releases."""
from __future__ import annotations

from xml.sax.saxutils import escape

from . import Site

MAX_SENTENCES = 200


def atom(site: Site) -> str:
    releases = site.history.releases if site.history else []
    updated = releases[0].date.isoformat() if releases else "2020-01-01"
    entries = []
    for r in releases:
        summary = r.diff.to_text() if r.diff else "Phiên bản đầu tiên của dữ liệu."
        entries.append(
            f"  <entry>\n    <id>urn:ntm-lang-son:data:{r.commit}</id>\n"
            f"    <title>{escape(r.date.strftime('%d/%m/%Y'))}: {escape(r.subject)}</title>\n"
            f"    <updated>{r.date.isoformat()}T00:00:00Z</updated>\n"
            f'    <link href="thay-doi/#{r.short}"/>\n'
            f"    <content type=\"text\">{escape(summary)}</content>\n  </entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">\n'
            "  <id>urn:ntm-lang-son:data</id>\n  <title>Nông thôn mới Lạng Sơn: thay đổi dữ liệu</title>\n"
            f"  <updated>{updated}T00:00:00Z</updated>\n  <author><name>Nông thôn mới Lạng Sơn</name></author>\n"
            '  <link href="thay-doi/"/>\n' + "\n".join(entries) + "\n</feed>\n")


def generate(site: Site) -> None:
    site.extra_files["feed.xml"] = atom(site)
    site.page("thay-doi.md", "changes.md.j2",
              releases=site.history.releases if site.history else [], limit=MAX_SENTENCES)
