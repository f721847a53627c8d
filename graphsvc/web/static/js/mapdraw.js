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

  window.GK = window.GK || {};
  window.GK.map = { fold: fold, prepare: prepare, options: options, settle: settle, reveal: reveal,
                    closeUpScale: closeUpScale, fontFace: FONT_FACE };
}());
