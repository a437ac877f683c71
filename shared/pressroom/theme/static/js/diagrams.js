/* pressroom theme: draws the page's Mermaid diagrams (<pre class="mermaid">) with the site's own
   copy of Mermaid, under its strict Content-Security-Policy. Loaded with defer, after
   lib/mermaid/mermaid.min.js, only on pages that have a diagram.

   The policy is `style-src 'self'`: a `style` attribute or a <style> element that comes from markup
   is refused, and Chromium reports one even where markup is only parsed (DOMParser, <template>)
   or `setAttribute("style")` is called on a detached element. Mermaid does all of these. The CSSOM
   is not governed by style-src, so while Mermaid draws (in a scratch element of its own):
   - a `style` attribute it sets is applied with `style.cssText` instead;
   - its <style> element becomes a constructed stylesheet adopted by the document;
   - markup it parses (DOMPurify sanitising the SVG it serialised) has its `style` attributes
     renamed `data-pressroom-style` first.
   The SVG it returns is parsed the same way, and each renamed attribute applied through the CSSOM
   once the SVG is in the page. Without script the diagram's source stays, as written. */
(function () {
  "use strict";
  if (!window.mermaid) return;
  var root = document.documentElement;
  var diagrams = [];
  var drawn = 0;

  function dark() {
    var chosen = root.getAttribute("data-theme");
    if (chosen) return chosen === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function adopt(cssText, sheets) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(cssText);
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
    sheets.push(sheet);
  }

  /* Serialised markup with each `style` attribute renamed `data-pressroom-style`: a tag at a time,
     an attribute at a time (a value, always quoted by the serialiser, may hold "style=" or ">"). */
  var TAG = /<[A-Za-z][^\s\/>]*(?:\s+[^\s"'=\/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*\/?>/g;
  var ATTRIBUTE = /(\s+)([^\s"'=\/>]+)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;
  function renameStyles(markup) {
    return String(markup).replace(TAG, function (tag) {
      return tag.replace(ATTRIBUTE, function (whole, space, name, value) {
        return name.toLowerCase() === "style" ? space + "data-pressroom-style" + (value || "") : whole;
      });
    });
  }

  function isStyleElement(node) {
    return node instanceof HTMLStyleElement || node instanceof SVGStyleElement;
  }

  /* Runs `draw` (a function returning a promise) with `style` set through the CSSOM and <style>
     elements adopted as stylesheets, then puts the DOM's own methods back. */
  function withCssomStyles(sheets, draw) {
    var element = Element.prototype, node = Node.prototype;
    var setAttribute = element.setAttribute, insertBefore = node.insertBefore, appendChild = node.appendChild;
    var parseFromString = DOMParser.prototype.parseFromString;
    function inert(child) {
      if (!isStyleElement(child)) return child;
      adopt(child.textContent, sheets);
      return document.createComment("style adopted");
    }
    element.setAttribute = function (name, value) {
      if (String(name).toLowerCase() === "style") { this.style.cssText = value; return; }
      return setAttribute.call(this, name, value);
    };
    node.insertBefore = function (child, before) { return insertBefore.call(this, inert(child), before); };
    node.appendChild = function (child) { return appendChild.call(this, inert(child)); };
    DOMParser.prototype.parseFromString = function (markup, type) { return parseFromString.call(this, renameStyles(markup), type); };
    function restore() {
      DOMParser.prototype.parseFromString = parseFromString;
      element.setAttribute = setAttribute;
      node.insertBefore = insertBefore;
      node.appendChild = appendChild;
    }
    return draw().then(function (value) { restore(); return value; }, function (error) { restore(); throw error; });
  }

  /* Mermaid's SVG text as a node of this document, its styles applied through the CSSOM. */
  function svgNode(svgText, sheets) {
    var parsed = new DOMParser().parseFromString(renameStyles(svgText), "text/html");
    parsed.querySelectorAll("style").forEach(function (style) {
      adopt(style.textContent, sheets);
      style.remove();
    });
    var svg = document.importNode(parsed.querySelector("svg"), true);
    [svg].concat([].slice.call(svg.querySelectorAll("[data-pressroom-style]"))).forEach(function (el) {
      if (!el.hasAttribute("data-pressroom-style")) return;
      el.style.cssText = el.getAttribute("data-pressroom-style");
      el.removeAttribute("data-pressroom-style");
    });
    return svg;
  }

  function draw(diagram) {
    var sheets = [];
    var id = "mermaid-" + diagram.index + "-" + (drawn += 1);
    return withCssomStyles(sheets, function () { return window.mermaid.render(id, diagram.source); })
      .then(function (result) {
        var svg = svgNode(result.svg, sheets);
        var old = diagram.sheets;
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter(function (s) { return old.indexOf(s) < 0; });
        diagram.sheets = sheets;
        diagram.figure.textContent = "";
        diagram.figure.appendChild(svg);
        if (diagram.source.length && !svg.getAttribute("aria-label")) svg.setAttribute("aria-label", "Diagram");
        if (diagram.pre.parentNode) diagram.pre.parentNode.replaceChild(diagram.figure, diagram.pre);
      }, function (error) {
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter(function (s) { return sheets.indexOf(s) < 0; });
        diagram.pre.setAttribute("data-error", String(error && error.message || error));
      });
  }

  function drawAll() {
    // Mermaid's dark theme puts edge labels on a mid grey its light text fails 4.5:1 on.
    var scheme = dark() ? { theme: "dark", themeVariables: { edgeLabelBackground: "#202124" } } : { theme: "default" };
    window.mermaid.initialize(Object.assign({ startOnLoad: false, securityLevel: "strict" }, scheme));
    return diagrams.reduce(function (done, diagram) {
      return done.then(function () { return draw(diagram); });
    }, Promise.resolve());
  }

  document.querySelectorAll("pre.mermaid").forEach(function (pre, index) {
    var figure = document.createElement("div");
    figure.className = "diagram";
    diagrams.push({ pre: pre, figure: figure, index: index, source: pre.textContent, sheets: [] });
  });
  if (!diagrams.length) return;
  var drawing = drawAll();
  function redraw() { drawing = drawing.then(drawAll); }
  new MutationObserver(redraw).observe(root, { attributes: true, attributeFilter: ["data-theme"] });
  if (window.matchMedia) {
    var query = window.matchMedia("(prefers-color-scheme: dark)");
    if (query.addEventListener) query.addEventListener("change", redraw);
  }
})();
