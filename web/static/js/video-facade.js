// Click-to-load YouTube: the page shows a plain link; only a click loads the player
// (from youtube-nocookie.com). Nothing is requested from YouTube before that.
(function () {
  "use strict";
  document.querySelectorAll(".video-facade[data-youtube-id]").forEach(function (figure) {
    var link = figure.querySelector(".video-facade-play");
    if (!link) return;
    link.addEventListener("click", function (event) {
      var id = figure.getAttribute("data-youtube-id");
      if (!/^[A-Za-z0-9_-]{11}$/.test(id)) return;
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.src = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1";
      frame.title = link.textContent.replace("▶", "").trim();
      frame.allow = "autoplay; encrypted-media; picture-in-picture";
      frame.allowFullscreen = true;
      frame.className = "video-frame";
      link.replaceWith(frame);
      frame.focus();
    });
  });
})();
