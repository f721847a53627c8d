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
  var ISLAND = "#D55E00";
  var THEMES = {
    light: { font: "#000000", stroke: "#ffffff", border: "#222222", a: "#6A00F4", b: "#007A6E" },
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
    versions: {}, islands: {}, names: {}, colours: {}, theme: "light", session: config.session
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
    var island = !!state.islands[id];
    var mark = id === state.a ? "A" : id === state.b ? "B" : "";
    var border = mark ? theme[mark.toLowerCase()] : island ? ISLAND : theme.border;
    return {
      id: id,
      label: (mark ? mark + " · " : "") + state.names[id],
      font: { size: 28, color: theme.font, strokeWidth: 5, strokeColor: theme.stroke },
      borderWidth: mark ? 9 : island ? 5 : 2,
      color: { background: state.colours[id], border: border,
               highlight: { background: state.colours[id], border: border } },
      shapeProperties: { borderDashes: island && !mark ? [8, 5] : false },
      shadow: island ? { enabled: true, color: ISLAND, size: 24, x: 0, y: 0 } : { enabled: false },
      island: island
    };
  }

  function edgeLook(edge) {
    return { id: edge.id, color: config.rungColours[state.theme][String(edge.rung)],
             width: 1.5 + 2 * (edge.rung - 1), title: edge.rung + " · " + rungName(edge.rung) };
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
    state.positioned = !!data.positioned;
    state.session = data.session;
    if (!data.session) {  // closed meanwhile (by another coach): nothing more to record here
      document.querySelectorAll("#record-form button, #undo-form button").forEach(function (b) { b.disabled = true; });
    }
    setIslandIds(data.islands);
    data.nodes.forEach(function (n) {
      state.names[n.id] = n.label;
      state.colours[n.id] = n.color.background;
    });
    if (!state.nodes) {
      state.nodes = new vis.DataSet(data.nodes);
      state.edges = new vis.DataSet(data.edges);
    } else {
      state.edges.clear();
      state.edges.add(data.edges);
    }
  }

  function draw() {
    restyle();
    var options = {
      nodes: { size: 20 },
      edges: { smooth: false, selectionWidth: 3 },
      interaction: { hover: true, tooltipDelay: 150, keyboard: true, multiselect: false },
      physics: {
        solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -90, springLength: 150, avoidOverlap: 0.4 },
        stabilization: { enabled: true, iterations: state.nodes.length > 400 ? 150 : 300, fit: true }
      }
    };
    if (state.positioned) {
      // big areas arrive with positions computed on the server: no physics in the browser
      options.physics = false;
      options.layout = { improvedLayout: false };
    }
    state.network = new vis.Network(container, { nodes: state.nodes, edges: state.edges }, options);
    var markReady = function () {
      state.ready = true;
      container.setAttribute("data-ready", "true");
    };
    if (state.positioned) {
      state.network.once("afterDrawing", function () { state.network.fit(); markReady(); });
    } else {
      state.network.once("stabilizationIterationsDone", function () {
        // physics off after the first stable picture: a projector must not keep wobbling
        state.network.setOptions({ physics: false });
        markReady();
      });
    }
    state.network.on("click", function (params) {
      if (params.nodes.length) { pick(params.nodes[0]); }
    });
  }

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

  function showPicks() {
    pickA.value = state.a || "";
    pickB.value = state.b || "";
    restyle();
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
