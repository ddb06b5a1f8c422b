/* 长者模式 toggle; the same localStorage key as the site, so behind one domain the choice carries over. */
(function () {
  "use strict";
  var html = document.documentElement;
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
    });
  });
})();

/* After a refused submit, bring the list of problems into view (it links to each field). */
(function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.scrollIntoView(); summary.focus({ preventScroll: true }); }
})();
