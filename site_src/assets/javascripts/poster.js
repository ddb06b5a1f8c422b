/* The printed poster (公示栏) laid out page by page in the browser that prints it, because only the
   browser knows how tall each person's card is. The page works without this script: the sheet then
   grows and prints on as many pages as it needs, the QR codes at its end.
   Of the three layouts (2, 3 and 4 columns of people) it keeps the one that needs the fewest pages,
   and of those the one with the largest print; the people who do not fit a page continue on the next,
   each page with the same title, both QR codes and the contacts.
   A single card taller than a page gets a page that grows, so nothing is ever cut off. */
(function () {
  "use strict";
  var TIERS = ["poster--normal", "poster--dense", "poster--crowded"];
  var body = document.body;
  var first = document.querySelector(".poster .page");
  if (!first || !body.classList) return;

  function people(page) { return page.querySelector(".poster__people"); }
  function fits(page) {
    var box = people(page);
    return box.scrollHeight <= box.clientHeight + 1 && page.scrollHeight <= page.clientHeight + 1;
  }
  function setTier(i) {
    TIERS.forEach(function (name) { body.classList.remove(name); });
    body.classList.add(TIERS[i]);
  }

  /* A further page: the first one's header and footer (the QR codes, 110 and the roster date; the other
     contacts only on the first page, to leave room for people), no people. Screen readers hear them once. */
  function blankPage(after) {
    var page = first.cloneNode(true);
    page.classList.add("page--continued");
    var box = people(page);
    while (box.firstChild) box.removeChild(box.firstChild);
    [page.querySelector(".poster__head"), page.querySelector(".poster__foot")].forEach(function (part) {
      if (part) part.setAttribute("aria-hidden", "true");
    });
    after.parentNode.insertBefore(page, after.nextSibling);
    return page;
  }

  /* Every card back on the first page, the further pages gone. */
  function reset() {
    var pages = document.querySelectorAll(".poster .page");
    for (var i = 1; i < pages.length; i++) {
      while (people(pages[i]).firstChild) people(first).appendChild(people(pages[i]).firstChild);
      pages[i].parentNode.removeChild(pages[i]);
    }
    first.classList.remove("page--grow");
  }

  /* Fills each page with the cards that fit and moves the rest on; returns the number of pages. */
  function paginate() {
    var page = first, count = 0;
    while (page) {
      var next = null;
      count += 1;
      while (!fits(page) && people(page).children.length > 1) {
        next = next || blankPage(page);
        people(next).insertBefore(people(page).lastElementChild, people(next).firstChild);
      }
      if (!fits(page)) page.classList.add("page--grow");
      page = next;
    }
    return count;
  }

  function number() {
    var pages = document.querySelectorAll(".poster .page");
    if (pages.length < 2) return;
    for (var i = 0; i < pages.length; i++) {
      var mark = pages[i].querySelector(".poster__pageno");
      if (mark) mark.textContent = "第 " + (i + 1) + " 页，共 " + pages.length + " 页";
    }
  }

  body.classList.add("poster--paged");
  /* The layout with the fewest pages; of those, the one with the largest print. */
  var best = null;
  for (var t = 0; t < TIERS.length; t++) {
    setTier(t);
    reset();
    var pages = paginate();
    if (best === null || pages < best.pages) best = { tier: t, pages: pages };
    if (pages === 1) break;
  }
  setTier(best.tier);
  reset();
  paginate();
  number();
})();
