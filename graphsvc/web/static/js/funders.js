/* Goudkaart funder dashboard: the cluster-level map (vendored vis-network) and sortable tables.
 * Clusters are nodes; a click expands a cluster into its organisations (fetched from
 * /api/v1/clusters/<id>) and a second click on the cluster's panel button folds it back.
 * Every user string is handled as text (textContent, plain-string tooltips), never as HTML. */
(function () {
  "use strict";
  var text = GK.text, fmt = GK.fmt;
  var config = JSON.parse(document.getElementById("funders-config").textContent);
  var container = document.getElementById("cluster-map");
  var statusEl = document.getElementById("cluster-map-status");
  var detailEl = document.getElementById("cluster-detail");
  var sizeBy = document.getElementById("f-size-by");
  var state = { network: null, nodes: null, edges: null, ready: false, payload: null, expanded: {} };
  window.goudkaartClusters = state;

  function getJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (!data.ok) { throw new Error(data.error); } return data; });
  }

  function params(extra) {
    var p = new URLSearchParams(config.query);
    p.set("lang", config.lang);
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return p.toString();
  }

  function load() {
    state.ready = false;
    container.removeAttribute("data-ready");
    statusEl.textContent = config.text.loading;
    getJSON(config.mapApi + "?" + params({ size_by: sizeBy.value }))
      .then(draw)
      .catch(function (err) { statusEl.textContent = config.text.error + " " + err.message; });
  }

  function draw(payload) {
    state.payload = payload;
    state.expanded = {};
    state.nodes = new vis.DataSet(payload.nodes);
    state.edges = new vis.DataSet(payload.edges);
    var options = {
      nodes: { font: { size: 13, face: "system-ui, sans-serif" }, scaling: { min: 10, max: 48 },
               widthConstraint: { maximum: 170 } },
      edges: { smooth: false, scaling: { min: 1, max: 8 } },
      interaction: { hover: true, tooltipDelay: 150, navigationButtons: true,
                     keyboard: { enabled: true, bindToWindow: false, autoFocus: false } },
      physics: {
        solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -60, springLength: 120 },
        stabilization: { enabled: true, iterations: payload.nodes.length > 200 ? 120 : 250, fit: true }
      }
    };
    if (state.network) { state.network.destroy(); }
    state.network = new vis.Network(container, { nodes: state.nodes, edges: state.edges }, options);
    settle(function () {
      state.ready = true;
      container.setAttribute("data-ready", "true");
    });
    state.network.on("click", function (p) {
      if (!p.nodes.length) { return; }
      var node = state.nodes.get(p.nodes[0]);
      if (node && node.kind === "cluster") { expand(node.id); }
    });
    if (keys) { keys.attach(state.network); }
    statusEl.textContent = fmt(config.text.shown, { clusters: payload.nodes.length, hidden: payload.hidden });
    container.setAttribute("data-clusters", String(payload.nodes.length));
  }

  function settle(done) {
    state.network.once("stabilizationIterationsDone", function () {
      state.network.setOptions({ physics: false });  // a projector must not keep wobbling
      state.network.fit({ animation: false });
      if (done) { done(); }
    });
  }

  function relayout() {
    // let the expanded organisations push the other clusters aside, then hold still again
    state.network.setOptions({ physics: { enabled: true } });
    settle(null);
    state.network.stabilize(120);
  }

  function memberNodes(data, centre) {
    var n = data.members.length;
    var radius = 40 + 12 * Math.sqrt(n);
    return data.members.map(function (m, i) {
      var angle = 2 * Math.PI * i / Math.max(n, 1);
      var title = [m.name, m.areas.join(", "), m.themes.join(", ")];
      if (m.island) { title.push(config.text.island); }
      if (m.broker) { title.push(config.text.broker); }
      return {
        id: "m:" + m.id, org: m.id, cluster: data.id, kind: "member", label: m.name,
        title: title.join("\n"), shape: m.broker ? "diamond" : "dot", size: m.broker ? 14 : 9,
        x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle),
        color: { background: "#E69F00", border: m.island ? "#D55E00" : "#333333" },
        borderWidth: m.island ? 3 : 1, shapeProperties: m.island ? { borderDashes: [5, 3] } : {}
      };
    });
  }

  function memberEdges(data) {
    var edges = data.ties.map(function (t) {
      return { id: "t:" + t.from + ":" + t.to, from: "m:" + t.from, to: "m:" + t.to, width: t.rung,
               color: { color: "#4292c6" }, member: data.id };
    });
    data.outside.forEach(function (o) {
      if (state.nodes.get(o.cluster)) {
        edges.push({ id: "o:" + o.member + ":" + o.cluster, from: "m:" + o.member, to: o.cluster,
                     width: 1, dashes: true, color: { color: "#bbbbbb" }, member: data.id });
      }
    });
    return edges;
  }

  function expand(id) {
    getJSON(config.clusterApi.replace("__ID__", encodeURIComponent(id)) + "?" + params())
      .then(function (data) {
        var centre = state.network.getPosition(id);
        state.expanded[id] = { node: state.nodes.get(id),
                               edges: state.edges.get({ filter: function (e) { return e.from === id || e.to === id; } }) };
        state.edges.remove(state.expanded[id].edges.map(function (e) { return e.id; }));
        state.nodes.remove(id);
        state.nodes.add(memberNodes(data, centre));
        state.edges.add(memberEdges(data));
        state.expanded[id].members = data.members.map(function (m) { return m.id; });
        container.setAttribute("data-expanded", Object.keys(state.expanded).join(" "));
        renderDetail(data);
        relayout();
      })
      .catch(function (err) { detailEl.replaceChildren(text("p", err.message, "error")); });
  }

  function collapse(id) {
    var saved = state.expanded[id];
    if (!saved) { return; }
    var gone = saved.members.map(function (m) { return "m:" + m; });
    state.edges.remove(state.edges.get({ filter: function (e) { return e.member === id; } }).map(function (e) { return e.id; }));
    state.nodes.remove(gone);
    state.nodes.add(saved.node);
    state.edges.add(saved.edges.filter(function (e) { return state.nodes.get(e.from) && state.nodes.get(e.to); }));
    delete state.expanded[id];
    container.setAttribute("data-expanded", Object.keys(state.expanded).join(" "));
    detailEl.replaceChildren(text("p", "", "hint"));
  }

  function list(title, items) {
    if (!items || !items.length) { return null; }
    var wrap = document.createElement("section");
    wrap.appendChild(text("h3", title));
    var ul = document.createElement("ul");
    items.forEach(function (item) { ul.appendChild(text("li", item)); });
    wrap.appendChild(ul);
    return wrap;
  }

  function renderDetail(data) {
    var en = config.lang === "en";
    var parts = [text("h2", en ? data.name_en : data.name_nl), text("p", en ? data.summary_en : data.summary_nl)];
    var close = text("button", config.text.collapse);
    close.type = "button";
    close.addEventListener("click", function () { collapse(data.id); });
    parts.push(close);
    [list(config.text.themes, data.themes.map(function (t) { return en ? t.name_en : t.name; })),
     list(config.text.funders, data.funders.map(function (f) { return f.name + " · " + Math.round(f.share * 100) + "%"; })),
     list(config.text.institutions, data.institutions.map(function (i) { return i.name; }))
    ].forEach(function (s) { if (s) { parts.push(s); } });
    parts.push(text("h3", config.text.members + " (" + data.members.length + ")"));
    var ul = document.createElement("ul");
    ul.id = "cluster-members";
    data.members.forEach(function (m) {
      var li = document.createElement("li");
      var a = text("a", m.name);
      a.href = config.actorPage.replace("__ID__", encodeURIComponent(m.id));
      li.appendChild(a);
      if (m.broker) { li.appendChild(text("span", " · " + config.text.broker, "badge")); }
      if (m.island) { li.appendChild(text("span", " · " + config.text.island, "island-note")); }
      ul.appendChild(li);
    });
    parts.push(ul);
    var download = text("a", config.text.download);
    download.href = config.membersExport + "?" + params({ cluster: data.id });
    parts.push(download);
    detailEl.replaceChildren.apply(detailEl, parts);
    detailEl.setAttribute("data-cluster", data.id);
  }

  function sortTable(table, column, th) {
    var type = th.getAttribute("data-type");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[column].getAttribute("data-value") || "";
      var y = b.cells[column].getAttribute("data-value") || "";
      var c = type === "number" ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, config.lang);
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = text("button", th.textContent, "sort");
      button.type = "button";
      button.addEventListener("click", function () { sortTable(table, column, th); });
      th.replaceChildren(button);
    });
  });

  /* Keys inside the map (mapdraw.js): a cluster is named with its summary, an organisation with
   * its ties inside the cluster; Enter opens a cluster (as a click) or an organisation's page. */
  function nodeInfo(id) {
    var node = state.nodes.get(id) || {};
    if (node.kind !== "member") {  // the tooltip's lines after the name: summary, concentration
      return { name: node.label, type: "Cluster", about: String(node.title || "").split("\n").slice(1).join(". ") };
    }
    var ties = state.edges.get({ filter: function (e) { return /^t:/.test(e.id) && (e.from === id || e.to === id); } })
      .map(function (e) { var other = state.nodes.get(e.from === id ? e.to : e.from); return { name: other && other.label, rung: e.width }; })
      .filter(function (t) { return t.name; })
      .sort(function (a, b) { return b.rung - a.rung; });
    return { name: node.label, type: "Organisation", ties: ties };
  }

  function openNode(id) {
    var node = state.nodes.get(id);
    if (!node) { return; }
    if (node.kind === "member") { window.location.href = config.actorPage.replace("__ID__", encodeURIComponent(node.org)); }
    else { expand(id); }
  }

  var keys = GK.map && GK.map.keyboard(container, { network: function () { return state.network; }, info: nodeInfo, open: openNode });

  sizeBy.addEventListener("change", load);
  state.expand = expand;
  state.collapse = collapse;
  load();
})();
