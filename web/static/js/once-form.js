/* Registration form: a second click while the first submission is on its way does nothing
   (the server also recognises a resubmitted form by its submission key). A file, not an inline
   script: the Content-Security-Policy allows scripts from this site only. */
(function () {
  var form = document.querySelector("form[data-once]");
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    form.setAttribute("aria-busy", "true");
  });
}());
