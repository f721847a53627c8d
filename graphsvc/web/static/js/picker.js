/* Pickers of the profile form: a search box narrows a multiple select to the options whose
 * Dutch or English name holds the typed text. Selected options always stay visible. */
(function () {
  "use strict";
  function fold(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.querySelectorAll("input[data-filter-for]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-filter-for"));
    if (!select) { return; }
    box.addEventListener("input", function () {
      var needle = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        var hit = !needle || fold(option.getAttribute("data-search")).indexOf(needle) >= 0;
        option.hidden = !(hit || option.selected);
      });
    });
  });
}());
