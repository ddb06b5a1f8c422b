// Loaded in <head>, before the body is drawn, so large-print mode does not flash off then on.
try { if (localStorage.getItem("sb-elder") === "1") document.documentElement.classList.add("sb-elder"); } catch (e) {}
