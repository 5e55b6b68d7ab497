"""Low-bandwidth budgets (bytes, not time), measured as tests/browser/bandwidth.py does: a
commune page costs ≤ 100 KB beyond the cached shared assets, no page loads chart JavaScript,
and the search index is ≤ 1 MB gzip. Run the script for the full table."""
from __future__ import annotations

from .bandwidth import BUDGET_COMMUNE_WARM, PAGE_TYPES, budget_problems, format_report, measure, search_index_sizes
from .server import serve

MEASURED = ["home", "province", "criterion", "commune", "merged-commune", "sources", "about"]


def test_bandwidth_budgets(browser, site_dir):
    with serve(site_dir, gzip=True, cache_seconds=600) as base_url:
        results = measure(browser, base_url, {k: PAGE_TYPES[k] for k in MEASURED})
    index_sizes = search_index_sizes(site_dir)
    report = format_report(results, index_sizes)
    print(report)
    problems = budget_problems(results, index_sizes)
    assert not problems, "\n".join(problems) + "\n\n" + report
    commune = next(r for r in results if r.page_type == "commune")
    # The commune page itself is small: once the shared assets are cached only its HTML travels,
    # and its own chart (an SVG image) where it has one.
    own = [url for url, _, n in commune.warm.requests if n]
    assert len(own) == 1 + sum(url.endswith(".svg") for url in own), own
    assert commune.warm.bytes <= BUDGET_COMMUNE_WARM
    # Charts are images: the criterion page loads its chart as SVG, not as a script.
    criterion = next(r for r in results if r.page_type == "criterion")
    assert any(url.endswith(".svg") and kind == "image" for url, kind, _ in criterion.first.requests)
