/* pressroom theme: the colour-scheme toggle, copy buttons on code blocks, and the search page.
   Loaded with defer; every feature is an enhancement, so the page reads the same without it. */
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "pressroom-theme";
  var NEXT = { auto: "light", light: "dark", dark: "auto" };

  function current() { return root.getAttribute("data-theme") || "auto"; }

  function showScheme(button) {
    var scheme = current();
    button.setAttribute("data-scheme", scheme);
    button.setAttribute("aria-label", "Colour scheme: " + scheme + " (change)");
    button.title = "Colour scheme: " + scheme;
  }

  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    toggle.hidden = false;
    showScheme(toggle);
    toggle.addEventListener("click", function () {
      var scheme = NEXT[current()];
      try {
        if (scheme === "auto") localStorage.removeItem(KEY); else localStorage.setItem(KEY, scheme);
      } catch (e) { /* not remembered, still applied */ }
      if (scheme === "auto") root.removeAttribute("data-theme"); else root.setAttribute("data-theme", scheme);
      showScheme(toggle);
    });
  }

  /* Copy buttons: one per code block, copying the code's text (a diagram's source is no code block). */
  document.querySelectorAll(".content pre:not(.mermaid)").forEach(function (pre) {
    var block = pre.parentElement && pre.parentElement.classList.contains("highlight") ? pre.parentElement : pre;
    if (!navigator.clipboard || block.querySelector(".copy")) return;
    var wrap = document.createElement("div");
    wrap.className = "code-block";
    block.parentNode.insertBefore(wrap, block);
    wrap.appendChild(block);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy code");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(pre.innerText.replace(/\n$/, "")).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      }, function () { button.textContent = "Press Ctrl+C"; });
    });
    wrap.appendChild(button);
  });

  /* Search: the page /search/ has a form; the index is /index.json, a table of part files
     (search/part-K-of-N.json), all fetched on first use. */
  var form = document.querySelector("form.search");
  if (!form) return;
  var input = form.querySelector("input[type=search]");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var pages = null;

  function words(text) { return text.toLowerCase().split(/\s+/).filter(Boolean); }

  function score(page, terms) {
    var title = page.title.toLowerCase(), tags = page.tags.join(" ").toLowerCase();
    var text = page.summary.toLowerCase(), total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i], s = 0;
      if (title.indexOf(t) >= 0) s += 10;
      if (tags.indexOf(t) >= 0) s += 5;
      if (text.indexOf(t) >= 0) s += 1;
      if (!s) return 0;
      total += s;
    }
    return total;
  }

  function show(query) {
    var terms = words(query);
    results.textContent = "";
    if (!terms.length) { status.textContent = ""; return; }
    var found = pages.map(function (p) { return [score(p, terms), p]; })
      .filter(function (pair) { return pair[0] > 0; })
      .sort(function (a, b) { return b[0] - a[0] || (b[1].date || "").localeCompare(a[1].date || ""); })
      .slice(0, 50);
    status.textContent = found.length ? found.length + (found.length === 1 ? " page" : " pages") + " found" : "Nothing found";
    found.forEach(function (pair) {
      var page = pair[1];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = page.url;
      link.textContent = page.title;
      var heading = document.createElement("h2");
      heading.appendChild(link);
      item.appendChild(heading);
      if (page.summary) {
        var text = document.createElement("p");
        text.textContent = page.summary;
        item.appendChild(text);
      }
      results.appendChild(item);
    });
  }

  function load(url) {
    return fetch(url).then(function (r) { if (!r.ok) throw new Error(url); return r.json(); });
  }

  function run() {
    var query = input.value;
    if (history.replaceState) history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : location.pathname);
    if (pages) { show(query); return; }
    status.textContent = "Loading…";
    load(form.getAttribute("data-index")).then(function (table) {
      return Promise.all(table.parts.map(function (part) { return load(part.url); }));
    }).then(function (parts) {
      pages = [].concat.apply([], parts);
      show(input.value);
    }, function () { status.textContent = "The search index could not be loaded."; });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  input.addEventListener("input", run);
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; run(); }
})();
