// Progressive enhancement only: every feature works as a plain link without this file.
(function () {
  "use strict";
  function announce(target, message) {
    if (target) { target.textContent = message; }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-copy-url]") : null;
    if (!link || !navigator.clipboard) { return; }
    event.preventDefault();
    var status = document.getElementById(link.getAttribute("aria-describedby"));
    navigator.clipboard.writeText(link.getAttribute("data-copy-url")).then(
      function () { announce(status, "リンクをコピーしました"); },
      function () { announce(status, "コピーできませんでした。アドレスバーのURLをお使いください"); }
    );
  });
}());
