/* The site header folds into a "Menu" button on narrow screens; the language links keep the
 * current filters (the map changes its address without reloading). */
(function () {
  "use strict";
  var toggle = document.getElementById("menu-toggle");
  var menu = document.getElementById("site-menu");
  if (toggle && menu) {
    document.documentElement.classList.add("has-menu");
    toggle.hidden = false;
    var close = function () {
      toggle.setAttribute("aria-expanded", "false");
      menu.classList.remove("open");
    };
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    });
    menu.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && menu.classList.contains("open")) { close(); toggle.focus(); }
    });
  }
  document.querySelectorAll("nav.lang a[hreflang]").forEach(function (link) {
    link.addEventListener("click", function () {
      var params = new URLSearchParams(window.location.search);
      params.set("lang", link.getAttribute("hreflang"));
      link.href = "?" + params.toString() + window.location.hash;
    });
  });
}());
