/* Applies the saved colour scheme before the first paint (loaded without defer in <head>: no flash).
   "light" or "dark" from localStorage; nothing saved means auto (the system's preference). */
(function () {
  try {
    var saved = localStorage.getItem("pressroom-theme");
    if (saved === "light" || saved === "dark") document.documentElement.setAttribute("data-theme", saved);
  } catch (e) { /* storage blocked: auto */ }
})();
