/* Goudkaart's small DOM helpers, shared by every page script (and inlined into the offline map).
 * User strings become text nodes (textContent), never HTML. */
(function () {
  "use strict";
  window.GK = {
    /* A new element holding ``value`` as text (null/undefined as empty). */
    text: function (tag, value, cls) {
      var el = document.createElement(tag);
      el.textContent = value == null ? "" : String(value);
      if (cls) { el.className = cls; }
      return el;
    },
    /* "{n} organisations" with {n} filled from ``values`` (the result is text, not HTML). */
    fmt: function (template, values) {
      return template.replace(/\{(\w+)\}/g, function (_, k) { return String(values[k]); });
    }
  };
}());
