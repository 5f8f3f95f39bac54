// Article editor for non-technical staff: toolbar, live preview (rendered by the server with the
// public page's code), character count against the category's target, inline images and videos.
// No inline script anywhere: this file is loaded with <script src> (CSP).
(function () {
  "use strict";
  var form = document.getElementById("article-form");
  var body = document.getElementById("body_md");
  if (!form || !body) return;

  // --- toolbar ------------------------------------------------------------------------------
  function replaceSelection(before, after, placeholder) {
    var start = body.selectionStart, end = body.selectionEnd;
    var chosen = body.value.slice(start, end) || placeholder;
    body.setRangeText(before + chosen + after, start, end, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function prefixLines(prefix) {
    var start = body.value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = body.selectionEnd;
    var lines = body.value.slice(start, end).split("\n").map(function (line) { return prefix + line; });
    body.setRangeText(lines.join("\n"), start, end, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function insertBlock(text) {
    var at = body.selectionEnd;
    var before = at > 0 && body.value[at - 1] !== "\n" ? "\n\n" : "";
    body.setRangeText(before + text + "\n\n", at, at, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }
  var actions = {
    heading: function () { prefixLines("## "); },
    bold: function () { replaceSelection("**", "**", "太字にする文字"); },
    list: function () { prefixLines("- "); },
    link: function () {
      var url = window.prompt("リンク先のURLを入力してください（https://…）");
      if (url) replaceSelection("[", "](" + url.trim() + ")", "リンクの文字");
    },
    image: function () { var d = document.getElementById("image-dialog"); if (d) d.showModal(); },
    video: function () {
      var url = window.prompt("YouTubeの動画のURLを入力してください");
      if (!url) return;
      var caption = window.prompt("動画の説明（任意）") || "";
      insertBlock("::動画 " + url.trim() + (caption ? " " + caption.trim() : ""));
    }
  };
  document.querySelectorAll("[data-editor-action]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.getAttribute("data-editor-action")](); });
  });

  // --- inline image upload --------------------------------------------------------------------
  var dialog = document.getElementById("image-dialog");
  if (dialog) {
    var imageForm = dialog.querySelector("form");
    var error = dialog.querySelector("[data-image-error]");
    dialog.querySelector("[data-image-cancel]").addEventListener("click", function () { dialog.close(); });
    imageForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(imageForm);
      data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
      error.textContent = "アップロードしています…";
      fetch(imageForm.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (answer.error) { error.textContent = answer.error; return; }
          error.textContent = "";
          insertBlock(answer.markdown);
          imageForm.reset();
          dialog.close();
        })
        .catch(function () { error.textContent = "アップロードできませんでした。もう一度お試しください"; });
    });
  }

  // --- character count ------------------------------------------------------------------------
  var counter = document.getElementById("body-count");
  var category = document.getElementById("category");
  var targets = { feature: [1200, 1500], series: [300, 500] };
  function plainLength(text) {
    return text.replace(/^::\S+.*$/gm, "").replace(/!\[[^\]]*\]\([^)]*\)/g, "")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[#*>`_\-\s]/g, "").length;
  }
  function updateCount() {
    if (!counter) return;
    var count = plainLength(body.value);
    var target = targets[category ? category.value : ""];
    var text = "本文 " + count.toLocaleString("ja-JP") + "字";
    counter.classList.remove("count-warning");
    if (target) {
      text += "（目安 " + target[0].toLocaleString("ja-JP") + "〜" + target[1].toLocaleString("ja-JP") + "字）";
      if (count < target[0]) { text += "：もう少し書けます"; counter.classList.add("count-warning"); }
      if (count > target[1]) { text += "：目安より長めです"; counter.classList.add("count-warning"); }
    }
    counter.textContent = text;
  }

  // --- live preview (the server renders it with the public page's code) ------------------------
  var frame = document.getElementById("live-preview");
  var timer = null;
  function refreshPreview() {
    if (!frame) return;
    var data = new FormData(form);
    data.delete("hero_image");
    fetch(form.getAttribute("data-preview-url"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { frame.srcdoc = html; })
      .catch(function () {});
  }
  function changed() {
    updateCount();
    window.clearTimeout(timer);
    timer = window.setTimeout(refreshPreview, 700);
  }
  body.addEventListener("input", changed);
  if (category) category.addEventListener("change", changed);
  var title = document.getElementById("title");
  if (title) title.addEventListener("input", changed);
  updateCount();
  refreshPreview();
})();
