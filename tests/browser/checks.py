"""Page checks run in the browser, shared by the tests: headings, sideways overflow, tap targets."""
from __future__ import annotations

HEADINGS_JS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter(h => !h.closest('[hidden], .md-search'))
  .map(h => [Number(h.tagName[1]), h.textContent.replace('¶', '').trim()])"""


def heading_problems(headings: list[list]) -> list[str]:
    problems = []
    levels = [level for level, _ in headings]
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 headings (want exactly one)")
    if levels and levels[0] != 1:
        problems.append(f"the first heading is h{levels[0]}: {headings[0][1]!r}")
    for (prev, _), (level, text) in zip(headings, headings[1:]):
        if level > prev + 1:
            problems.append(f"h{prev} followed by h{level}: {text!r}")
    return problems


# Everything that sticks out to the right of the screen without being inside a box that
# scrolls or clips within the screen: that is what makes a page scroll (or get cut) sideways.
OVERFLOW_JS = """() => {
  const W = document.documentElement.clientWidth;
  const out = [];
  const scrollsWithin = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox !== 'visible' && p.getBoundingClientRect().right <= W + 1) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.right <= W + 1 || r.left >= W) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden') continue;
    if (!scrollsWithin(el)) out.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.left)}-${Math.round(r.right)} px)`);
  }
  return {W, scrollWidth: document.documentElement.scrollWidth, bodyScrollWidth: document.body.scrollWidth, out};
}"""

# WCAG 2.5.8 (target size, AA): a control smaller than 24×24 CSS px is fine only if a 24 px
# circle centred on it touches no other control (nor the circle of another small one). Links
# inside running text are exempt. Returns the small controls that are too close to another.
# `menu`: check the open menu (only what is visible in it) instead of the page.
CROWDED_TARGETS_JS = """(menu) => {
  const SEL = 'a[href], button, input, select, textarea, summary, label[for], [role=button], [tabindex="0"]';
  const inText = el => getComputedStyle(el).display === 'inline'
    && [...el.parentElement.childNodes].some(n => n !== el && n.textContent.trim());
  const targets = [];
  const W = document.documentElement.clientWidth, H = document.documentElement.clientHeight;
  const shown = el => {  // really visible in the open menu (not in a panel slid out of view)
    const r = el.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x > W || y > H) return false;
    const top = document.elementFromPoint(x, y);
    return top && (top === el || el.contains(top));
  };
  for (const el of document.querySelectorAll(SEL)) {
    if (el.matches('.md-typeset__scrollwrap') || el.closest('[hidden]')) continue;
    if (menu ? !(el.closest('.md-sidebar--primary') && shown(el)) : el.closest('.md-sidebar, .md-search, .md-overlay')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none' || cs.pointerEvents === 'none') continue;
    for (const r of el.getClientRects()) {
      if (!r.width || !r.height || r.right <= 0) continue;  // r.right <= 0: the closed menu
      targets.push({el, r, small: !inText(el) && (r.width < 24 || r.height < 24)});
    }
  }
  const centre = r => [r.left + r.width / 2, r.top + r.height / 2];
  const hits = (c, r) => {
    const dx = Math.max(r.left - c[0], 0, c[0] - r.right), dy = Math.max(r.top - c[1], 0, c[1] - r.bottom);
    return dx * dx + dy * dy < 144;
  };
  const name = t => `${t.el.tagName.toLowerCase()}.${t.el.className} "${(t.el.textContent || t.el.getAttribute('aria-label') || '').trim().slice(0, 30)}" ${Math.round(t.r.width)}×${Math.round(t.r.height)}`;
  const out = [];
  for (const s of targets.filter(t => t.small)) {
    const c = centre(s.r);
    const other = targets.find(o => o.el !== s.el && !o.el.contains(s.el) && !s.el.contains(o.el)
      && (hits(c, o.r) || (o.small && Math.hypot(c[0] - centre(o.r)[0], c[1] - centre(o.r)[1]) < 24)));
    if (other) out.push(`${name(s)} is too close to ${name(other)}`);
  }
  return out;
}"""

# The controls used on every visit, which should be comfortably big (≥ 40 px high).
MAIN_CONTROLS = (".md-header__button:not(.md-logo), .md-search__input, #finder-input, "
                 "#finder-results a, details > summary, .md-sidebar--primary .md-nav__link")


def main_controls_too_small(page) -> list[str]:
    return page.evaluate("""sel => [...document.querySelectorAll(sel)]
      .map(e => [e, e.getBoundingClientRect()])
      .filter(([e, r]) => r.width > 0 && r.right > 0 && r.height < 40)
      .map(([e, r]) => `${e.className} "${e.textContent.trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`)""",
                         MAIN_CONTROLS)
