// The site's only script of its own (no chart JavaScript: charts are static SVG).
// 1. Commune finder: type a name with or without diacritics ("kien moc" finds "Xã Kiên Mộc").
// 2. Wide tables: Material wraps every table in a horizontally scrolling box; when a table is
//    wider than the screen, that box is made keyboard-focusable and named, so it can be
//    scrolled without a mouse or touch (WCAG 2.1.1; axe: scrollable-region-focusable).
(function () {
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  function startFinder() {
    var box = document.getElementById("finder");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var input = document.getElementById("finder-input");
    var list = document.getElementById("finder-results");
    // One short spoken summary instead of reading the whole list at every keystroke.
    list.removeAttribute("aria-live");
    var status = document.createElement("p");
    status.className = "finder-status";
    status.setAttribute("role", "status");
    list.parentNode.insertBefore(status, list);
    var units = null;

    // Best first: 0 the unit's own name has the words as typed ("lang son"), 1 its name has
    // every word, 2 its district's name has the words as typed, 3 the words are spread over
    // name and district ("lam son ... chi lang"); -1 no match.
    function rank(u, q, words) {
      var own = u.f;
      var district = fold(u.d || "");
      var all = own + " " + district;
      if (!words.every(function (w) { return all.indexOf(w) !== -1; })) return -1;
      if (own.indexOf(q) !== -1) return 0;
      if (words.every(function (w) { return own.indexOf(w) !== -1; })) return 1;
      return district.indexOf(q) !== -1 ? 2 : 3;
    }

    function show() {
      var q = fold(input.value.trim());
      while (list.firstChild) list.removeChild(list.firstChild);
      status.textContent = "";
      if (!q) return;
      if (!units) { status.textContent = "Đang tải danh sách đơn vị…"; return; }
      var words = q.split(/\s+/);
      q = words.join(" ");
      var hits = [];
      units.forEach(function (u, i) {
        var r = rank(u, q, words);
        if (r >= 0) hits.push({ u: u, r: r, i: i });
      });
      hits.sort(function (a, b) { return a.r - b.r || a.i - b.i; });
      var shown = hits.slice(0, 30);
      shown.forEach(function (h) {
        var u = h.u;
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = u.u;
        a.textContent = u.n + (u.d ? " (" + u.d + ")" : "") + (u.o ? " (cũ)" : "");
        li.appendChild(a);
        list.appendChild(li);
      });
      if (!hits.length) {
        status.textContent = "Không tìm thấy đơn vị nào.";
      } else if (hits.length > shown.length) {
        status.textContent = hits.length + " đơn vị, hiện " + shown.length + " đơn vị đầu. Gõ thêm để thu hẹp.";
      } else {
        status.textContent = hits.length + " đơn vị.";
      }
    }

    fetch(box.dataset.index).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (data) {
      units = data; show();
    }).catch(function () {
      status.textContent = "Không tải được danh sách đơn vị. Xem danh sách xã theo huyện.";
    });
    input.addEventListener("input", show);
    // Enter opens the first result.
    input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      var first = list.querySelector("a");
      if (first) { e.preventDefault(); window.location.href = first.href; }
    });
    if (input.value) show();
  }

  function tableName(wrap) {
    var el = wrap;
    while (el) {
      el = el.previousElementSibling;
      if (el && /^H[1-6]$/.test(el.tagName)) return "Bảng: " + el.textContent.replace(/¶/g, "").trim();
    }
    var heading = document.querySelector("article h1");
    return "Bảng" + (heading ? ": " + heading.textContent.replace(/¶/g, "").trim() : "");
  }

  // Tables of three columns or more become cards on a phone (extra.css): label each cell.
  function labelTables() {
    document.querySelectorAll("article table:not([data-cards])").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      if (heads.length < 3) return;
      var names = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          if (names[i]) td.setAttribute("data-label", names[i]);
        });
      });
      table.setAttribute("data-cards", "");
    });
  }

  function markScrollingTables() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      var cue = wrap.previousElementSibling;
      var hasCue = cue && cue.classList.contains("scroll-cue");
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        if (!hasCue) {
          cue = document.createElement("p");
          cue.className = "scroll-cue";
          cue.textContent = "Bảng rộng: vuốt ngang để xem hết →";
          wrap.parentNode.insertBefore(cue, wrap);
        }
        if (!wrap.hasAttribute("tabindex")) {
          wrap.setAttribute("tabindex", "0");
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", tableName(wrap) + " (cuộn ngang để xem hết)");
        }
      } else if (hasCue) {
        cue.parentNode.removeChild(cue);
      }
      if (wrap.scrollWidth <= wrap.clientWidth + 1 && wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  var resizeTimer = null;
  function start() {
    startFinder();
    labelTables();
    markScrollingTables();
    if (!resizeTimer) {
      resizeTimer = 1;
      window.addEventListener("resize", function () {
        clearTimeout(resizeTimer);
        resizeTimer = setTimeout(markScrollingTables, 150);
      });
      window.addEventListener("load", markScrollingTables);
    }
  }

  if (window.document$) { window.document$.subscribe(start); } else { document.addEventListener("DOMContentLoaded", start); }
})();
