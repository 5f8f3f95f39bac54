/* Click-to-load YouTube player: until the visitor clicks, the page shows our own copy of
   the thumbnail and makes no request to any video host. Static file (CSP: no inline script). */
(function () {
  "use strict";
  function play(event) {
    var link = event.target.closest("[data-video-play]");
    if (!link) return;
    var figure = link.closest("[data-video-facade]");
    var id = figure && figure.dataset.videoId;
    if (!id || !/^[A-Za-z0-9_-]{11}$/.test(id)) return;
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.src = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1";
    frame.title = link.dataset.title || "動画";
    frame.allow = "autoplay; encrypted-media; picture-in-picture";
    frame.allowFullscreen = true;
    link.replaceWith(frame);
  }
  document.addEventListener("click", play);
})();
