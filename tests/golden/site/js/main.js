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
        localStorage.setItem(KEY, scheme);  /* "auto" too: it overrides a site's fixed default */
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
     (search/part-K-of-N.json), fetched in parallel on first use; results show as each part
     arrives. A record holds a page's title, tags, summary and the opening of its text. Every
     string from the index is set as text (textContent), never parsed as HTML. */
  var form = document.querySelector("form.search");
  if (!form) return;
  var input = form.querySelector("input[type=search]");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var pages = null, partsLeft = 0;
  var WORD_CHAR = /[\p{L}\p{N}]/u;
  var SNIPPET = 180;

  function words(text) { return text.toLowerCase().split(/\s+/).filter(Boolean); }

  /* Where `term` starts a word of `text` (lower case), from `from` on; -1 when it does not. */
  function wordAt(text, term, from) {
    for (var i = text.indexOf(term, from || 0); i >= 0; i = text.indexOf(term, i + 1)) {
      if (i === 0 || !WORD_CHAR.test(text.charAt(i - 1))) return i;
    }
    return -1;
  }

  function lowered(page) {
    if (!page.lower) {
      page.lower = { title: page.title.toLowerCase(), tags: (page.tags || []).join(" ").toLowerCase(),
        summary: (page.summary || "").toLowerCase(), text: (page.text || "").toLowerCase() };
    }
    return page.lower;
  }

  /* Every term must start a word somewhere; a term in the title outranks any in the tags, which
     outrank the summary, then the text. */
  function score(page, terms) {
    var low = lowered(page), total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i], s = 0;
      if (wordAt(low.title, t) >= 0) s += 1000;
      if (wordAt(low.tags, t) >= 0) s += 100;
      if (wordAt(low.summary, t) >= 0) s += 10;
      if (wordAt(low.text, t) >= 0) s += 1;
      if (!s) return 0;
      total += s;
    }
    return total;
  }

  /* The text around the first term found in it, the terms in bold: text nodes and <strong>s only
     (a <mark>'s yellow under the muted text of a result fails contrast in the dark scheme). */
  function snippet(page, terms) {
    var low = lowered(page), text = page.text || "", first = -1;
    terms.forEach(function (t) { var at = wordAt(low.text, t); if (at >= 0 && (first < 0 || at < first)) first = at; });
    if (first < 0) return null;
    var start = Math.max(0, first - 60);
    var space = text.indexOf(" ", start);
    if (start > 0 && space >= 0 && space < first) start = space + 1;
    var end = Math.min(text.length, start + SNIPPET);
    if (end < text.length) end = text.lastIndexOf(" ", end) > first ? text.lastIndexOf(" ", end) : end;
    var p = document.createElement("p");
    p.className = "search-snippet";
    var at = start;
    if (start > 0) p.appendChild(document.createTextNode("… "));
    while (at < end) {
      var next = -1, length = 0;
      terms.forEach(function (t) {
        var found = wordAt(low.text, t, at);
        if (found >= 0 && found < end && (next < 0 || found < next)) { next = found; length = t.length; }
      });
      if (next < 0) { p.appendChild(document.createTextNode(text.slice(at, end))); break; }
      p.appendChild(document.createTextNode(text.slice(at, next)));
      var bold = document.createElement("strong");
      bold.textContent = text.slice(next, Math.min(next + length, end));
      p.appendChild(bold);
      at = next + length;
    }
    if (end < text.length) p.appendChild(document.createTextNode(" …"));
    return p;
  }

  function show(query) {
    var terms = words(query);
    results.textContent = "";
    if (!terms.length) { status.textContent = partsLeft ? "Loading…" : ""; return; }
    var found = pages.map(function (p) { return [score(p, terms), p]; })
      .filter(function (pair) { return pair[0] > 0; })
      .sort(function (a, b) { return b[0] - a[0] || (b[1].date || "").localeCompare(a[1].date || ""); })
      .slice(0, 50);
    var count = found.length ? found.length + (found.length === 1 ? " page" : " pages") + " found" : "Nothing found";
    status.textContent = partsLeft ? count + " so far, still loading…" : count;
    found.forEach(function (pair) {
      var page = pair[1];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = page.url;
      link.textContent = page.title;
      var heading = document.createElement("h2");
      heading.appendChild(link);
      item.appendChild(heading);
      var around = snippet(page, terms);
      var shown = page.summary || page.text;
      if (around) {
        item.appendChild(around);
      } else if (shown) {
        var text = document.createElement("p");
        text.textContent = shown.length > 240 ? shown.slice(0, shown.lastIndexOf(" ", 240)) + " …" : shown;
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
    pages = [];
    status.textContent = "Loading…";
    var failed = function () { pages = null; partsLeft = 0; status.textContent = "The search index could not be loaded."; };
    load(form.getAttribute("data-index")).then(function (table) {
      partsLeft = table.parts.length;
      return Promise.all(table.parts.map(function (part) {
        return load(part.url).then(function (records) {
          pages.push.apply(pages, records);
          partsLeft -= 1;
          show(input.value);
        });
      }));
    }).catch(failed);
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  input.addEventListener("input", run);
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; run(); }
})();
