// /admin/jobs: while a job is queued or running, ask the server how far it is and update
// the table in place (state, progress bar and count, result) without reloading the page.
(function () {
  "use strict";
  var table = document.getElementById("job-table");
  if (!table || !table.hasAttribute("data-job-active")) return;
  var url = table.getAttribute("data-status-url");
  var announcer = document.getElementById("job-announcer");
  var failure = document.getElementById("job-poll-error");
  var delay = 1000, failures = 0;
  table.setAttribute("aria-busy", "true");

  function text(row, selector, value) {
    var el = row.querySelector(selector);
    if (el && el.textContent !== value) el.textContent = value;
  }

  function update(job) {
    var row = table.querySelector('tr[data-job-id="' + job.id + '"]');
    if (!row) return false;  // a job requested elsewhere: the next page load shows it
    var before = row.getAttribute("data-job-status");
    row.setAttribute("data-job-status", job.status);
    text(row, "[data-job-state]", job.status_label);
    text(row, "[data-job-progress]", job.progress);
    text(row, "[data-job-message]", job.message);
    var bar = row.querySelector("[data-job-bar]");
    if (bar) {
      if (job.percent === null) {
        bar.removeAttribute("value");  // indeterminate until the job reports a count
        bar.hidden = !job.active;
      } else {
        bar.value = job.percent;
        bar.hidden = false;
      }
    }
    if (before !== job.status && !job.active && announcer) {
      announcer.textContent = "「" + job.label + "」" + job.status_label + "：" + job.message;
    }
    return true;
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") === -1) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        data.jobs.forEach(update);
        if (data.active) {
          window.setTimeout(poll, delay);
        } else {
          table.removeAttribute("data-job-active");
          table.setAttribute("aria-busy", "false");
        }
      })
      .catch(function () {
        failures += 1;
        if (failures >= 5) {
          table.setAttribute("aria-busy", "false");
          if (failure) failure.hidden = false;
          return;
        }
        window.setTimeout(poll, delay * (failures + 1));
      });
  }

  window.setTimeout(poll, delay);
})();
