/* Applies the saved colour scheme before the first paint (loaded without defer in <head>: no flash).
   "light", "dark" or "auto" (the system's preference) from localStorage; nothing saved means the
   site's default: the data-theme its pages carry (defaultAppearance), else auto.
   The toggle (hidden in the HTML: without scripts it could do nothing) is shown as soon as the
   parser adds it, before the first paint: shown by main.js (deferred), it appeared after the first
   paint and pushed the header down and its menu aside, a layout shift of 0.025 on every page. */
(function () {
  try {
    var saved = localStorage.getItem("pressroom-theme");
    if (saved === "light" || saved === "dark") document.documentElement.setAttribute("data-theme", saved);
    if (saved === "auto") document.documentElement.removeAttribute("data-theme");
  } catch (e) { /* storage blocked: auto */ }
  function show(toggle) {
    toggle.hidden = false;
    toggle.setAttribute("data-scheme", document.documentElement.getAttribute("data-theme") || "auto");
  }
  if (!window.MutationObserver) return;  /* main.js shows it */
  var observer = new MutationObserver(function () {
    var toggle = document.querySelector(".theme-toggle");
    if (toggle) { show(toggle); observer.disconnect(); }
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { observer.disconnect(); });
})();
