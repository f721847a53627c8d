/* Meeting mode in words: every tie on the map by name and rung, and the ties recorded tonight,
 * announced as they are recorded (aria-live). Text only (textContent). */
(function () {
  "use strict";
  var text = GK.text, fmt = GK.fmt;
  var configEl = document.getElementById("meeting-a11y");
  var out = document.getElementById("meeting-ties");
  var tonight = document.getElementById("tonight-ties");
  var last = document.getElementById("last-change");
  if (!configEl || !out) { return; }
  var T = JSON.parse(configEl.textContent);

  function render() {
    var state = window.goudkaartMeeting;
    if (!state || !state.edges) { return; }
    var names = state.names || {};
    var rows = state.edges.get().filter(function (e) { return e.rung > 0 && names[e.from] && names[e.to]; })
      .map(function (e) {
        return fmt(T.tie, { a: names[e.from], b: names[e.to], rung: e.rung, name: T.rungs[String(e.rung)] || "" });
      }).sort(function (x, y) { return x.localeCompare(y, T.lang); });
    var ul = document.createElement("ul");
    rows.forEach(function (r) { ul.appendChild(text("li", r)); });
    out.replaceChildren(text("p", fmt(rows.length === 1 ? T.count[0] : T.count[1], { n: rows.length })), ul);
  }

  var container = document.getElementById("network");
  var hooked = false;
  new MutationObserver(function () {
    var state = window.goudkaartMeeting;
    if (container.getAttribute("data-ready") !== "true" || !state || !state.edges) { return; }
    render();
    if (!hooked) {
      hooked = true;
      state.edges.on("*", function () { render(); });
    }
  }).observe(container, { attributes: true, attributeFilter: ["data-ready"] });

  if (last && tonight) {
    new MutationObserver(function () {
      var message = last.textContent.trim();
      if (!message) { return; }
      tonight.hidden = false;
      tonight.querySelector("ol").appendChild(text("li", message));
    }).observe(last, { childList: true, characterData: true, subtree: true });
  }
}());
