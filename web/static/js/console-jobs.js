// /admin/jobs: while a job is queued or running, reload the page every few seconds to show progress.
(function () {
  "use strict";
  var table = document.getElementById("job-table");
  if (!table || !table.hasAttribute("data-job-active")) return;
  table.setAttribute("aria-busy", "true");
  window.setTimeout(function () { window.location.reload(); }, 3000);
})();
