// The site's only script of its own (no chart JavaScript: charts are static SVG).
// 1. The finder in every page's header: communes, districts, donors and every named entry,
//    documents by number, criteria; typed with or without diacritics ("kien moc", "315/qd-ubnd").
// 2. Wide tables: Material wraps every table in a horizontally scrolling box; when a table is
//    wider than the screen, that box is made keyboard-focusable and named, so it can be
//    scrolled without a mouse or touch (WCAG 2.1.1; axe: scrollable-region-focusable).
(function () {
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  // Same folding as the build (site_builder/pages/finder.py key()): no diacritics, đ -> d,
  // punctuation as spaces except "/": "315/QĐ-UBND" -> "315/qd ubnd".
  function key(s) {
    return fold(s).replace(/[^a-z0-9\/]+/g, " ").trim();
  }

  function startFinder() {
    var box = document.getElementById("finder");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var input = document.getElementById("finder-input");
    var list = document.getElementById("finder-results");
    var status = box.querySelector(".finder-status");
    var root = box.dataset.root || ".";
    var entries = null, loading = false;

    // Best first: 0 the words are one of the entry's exact names ("315/qd-ubnd", "tieu chi 2",
    // "toa an nhan dan tinh"); 1 its name starts with them; 2 its name has them as typed;
    // 3 its name has every word; 4 its other text (place, gift) has every word; -1 no match.
    function rank(e, q, words) {
      if (!words.every(function (w) { return e.f.indexOf(w) !== -1; })) return [-1, 0];
      if (e.x && e.x.indexOf(q) !== -1) return [0, 0];
      var name = e.nk || (e.nk = key(e.n));
      var at = name.indexOf(q);
      if (at === 0) return [1, 0];
      if (at > 0) return [2, at];
      if (words.every(function (w) { return name.indexOf(w) !== -1; })) return [3, 0];
      return [4, 0];
    }

    function href(u) {
      return root === "." ? u : root.replace(/\/$/, "") + "/" + u;
    }

    function show() {
      var q = key(input.value);
      while (list.firstChild) list.removeChild(list.firstChild);
      status.textContent = "";
      box.classList.toggle("finder--open", !!q);
      if (!q) return;
      if (!entries) { status.textContent = "Đang tải danh mục…"; load(); return; }
      var words = q.split(" ");
      var hits = [];
      entries.forEach(function (e, i) {
        var r = rank(e, q, words);
        // At the same rank, places (communes, districts) before other entries.
        if (r[0] >= 0) hits.push({ e: e, r: r[0], p: /^(xa|huyen)\//.test(e.u) ? 0 : 1, at: r[1], i: i });
      });
      hits.sort(function (a, b) { return a.r - b.r || a.p - b.p || a.at - b.at || a.i - b.i; });
      var shown = hits.slice(0, 30);
      shown.forEach(function (h) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = href(h.e.u);
        a.textContent = h.e.n;
        var kind = document.createElement("small");
        kind.textContent = h.e.k;
        a.appendChild(kind);
        li.appendChild(a);
        list.appendChild(li);
      });
      if (!hits.length) {
        status.textContent = "Không tìm thấy kết quả nào.";
      } else if (hits.length > shown.length) {
        status.textContent = hits.length + " kết quả, hiện " + shown.length + " kết quả đầu. Gõ thêm để thu hẹp.";
      } else {
        status.textContent = hits.length + " kết quả.";
      }
    }

    // The index is fetched only when someone starts to use the finder.
    function load() {
      if (entries || loading) return;
      loading = true;
      fetch(box.dataset.index).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (data) {
        entries = data; show();
      }).catch(function () {
        loading = false;
        status.textContent = "Không tải được danh mục. Xem danh sách xã theo huyện.";
      });
    }

    input.addEventListener("focus", load);
    input.addEventListener("input", show);
    // Enter opens the first result; Escape closes the list.
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; show(); return; }
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

  // "Báo sai sót" carries the page's full address (the template can only give its path).
  function fillReportLinks() {
    var here = encodeURIComponent(location.href);
    document.querySelectorAll("a[data-report]").forEach(function (a) {
      var href = a.getAttribute("href");
      a.setAttribute("href", href.replace(/([?&]trang=)[^&]*/, "$1" + here)
        .replace(/(Trang(?:%3A|:)(?:%20|\+))[^&]*?(%0A)/, "$1" + here + "$2"));
    });
  }

  var resizeTimer = null;
  function start() {
    startFinder();
    labelTables();
    markScrollingTables();
    fillReportLinks();
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
