/* 长者模式 toggle; the same localStorage key as the site, so behind one domain the choice carries over.
   When the site is another origin (another port in `make demo`, another host), its storage cannot
   see ours: links to the site carry the choice as ?elder=1 or 0, which the site's head script keeps. */
(function () {
  "use strict";
  var html = document.documentElement;
  var home = document.querySelector(".header a");
  var siteOrigin = home ? new URL(home.href, location.href).origin : null;

  function carryElderMode() {
    var choice;
    try { choice = localStorage.getItem("sb-elder"); } catch (e) { return; }
    if ((choice !== "1" && choice !== "0") || !siteOrigin || siteOrigin === location.origin) return;
    document.querySelectorAll("a[href]").forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== siteOrigin) return;
      url.searchParams.set("elder", choice);
      link.href = url.toString();
    });
  }

  carryElderMode();
  document.querySelectorAll("[data-elder-toggle]").forEach(function (button) {
    function show(on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "退出长者模式" : "长者模式";
    }
    show(html.classList.contains("sb-elder"));
    button.addEventListener("click", function () {
      var on = !html.classList.contains("sb-elder");
      html.classList.toggle("sb-elder", on);
      show(on);
      try { localStorage.setItem("sb-elder", on ? "1" : "0"); } catch (e) { /* not remembered */ }
      carryElderMode();
    });
  });
})();

/* After a refused submit, bring the list of problems into view (it links to each field). */
(function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.scrollIntoView(); summary.focus({ preventScroll: true }); }
})();
