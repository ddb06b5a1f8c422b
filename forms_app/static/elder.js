// Loaded in <head>, before the body is drawn, so large-print mode does not flash off then on.
// ?elder=1 or 0 is the choice made on the site, which is another origin (forms.js carryElderMode).
try {
  var carried = new URLSearchParams(location.search).get("elder");
  if (carried === "1" || carried === "0") localStorage.setItem("sb-elder", carried);
  if (localStorage.getItem("sb-elder") === "1") document.documentElement.classList.add("sb-elder");
} catch (e) {}
