// The live recommendation: while the request form changes, ask the server for the
// recommendation of the form as it stands and show the fragment it renders (escaped there).
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview]");
  var out = document.getElementById("preview");
  if (!form || !out) { return; }
  var timer = null, sent = 0;
  function run() {
    var mine = ++sent;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute("data-preview"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded"}
    }).then(function (r) { return r.text(); }).then(function (html) {
      if (mine === sent) { out.innerHTML = html; out.setAttribute("data-ready", String(mine)); }
    }).catch(function () {
      if (mine === sent) { out.textContent = "The recommendation could not be fetched; the form still saves."; }
    });
  }
  function later() { clearTimeout(timer); timer = setTimeout(run, 200); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  run();
})();
