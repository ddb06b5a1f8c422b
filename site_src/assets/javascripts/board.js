/* Small progressive enhancements; every page works without them.
   - elder mode toggle, remembered in localStorage
   - "on duty today / now" from the schedule embedded in station and officer pages
   - search over data/search.json, by name or pinyin */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.SanguanBoard = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /* Date and minutes of the day in Beijing time, whatever the phone's own time zone. */
  function beijingNow(date) {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(date || new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return { day: parts.year + "-" + parts.month + "-" + parts.day, time: parts.hour + ":" + parts.minute };
  }

  /* Today's entries: [{name, role, from, to, duty, place, now}] or null when the data has run out. */
  function dutyToday(data, now) {
    if (now.day < data.from || now.day > data.to) return null;
    return (data.days[now.day] || []).map(function (e) {
      var person = data.people[e[0]];
      return { name: person[0], role: person[1], from: e[1], to: e[2], duty: e[3], place: e[4],
               now: e[1] <= now.time && now.time < e[2], ended: e[2] <= now.time };
    });
  }

  function normalise(text) {
    return String(text || "").toLowerCase().replace(/[\s'’·]/g, "");
  }

  /* items: [[kind, name, path, detail, keys]]; matches name, pinyin and initials; stations first. */
  function search(items, query, limit) {
    var q = normalise(query);
    if (!q) return [];
    var found = [];
    for (var i = 0; i < items.length; i++) {
      var keys = normalise(items[i][1] + " " + items[i][4]);
      var at = keys.indexOf(q);
      if (at >= 0) found.push({ item: items[i], rank: (normalise(items[i][1]).indexOf(q) === 0 ? 0 : 1) * 10 + items[i][0] });
    }
    found.sort(function (a, b) { return a.rank - b.rank; });
    return found.slice(0, limit || 20).map(function (f) {
      return { kind: f.item[0], name: f.item[1], path: f.item[2], detail: f.item[3] };
    });
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function showToday(box, data) {
    var now = beijingNow(), entries = dutyToday(data, now), closed = (data.closed || {})[now.day];
    box.textContent = "";
    if (entries === null) {
      box.appendChild(el("p", "值班数据已过期（有效至 " + data.to + "），请以社区公示栏或值班电话为准。"));
      return;
    }
    if (!entries.length) {
      box.appendChild(el("p", closed ? "今天" + closed + "，值班暂停。" : "今天没有安排值班，可以拨打上面的电话。"));
      return;
    }
    var list = el("ul");
    entries.forEach(function (e) {
      var li = el("li", null, e.ended ? "sb-ended" : null);
      if (e.now) li.appendChild(el("span", "现在在岗", "sb-now"));
      if (e.ended) li.appendChild(el("span", "已结束", "sb-ended-tag"));
      li.appendChild(document.createTextNode(e.from + "–" + e.to + " " + e.role + e.name + "（" + e.duty +
        (e.place ? "，" + e.place : "") + "）"));
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  var KINDS = ["社区", "人员", "街道"];

  function setUpSearch(form) {
    var input = form.querySelector("input"), results = form.querySelector(".sb-results");
    var items = null, pending = null, base = form.getAttribute("data-search").replace(/data\/search\.json$/, "");
    function load() {
      if (!pending) pending = fetch(form.getAttribute("data-search")).then(function (r) { return r.json(); })
        .then(function (data) { items = data; return data; });
      return pending;
    }
    function render() {
      load().then(function () {
        var found = search(items, input.value, 20);
        results.textContent = "";
        results.hidden = !input.value.trim();
        if (!found.length && input.value.trim()) results.appendChild(el("li", "没有找到，请换个说法，或在下面按街道查找。"));
        found.forEach(function (f) {
          var li = el("li"), a = el("a", f.name);
          a.href = base + f.path;
          a.appendChild(el("small", KINDS[f.kind] + " · " + f.detail));
          li.appendChild(a);
          results.appendChild(li);
        });
      });
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", render);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = results.querySelector("a");
      if (first) window.location.href = first.href;
    });
  }

  function setUpElderMode(button) {
    var html = document.documentElement;
    function show(on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "退出长者模式" : "长者模式";
    }
    show(html.classList.contains("sb-elder"));
    button.addEventListener("click", function () {
      var on = !html.classList.contains("sb-elder");
      html.classList.toggle("sb-elder", on);
      show(on);
      try { localStorage.setItem("sb-elder", on ? "1" : "0"); } catch (e) { /* private mode: not remembered */ }
      carryElderMode();
    });
  }

  // The form service is another origin (another port in `make demo`, another host in production),
  // whose storage cannot see ours: its links carry the choice as ?elder=1 or 0 (its elder.js keeps it).
  var FORM_PAGES = /\/(book|complaint|track)$/;  // also behind a path prefix (/forms/book)

  function carryElderMode() {
    var choice;
    try { choice = localStorage.getItem("sb-elder"); } catch (e) { return; }
    if (choice !== "1" && choice !== "0") return;
    document.querySelectorAll("a[href]").forEach(function (link) {
      var url = new URL(link.href, window.location.href);
      if (url.origin === window.location.origin || !FORM_PAGES.test(url.pathname)) return;
      url.searchParams.set("elder", choice);
      link.href = url.toString();
    });
  }

  function start() {
    var data = document.getElementById("duty-data");
    var box = document.querySelector("[data-duty-today]");
    if (data && box) showToday(box, JSON.parse(data.textContent));
    document.querySelectorAll("form[data-search]").forEach(setUpSearch);
    document.querySelectorAll("[data-elder-toggle]").forEach(setUpElderMode);
    carryElderMode();
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
  return { beijingNow: beijingNow, dutyToday: dutyToday, search: search, normalise: normalise };
});
