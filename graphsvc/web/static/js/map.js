/* Goudkaart interactive map: loads /api/v1/graph and draws it with the vendored vis-network.
 * Every user string is handled as text (textContent, plain-string tooltips), never as HTML. */
(function () {
  "use strict";
  var text = GK.text, fmt = GK.fmt;
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var form = document.getElementById("map-filters");
  var container = document.getElementById("network");
  var statusEl = document.getElementById("map-status");
  var profileEl = document.getElementById("profile");
  var searchEl = document.getElementById("f-search");
  var resultsEl = document.getElementById("search-results");
  var focusEl = document.getElementById("f-focus");
  var focusLimitEl = document.getElementById("f-focus-limit");
  var focusNote = document.getElementById("focus-note");
  var showMore = document.getElementById("show-more");
  var state = { network: null, nodes: null, edges: null, ready: false, payload: null };
  window.goudkaartMap = state;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (key !== "q" && value !== "") { params.append(key, value); }
    });
    params.set("lang", config.lang);
    return params;
  }

  function load() {
    state.ready = false;
    statusEl.textContent = config.text.loading;
    var params = query();
    var pageParams = new URLSearchParams(params);
    if (searchEl.value) { pageParams.set("q", searchEl.value); }
    history.replaceState(null, "", "?" + pageParams.toString());
    keepFiltersOnLanguageLinks(pageParams);
    fetch(config.api + "?" + params.toString(), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (payload) {
        if (!payload.ok) { throw new Error(payload.error); }
        draw(payload);
      })
      .catch(function (err) {
        statusEl.textContent = config.text.error + " " + err.message;
      });
  }

  /* The NL/EN links carry the current filters, so switching language keeps the view. */
  function keepFiltersOnLanguageLinks(pageParams) {
    document.querySelectorAll("a[hreflang]").forEach(function (link) {
      var params = new URLSearchParams(pageParams);
      params.set("lang", link.getAttribute("hreflang"));
      link.setAttribute("href", "?" + params.toString());
    });
  }

  function markReady() {
    state.ready = true;
    container.setAttribute("data-ready", "true");
  }

  function describe(payload) {
    if (payload.mode === "aggregate") {
      return fmt(config.text.aggregate, { nodes: payload.nodes.length });
    }
    return fmt(config.text.shown, {
      nodes: payload.nodes.length, edges: payload.edges.length, islands: payload.islands.length
    });
  }

  function showFocus(payload) {
    var focused = payload.mode === "graph" && payload.filters.focus;
    focusNote.hidden = !focused;
    if (!focused) { return; }
    document.getElementById("focus-text").textContent = payload.more > 0
      ? fmt(config.text.focus, { more: payload.more }) : config.text.focusAll;
    showMore.hidden = !(payload.more > 0);
  }

  function draw(payload) {
    state.payload = payload;
    state.nodes = new vis.DataSet(GK.map.prepare(payload.nodes));
    state.edges = new vis.DataSet(payload.edges);
    container.setAttribute("data-mode", payload.mode);
    container.removeAttribute("data-ready");
    if (state.network) { state.network.destroy(); }
    state.network = new vis.Network(container, { nodes: state.nodes, edges: state.edges },
                                     GK.map.options({ navigationButtons: true }));
    GK.map.settle(state.network, state.nodes, markReady);
    if (keys) { keys.attach(state.network); }
    state.network.on("click", function (params) {
      if (params.nodes.length) { openNode(params.nodes[0]); }
    });
    statusEl.textContent = describe(payload);
    showFocus(payload);
    container.setAttribute("data-nodes", String(payload.nodes.length));
    if (searchEl.value) { search(); }
  }

  function section(title, items, render) {
    if (!items || !items.length) { return null; }
    var wrap = document.createElement("section");
    wrap.appendChild(text("h3", title));
    var ul = document.createElement("ul");
    items.forEach(function (item) { ul.appendChild(render(item)); });
    wrap.appendChild(ul);
    return wrap;
  }

  function showProfile(id) {
    fetch(config.actorApi.replace("__ID__", encodeURIComponent(id)) + "?lang=" + config.lang,
          { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.ok) { throw new Error(data.error); }
        renderProfile(data);
      })
      .catch(function (err) { profileEl.replaceChildren(text("p", err.message, "error")); });
  }

  function renderProfile(p) {
    var node = p.node;
    var parts = [text("h2", node.name), text("p", config.text.types[node.label] || node.label, "type")];
    var shown = state.nodes && state.nodes.get(node.id);
    var area = document.getElementById("f-area");
    // with an area chosen, only ties to actors active there count: say so
    var islandText = area && area.value ? config.text.islandInArea : config.text.island;
    if (shown && shown.island) { parts.push(text("p", islandText, "island-note")); }
    if (node.description) { parts.push(text("p", node.description)); }
    var plain = function (item) { return text("li", item.name); };
    [
      section(config.text.areas, p.areas, plain),
      section(config.text.themes, p.interests, plain),
      section(config.text.communities, p.communities, plain),
      section(config.text.offers, p.offers, plain),
      section(config.text.needs, p.needs, plain),
      section(config.text.ties, p.ties, function (t) {
        return text("li", t.name + " · " + config.text.rung + " " + t.rung + " (" + (config.rungs[t.rung] || "") + ")");
      }),
      section(config.text.funding, p.funding, function (f) {
        return text("li", f.fund_name + (f.amount ? " · € " + Number(f.amount).toLocaleString(config.lang) : "") + (f.year ? " · " + f.year : "") +
          (f.status ? " · " + (config.grantStatuses[f.status] || f.status) : ""));
      })
    ].forEach(function (s) { if (s) { parts.push(s); } });
    var around = text("button", config.text.showAround);
    around.type = "button";
    around.addEventListener("click", function () { setFocus(node.id); });
    parts.push(around);
    var link = text("a", config.text.openProfile);
    link.href = config.actorPage.replace("__ID__", encodeURIComponent(node.id));
    parts.push(link);
    profileEl.replaceChildren.apply(profileEl, parts);
    profileEl.setAttribute("data-node", node.id);
  }

  function openArea(code) {
    var select = document.getElementById("f-area");
    if (!Array.prototype.some.call(select.options, function (o) { return o.value === code; })) {
      var option = document.createElement("option");
      option.value = code;
      option.textContent = code;
      select.appendChild(option);
    }
    select.value = code;
    load();
  }

  function setFocus(id) {
    focusEl.value = id;
    focusLimitEl.value = "100";
    load();
  }

  function searchServer(needle) {
    // in the aggregated view the organisations are not loaded: ask the list API
    fetch(config.listApi + "?limit=10&q=" + encodeURIComponent(needle), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        resultsEl.replaceChildren();
        if (!data.ok || !data.items.length) { resultsEl.appendChild(text("li", config.text.noMatch)); return; }
        data.items.forEach(function (item) {
          var li = document.createElement("li");
          var button = text("button", item.name);
          button.type = "button";
          button.addEventListener("click", function () { setFocus(item.id); });
          li.appendChild(button);
          resultsEl.appendChild(li);
        });
      });
  }

  function search() {
    resultsEl.replaceChildren();
    var typed = searchEl.value.trim();
    var needle = GK.map.fold(typed);
    if (!needle || !state.nodes) { return; }
    if (state.payload && state.payload.mode === "aggregate") { searchServer(typed); return; }
    var hits = state.nodes.get({
      filter: function (n) { return GK.map.fold(n.label).indexOf(needle) !== -1; }
    }).slice(0, 10);
    if (!hits.length) { resultsEl.appendChild(text("li", config.text.noMatch)); return; }
    hits.forEach(function (n) {
      var li = document.createElement("li");
      var button = text("button", n.label);
      button.type = "button";
      button.addEventListener("click", function () { focusNode(n.id); });
      li.appendChild(button);
      resultsEl.appendChild(li);
    });
    state.network.selectNodes(hits.map(function (n) { return n.id; }));
  }

  function focusNode(id) {
    state.network.selectNodes([id]);
    state.network.focus(id, { scale: GK.map.closeUpScale(state.network), animation: { duration: 400 } });
    showProfile(id);
  }

  /* What the keyboard inside the map announces for a dot, and what Enter does (as a click). */
  function nodeInfo(id) {
    var node = state.nodes.get(id) || {};
    var names = {};
    state.nodes.forEach(function (n) { names[n.id] = n.label; });
    var ties = state.edges.get({ filter: function (e) { return e.type === "TIE" && (e.from === id || e.to === id); } })
      .map(function (e) { return { name: names[e.from === id ? e.to : e.from], rung: e.rung }; })
      .filter(function (t) { return t.name; })
      .sort(function (a, b) { return b.rung - a.rung || String(a.name).localeCompare(String(b.name), config.lang); });
    var type = state.payload && state.payload.mode === "aggregate" ? "Area" : node.kind;
    return { name: node.label, type: type, island: !!node.island, ties: ties };
  }

  function openNode(id) {
    var node = state.nodes.get(id);
    if (!node) { return; }
    if (state.payload.mode === "aggregate") { openArea(node.area); } else { showProfile(id); }
  }

  var keys = GK.map.keyboard(container, { network: function () { return state.network; }, info: nodeInfo, open: openNode });

  form.addEventListener("change", function (e) { if (e.target !== searchEl) { load(); } });
  showMore.addEventListener("click", function () {
    focusLimitEl.value = String(Number(focusLimitEl.value || "100") + 100);
    load();
  });
  document.getElementById("clear-focus").addEventListener("click", function () { setFocus(""); });
  form.addEventListener("submit", function (e) { e.preventDefault(); search(); });
  searchEl.addEventListener("input", search);
  state.focusNode = focusNode;
  load();
})();
