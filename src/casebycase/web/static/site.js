// The live recommendation: while the request form changes, ask the server for the
// recommendation of the form as it stands and show the fragment it renders (escaped there).
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview]");
  var out = document.getElementById("preview");
  var status = document.getElementById("preview-status");
  if (!form || !out) { return; }
  var timer = null, sent = 0;
  function run() {
    var mine = ++sent;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute("data-preview"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded"}
    }).then(function (r) {
      if (!r.ok || r.redirected) { throw new Error(r.redirected ? "signed out" : String(r.status)); }
      return r.text();
    }).then(function (html) {
      if (mine !== sent) { return; }
      out.innerHTML = html;
      out.setAttribute("data-ready", String(mine));
      var outcome = out.querySelector(".outcome");
      if (status) {
        status.textContent = outcome ? outcome.textContent.trim() : "The form is not complete yet.";
      }
    }).catch(function (e) {
      if (mine !== sent) { return; }
      out.textContent = e && e.message === "signed out"
        ? "Your session has ended: sign in again (in another tab) to see the recommendation."
        : "The recommendation could not be fetched; reload the page.";
    });
  }
  function later() { clearTimeout(timer); timer = setTimeout(run, 200); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  run();
})();
