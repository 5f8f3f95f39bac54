// /admin/top-page: the featured-article picker. Search published articles by title, add them,
// order them with 上へ / 下へ and take them out with 外す, all in the page. Without this script
// the same buttons submit the form and the server applies them (nothing is saved until 保存).
(function () {
  "use strict";
  var picker = document.getElementById("featured-picker");
  if (!picker || !window.fetch) return;
  var list = document.getElementById("featured-list");
  var found = document.getElementById("featured-found");
  var search = document.getElementById("featured-search");
  var findButton = document.getElementById("featured-find");
  var empty = document.getElementById("featured-empty");
  var none = document.getElementById("featured-none");
  var count = document.getElementById("featured-count");
  var announcer = document.getElementById("featured-announcer");
  var max = parseInt(picker.getAttribute("data-max"), 10) || 6;
  var searchUrl = picker.getAttribute("data-search-url");
  var timer = null, serial = 0;

  function say(message) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 50);
  }

  function chosen() { return Array.prototype.slice.call(list.querySelectorAll("li[data-slug]")); }
  function titleOf(item) { return item.querySelector(".picker-title").textContent; }

  function button(label, name, value, ariaLabel, data) {
    var b = document.createElement("button");
    b.type = "submit";
    b.name = name;
    b.value = value;
    b.textContent = label;
    b.setAttribute("aria-label", ariaLabel);
    b.setAttribute(data[0], data[1]);
    return b;
  }

  function refresh() {
    var items = chosen();
    items.forEach(function (item, i) {
      item.querySelectorAll("button").forEach(function (b) { b.value = String(i + 1); });
      item.querySelector('[data-move="up"]').disabled = i === 0;
      item.querySelector('[data-move="down"]').disabled = i === items.length - 1;
    });
    empty.hidden = items.length > 0;
    count.textContent = items.length + " / " + max + " 件を選んでいます" + (items.length >= max ? "（上限です）" : "");
    found.querySelectorAll("[data-add]").forEach(function (b) { b.disabled = items.length >= max; });
  }

  function chosenItem(slug, title, category) {
    var li = document.createElement("li");
    li.setAttribute("data-slug", slug);
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "featured";
    input.value = slug;
    var name = document.createElement("span");
    name.className = "picker-title";
    name.textContent = title;
    li.appendChild(input);
    li.appendChild(name);
    if (category) {
      var hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = "（" + category + "）";
      li.appendChild(hint);
    }
    var buttons = document.createElement("span");
    buttons.className = "picker-buttons";
    buttons.appendChild(button("上へ", "featured_up", "0", "「" + title + "」を上へ", ["data-move", "up"]));
    buttons.appendChild(button("下へ", "featured_down", "0", "「" + title + "」を下へ", ["data-move", "down"]));
    buttons.appendChild(button("外す", "featured_remove", "0", "「" + title + "」を外す", ["data-move", "remove"]));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(buttons);
    return li;
  }

  function foundItem(article) {
    var li = document.createElement("li");
    li.setAttribute("data-slug", article.slug);
    var name = document.createElement("span");
    name.className = "picker-title";
    name.textContent = article.title;
    var hint = document.createElement("span");
    hint.className = "hint";
    hint.textContent = "（" + article.category + "）";
    var buttons = document.createElement("span");
    buttons.className = "picker-buttons";
    buttons.appendChild(button("追加", "featured_add", article.slug, "「" + article.title + "」を追加", ["data-add", ""]));
    li.appendChild(name);
    li.appendChild(hint);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(buttons);
    return li;
  }

  function move(item, how) {
    var title = titleOf(item);
    var items = chosen();
    var index = items.indexOf(item);
    if (how === "remove") {
      var next = items[index + 1] || items[index - 1];
      item.parentNode.removeChild(item);
      refresh();
      (next ? next.querySelector('[data-move="remove"]') : search).focus();
      say("「" + title + "」をおすすめ記事から外しました。");
      runSearch(false);  // it can be added again
      return;
    }
    if (how === "up" && index > 0) list.insertBefore(item, items[index - 1]);
    if (how === "down" && index < items.length - 1) list.insertBefore(items[index + 1], item);
    refresh();
    var again = item.querySelector('[data-move="' + how + '"]');
    (again.disabled ? item.querySelector('[data-move="' + (how === "up" ? "down" : "up") + '"]') : again).focus();
    say("「" + title + "」を" + (chosen().indexOf(item) + 1) + "番目にしました。");
  }

  function add(item) {
    if (chosen().length >= max) {
      say("おすすめ記事は" + max + "件までです。どれかを外してから追加してください。");
      return;
    }
    var title = titleOf(item);
    var category = (item.querySelector(".hint") || {}).textContent || "";
    list.appendChild(chosenItem(item.getAttribute("data-slug"), title, category.replace(/^（|）$/g, "")));
    var next = item.nextElementSibling || item.previousElementSibling;
    item.parentNode.removeChild(item);
    none.hidden = found.querySelector("li") !== null;
    refresh();
    (next ? next.querySelector("[data-add]") : search).focus();
    say("「" + title + "」をおすすめ記事の" + chosen().length + "番目に追加しました。");
  }

  picker.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || !picker.contains(target)) return;
    if (target === findButton) {
      event.preventDefault();
      runSearch(true);
      return;
    }
    var item = target.closest("li[data-slug]");
    if (!item) return;
    event.preventDefault();
    if (target.hasAttribute("data-add")) add(item);
    else move(item, target.getAttribute("data-move"));
  });

  function runSearch(announce) {
    var params = new URLSearchParams();
    params.set("q", search.value.trim());
    chosen().forEach(function (item) { params.append("exclude", item.getAttribute("data-slug")); });
    var mine = ++serial;
    found.setAttribute("aria-busy", "true");
    fetch(searchUrl + "?" + params.toString(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") === -1) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (mine !== serial) return;  // an older answer arriving late
        while (found.firstChild) found.removeChild(found.firstChild);
        data.articles.forEach(function (article) { found.appendChild(foundItem(article)); });
        var words = search.value.trim();
        none.textContent = words ? "「" + words + "」を題名に含む公開中の記事は見つかりませんでした。"
                                 : "追加できる公開中の記事はありません。";
        none.hidden = data.articles.length > 0;
        found.setAttribute("aria-busy", "false");
        refresh();
        if (announce && words) say(data.articles.length ? data.articles.length + "件見つかりました。" : "見つかりませんでした。");
      })
      .catch(function () {
        if (mine !== serial) return;
        found.setAttribute("aria-busy", "false");
        none.textContent = "記事を探せませんでした。ページを再読み込みしてください。";
        none.hidden = false;
      });
  }

  search.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { runSearch(true); }, 250);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {  // search, never submit the form from this field
      event.preventDefault();
      window.clearTimeout(timer);
      runSearch(true);
    }
  });
  refresh();
})();
