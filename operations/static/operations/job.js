// Poll the job's state every second and move the progress bar until the run succeeds or fails.
(function () {
  "use strict";
  var FINISHED = { succeeded: true, partial: true, failed: true, skipped: true };
  function show(state) {
    var bar = document.querySelector(".progress");
    document.getElementById("progress-fill").style.width = state.percent + "%";
    bar.setAttribute("aria-valuenow", String(state.percent));
    document.getElementById("job-percent").textContent = state.percent + " %";
    document.getElementById("job-stage").textContent = state.stage || "waiting for a worker";
    var status = document.getElementById("job-status");
    status.textContent = state.status;
    status.className = "status-" + state.status;
    var error = document.getElementById("job-error");
    error.textContent = state.error;
    error.hidden = !state.error;
  }
  function poll(url) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        show(state);
        if (!FINISHED[state.status]) { window.setTimeout(function () { poll(url); }, 1000); }
      })
      .catch(function () { window.setTimeout(function () { poll(url); }, 3000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var page = document.querySelector(".job-progress");
    var status = document.getElementById("job-status").textContent;
    if (page && !FINISHED[status]) { poll(page.getAttribute("data-state-url")); }
  });
}());
