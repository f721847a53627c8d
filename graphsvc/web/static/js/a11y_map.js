/* The map in words: after each draw, list the islands (with their areas) and every node's ties,
 * so a screen reader or keyboard user gets what the picture shows. On a phone the filters fold
 * behind one button and a profile opens as a sheet over the map. Text only (textContent). */
(function () {
  "use strict";
  var text = GK.text, fmt = GK.fmt;
  var container = document.getElementById("network");
  var out = document.getElementById("network-text");
  var config = JSON.parse(document.getElementById("a11y-config").textContent);
  if (!container || !out) { return; }

  var areaNames = {};
  document.querySelectorAll("#f-area option[data-id]").forEach(function (o) {
    areaNames[o.getAttribute("data-id")] = o.textContent.trim();
  });

  function plural(forms, n) { return fmt(n === 1 ? forms[0] : forms[1], { n: n }); }

  function actorLink(node) {
    var a = text("a", node.label);
    a.href = config.actorPage.replace("__ID__", encodeURIComponent(node.id));
    return a;
  }

  function islandList(nodes, islands) {
    var ul = document.createElement("ul");
    islands.forEach(function (id) {
      var node = nodes[id];
      if (!node) { return; }
      var li = document.createElement("li");
      li.appendChild(actorLink(node));
      var areas = (node.areas || []).map(function (a) { return areaNames[a]; }).filter(Boolean);
      if (areas.length) { li.appendChild(document.createTextNode(" (" + areas.join(", ") + ")")); }
      ul.appendChild(li);
    });
    return ul;
  }

  function tieList(nodes, edges) {
    var ties = {};
    edges.forEach(function (e) {
      if (e.type !== "TIE") { return; }
      (ties[e.from] = ties[e.from] || []).push([e.to, e.rung]);
      (ties[e.to] = ties[e.to] || []).push([e.from, e.rung]);
    });
    var ul = document.createElement("ul");
    Object.keys(nodes).map(function (id) { return nodes[id]; })
      .sort(function (a, b) { return String(a.label).localeCompare(String(b.label), config.lang); })
      .forEach(function (node) {
        var li = document.createElement("li");
        li.appendChild(actorLink(node));
        var mine = ties[node.id] || [];
        var parts = mine.filter(function (t) { return nodes[t[0]]; }).map(function (t) {
          return fmt(config.text.tieWith, { name: nodes[t[0]].label, rung: t[1], rungName: config.rungs[t[1]] || "" });
        });
        li.appendChild(document.createTextNode(": " + (parts.length ? parts.join("; ") : config.text.noTies)));
        ul.appendChild(li);
      });
    return ul;
  }

  function render() {
    var state = window.goudkaartMap;
    var payload = state && state.payload;
    if (!payload || payload.mode !== "graph") { out.replaceChildren(text("p", config.text.aggregate)); return; }
    var nodes = {};
    payload.nodes.forEach(function (n) { if (n.group !== "Interest") { nodes[n.id] = n; } });
    var count = Object.keys(nodes).length;
    var islands = (payload.islands || []).filter(function (id) { return nodes[id]; });
    container.setAttribute("aria-label", fmt(config.text.mapName, {
      nodes: plural(config.text.actors, count), islands: plural(config.text.islands, islands.length)
    }));
    out.replaceChildren(
      text("h3", plural(config.text.islandsHeading, islands.length)),
      islands.length ? islandList(nodes, islands) : text("p", config.text.noIslands),
      text("h3", config.text.tiesHeading),
      tieList(nodes, payload.edges)
    );
  }

  new MutationObserver(function () {
    if (container.getAttribute("data-ready") !== "true") { return; }
    render();
  }).observe(container, { attributes: true, attributeFilter: ["data-ready"] });

  // the skip link opens the map in words and puts the keyboard on it
  var words = document.getElementById("network-words");
  document.querySelectorAll('a[href="#network-words"]').forEach(function (link) {
    link.addEventListener("click", function (ev) {
      ev.preventDefault();
      words.open = true;
      words.querySelector("summary").focus();
    });
  });

  // phone: filters behind one button, the profile as a sheet over the map
  var narrow = window.matchMedia("(max-width: 900px)");
  var box = document.getElementById("filters-box");
  if (box && narrow.matches) { box.open = false; }
  var profile = document.getElementById("profile");
  if (profile) {
    new MutationObserver(function () {
      if (!narrow.matches || !profile.querySelector("h2") || profile.querySelector(".sheet-close")) { return; }
      var close = text("button", config.text.close, "sheet-close");
      close.type = "button";
      close.addEventListener("click", function () {
        profile.classList.remove("sheet-open");
        var frame = container.querySelector(".vis-network");  // the map itself takes the keyboard
        if (frame) { frame.focus(); }
      });
      profile.prepend(close);
      profile.classList.add("sheet-open");
    }).observe(profile, { childList: true });
  }
}());
