/* Goudkaart offline map: draws the embedded area map with the inlined vis-network.
 * Runs from a file on a laptop without network. Every name is handled as text (textContent,
 * plain-string tooltips), never as HTML. */
(function () {
  "use strict";
  var text = GK.text, fmt = GK.fmt;
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var T = data.text;
  var container = document.getElementById("network");
  var form = document.getElementById("filters");
  var themeEl = document.getElementById("f-theme");
  var rungEl = document.getElementById("f-rung");
  var islandsEl = document.getElementById("f-islands");
  var searchEl = document.getElementById("f-search");
  var resultsEl = document.getElementById("search-results");
  var detailsEl = document.getElementById("details");
  var statusEl = document.getElementById("status");
  var islandSet = {};
  data.islands.forEach(function (id) { islandSet[id] = true; });
  var state = { ready: false, network: null, nodes: null, edges: null };
  window.goudkaartOffline = state;

  function checkedTypes() {
    var types = {};
    form.querySelectorAll("input[name=types]").forEach(function (box) {
      if (box.checked) { types[box.value] = true; }
    });
    return types;
  }

  function nodeShown(node) {
    var types = checkedTypes();
    if (!types[node.kind]) { return false; }
    if (themeEl.value && node.kind !== "Fund" && node.interests.indexOf(themeEl.value) === -1) { return false; }
    if (islandsEl.checked && !islandSet[node.id]) { return false; }
    return true;
  }

  function edgeShown(edge) {
    return edge.type !== "TIE" || edge.rung >= Number(rungEl.value || 0);
  }

  function fillOptions() {
    data.interests.forEach(function (i) {
      var option = text("option", i.name);
      option.value = i.id;
      themeEl.appendChild(option);
    });
    Array.prototype.forEach.call(rungEl.options, function (option) {
      var name = data.rungs[option.value];
      if (name) { option.textContent = option.value + " · " + name; }
    });
  }

  function updateStatus() {
    var shown = state.nodeView.getIds();
    var islands = shown.filter(function (id) { return islandSet[id]; }).length;
    statusEl.textContent = fmt(T.shown, { nodes: shown.length, edges: state.edgeView.length, islands: islands });
    container.setAttribute("data-nodes", String(shown.length));
  }

  function refresh() {
    state.nodeView.refresh();
    state.edgeView.refresh();
    updateStatus();
    search();
  }

  function draw() {
    state.nodes = new vis.DataSet(GK.map.prepare(data.nodes));
    state.edges = new vis.DataSet(data.edges);
    state.nodeView = new vis.DataView(state.nodes, { filter: nodeShown });
    state.edgeView = new vis.DataView(state.edges, { filter: edgeShown });
    state.network = new vis.Network(container, { nodes: state.nodeView, edges: state.edgeView },
                                    GK.map.options({ navigationButtons: true }));
    GK.map.settle(state.network, state.nodes, function () {
      state.ready = true;
      container.setAttribute("data-ready", "true");
    });
    state.network.on("click", function (params) {
      if (params.nodes.length) { showDetails(params.nodes[0]); }
    });
    if (keys) { keys.attach(state.network); }
    updateStatus();
  }

  function listSection(title, items) {
    var wrap = document.createElement("section");
    wrap.appendChild(text("h3", title));
    var ul = document.createElement("ul");
    items.forEach(function (item) { ul.appendChild(text("li", item)); });
    if (!items.length) { ul.appendChild(text("li", T.none)); }
    wrap.appendChild(ul);
    return wrap;
  }

  function showDetails(id) {
    var node = state.nodes.get(id);
    if (!node) { return; }
    var parts = [text("h2", node.label)];
    if (islandSet[id]) { parts.push(text("p", T.island, "island-note")); }
    var ties = state.edges.get({ filter: function (e) { return e.type === "TIE" && (e.from === id || e.to === id); } })
      .sort(function (a, b) { return b.rung - a.rung; })
      .map(function (e) {
        var other = state.nodes.get(e.from === id ? e.to : e.from);
        return (other ? other.label : "") + " · " + T.rung + " " + e.rung + (data.rungs[e.rung] ? " (" + data.rungs[e.rung] + ")" : "");
      });
    parts.push(listSection(T.ties, ties));
    var names = {};
    data.interests.forEach(function (i) { names[i.id] = i.name; });
    parts.push(listSection(T.themes, (node.interests || []).map(function (i) { return names[i] || i; })));
    parts.push(listSection(T.areas, (node.areas || []).map(function (a) { return data.area_names[a] || a; })));
    detailsEl.replaceChildren.apply(detailsEl, parts);
    detailsEl.setAttribute("data-node", id);
  }

  function focusNode(id) {
    state.network.selectNodes([id]);
    state.network.focus(id, { scale: GK.map.closeUpScale(state.network), animation: { duration: 300 } });
    showDetails(id);
  }

  function nameButton(node) {
    var li = document.createElement("li");
    var button = text("button", node.label);
    button.type = "button";
    button.addEventListener("click", function () { focusNode(node.id); });
    li.appendChild(button);
    return li;
  }

  function search() {
    resultsEl.replaceChildren();
    var needle = GK.map.fold(searchEl.value.trim());
    if (!needle) { return; }
    var hits = state.nodeView.get({
      filter: function (n) { return GK.map.fold(n.label).indexOf(needle) !== -1; }
    }).slice(0, 10);
    if (!hits.length) { resultsEl.appendChild(text("li", T.noMatch)); return; }
    hits.forEach(function (n) { resultsEl.appendChild(nameButton(n)); });
    state.network.selectNodes(hits.map(function (n) { return n.id; }));
  }

  function listIslands() {
    var list = document.getElementById("island-list");
    var islands = state.nodes.get(data.islands).sort(function (a, b) { return a.label.localeCompare(b.label); });
    if (!islands.length) { list.appendChild(text("li", T.none)); }
    islands.forEach(function (n) { list.appendChild(nameButton(n)); });
  }

  /* The live map's keys (mapdraw.js GK.map.keyboard): what a dot announces; Enter shows it. */
  function nodeInfo(id) {
    var node = state.nodes.get(id) || {};
    var ties = state.edges.get({ filter: function (e) { return e.type === "TIE" && (e.from === id || e.to === id); } })
      .map(function (e) { var other = state.nodes.get(e.from === id ? e.to : e.from); return { name: other && other.label, rung: e.rung }; })
      .filter(function (t) { return t.name; })
      .sort(function (a, b) { return b.rung - a.rung || String(a.name).localeCompare(String(b.name), data.lang); });
    return { name: node.label, type: node.kind, island: !!islandSet[id], ties: ties };
  }

  var keys = GK.map.keyboard(container, {
    network: function () { return state.network; }, info: nodeInfo,
    open: showDetails
  });

  fillOptions();
  draw();
  listIslands();
  form.addEventListener("change", function (e) { if (e.target !== searchEl) { refresh(); } });
  form.addEventListener("submit", function (e) { e.preventDefault(); search(); });
  searchEl.addEventListener("input", search);
  state.focusNode = focusNode;
  state.search = search;
})();
