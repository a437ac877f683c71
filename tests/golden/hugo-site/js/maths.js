/* pressroom theme: draws the TeX of a page that calls the `katex` shortcode, with the site's own
   copy of KaTeX (loaded with defer before this script, only on such pages), between the
   delimiters KaTeX's auto-render knows: \( \) inline, $$ $$ and \[ \] displayed.

   Under the site's `style-src 'self'`: auto-render builds each formula with `katex.render`, which
   makes DOM nodes and sets their sizes through the CSSOM (`element.style`), never from markup,
   so the policy allows it (`katex.renderToString` would write style attributes, and is not used).
   The output is HTML for the eye and MathML for assistive technology. */
(function () {
  "use strict";
  if (!window.renderMathInElement) return;
  window.renderMathInElement(document.querySelector("article .content") || document.body);
})();
