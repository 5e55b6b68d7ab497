// Commune finder: type a name with or without diacritics ("kien moc" finds "Xã Kiên Mộc").
(function () {
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function start() {
    var box = document.getElementById("finder");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var input = document.getElementById("finder-input");
    var list = document.getElementById("finder-results");
    var units = null;
    function show() {
      var q = fold(input.value.trim());
      while (list.firstChild) list.removeChild(list.firstChild);
      if (!q || !units) return;
      var words = q.split(/\s+/);
      var hits = units.filter(function (u) {
        var hay = u.f + " " + fold(u.d);
        return words.every(function (w) { return hay.indexOf(w) !== -1; });
      }).slice(0, 30);
      hits.forEach(function (u) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = u.u;
        a.textContent = u.n + (u.d ? " (" + u.d + ")" : "") + (u.o ? " (cũ)" : "");
        li.appendChild(a);
        list.appendChild(li);
      });
      if (!hits.length) {
        var li = document.createElement("li");
        li.textContent = "Không tìm thấy đơn vị nào.";
        list.appendChild(li);
      }
    }
    fetch(box.dataset.index).then(function (r) { return r.json(); }).then(function (data) {
      units = data; show();
    });
    input.addEventListener("input", show);
  }
  if (window.document$) { window.document$.subscribe(start); } else { document.addEventListener("DOMContentLoaded", start); }
})();
