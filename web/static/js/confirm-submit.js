// Forms with data-confirm ask before they are sent (a CSP-friendly onsubmit="return confirm(...)").
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
