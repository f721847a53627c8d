/* The /data page: the running import's stage and progress and the queue of waiting uploads,
 * kept up to date by polling /api/v1/data/imports (every second while something runs or waits,
 * or while this page's own upload is on its way; every five seconds otherwise). The server
 * writes every sentence in the page's language; they become text nodes, never HTML. Without
 * JavaScript the section shows the state at page load and a refresh link. */
(function () {
  "use strict";
  var section = document.getElementById("imports");
  var region = document.getElementById("import-queue");
  if (!section || !region || !window.fetch) { return; }
  var url = section.getAttribute("data-url");
  var busy = false;      /* an upload from this page is on its way */
  var shown = null;      /* what the region shows now, to announce changes only */
  var timer = null;

  function sentences() {
    return Array.prototype.map.call(region.querySelectorAll("p, li"),
                                    function (el) { return el.textContent.trim(); }).join("\n");
  }

  function render(state) {
    var key = [state.running ? state.running.text : state.idle_text]
      .concat(state.waiting.map(function (w) { return w.text; })).join("\n");
    if (key === shown) { return; }
    shown = key;
    var parts = [];
    if (state.running) {
      parts.push(GK.text("p", state.running.text, "import-running"));
      if (state.running.total) {
        var bar = document.createElement("progress");
        bar.max = state.running.total;
        bar.value = state.running.done;
        bar.setAttribute("aria-hidden", "true");  /* the sentence above says the same */
        parts.push(bar);
      }
    } else {
      parts.push(GK.text("p", state.idle_text, "import-idle"));
    }
    if (state.waiting.length) {
      var list = document.createElement("ol");
      list.className = "import-waiting";
      state.waiting.forEach(function (w) { list.appendChild(GK.text("li", w.text)); });
      parts.push(list);
    }
    region.replaceChildren.apply(region, parts);
  }

  function schedule(state) {
    var active = busy || (state && (state.running || state.waiting.length));
    clearTimeout(timer);
    timer = setTimeout(poll, active ? 1000 : 5000);
  }

  function poll() {
    if (document.hidden) { schedule(null); return; }
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (state && state.ok) { render(state); }
        schedule(state && state.ok ? state : null);
      })
      .catch(function () { schedule(null); });
  }

  shown = sentences();  /* the state at page load: not announced again */
  var link = section.querySelector(".refresh-link");
  if (link) { link.hidden = true; }  /* kept up to date: no need to refresh */
  document.querySelectorAll("form[enctype='multipart/form-data']").forEach(function (form) {
    form.addEventListener("submit", function () { busy = true; clearTimeout(timer); timer = setTimeout(poll, 300); });
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
  poll();
}());
