/* Goudkaart map drawing shared by the map, meeting mode and the offline file (inlined there).
 * Positions come from the server: physics stays off, so the first frame is the stable frame.
 * Labels the server marked label_shown are drawn at the first zoom; the others once the view is
 * zoomed in (or on hover, as the tooltip). Keys only act while the map itself has focus. */
(function () {
  "use strict";
  var HIDDEN = 1e6;
  var FONT_FACE = "'Noto Sans', 'Noto Sans Arabic', 'Noto Sans Ethiopic', 'Noto Sans Tifinagh', system-ui, sans-serif";
  var ZOOM_TO_REVEAL = 1.6;

  /* Text folded for search: lower case, accents and other marks dropped ("Çocuk" → "cocuk"). */
  function fold(value) {
    return String(value == null ? "" : value).normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/ı/g, "i").toLocaleLowerCase();
  }

  function fontSize(node) { return (node.font && node.font.size) || 14; }

  /* Node entries for vis.DataSet: the labels not shown at first wait behind a draw threshold.
   * The type moves from ``group`` to ``kind``: on every update vis-network would otherwise paint
   * a node in its own default group colours, colours no legend names. */
  function prepare(nodes) {
    return nodes.map(function (n) {
      var copy = Object.assign({}, n, { kind: n.group });
      delete copy.group;
      if (n.label_shown === false) { copy.scaling = { label: { drawThreshold: HIDDEN } }; }
      return copy;
    });
  }

  function options(extra) {
    return {
      nodes: { font: { size: 14, face: FONT_FACE, strokeWidth: 4, strokeColor: "#ffffff" }, size: 14 },
      edges: { smooth: false, selectionWidth: 2 },
      interaction: Object.assign({
        hover: true, tooltipDelay: 150,
        // bound to the map's own element: typing "-" or "+" in a search box never zooms
        keyboard: { enabled: true, bindToWindow: false, autoFocus: false }
      }, extra || {}),
      physics: false,
      layout: { improvedLayout: false, randomSeed: 1 }
    };
  }

  /* After a fit: a hidden label appears once the view is zoomed in beyond the first zoom. */
  function reveal(network, nodes) {
    var scale = network.getScale();
    network.gkFirstScale = scale;
    var updates = nodes.get({ filter: function (n) { return n.label_shown === false; } })
      .map(function (n) {
        return { id: n.id, scaling: { label: { drawThreshold: fontSize(n) * scale * ZOOM_TO_REVEAL + 1 } } };
      });
    if (updates.length) { nodes.update(updates); }
  }

  /* Fit the first frame, reveal rules, then ``done``. */
  function settle(network, nodes, done) {
    network.once("afterDrawing", function () {
      network.fit({ maxZoomLevel: 1 });
      reveal(network, nodes);
      done();
    });
    loadFonts(network);
  }

  /* Canvas text does not ask for web fonts itself: load the script fonts, then draw again. */
  function loadFonts(network) {
    if (!document.fonts || !document.fonts.load) { return; }
    Promise.all([
      document.fonts.load("16px 'Noto Sans'", "Aa"),
      document.fonts.load("16px 'Noto Sans Arabic'", "\u0627"),
      document.fonts.load("16px 'Noto Sans Ethiopic'", "\u1200"),
      document.fonts.load("16px 'Noto Sans Tifinagh'", "\u2D30")
    ]).then(function () { network.redraw(); }, function () { /* system fonts stay */ });
  }

  /* The zoom at which a node's label shows: at least the first zoom × ZOOM_TO_REVEAL. */
  function closeUpScale(network) {
    return Math.max(1.4, (network.gkFirstScale || network.getScale()) * ZOOM_TO_REVEAL * 1.05);
  }

  /* -- keys inside the map ------------------------------------------------------------------
   * While the map has focus: an arrow key moves to the nearest dot in that direction, typed
   * letters jump to the next name that starts with them, Home/End go to the first/last name,
   * Enter does what a click does, Escape lets go of the dot. Shift + arrow moves the view (by
   * PAN screen px); + / − zoom (vis-network's own keys, which the arrows no longer reach). The focused dot gets a ring (ink on a white halo, so
   * at least 3:1 on any background) and, when its label is not drawn, a name tag; its name and
   * ties are announced through the page's aria-live region. Nothing listens on the window.
   *
   * ``page`` gives ``network()`` (the current vis.Network), ``info(id)`` → {name, type, island,
   * ties: [{name, rung}] (left out: nothing said about ties), about: one more sentence} and
   * ``open(id)``; the texts come from #map-keys-config
   * (templates/_map_keys.html). Returns {attach(network), focused()}. */
  var RING = "#1d1d1f", HALO = "#ffffff", TYPE_PAUSE = 800, PAN = 80, MOVE = {
    ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]
  };

  function keyboard(container, page) {
    var configEl = document.getElementById("map-keys-config");
    var live = document.getElementById("map-focus-live");
    if (!container || !configEl || !live) { return null; }
    var T = JSON.parse(configEl.textContent);
    var ctl = { id: null, typed: "", typedAt: 0 };
    var fmt = function (template, values) {
      return template.replace(/\{(\w+)\}/g, function (_, k) { return String(values[k]); });
    };

    function frame() { var net = page.network(); return net && net.canvas && net.canvas.frame; }

    function positions() {
      var net = page.network();
      if (!net) { return {}; }
      var all = net.getPositions();
      Object.keys(all).forEach(function (id) {
        var node = net.body.nodes[id];
        if (!node || node.options.hidden) { delete all[id]; }
      });
      return all;
    }

    function byName(pos) {
      return Object.keys(pos).map(function (id) { return { id: id, name: String(page.info(id).name || "") }; })
        .sort(function (a, b) { return a.name.localeCompare(b.name, T.lang, { sensitivity: "base" }); });
    }

    /* The dot nearest the middle of the view: where a first key press starts. */
    function nearestToCentre(pos) {
      var centre = page.network().getViewPosition(), best = null, bestD = Infinity;
      Object.keys(pos).forEach(function (id) {
        var d = Math.hypot(pos[id].x - centre.x, pos[id].y - centre.y);
        if (d < bestD) { best = id; bestD = d; }
      });
      return best;
    }

    /* The nearest dot in a direction: distance along it plus twice the distance across it,
     * among the dots that lie more along it than across it (else any dot on that side). */
    function inDirection(pos, from, dir) {
      var here = pos[from], best = null, bestScore = Infinity, bestWide = null, bestWideScore = Infinity;
      Object.keys(pos).forEach(function (id) {
        if (id === from) { return; }
        var dx = pos[id].x - here.x, dy = pos[id].y - here.y;
        var along = dx * dir[0] + dy * dir[1], across = Math.abs(dx * dir[1] - dy * dir[0]);
        if (along <= 0) { return; }
        var score = along + 2 * across;
        if (across <= along && score < bestScore) { best = id; bestScore = score; }
        if (score < bestWideScore) { bestWide = id; bestWideScore = score; }
      });
      return best || bestWide;
    }

    function describe(id) {
      var info = page.info(id);
      var kind = T.types[info.type];
      var parts = [kind ? fmt(T.node, { name: info.name, kind: kind }) : info.name + "."];
      var ties = info.ties || [];
      if (ties.length) {
        var shown = ties.slice(0, 5).map(function (t) {
          // without a rung name (the funder page has none): "… (rung 2)"
          return fmt(T.tie, { name: t.name, rung: t.rung, rungName: T.rungs[String(t.rung)] || "" })
            .replace(/, \)$/, ")");
        });
        var list = shown.join("; ") + (ties.length > 5 ? "; " + fmt(T.more, { n: ties.length - 5 }) : "");
        parts.push(fmt(ties.length === 1 ? T.ties[0] : T.ties[1], { n: ties.length }) + " " + list + ".");
      } else if (info.ties) {
        parts.push(T.noTies);
      }
      if (info.about) { parts.push(info.about); }
      if (info.island) { parts.push(T.island.replace(/\.?$/, ".")); }
      parts.push(T.open);
      return parts.join(" ");
    }

    function say(message) {
      // the same words twice in a row are announced again only when the text node changes
      live.textContent = "";
      window.setTimeout(function () { live.textContent = message; }, 30);
    }

    /* Keep the focused dot in view (with a margin), then draw the ring. */
    function show(id) {
      var net = page.network();
      var pos = net.getPositions([id])[id];
      var dom = net.canvasToDOM(pos), margin = 48;
      var inside = dom.x > margin && dom.y > margin &&
        dom.x < container.clientWidth - margin && dom.y < container.clientHeight - margin;
      if (!inside) { net.moveTo({ position: pos, animation: { duration: 250, easingFunction: "easeInOutQuad" } }); }
      net.redraw();
    }

    function focusNode(id) {
      if (!id) { return; }
      ctl.id = id;
      container.setAttribute("data-key-node", id);
      show(id);
      say(describe(id));
    }

    function release() {
      ctl.id = null;
      container.removeAttribute("data-key-node");
      var net = page.network();
      if (net) { net.redraw(); }
      say(T.released);
    }

    function typeAhead(key) {
      var now = Date.now();
      ctl.typed = (now - ctl.typedAt > TYPE_PAUSE ? "" : ctl.typed) + fold(key);
      ctl.typedAt = now;
      var names = byName(positions());
      var starts = function (entry) { return fold(entry.name).indexOf(ctl.typed) === 0; };
      // one letter pressed again moves on to the next name with that letter (as in a list box)
      var repeat = ctl.typed.length > 1 && ctl.typed.split("").every(function (c) { return c === ctl.typed[0]; });
      var needle = repeat ? ctl.typed[0] : ctl.typed;
      var matches = names.filter(function (entry) { return fold(entry.name).indexOf(needle) === 0; });
      if (!matches.length) { say(fmt(T.noMatch, { typed: ctl.typed })); return; }
      var at = matches.findIndex(function (entry) { return entry.id === ctl.id; });
      var stay = !repeat && at !== -1 && ctl.typed.length > 1 && starts(matches[at]);
      focusNode(stay ? ctl.id : matches[(at + 1) % matches.length].id);
    }

    function onKey(ev) {
      var net = page.network();
      if (!net || ev.target !== frame() || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
      var pos = positions(), handled = true;
      if (ctl.id && !pos[ctl.id]) { ctl.id = null; }
      if (MOVE[ev.key] && ev.shiftKey) {
        var view = net.getViewPosition(), step = PAN / net.getScale();
        net.moveTo({ position: { x: view.x + MOVE[ev.key][0] * step, y: view.y + MOVE[ev.key][1] * step } });
      } else if (MOVE[ev.key]) {
        focusNode(ctl.id ? inDirection(pos, ctl.id, MOVE[ev.key]) || ctl.id : nearestToCentre(pos));
      } else if (ev.key === "Home" || ev.key === "End") {
        var names = byName(pos);
        if (names.length) { focusNode(names[ev.key === "Home" ? 0 : names.length - 1].id); }
      } else if (ev.key === "Enter" && ctl.id) {
        page.open(ctl.id);
      } else if (ev.key === "Escape" && ctl.id) {
        release();
      } else if (ev.key.length === 1 && /[\p{L}\p{N}]/u.test(ev.key)) {
        typeAhead(ev.key);
      } else if (ev.key === " " && ctl.typed && Date.now() - ctl.typedAt < TYPE_PAUSE) {
        typeAhead(" ");
      } else {
        handled = false;
      }
      if (handled) { ev.preventDefault(); ev.stopPropagation(); }
    }

    function drawFocus(ctx) {
      var net = page.network();
      if (!ctl.id || !net || !net.body.nodes[ctl.id]) { return; }
      var node = net.body.nodes[ctl.id], scale = net.getScale();
      var pos = net.getPositions([ctl.id])[ctl.id];
      var radius = (node.options.size || 14) + 5 / scale;
      ctx.save();
      ctx.beginPath();
      ctx.arc(pos.x, pos.y, radius, 0, 2 * Math.PI);
      ctx.lineWidth = 9 / scale;
      ctx.strokeStyle = HALO;
      ctx.stroke();
      ctx.lineWidth = 4 / scale;
      ctx.strokeStyle = RING;
      ctx.stroke();
      var label = node.labelModule;
      var drawn = label && label.elementOptions && label.elementOptions.label &&
        label.fontOptions.size * scale >= label.elementOptions.scaling.label.drawThreshold - 1;
      if (!drawn) {
        var size = 16 / scale, name = String(page.info(ctl.id).name || "");
        ctx.font = "600 " + size + "px " + FONT_FACE;
        var width = ctx.measureText(name).width, pad = 5 / scale, top = pos.y + radius + 6 / scale;
        ctx.fillStyle = HALO;
        ctx.strokeStyle = RING;
        ctx.lineWidth = 2 / scale;
        ctx.fillRect(pos.x - width / 2 - pad, top, width + 2 * pad, size * 1.35 + pad);
        ctx.strokeRect(pos.x - width / 2 - pad, top, width + 2 * pad, size * 1.35 + pad);
        ctx.fillStyle = RING;
        ctx.textAlign = "center";
        ctx.textBaseline = "top";
        ctx.fillText(name, pos.x, top + pad / 2 + size * 0.15);
      }
      ctx.restore();
    }

    // the skip link "to the map" puts the keyboard on the map itself
    document.querySelectorAll('a[href="#' + container.id + '"]').forEach(function (link) {
      link.addEventListener("click", function (ev) {
        var target = frame();
        if (!target) { return; }
        ev.preventDefault();
        target.focus();
      });
    });
    // capture: the keys handled here never reach vis-network's own handler on the frame
    container.addEventListener("keydown", onKey, true);

    ctl.attach = function (network) {
      ctl.id = null;
      container.removeAttribute("data-key-node");
      var target = network.canvas.frame;
      target.setAttribute("role", "application");
      target.setAttribute("aria-labelledby", container.id);
      target.setAttribute("aria-describedby", "map-keys");
      network.on("afterDrawing", drawFocus);
      return ctl;
    };
    ctl.focused = function () { return ctl.id; };
    return ctl;
  }

  window.GK = window.GK || {};
  window.GK.map = { fold: fold, prepare: prepare, options: options, settle: settle, reveal: reveal,
                    closeUpScale: closeUpScale, fontFace: FONT_FACE, keyboard: keyboard };
}());
