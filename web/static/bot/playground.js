// Bot playground: sends a turn to /playground/api/message and draws the answer like LINE.
(function () {
  "use strict";
  const log = document.querySelector("[data-pg-log]");
  if (!log) return;
  const quick = document.querySelector("[data-pg-quick]");
  const form = document.querySelector("[data-pg-form]");
  const input = document.querySelector("[data-pg-input]");
  const errorBox = document.querySelector("[data-pg-error]");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const endpoint = window.location.pathname.replace(/\/$/, "") + "/api/message";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function isWebUrl(url) {
    return typeof url === "string" && /^https?:\/\//.test(url);
  }

  function row(who, child) {
    const li = el("li", "pg-row pg-row--" + who);
    li.appendChild(child);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  function choiceButton(choice, className) {
    if (choice.url) {
      const link = el("a", className, choice.label);
      if (isWebUrl(choice.url)) link.href = choice.url;
      link.target = "_blank";
      link.rel = "noopener";
      return link;
    }
    const button = el("button", className, choice.label);
    button.type = "button";
    button.addEventListener("click", function () { choose(choice); });
    return button;
  }

  function card(item) {
    const box = el("article", "pg-card");
    if (isWebUrl(item.image_url)) {
      const img = el("img");
      img.src = item.image_url;
      img.alt = "";
      img.loading = "lazy";
      box.appendChild(img);
    }
    const body = el("div", "pg-card-body");
    if (item.label) {
      const chip = el("span", "pg-chip", item.label);
      chip.style.background = item.label_colour;
      body.appendChild(chip);
    }
    body.appendChild(el("p", "pg-card-title", item.title));
    if (item.body) body.appendChild(el("p", "pg-card-text", item.body));
    box.appendChild(body);
    const foot = el("div", "pg-card-foot");
    foot.appendChild(choiceButton({ label: item.button_label, url: item.url }, "pg-btn pg-btn--primary"));
    item.buttons.forEach(function (b) { foot.appendChild(choiceButton(b, "pg-btn")); });
    box.appendChild(foot);
    return box;
  }

  function drawMessage(message) {
    if (message.type === "text") {
      row("bot", el("div", "pg-bubble", message.text));
    } else if (message.type === "cards") {
      const strip = el("div", "pg-carousel");
      strip.setAttribute("aria-label", message.alt_text);
      message.cards.forEach(function (c) { strip.appendChild(card(c)); });
      row("bot", strip);
    } else if (message.type === "confirm") {
      const box = el("div", "pg-bubble pg-confirm");
      box.appendChild(el("span", "", message.text));
      const actions = el("div", "pg-confirm-actions");
      actions.appendChild(choiceButton(message.yes, "pg-btn"));
      actions.appendChild(choiceButton(message.no, "pg-btn"));
      box.appendChild(actions);
      row("bot", box);
    }
  }

  function drawQuickReplies(choices) {
    quick.replaceChildren();
    choices.forEach(function (c) { quick.appendChild(choiceButton(c)); });
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  async function send(payload) {
    showError("");
    let answer;
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(payload),
        credentials: "same-origin",
      });
      answer = await response.json().catch(function () { return {}; });
      if (!response.ok) {
        showError(answer.message || "送信できませんでした。");
        return;
      }
    } catch (err) {
      showError("通信できませんでした。接続を確かめてください。");
      return;
    }
    answer.messages.forEach(drawMessage);
    drawQuickReplies(answer.quick_replies || []);
  }

  function choose(choice) {
    if (choice.data) {
      row("user", el("div", "pg-bubble", choice.display_text || choice.label));
      send({ kind: "postback", data: choice.data });
    } else if (choice.text) {
      row("user", el("div", "pg-bubble", choice.text));
      send({ kind: "text", text: choice.text });
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    row("user", el("div", "pg-bubble", text));
    send({ kind: "text", text: text });
  });

  function restart() {
    log.replaceChildren();
    quick.replaceChildren();
    send({ kind: "follow" });
  }

  document.querySelector("[data-pg-restart]").addEventListener("click", restart);
  restart();
})();
