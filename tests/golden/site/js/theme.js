/* Applies the saved colour scheme before the first paint (loaded without defer in <head>: no flash).
   "light", "dark" or "auto" (the system's preference) from localStorage; nothing saved means the
   site's default: the data-theme its pages carry (defaultAppearance), else auto. */
(function () {
  try {
    var saved = localStorage.getItem("pressroom-theme");
    if (saved === "light" || saved === "dark") document.documentElement.setAttribute("data-theme", saved);
    if (saved === "auto") document.documentElement.removeAttribute("data-theme");
  } catch (e) { /* storage blocked: auto */ }
})();
