/* Click-to-load YouTube player: until the visitor clicks, the page shows a link (in articles) or
   our own copy of the thumbnail (videos, /posts) and makes no request to any video host.
   The player then loads from youtube-nocookie.com. Static file (CSP: no inline script). */
(function () {
  "use strict";
  var VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;

  function playerFor(id, title) {
    var frame = document.createElement("iframe");
    frame.src = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1";
    frame.title = title || "動画";
    frame.allow = "autoplay; encrypted-media; picture-in-picture";
    frame.allowFullscreen = true;
    frame.className = "video-frame";
    return frame;
  }

  function target(event) {
    var link = event.target.closest(".video-facade-play, [data-video-play]");
    if (!link) return null;
    var figure = link.closest(".video-facade[data-youtube-id], [data-video-facade]");
    if (!figure) return null;
    var id = figure.getAttribute("data-youtube-id") || figure.getAttribute("data-video-id");
    return id && VIDEO_ID.test(id) ? { link: link, id: id } : null;
  }

  document.addEventListener("click", function (event) {
    var found = target(event);
    if (!found) return;
    event.preventDefault();
    var title = found.link.getAttribute("data-title") || found.link.textContent.replace("▶", "").trim();
    var frame = playerFor(found.id, title);
    found.link.replaceWith(frame);
    frame.focus();
  });
})();
