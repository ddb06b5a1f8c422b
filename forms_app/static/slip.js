// The slip's "打印" button (staff/slip.html): the browser's print dialog, on the paper the slip's page sets.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
