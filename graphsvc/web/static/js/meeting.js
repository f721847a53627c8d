/* Goudkaart meeting mode: one area on a projector; record a tie in three clicks (A, B, rung).
 * Loads /api/v1/areas/<code>/meeting, records through /api/v1/sessions/<id>/ties and /undo.
 * Every user string is handled as text (textContent, plain-string tooltips), never as HTML.
 * On the printable pages only the print buttons are wired. */
(function () {
  "use strict";
  var text = GK.text, fmt = GK.fmt;
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var configEl = document.getElementById("meeting-config");
  if (!configEl) { return; }
  var config = JSON.parse(configEl.textContent);
  var T = config.text;
  var THEMES = {
    light: { font: "#000000", stroke: "#ffffff", border: "#333333", a: "#6A00F4", b: "#007A6E" },
    dark: { font: "#ffffff", stroke: "#000000", border: "#dddddd", a: "#FFD400", b: "#00E5FF" }
  };
  var container = document.getElementById("network");
  var statusEl = document.getElementById("map-status");
  var hintEl = document.getElementById("record-hint");
  var currentEl = document.getElementById("current-rung");
  var lastEl = document.getElementById("last-change");
  var pickA = document.getElementById("pick-a");
  var pickB = document.getElementById("pick-b");
  var undoButton = document.getElementById("btn-undo");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var state = {
    ready: false, network: null, nodes: null, edges: null, a: null, b: null, busy: false,
    versions: {}, islands: {}, names: {}, base: {}, theme: "light", session: config.session
  };
  window.goudkaartMeeting = state;

  function pair(a, b) { return a < b ? [a, b] : [b, a]; }
  function tieKey(a, b) { return pair(a, b).join("|"); }
  function edgeId(a, b) { var p = pair(a, b); return "TIE:" + p[0] + ":" + p[1]; }
  function rungName(rung) { return config.rungs[String(rung)] || ""; }

  function currentRung(a, b) {
    var edge = state.edges && state.edges.get(edgeId(a, b));
    return edge ? edge.rung : 0;
  }

  /* -- looks ------------------------------------------------------------------------------- */
  function nodeLook(id) {
    var theme = THEMES[state.theme];
    var base = state.base[id];
    var island = !!state.islands[id];
    var mark = id === state.a ? "A" : id === state.b ? "B" : "";
    var fill = base.color.background;
    // an island keeps its fill; on the dark canvas a light rim sets the star apart
    var border = mark ? theme[mark.toLowerCase()] : island && state.theme === "dark" ? "#ffffff" : theme.border;
    var font = (base.font && base.font.size) || 14;
    var look = {
      id: id,
      label: (mark ? mark + " · " : "") + state.names[id],
      font: { size: mark ? Math.max(font, abLabelFont()) : font, color: theme.font, strokeWidth: 5,
              strokeColor: theme.stroke, vadjust: mark ? abOffset(id, base, font) : 0 },
      borderWidth: mark ? 6 : island ? 2 : 1,
      color: { background: fill, border: border, highlight: { background: fill, border: border },
               hover: { background: fill, border: border } },
      island: island
    };
    if (mark) {
      look.scaling = { label: { drawThreshold: 1 } };  // A and B are always named
    } else if (base.label_shown === false && state.network) {
      look.scaling = { label: { drawThreshold: font * (state.network.gkFirstScale || 1) * 1.6 + 1 } };
    }
    return look;
  }

  /* A and B never cover each other: the upper one is named above its node, the lower one below. */
  function abOffset(id, base, font) {
    var other = id === state.a ? state.b : state.a;
    if (!other || !state.base[other]) { return 0; }
    var me = state.base[id], them = state.base[other];
    var upper = me.y < them.y || (me.y === them.y && id === state.a);
    var size = base.size || 14;
    return upper ? -(2 * size + 1.2 * Math.max(font, abLabelFont()) + 6) : 0;
  }

  function abLabelFont() {
    var scale = state.network ? (state.network.gkFirstScale || state.network.getScale()) : 1;
    return Math.ceil(22 / scale);
  }

  function edgeLook(edge) {
    var colour = config.rungColours[state.theme][String(edge.rung)];
    return { id: edge.id, color: { color: colour, highlight: colour, hover: colour },
             width: 1.2 + 1.4 * (edge.rung - 1), title: edge.rung + " · " + rungName(edge.rung) };
  }

  function restyle() {
    if (!state.nodes) { return; }
    state.nodes.update(state.nodes.getIds().map(nodeLook));
    state.edges.update(state.edges.get().map(edgeLook));
  }

  /* -- loading and drawing ----------------------------------------------------------------- */
  function load() {
    statusEl.textContent = T.loading;
    return fetch(config.stateApi + "?lang=" + encodeURIComponent(config.lang),
                 { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.ok) { throw new Error(data.error); }
        absorb(data);
        if (!state.network) { draw(); } else { restyle(); }
        updateStatus();
      })
      .catch(function (err) { statusEl.textContent = T.loadError + " " + err.message; });
  }

  function absorb(data) {
    state.versions = data.tie_versions;
    state.session = data.session;
    if (!data.session) {  // closed meanwhile (by another coach): nothing more to record here
      document.querySelectorAll("#record-form button, #undo-form button").forEach(function (b) { b.disabled = true; });
    }
    setIslandIds(data.islands);
    var fresh = data.nodes.filter(function (n) { return !state.base[n.id]; });
    data.nodes.forEach(function (n) {
      state.names[n.id] = n.label;
      state.base[n.id] = n;
    });
    if (!state.nodes) {
      state.nodes = new vis.DataSet(GK.map.prepare(data.nodes));
      state.edges = new vis.DataSet(data.edges);
    } else {
      // a node new to the area arrives where the server put it, near its partners; no other moves
      if (fresh.length) { state.nodes.add(GK.map.prepare(fresh)); }
      state.edges.clear();
      state.edges.add(data.edges);
    }
  }

  function draw() {
    restyle();
    state.network = new vis.Network(container, { nodes: state.nodes, edges: state.edges },
                                    GK.map.options({ multiselect: false }));
    GK.map.settle(state.network, state.nodes, function () {
      state.ready = true;
      container.setAttribute("data-ready", "true");
    });
    state.network.on("click", function (params) {
      if (params.nodes.length) { pick(params.nodes[0]); }
    });
    if (keys) { keys.attach(state.network); }
  }

  /* What the keyboard inside the map announces for a dot; Enter picks it, as a click does. */
  function nodeInfo(id) {
    var base = state.base[id] || {};
    var ties = state.edges.get({ filter: function (e) { return e.rung > 0 && (e.from === id || e.to === id); } })
      .map(function (e) { return { name: state.names[e.from === id ? e.to : e.from], rung: e.rung }; })
      .filter(function (t) { return t.name; })
      .sort(function (a, b) { return b.rung - a.rung || String(a.name).localeCompare(String(b.name), config.lang); });
    return { name: state.names[id], type: base.group, island: !!state.islands[id], ties: ties };
  }

  var keys = GK.map.keyboard(container, { network: function () { return state.network; }, info: nodeInfo, open: pick });

  function updateStatus() {
    var islands = Object.keys(state.islands).length;
    statusEl.textContent = fmt(T.shown, { nodes: state.nodes.length, edges: state.edges.length, islands: islands });
    container.setAttribute("data-nodes", String(state.nodes.length));
    container.setAttribute("data-edges", String(state.edges.length));
  }

  /* -- islands ------------------------------------------------------------------------------- */
  function setIslandIds(ids) {
    state.islands = {};
    ids.forEach(function (id) { state.islands[id] = true; });
  }

  function renderIslands() {
    var list = document.getElementById("island-list");
    var ids = Object.keys(state.islands).sort(function (x, y) {
      return String(state.names[x]).localeCompare(String(state.names[y]));
    });
    list.replaceChildren();
    ids.forEach(function (id) {
      var li = text("li", state.names[id] || id);
      li.setAttribute("data-id", id);
      list.appendChild(li);
    });
    if (!ids.length) { list.appendChild(text("li", T.none)); }
    document.getElementById("island-count").textContent = "(" + ids.length + ")";
  }

  /* -- picking A and B ----------------------------------------------------------------------- */
  function pick(id) {
    if (!config.canRecord || !state.session || !pickA) { return; }
    if (state.a === null || (state.a !== null && state.b !== null)) {
      state.a = id; state.b = null;
    } else if (id === state.a) {
      state.a = null;
    } else {
      state.b = id;
    }
    showPicks();
  }

  /* The drawn name boxes of A and B, checked after drawing: if they still touch, the upper name
   * moves further up until they do not (fonts and shapes differ; the real boxes decide). */
  function separatePicked() {
    if (!state.a || !state.b || !state.network) { return; }
    state.network.once("afterDrawing", function () {
      var nodes = state.network.body.nodes;
      if (!nodes[state.a] || !nodes[state.b]) { return; }
      var upper = abOffset(state.a, state.base[state.a], 14) < 0 ? state.a : state.b;
      var lower = upper === state.a ? state.b : state.a;
      // vis-network keeps a label's box where it would be without vadjust: add it here
      var box = function (id) {
        var label = nodes[id].labelModule, size = label.size, shift = label.fontOptions.vadjust || 0;
        return { left: size.left, right: size.left + size.width, top: size.top + shift,
                 bottom: size.top + shift + size.height, shift: shift };
      };
      var u = box(upper), l = box(lower);
      var touch = u.left < l.right && l.left < u.right && u.top < l.bottom && l.top < u.bottom;
      if (!touch || state.separating > 3) { state.separating = 0; return; }
      state.separating = (state.separating || 0) + 1;
      state.nodes.update({ id: upper, font: { vadjust: u.shift - (u.bottom - l.top) - 6 } });
      separatePicked();
    });
  }

  function showPicks() {
    pickA.value = state.a || "";
    pickB.value = state.b || "";
    restyle();
    separatePicked();
    document.querySelectorAll(".rung-button").forEach(function (button) {
      button.classList.remove("current");
      button.removeAttribute("aria-current");
    });
    currentEl.textContent = "";
    if (state.a === null) { hintEl.textContent = T.pickA; return; }
    if (state.b === null) { hintEl.textContent = T.pickB; return; }
    hintEl.textContent = T.pickRung;
    var rung = currentRung(state.a, state.b);
    currentEl.textContent = rung ? fmt(T.current, { rung: rung, name: rungName(rung) }) : T.noTie;
    var button = document.querySelector(".rung-button[data-rung='" + rung + "']");
    if (button) { button.classList.add("current"); button.setAttribute("aria-current", "true"); }
  }

  function fromSelects() {
    state.a = pickA.value || null;
    state.b = pickB.value || null;
    showPicks();
  }

  /* -- writing ------------------------------------------------------------------------------- */
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!data.ok) { var err = new Error(data.error); err.status = r.status; throw err; }
        return data;
      });
    });
  }

  function applyTie(change, rung, version) {
    var id = edgeId(change.a, change.b);
    if (rung === 0) {
      state.edges.remove(id);
      delete state.versions[tieKey(change.a, change.b)];
    } else {
      var p = pair(change.a, change.b);
      var edge = { id: id, from: p[0], to: p[1], type: "TIE", rung: rung };
      state.edges.update(Object.assign(edge, edgeLook(edge)));
      state.versions[tieKey(change.a, change.b)] = version;
    }
  }

  function afterWrite(data, message) {
    state.session = data.session;
    setIslandIds(data.islands);
    renderIslands();
    lastEl.textContent = message;
    undoButton.disabled = !data.session.last_change;
    state.a = null; state.b = null;
    showPicks();
    updateStatus();
  }

  function failed(err) {
    lastEl.textContent = T.error + " " + err.message;
    if (err.status === 409) { load(); }  // someone else changed it: show the current state
  }

  function record(rung) {
    if (!state.a || !state.b || state.a === state.b) { lastEl.textContent = T.needBoth; return; }
    if (state.busy) { return; }
    state.busy = true;
    var body = { a: state.a, b: state.b, rung: rung, declared_by: document.getElementById("declared-by").value,
                 expected_version: state.versions[tieKey(state.a, state.b)] || 0 };
    post(config.recordApi.replace("__SID__", encodeURIComponent(state.session.id)), body)
      .then(function (data) {
        var c = data.change;
        applyTie(c, c.new_rung, c.tie_version);
        var template = c.kind === "confirmed" ? T.confirmed : T.recorded;
        afterWrite(data, fmt(template, { a: c.a_name, b: c.b_name, rung: c.new_rung, name: rungName(c.new_rung) }));
      })
      .catch(failed)
      .then(function () { state.busy = false; });
  }

  function undo() {
    if (state.busy || !state.session) { return; }
    state.busy = true;
    post(config.undoApi.replace("__SID__", encodeURIComponent(state.session.id)),
         { expected_version: state.session.version })
      .then(function (data) {
        var c = data.change;
        applyTie(c, c.new_rung, c.tie_version);
        var template = c.new_rung ? T.undone : T.undoneGone;
        afterWrite(data, fmt(template, { a: c.a_name, b: c.b_name, rung: c.new_rung }));
      })
      .catch(failed)
      .then(function () { state.busy = false; });
  }

  /* -- wiring -------------------------------------------------------------------------------- */
  var recordForm = document.getElementById("record-form");
  if (recordForm) {
    recordForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var rung = e.submitter && e.submitter.getAttribute("data-rung");
      if (rung) { record(Number(rung)); }
    });
    pickA.addEventListener("change", fromSelects);
    pickB.addEventListener("change", fromSelects);
    document.getElementById("undo-form").addEventListener("submit", function (e) {
      e.preventDefault();
      undo();
    });
  }
  document.querySelectorAll("button.topic").forEach(function (button) {
    button.addEventListener("click", function () {
      var ids = button.getAttribute("data-members").split(" ").filter(function (id) {
        return state.nodes && state.nodes.get(id);
      });
      state.network.selectNodes(ids);
      if (ids.length) { state.network.fit({ nodes: ids, animation: { duration: 400 } }); }
    });
  });
  document.getElementById("btn-fullscreen").addEventListener("click", function () {
    var el = document.documentElement;
    if (document.fullscreenElement) { document.exitFullscreen(); } else if (el.requestFullscreen) { el.requestFullscreen(); }
  });
  document.getElementById("btn-theme").addEventListener("click", function (e) {
    state.theme = state.theme === "light" ? "dark" : "light";
    document.body.classList.toggle("theme-dark", state.theme === "dark");
    document.body.classList.toggle("theme-light", state.theme === "light");
    e.target.setAttribute("aria-pressed", String(state.theme === "dark"));
    restyle();
  });
  load();
})();
